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

from .i18n import N_, _

EXIT_OK, EXIT_OTHER, EXIT_INPUT, EXIT_NOTEBOOK = 0, 1, 2, 3


class MdrmError(Exception):
    """The root of the kit's own errors, their message already in Spanish."""

    exit_code: int = EXIT_OTHER
    heading: str = N_("Error")  # what the CLI prints before the message (translated there)


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
    heading = N_("Error en los datos de entrada")

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(_("archivo «{name}»").format(name=Path(self.file).name))
        if self.sheet:
            where.append(_("hoja «{sheet}»").format(sheet=self.sheet))
        if self.row is not None:
            where.append(_("fila {row}").format(row=self.row))
        if self.column:
            where.append(_("columna «{column}»").format(column=self.column))
        text = self.message
        if self.value is not None:
            text += _(": valor «{value}»").format(value=self.value)
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
    heading = N_("Falló la ejecución de un cuaderno")


class RunError(MdrmError, RuntimeError):
    """A failure of the kit's own machinery (a worker process died...), already told in Spanish (exit 1)."""


_OS_ERRORS = {
    "ENOSPC": N_("no queda espacio en el disco"),
    "EDQUOT": N_("se superó la cuota de disco"),
    "EROFS": N_("el disco o la carpeta es de solo lectura"),
    "EACCES": N_("permiso denegado"),
    "EPERM": N_("operación no permitida"),
    "ELOOP": N_("bucle de enlaces simbólicos (un enlace apunta, directa o indirectamente, a sí mismo)"),
    "ENOENT": N_("no existe"),
    "ENOTDIR": N_("una parte de la ruta no es una carpeta"),
    "EISDIR": N_("es una carpeta, no un archivo"),
    "ENAMETOOLONG": N_("nombre de archivo demasiado largo"),
    "EIO": N_("error de lectura o escritura en el disco"),
    "EMFILE": N_("demasiados archivos abiertos"),
    "ENOMEM": N_("memoria insuficiente"),
    "EBUSY": N_("el archivo o la carpeta está en uso"),
    "EEXIST": N_("ya existe"),
    "ENOTEMPTY": N_("la carpeta no está vacía"),
    "EXDEV": N_("no se puede mover entre discos distintos"),
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
        return _("es una carpeta, no un archivo")
    if stat.S_ISFIFO(mode):
        return _("es una tubería (FIFO) o la entrada estándar, no un archivo guardado en el disco")
    if stat.S_ISSOCK(mode):
        return _("es un socket, no un archivo guardado en el disco")
    return _("es un dispositivo (como /dev/stdin o una terminal), no un archivo guardado en el disco")


# Control characters shown as their pictures (U+2400…): a NUL in a name is seen, not hidden by the terminal
_PICTURES = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)} | {0x7F: 0x2421}


def visible(text: str) -> str:
    """Text with its control characters (not tab or line break) shown: «Tac␀na»."""
    return text.translate(_PICTURES)


def os_error_text(exc: OSError) -> str:
    """An OS error in Spanish, with the file it concerns (never the system's English text)."""
    import errno

    code = errno.errorcode.get(exc.errno or 0, "")
    known = _OS_ERRORS.get(code)
    text = _(known) if known else (_("error del sistema ({code})").format(code=code) if code else _("error del sistema"))
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
        return _("memoria insuficiente para leer o calcular (vea los límites en el README)")
    if isinstance(exc, RecursionError):
        return _("estructura demasiado anidada")
    return _("error inesperado ({kind}: {error})").format(kind=type(exc).__name__, error=exc)
