"""Errors the user can act on.

`InputError` is the one hard error of bad input (SPEC §3): its message is in
Spanish and names the file, sheet, Excel row, column and value, and the CLI
turns it into exit code 2 with nothing written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class InputError(Exception):
    message: str
    file: str | Path | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    hint: str | None = None
    more: list[str] = field(default_factory=list)

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
        return text


class NotebookError(Exception):
    """A report notebook failed to execute (exit code 3)."""
