"""Publishing a month: a staging folder, renames into place, signals held meanwhile.

Every file of a month is written into a hidden staging folder beside the
month's folder (`<region>/.mdrm-<month>-<pid>-….tmp/`, with `iorw.write_atomic`
or a library's own writer) and renamed into `<region>/<YYYY-MM>/` only when all
are there (README.md, «Uso»). A failure or an interruption before then removes
the staging folder, so the month keeps its previous files; SIGTERM or Ctrl-C
during the renames is held until they are done. A staging folder left by a
run killed with SIGKILL is removed by the next run of that region.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

STAGING_PREFIX = ".mdrm-"
STAGING_SUFFIX = ".tmp"
_STAGING_NAME = re.compile(r"^\.mdrm-(\d{4}-\d{2})-(\d+)-.*\.tmp$")


class Staging:
    """A hidden folder beside the month's folder; its files are renamed in at the end."""

    def __init__(self, region_dir: Path, month: str):
        self.month_dir = region_dir / month
        # folders this run creates, removed again if it publishes nothing
        self.created = [d for d in (region_dir, *region_dir.parents) if not d.exists()]
        region_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(region_dir)
        self.path = Path(tempfile.mkdtemp(
            prefix=f"{STAGING_PREFIX}{month}-{os.getpid()}-", suffix=STAGING_SUFFIX, dir=region_dir))

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        for folder in self.created:  # deepest first
            try:
                folder.rmdir()
            except OSError:
                break  # not empty (another month of a batch) or gone

    def commit(self, names: tuple[str, ...]) -> None:
        """Rename every staged file into the month's folder (signals held meanwhile)."""
        missing = [n for n in names if not (self.path / n).is_file()]
        if missing:
            raise RuntimeError(f"faltan archivos por publicar: {', '.join(missing)}")
        with hold_interrupts():
            target = self.month_dir
            target.mkdir(parents=True, exist_ok=True)
            for name in names:
                os.replace(self.path / name, target / name)
            _fsync_dir(target)
            shutil.rmtree(self.path, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_staging(region_dir: Path) -> list[Path]:
    """Remove staging folders left by runs that no longer exist (killed with SIGKILL)."""
    removed = []
    for entry in region_dir.iterdir() if region_dir.is_dir() else ():
        found = _STAGING_NAME.match(entry.name)
        if found and entry.is_dir() and int(found.group(2)) != os.getpid() and not _pid_alive(int(found.group(2))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


# --------------------------------------------------------------------------- interruptions

_pending: list[int] = []
_holding = [0]


def _raise_interrupt(signum, frame):
    if _holding[0]:
        _pending.append(signum)  # delivered when the renames are done
        return
    raise KeyboardInterrupt(f"señal {signal.Signals(signum).name}")


@contextmanager
def sigterm_as_interrupt():
    """SIGTERM raises KeyboardInterrupt (so `finally` blocks clean up), in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    previous_int = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


@contextmanager
def hold_interrupts():
    """SIGTERM/SIGINT wait until the block is done (the renames of a commit)."""
    _holding[0] += 1
    try:
        yield
    finally:
        _holding[0] -= 1
        if not _holding[0] and _pending:
            signum = _pending.pop()
            _pending.clear()
            raise KeyboardInterrupt(f"señal {signal.Signals(signum).name}")
