"""Passwords for team library servers, kept only in the OS keyring (Secret Service, Windows
Credential Manager, macOS Keychain), never in a config file or a log.

Every keyring call runs on a thread of its own with a time limit: the unlock prompt of a locked
keyring can wait for ever, and the caller (the app's background worker, or the command line)
must be told so rather than hang. Each failure becomes a :class:`CredentialError` whose message
says what happened and what the user can do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from .targets import SyncError

SERVICE = "Handrail team libraries"
TIMEOUT_S = 10.0

T = TypeVar("T")


class CredentialError(SyncError):
    """The keyring could not be used; the message says why and what to do."""


def account(user: str, url: str) -> str:
    """The keyring's name for one user at one server."""
    return f"{user}@{url}"


def _explained(error: Exception) -> CredentialError:
    from keyring import errors

    if isinstance(error, errors.NoKeyringError):
        return CredentialError(
            "there is no keyring on this system to keep the password in (on Linux, install "
            "gnome-keyring or KeePassXC's Secret Service); the password is asked each time")
    if isinstance(error, errors.KeyringLocked) or "dismissed" in str(error).lower():
        return CredentialError("the keyring is locked, or unlocking it was cancelled: unlock "
                               "it and try again; the password is asked each time until then")
    return CredentialError(f"the keyring refused: {error}")


def _limited(call: Callable[[], T], what: str, timeout: float) -> T:
    """``call`` on its own thread; a keyring that does not answer in ``timeout`` s is an
    error (the thread is left to end by itself: a daemon, it never holds the app open)."""
    result: list[T] = []
    failure: list[Exception] = []

    def run() -> None:
        try:
            result.append(call())
        except Exception as error:  # noqa: BLE001 - converted below, at the boundary
            failure.append(error)

    worker = threading.Thread(target=run, name="handrail-keyring", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise CredentialError(f"the keyring did not answer in {timeout:.0f} s while {what} "
                              "(is it waiting to be unlocked?)")
    if failure:
        raise _explained(failure[0]) from failure[0]
    return result[0]


def save_password(user: str, url: str, password: str, *, timeout: float = TIMEOUT_S) -> None:
    import keyring

    _limited(lambda: keyring.set_password(SERVICE, account(user, url), password),
             "saving the password", timeout)


def load_password(user: str, url: str, *, timeout: float = TIMEOUT_S) -> str | None:
    """The saved password, or None when none is saved."""
    import keyring

    return _limited(lambda: keyring.get_password(SERVICE, account(user, url)),
                    "reading the password", timeout)


def forget_password(user: str, url: str, *, timeout: float = TIMEOUT_S) -> None:
    import keyring
    from keyring.errors import PasswordDeleteError

    def forget() -> None:
        try:
            keyring.delete_password(SERVICE, account(user, url))
        except PasswordDeleteError:
            pass  # none saved: nothing to forget

    _limited(forget, "forgetting the password", timeout)
