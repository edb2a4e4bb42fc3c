"""Queries for the benchmarks, over the English tldr-pages (pages/ in the corpus).

JUDGED: what a worker would type, with the pages that answer it (relative to tldr-pages/).
Three kinds: natural-language intents, as-you-type prefixes (the query as it stands mid-word),
and typos. Written by hand, from the intent, not from the pages' wording; not tuned per query.
"""

from __future__ import annotations

INTENT = "intent"
PREFIX = "prefix"
TYPO = "typo"

JUDGED: list[tuple[str, str, tuple[str, ...]]] = [
    # natural-language intents
    (INTENT, "extract a tar archive", ("pages/common/tar.md",)),
    (INTENT, "commit my changes in git", ("pages/common/git-commit.md",)),
    (INTENT, "copy a git repository", ("pages/common/git-clone.md",)),
    (INTENT, "generate ssh key", ("pages/common/ssh-keygen.md",)),
    (INTENT, "search text in files", ("pages/common/grep.md", "pages/common/rg.md")),
    (INTENT, "find files by name", ("pages/common/find.md", "pages/common/fd.md")),
    (INTENT, "change file permissions", ("pages/common/chmod.md",)),
    (INTENT, "change owner of a file", ("pages/common/chown.md",)),
    (INTENT, "download a file from a url", ("pages/common/wget.md", "pages/common/curl.md")),
    (INTENT, "convert video format", ("pages/common/ffmpeg.md",)),
    (INTENT, "sync folders to a remote server", ("pages/common/rsync.md",)),
    (INTENT, "compress files into a zip", ("pages/common/zip.md",)),
    (INTENT, "restart a service", ("pages/linux/systemctl.md", "pages/linux/service.md")),
    (INTENT, "schedule a job to run every day", ("pages/common/crontab.md",
                                                 "pages/common/cron.md")),
    (INTENT, "how much disk space is a folder using", ("pages/common/du.md",)),
    (INTENT, "free disk space on drives", ("pages/linux/df.md", "pages/common/df.md")),
    (INTENT, "show memory usage", ("pages/linux/free.md",)),
    (INTENT, "which process has a file open", ("pages/common/lsof.md",)),
    (INTENT, "copy files over ssh", ("pages/common/scp.md",)),
    (INTENT, "save uncommitted changes for later", ("pages/common/git-stash.md",)),
    (INTENT, "switch to another branch", ("pages/common/git-checkout.md",
                                         "pages/common/git-switch.md")),
    (INTENT, "show commit history", ("pages/common/git-log.md",)),
    (INTENT, "replace text in a file", ("pages/common/sed.md",)),
    (INTENT, "count lines in a file", ("pages/common/wc.md",)),
    (INTENT, "follow the end of a log file", ("pages/common/tail.md",)),
    (INTENT, "create a symbolic link", ("pages/common/ln.md",)),
    (INTENT, "stop a running process", ("pages/common/kill.md", "pages/common/pkill.md",
                                       "pages/common/killall.md")),
    (INTENT, "check if a host is reachable", ("pages/common/ping.md",)),
    (INTENT, "look up dns records of a domain", ("pages/common/dig.md",
                                                 "pages/common/nslookup.md")),
    (INTENT, "encrypt a file with a password", ("pages/common/gpg.md", "pages/common/openssl.md")),
    (INTENT, "split terminal into panes", ("pages/common/tmux.md",)),
    (INTENT, "compare two files", ("pages/common/diff.md",)),
    (INTENT, "add a new user account", ("pages/linux/useradd.md",)),
    (INTENT, "run a command as administrator", ("pages/common/sudo.md",)),
    (INTENT, "install a package on ubuntu", ("pages/linux/apt.md", "pages/linux/apt-get.md")),
    (INTENT, "pretty print json", ("pages/common/jq.md",)),
    (INTENT, "resize an image", ("pages/common/magick.md", "pages/common/convert.md")),
    (INTENT, "undo the last commit", ("pages/common/git-reset.md", "pages/common/git-revert.md")),
    (INTENT, "list running containers", ("pages/common/docker-ps.md",)),
    (INTENT, "view system logs", ("pages/linux/journalctl.md",)),
    (INTENT, "write an iso image to a usb drive", ("pages/common/dd.md",)),
    (INTENT, "list block devices and partitions", ("pages/linux/lsblk.md",)),
    # as-you-type prefixes: the query as it stands while the last word is being typed
    (PREFIX, "tar", ("pages/common/tar.md",)),
    (PREFIX, "git com", ("pages/common/git-commit.md",)),
    (PREFIX, "ssh-keyg", ("pages/common/ssh-keygen.md",)),
    (PREFIX, "rsyn", ("pages/common/rsync.md",)),
    (PREFIX, "chmo", ("pages/common/chmod.md",)),
    (PREFIX, "journalc", ("pages/linux/journalctl.md",)),
    (PREFIX, "git sta", ("pages/common/git-stash.md", "pages/common/git-status.md")),
    (PREFIX, "docker p", ("pages/common/docker-ps.md", "pages/common/docker-pull.md")),
    (PREFIX, "extract arch", ("pages/common/tar.md", "pages/common/unzip.md",
                              "pages/common/7z.md")),
    (PREFIX, "symbolic li", ("pages/common/ln.md",)),
    (PREFIX, "ffmp", ("pages/common/ffmpeg.md",)),
    (PREFIX, "crontab", ("pages/common/crontab.md",)),
    # typos
    (TYPO, "extarct tar archive", ("pages/common/tar.md",)),
    (TYPO, "chmdo", ("pages/common/chmod.md",)),
    (TYPO, "rsycn folders", ("pages/common/rsync.md",)),
    (TYPO, "grpe text", ("pages/common/grep.md",)),
    (TYPO, "ssh kegyen", ("pages/common/ssh-keygen.md",)),
    (TYPO, "symbolik link", ("pages/common/ln.md",)),
    (TYPO, "journalclt", ("pages/linux/journalctl.md",)),
    (TYPO, "comit changes git", ("pages/common/git-commit.md",)),
    (TYPO, "permisions of a file", ("pages/common/chmod.md",)),
    (TYPO, "compres files zip", ("pages/common/zip.md",)),
    (TYPO, "ffmepg convert video", ("pages/common/ffmpeg.md",)),
    (TYPO, "dowload file from url", ("pages/common/wget.md", "pages/common/curl.md")),
]

# Queries typed letter by letter for the latency benchmark: every judged query, plus more.
TYPED: list[str] = [query for _, query, _ in JUDGED] + [
    "unzip archive", "kill process by name", "list open ports", "show ip address",
    "mount a drive", "base64 encode", "checksum of a file", "current date and time",
]
