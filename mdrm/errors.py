"""Errors the user can act on, under one root: `MdrmError`.

Each kit error carries its exit code (README.md, «Uso»: 2 bad input, 3 a notebook failed, 1 any
other) and the words `mdrm` prints before its message; `cli.main` reads both from the exception.
`InputError` is the one hard error of bad input (docs/metodologia.md §8): its message is in
Spanish and names the file, sheet, Excel row, column and value, and the CLI
turns it into exit code 2 with nothing written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

EXIT_OK, EXIT_OTHER, EXIT_INPUT, EXIT_NOTEBOOK = 0, 1, 2, 3


class MdrmError(Exception):
    """The root of the kit's own errors, their message already in Spanish."""

    exit_code: int = EXIT_OTHER
    heading: str = "Error"  # what the CLI prints before the message


@dataclass
class InputError(MdrmError):
    message: str
    file: str | Path | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    hint: str | None = None
    more: list[str] = field(default_factory=list)
    exit_code = EXIT_INPUT  # class attributes, not fields (no annotation)
    heading = "Error en los datos de entrada"

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"archivo «{Path(self.file).name}»")
        if self.sheet:
            where.append(f"hoja «{self.sheet}»")
        if self.row is not None:
            where.append(f"fila {self.row}")
        if self.column:
            where.append(f"columna «{self.column}»")
        text = self.message
        if self.value is not None:
            text += f": valor «{self.value}»"
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.hint:
            text += f". {self.hint}"
        if self.more:
            text += "\n" + "\n".join(self.more)
        return visible(text)


class NotebookError(MdrmError):
    """A report notebook failed to execute (exit code 3)."""

    exit_code = EXIT_NOTEBOOK
    heading = "Falló la ejecución de un cuaderno"


class RunError(MdrmError, RuntimeError):
    """A failure of the kit's own machinery (a worker process died...), already told in Spanish (exit 1)."""


_OS_ERRORS = {
    "ENOSPC": "no queda espacio en el disco",
    "EDQUOT": "se superó la cuota de disco",
    "EROFS": "el disco o la carpeta es de solo lectura",
    "EACCES": "permiso denegado",
    "EPERM": "operación no permitida",
    "ELOOP": "bucle de enlaces simbólicos (un enlace apunta, directa o indirectamente, a sí mismo)",
    "ENOENT": "no existe",
    "ENOTDIR": "una parte de la ruta no es una carpeta",
    "EISDIR": "es una carpeta, no un archivo",
    "ENAMETOOLONG": "nombre de archivo demasiado largo",
    "EIO": "error de lectura o escritura en el disco",
    "EMFILE": "demasiados archivos abiertos",
    "ENOMEM": "memoria insuficiente",
    "EBUSY": "el archivo o la carpeta está en uso",
    "EEXIST": "ya existe",
    "ENOTEMPTY": "la carpeta no está vacía",
    "EXDEV": "no se puede mover entre discos distintos",
}


def not_a_file_text(path: str | Path) -> str | None:
    """What a path that exists but is not a regular file is («es una carpeta»…), None otherwise; a FIFO or
    /dev/stdin would block or be read once, so the kit reads only files saved on a disk."""
    import stat

    try:
        mode = Path(path).stat().st_mode
    except (OSError, RuntimeError):
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "es una carpeta, no un archivo"
    if stat.S_ISFIFO(mode):
        return "es una tubería (FIFO) o la entrada estándar, no un archivo guardado en el disco"
    if stat.S_ISSOCK(mode):
        return "es un socket, no un archivo guardado en el disco"
    return "es un dispositivo (como /dev/stdin o una terminal), no un archivo guardado en el disco"


# Control characters shown as their pictures (U+2400…): a NUL in a name is seen, not hidden by the terminal
_PICTURES = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)} | {0x7F: 0x2421}


def visible(text: str) -> str:
    """Text with its control characters (not tab or line break) shown: «Tac␀na»."""
    return text.translate(_PICTURES)


def os_error_text(exc: OSError) -> str:
    """An OS error in Spanish, with the file it concerns (never the system's English text)."""
    import errno

    code = errno.errorcode.get(exc.errno or 0, "")
    text = _OS_ERRORS.get(code) or (f"error del sistema ({code})" if code else "error del sistema")
    names = [n for n in (exc.filename, getattr(exc, "filename2", None)) if n]
    if names:
        text += ": " + " → ".join(f"«{n}»" for n in names)
    return text


def user_message(exc: BaseException) -> str:
    """Any exception as a Spanish message for the user (the kit's own errors keep theirs)."""
    if isinstance(exc, MdrmError):
        return str(exc)
    if isinstance(exc, OSError):
        return os_error_text(exc)
    if isinstance(exc, MemoryError):
        return "memoria insuficiente para leer o calcular (vea los límites en el README)"
    if isinstance(exc, RecursionError):
        return "estructura demasiado anidada"
    return f"error inesperado ({type(exc).__name__}: {exc})"
