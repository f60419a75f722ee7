"""Reading a workbook in a child process: a reader that aborts takes only the child with it.

The Excel readers are native code (calamine, in Rust): a file made to break them can end the
process at once (a Rust panic that aborts: exit 134, an English backtrace, no summary of a
batch). `read_in_child` forks, reads in the child and sends the result back through a pipe;
a child that dies, or that reads for longer than `limits.READ_TIMEOUT`, becomes an `InputError`
naming the file (README.md, «Límites y entradas dañadas»). The kit's own errors come back as
they were raised. There is one child per reading: a child does not fork another (the loader's
`read_book` inside a `read_safely` child reads in place). Without `os.fork` (Windows) the
reading runs in this process.
"""
from __future__ import annotations

import faulthandler
import os
import pickle
import select
import signal
import time
from pathlib import Path

from . import limits
from .errors import InputError, RunError

_in_child = False  # this process is a reading child: it reads in place

# a workbook (zip: xlsx, xlsb, ods) or an OLE file (xls): what a native reader opens
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def is_workbook(path: str | Path) -> bool:
    """The file is read by a native workbook reader (by its first bytes, whatever its extension)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4) in WORKBOOK_MAGIC
    except OSError:  # the reader says why, in Spanish
        return False


def read_safely(function, path: str | Path, *args, **kwargs):
    """`function(path, *args, **kwargs)`: in a child process when `path` is a workbook."""
    if is_workbook(path):
        return read_in_child(path, function, path, *args, **kwargs)
    return function(path, *args, **kwargs)


def read_book(content: bytes, path: Path, function, *args):
    """`function(*args)`: the loader's reading of the workbook `content` (the bytes of `path`), in a child
    when its cells are not checked in its bytes (an .xls, .xlsb or .ods: `limits.cells_checked`)."""
    if limits.cells_checked(content):
        return function(*args)
    return read_in_child(path, function, *args)


def read_in_child(path: str | Path, function, *args, **kwargs):
    """`function(*args, **kwargs)` run in a forked child; its crash or its timeout is bad input naming `path`."""
    if not hasattr(os, "fork") or _in_child:
        return function(*args, **kwargs)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send, exit without running the parent's cleanup
        os.close(read_end)
        _child(write_end, function, args, kwargs)
    os.close(write_end)
    try:
        payload = _receive(read_end, Path(path))  # before waiting: a big result would fill the pipe
        _, status = os.waitpid(pid, 0)
    except BaseException:  # interrupted (SIGTERM, Ctrl-C), timed out: the child goes too
        _kill(pid)
        raise
    try:
        kind, value = pickle.loads(payload)
    except Exception:  # nothing, or half a message: the child died
        raise _crash(Path(path), status) from None
    if kind == "ok":
        return value
    if kind == "input":
        raise _input_error(*value)
    if kind == "memory":  # told as any MemoryError is (mdrm.errors.user_message)
        raise MemoryError()
    raise RunError(value)


def _receive(read_end: int, path: Path) -> bytes:
    """All the child sends, until it closes the pipe or `limits.READ_TIMEOUT` has passed."""
    parts, deadline = [], time.monotonic() + limits.READ_TIMEOUT
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise InputError(f"el lector de hojas de cálculo no terminó de leer el libro en "
                                 f"{limits.READ_TIMEOUT} s (demasiadas celdas o un archivo que lo traba)",
                                 file=path, hint=_RESAVE)
            if not select.select([pipe], [], [], left)[0]:
                continue
            block = pipe.read(1 << 22)
            if not block:
                return b"".join(parts)
            parts.append(block)


def _child(write_end: int, function, args, kwargs) -> None:
    global _in_child
    _in_child = True
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file beside the user's data
        # a native reader's panic prints an English backtrace: the user reads the Spanish error instead
        faulthandler.disable()
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)
        os.close(quiet)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        try:
            message = ("ok", function(*args, **kwargs))
        except InputError as exc:
            message = ("input", (type(exc), {name: getattr(exc, name) for name in exc.__dataclass_fields__}))
        except MemoryError:
            message = ("memory", None)
        except BaseException as exc:  # also a Rust panic (pyo3's PanicException)
            from .errors import user_message

            message = ("other", user_message(exc))
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(message, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    except BaseException:  # the result could not be sent: the parent reports the child's exit
        code = 70
    os._exit(code)


def _input_error(kind: type, fields: dict) -> InputError:
    """The child's InputError as it was raised (its own class when that takes its fields)."""
    try:
        return kind(**fields)
    except TypeError:  # a subclass with another signature: the message and where it is, as InputError
        return InputError(**{name: fields[name] for name in InputError.__dataclass_fields__ if name in fields})


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def _crash(path: Path, status: int) -> InputError:
    """The child died while reading: the file broke the reader (or the memory ran out)."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        how = f"la señal {name}" + (" (¿sin memoria?)" if number == signal.SIGKILL else "")
    else:
        how = f"el código {os.WEXITSTATUS(status)}"
    return InputError(f"el lector de Excel se detuvo al leer el archivo (el proceso de lectura terminó con "
                      f"{how}): el libro está dañado, abarca demasiadas celdas o tiene una estructura que "
                      "el lector no admite", file=path, hint=_RESAVE)


_RESAVE = ("Ábralo en Excel o LibreOffice, borre las celdas lejos de los datos, guárdelo de nuevo como .xlsx y "
           "vuelva a ejecutar")
