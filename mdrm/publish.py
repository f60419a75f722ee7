"""Publishing a month: a staging folder, renames into place, signals held meanwhile.

Every file of a month is written into a hidden staging folder beside the
month's folder (`<region>/.mdrm-<month>-<pid>-….tmp/`, with `iorw.write_atomic`
or a library's own writer) and renamed into `<region>/<YYYY-MM>/` only when all
are there (README.md, «Uso»). A failure or an interruption before then removes
the staging folder, so the month keeps its previous files; SIGTERM or Ctrl-C
during the renames is held until they are done. The renames are all or none:
every target is checked first, and a rename that fails anyway puts the
previous files back (`Staging.commit`). A staging folder left by a
run killed with SIGKILL is removed by the next run of that region.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from .errors import EXIT_INPUT, EXIT_OTHER, RunError

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
        """Publish every staged file into the month's folder, all or none (signals held meanwhile).

        First every target is checked (a folder in a file's place, a file that cannot be
        written: immutable, locked by another program); then each file is renamed in, the
        previous one kept aside as a hard link (or a copy) in the staging folder. A rename
        that fails puts every previous file back and removes the new ones: the month shows
        its previous files, byte for byte, and `PublishError` says which file stopped it.
        """
        publish_files(self.path, self.month_dir, names)
        shutil.rmtree(self.path, ignore_errors=True)


def publish_files(staged: Path, target: Path, names: tuple[str, ...] | list[str]) -> None:
    """Rename `names` from the folder `staged` into `target`, all or none (`Staging.commit`;
    `mdrm validate --por-organizacion` too); signals are held meanwhile."""
    missing = [n for n in names if not (staged / n).is_file()]
    if missing:
        raise RuntimeError(f"faltan archivos por publicar: {', '.join(missing)}")
    with hold_interrupts():
        new_folder = not target.exists()
        target.mkdir(parents=True, exist_ok=True)
        try:
            _check_replaceable(target, names)
        except PublishError:
            if new_folder:
                target.rmdir()
            raise
        previous = Path(tempfile.mkdtemp(prefix=".previous-", dir=staged))
        done: list[tuple[str, bool]] = []  # (name, had a previous file), in order
        try:
            for name in names:
                had = _keep_previous(target / name, previous / name)
                _replace(staged / name, target / name)
                done.append((name, had))
        except OSError as exc:
            _roll_back(target, previous, done)
            if new_folder:
                try:
                    target.rmdir()
                except OSError:
                    pass
            raise PublishError(target, exc) from None
        finally:
            shutil.rmtree(previous, ignore_errors=True)
        _fsync_dir(target)


class PublishError(RunError):
    """A file of the month (or of a folder of files published together) could not be replaced:
    nothing was published (exit 1; exit 2 when the path itself cannot be used: `exit_code`)."""

    def __init__(self, month_dir: Path, exc: OSError):
        from .errors import os_error_text

        self.month_dir = month_dir
        # a path the user gave that cannot be used is bad input (exit 2), as for any OSError (mdrm.cli)
        self.exit_code = EXIT_INPUT if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENAMETOOLONG) else EXIT_OTHER
        super().__init__(f"no se pudo publicar en «{month_dir}» ({os_error_text(exc)}); no se "
                         f"reemplazó ningún archivo: la carpeta conserva sus archivos anteriores. Cierre el "
                         f"archivo si está abierto en otro programa, o revise sus permisos, y vuelva a "
                         f"ejecutar")


def _replace(source: Path, target: Path) -> None:
    """os.replace (one name, so that a test can make the n-th rename fail)."""
    os.replace(source, target)


def _check_replaceable(target: Path, names: tuple[str, ...]) -> None:
    """Every file the commit will replace can be replaced: a regular file that can be opened
    for writing (an immutable or locked file cannot) in a folder this process can write."""
    if not os.access(target, os.W_OK | os.X_OK):
        raise PublishError(target, PermissionError(errno.EACCES, "denied", str(target)))
    for name in names:
        path = target / name
        if not os.path.lexists(path):
            continue
        if path.is_dir() and not path.is_symlink():
            raise PublishError(target, IsADirectoryError(errno.EISDIR, "is a directory", str(path)))
        if stat.S_ISREG(os.lstat(path).st_mode) and os.access(path, os.W_OK):  # not a FIFO: never blocks
            try:  # append mode: the file is not changed (not even its modification time)
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NONBLOCK", 0))
            except OSError as exc:
                raise PublishError(target, exc) from None
            os.close(fd)


def _keep_previous(path: Path, keep: Path) -> bool:
    """Keep the month's previous `path` at `keep` (a hard link, or a copy); False if there is none."""
    if not os.path.lexists(path):
        return False
    try:
        os.link(path, keep, follow_symlinks=False)
    except OSError:
        shutil.copy2(path, keep, follow_symlinks=False)
    return True


def _roll_back(target: Path, previous: Path, done: list[tuple[str, bool]]) -> None:
    """Undo the renames of a failed commit: each previous file back, each new one removed."""
    for name, had in reversed(done):
        try:
            if had:
                os.replace(previous / name, target / name)
            else:
                os.unlink(target / name)
        except OSError:
            pass


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
