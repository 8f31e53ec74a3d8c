"""Real small filesystems for the machine-fault tests: a tmpfs that fills up, a mount that
turns read-only. Where mounting is not permitted (no root, no CAP_SYS_ADMIN), the same
faults are made another real way: RLIMIT_FSIZE for "no more bytes", and for "read-only"
chattr +i as root or chmod as anyone else. Nothing here mocks a filesystem call.

By hand, as root:
    mount -t tmpfs -o size=512k tmpfs /tmp/small && dd if=/dev/zero of=/tmp/small/fill bs=4k
    mount -o remount,ro /tmp/small
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path


def _run(*args: str) -> bool:
    result = subprocess.run(list(args), capture_output=True, text=True, check=False)
    if result.returncode:
        print(" ".join(args), "->", result.stderr.strip())
    return result.returncode == 0


def can_mount(probe: Path) -> bool:
    if os.environ.get("TRIAGE_TEST_NO_MOUNT"):  # to exercise the fallbacks on a root box
        return False
    probe.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)):
        return False
    _run("umount", str(probe))
    return True


class SmallDisk:
    """A directory on a filesystem that can be filled, emptied and made read-only."""

    def __init__(self, root: Path, size: str = "1m") -> None:
        self.root = root
        self.mounted = can_mount(root / ".probe")
        self.dir = root / "fs"
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.mounted:
            assert _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(self.dir))
        self._filler = self.dir / "filler"
        self._immutable: list[Path] = []
        self._chmodded: list[tuple[Path, int]] = []

    # -- full ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def full(self) -> Iterator[None]:
        """No byte more can be written while inside."""
        if self.mounted:
            fd = os.open(self._filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                while True:
                    os.write(fd, b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
            finally:
                os.close(fd)
            try:
                yield
            finally:
                self._filler.unlink()
            return
        # No mount: a file-size limit of one byte makes every write past offset 0 fail
        # (EFBIG instead of ENOSPC: SQLite reports an I/O error, not "full").
        previous = resource.getrlimit(resource.RLIMIT_FSIZE)
        handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1, previous[1]))
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, previous)
            signal.signal(signal.SIGXFSZ, handler)

    @property
    def full_reason(self) -> str:
        return "disk full" if self.mounted else "disk I/O error"

    # -- read-only ----------------------------------------------------------------------
    def make_read_only(self) -> str:
        """Returns the reason the store should give."""
        if self.mounted:
            assert _run("mount", "-o", "remount,ro", str(self.dir))
            return "cache dir is read-only"
        if os.geteuid() == 0:
            paths = [self.dir, *self.dir.rglob("*")]
            for path in paths:
                assert _run("chattr", "+i", str(path)), "chattr +i refused: no way left to make a real read-only dir"
                self._immutable.append(path)
            return "no permission to write the cache dir"
        for path in [self.dir, *self.dir.rglob("*")]:
            mode = path.stat().st_mode
            self._chmodded.append((path, mode))
            os.chmod(path, mode & ~0o222)
        return "no permission to write the cache dir"

    def make_writable(self) -> None:
        if self.mounted:
            _run("mount", "-o", "remount,rw", str(self.dir))
        for path in reversed(self._immutable):
            _run("chattr", "-i", str(path))
        for path, mode in reversed(self._chmodded):
            os.chmod(path, mode)
        self._immutable.clear()
        self._chmodded.clear()

    def close(self) -> None:
        self.make_writable()
        if self.mounted:
            _run("umount", "-l", str(self.dir))
        shutil.rmtree(self.dir, ignore_errors=True)
