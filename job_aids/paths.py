"""Where Handrail keeps its files: one place, overridable for portable mode and tests."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Handrail"
HOME_ENV = "HANDRAIL_HOME"


@dataclass(frozen=True)
class HandrailPaths:
    """The folders for data (the user's aids), config, cache (the index), state and logs."""

    data: Path
    config: Path
    cache: Path
    state: Path
    logs: Path

    @classmethod
    def under(cls, home: Path) -> HandrailPaths:
        """Everything under one folder: portable mode (a USB stick) and every test."""
        home = home.expanduser().resolve()
        return cls(data=home / "data", config=home / "config", cache=home / "cache",
                   state=home / "state", logs=home / "logs")

    @classmethod
    def for_user(cls) -> HandrailPaths:
        """The platform's per-user folders, as platformdirs decides."""
        dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
        return cls(data=Path(dirs.user_data_dir), config=Path(dirs.user_config_dir),
                   cache=Path(dirs.user_cache_dir), state=Path(dirs.user_state_dir),
                   logs=Path(dirs.user_log_dir))

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> HandrailPaths:
        """``--home`` first, then ``HANDRAIL_HOME``, then the platform's folders."""
        chosen = home if home is not None else os.environ.get(HOME_ENV) or None
        return cls.under(Path(chosen)) if chosen else cls.for_user()

    @property
    def own_library(self) -> Path:
        return self.data / "library"

    @property
    def teams(self) -> Path:
        return self.data / "teams"

    @property
    def trash(self) -> Path:
        return self.data / "trash"

    @property
    def history(self) -> Path:
        return self.data / "history"

    @property
    def collections_file(self) -> Path:
        return self.config / "collections.json"
