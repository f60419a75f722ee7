"""Limits on what the kit reads and runs, in one place, and the checks made before loading.

Every limit is far above a real R4V export (the regional 5W has about 30 columns
and tens of thousands of rows; the benchmark has 1,000,000 rows) and below what
a 2-core, 8–16 GB machine holds while it reads (about 100 bytes per cell read:
60,000,000 cells take about 6 GB). A file past a limit is refused
before it is read, with a Spanish message naming the file, the sheet and the
limit (`InputError`, exit code 2), instead of the process being killed for
memory (or aborted by the Excel reader, which allocates rows × columns at once).

The checks read only what a workbook declares or holds cheaply: the zip
directory (uncompressed sizes), the sheet's XML (cell references, scanned at C
speed, about 1 s per GB) and the shared-strings table. An .xls, .xlsb or .ods
is read in one child process (`mdrm.isolate`) that checks the sheet's area as
the reader opens it (`sheet_rows`): a reader that aborts takes only the child.
A CSV is checked by its size on disk. The README's «Límites y entradas dañadas» says the values.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from .errors import InputError

# --- the limits -----------------------------------------------------------------------------------

MAX_COLUMNS = 702                  # columns A..ZZ of a sheet (an R4V export has about 30)
MAX_ROWS = 1_048_576               # Excel's own last row
MAX_CELLS = 60_000_000             # rows × columns of the area read (2 × the 1,000,000 × 29 benchmark)
MAX_SHEET_XML_BYTES = 3 << 30      # uncompressed XML of the sheet read (1,000,000 × 29 cells ≈ 1 GB)
MAX_SHARED_STRINGS_BYTES = 1 << 30  # uncompressed shared-strings table
MAX_TEXT_BYTES = 2 << 30           # text the cells expand to (a long string repeated in every cell)
MAX_CSV_BYTES = 1 << 30            # a CSV on disk (the 1,000,000-row benchmark CSV is about 0.15 GB)
MAX_WORKBOOK_BYTES = 1 << 30       # an .xlsx on disk (compressed)

MAX_PARAMS_BYTES = 1 << 20         # a params YAML file
MAX_PARAMS_VALUE = 20_000          # characters of one text value of a params file (a highlight)
MAX_PARAMS_ITEMS = 10_000          # values in one params file (keys, list items)
MAX_PARAMS_DEPTH = 50              # nesting of lists and mappings in a params file (the kit's use 4 at most)

READ_MEMORY_FACTOR = 4             # address space reading needs per byte of sheet XML (measured: 3.2 × RSS)
READ_TIMEOUT = 600                # seconds the child that reads a workbook may take (1,000,000 rows: ~1 min)
MAX_INLINE_SHEET_XML_BYTES = 512 << 20  # a sheet written with inline strings: the reader holds ~1.5 × its XML

NOTEBOOK_TIMEOUT = 600             # seconds a notebook cell may run (`--timeout` changes it)


def _gb(size: int) -> str:
    from .formatting import number

    return f"{number(round(size / (1 << 30), 1))} GB" if size >= 1 << 30 else f"{number(size >> 20)} MB"


def _over(size: int, limit: int) -> str:
    """A size past a limit, written so that it never reads like the limit ("1,025 MB", not "1 GB")."""
    from .formatting import number

    return _gb(size) if _gb(size) != _gb(limit) else f"{number(size >> 20)} MB"


def _n(value: int) -> str:
    from .formatting import number

    return number(value)


def reraise_interrupts(exc: BaseException) -> None:
    """Re-raise what must stop the program and the kit's own errors (`sheet_rows`'); anything else the Excel
    reader raised (also a Rust panic, pyo3's PanicException, a BaseException) is then told as a damaged
    file, never a crash."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError, InputError)):
        raise exc


# --- files on disk --------------------------------------------------------------------------------

def check_file_size(path: Path) -> None:
    """Refuse a CSV or a workbook heavier than its limit, before reading it (the kind from its first bytes)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:  # permission denied, a symlink loop, an unreadable disk: bad input (exit 2)
        from .errors import os_error_text

        raise InputError(f"no se puede leer el archivo de datos ({os_error_text(exc)})", file=path) from exc
    excel = head.startswith((b"PK\x03\x04", _OLE))
    limit = MAX_WORKBOOK_BYTES if excel else MAX_CSV_BYTES
    if size > limit:
        what = "el libro de Excel" if excel else "el archivo de texto (CSV)"
        raise InputError(f"{what} pesa {_over(size, limit)}, más que el límite de {_gb(limit)}", file=path,
                         hint="Exporte solo los meses y la región que necesita (filtre el 5W antes de guardarlo)")


# --- workbooks ------------------------------------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Scanned with patterns that start with a literal (`r="`, `<row r="`): the regex engine then
# skips to each occurrence at C speed (about 1 s per GB of XML, once per pattern).
# As an XML parser reads an attribute: either quote, spaces around `=`, letters of any case (the reader
# takes `xfd1048576` as XFD1048576). A prefixed attribute (`x:r=`) counts too: refusing is the safe side.
_ROW_REF = re.compile(rb'row(?<=[<:]row)\s[^>]*?(?<![\w.:-])r\s*=\s*["\']([0-9]+)["\']')
_ANY_REF = re.compile(rb'r(?<![\w.-]r)\s*=\s*["\']([A-Za-z]+)([0-9]+)["\']')
_START_TAG_END = re.compile(rb'(?:[^>"\'/]|/(?!>)|"[^"]*"|\'[^\']*\')*(/?)>')  # the end of a tag, quotes respected
_SHARED_CELL = re.compile(rb't="s"[^>]*><(?:[\w.-]+:)?v>([0-9]+)<')
_SI_START = re.compile(rb"<(?:[\w.-]+:)?si[ >]")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - 64)
    return number


def column_letters(number: int) -> str:
    """Excel's letters of a 1-based column number (1 -> A, 27 -> AA), of any size: a hostile reference may
    name a column past XFD (openpyxl's `get_column_letter` stops at 18,278)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_workbook(content: bytes, path: Path, sheet: str | None) -> None:
    """What the workbook declares and holds, against the limits: raises InputError (exit 2).

    A password-protected workbook (an OLE file holding an `EncryptedPackage`)
    is named as such. For an .xlsx: the uncompressed size of the sheet read and
    of the shared strings, a value in a cell past column ZZ or past the last
    row (the Excel reader would allocate every cell up to it), the area read
    (last row × last column) and the text the cells expand to. Other formats
    (.xls, .ods, .xlsb) are checked here for encryption and their size on disk
    only: they are read in a child process (`mdrm.isolate.read_book`), where
    `sheet_rows` checks their area before the cells become Python values.
    """
    if content.startswith(_OLE):
        if _ENCRYPTED in content[:1 << 22] or _ENCRYPTED in content[-(1 << 22):]:
            raise InputError(
                "el libro de Excel está protegido con contraseña (cifrado) y no se puede leer", file=path,
                hint="Ábralo en Excel, quite la contraseña (Archivo > Información > Proteger libro > Cifrar con "
                     "contraseña, deje la contraseña en blanco) y guárdelo como .xlsx")
        return  # an .xls: read in a child, its area checked by `sheet_rows`
    try:
        book = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return  # the reader names a damaged workbook
    with book:
        if not _is_xlsx(book):
            xlsx = False  # an .ods or an .xlsb
            _check_xlsb(book, path, sheet)
        else:
            xlsx = True
            located = sheet_member(book, sheet)
            if located is None:
                return  # no such sheet: the reader says so
            name, member = located
            with book.open(member) as handle:
                inline = b"inlineStr" in handle.read(1 << 20)
            limit = MAX_INLINE_SHEET_XML_BYTES if inline else MAX_SHEET_XML_BYTES
            memory = _memory_for_xml()
            info = book.getinfo(member)
            strings_member = next((n for n in book.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
            strings_size = book.getinfo(strings_member).file_size if strings_member else 0
            needed = min(info.file_size, limit) + min(strings_size, MAX_SHARED_STRINGS_BYTES)
            if memory is not None and memory < needed:
                raise InputError(
                    f"la hoja ocupa {_over(needed, memory)} sin comprimir"
                    f"{' con su tabla de textos' if strings_size else ''}; leerla necesita unas "
                    f"{READ_MEMORY_FACTOR} veces eso y el límite de memoria de este proceso "
                    f"({_gb(_address_space_cap())}) alcanza para hojas de hasta {_gb(memory)}", file=path,
                    sheet=name, hint=_SMALLER)
            if info.file_size > limit:
                raise InputError(
                    f"la hoja ocupa {_over(info.file_size, limit)} sin comprimir, más que el límite de "
                    f"{_gb(limit)}" + (" para una hoja con textos escritos en cada celda (inlineStr)" if inline
                                       else ""), file=path, sheet=name, hint=_SMALLER)
            limit = min(limit, memory) if memory is not None else limit
            strings = _shared_strings(book, path, name)
            xml = _read_member(book, member, limit, path, name)
    if not xlsx:
        return  # an .ods or an .xlsb: read in a child, its area checked by `sheet_rows`
    _check_area(xml, path, name)
    if strings is not None:
        _check_text(xml, strings, path, name)


def _is_xlsx(book: zipfile.ZipFile) -> bool:
    return any(n.lower() == "xl/workbook.xml" for n in book.namelist())


def cells_checked(content: bytes) -> bool:
    """The workbook is an .xlsx, whose cells `check_workbook` checks in its bytes (not an .xls, .xlsb, .ods)."""
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return _is_xlsx(book)
    except zipfile.BadZipFile:
        return False


_SMALLER = "Guarde en un libro aparte solo la región y los meses que necesita"


def _address_space_cap() -> int | None:
    """The process's address-space limit (`ulimit -v`, RLIMIT_AS), None when unlimited."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def _memory_for_xml() -> int | None:
    """Bytes of sheet XML the reader can hold under the process's address-space limit (None: no limit).

    Reading holds the sheet's XML (the checks, the formula scan) and the reader's cells and their
    Python copies: about `READ_MEMORY_FACTOR` times the XML. A limit set with `ulimit -v` (a shared
    server, a container) is known in advance, so a sheet that cannot fit is refused by its size in
    the zip directory, before a byte is read, instead of the process failing for memory half-way.
    The free memory of the machine is not used: it changes from one second to the next.
    """
    cap = _address_space_cap()
    if cap is None:
        return None
    used = 0
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            found = re.search(r"^VmSize:\s+(\d+) kB", status.read(), re.M)
        used = int(found.group(1)) * 1024 if found else 0
    except OSError:
        pass
    return max(cap - used, 0) // READ_MEMORY_FACTOR

def _cell_cap(message: str, path: Path, sheet: str | None) -> InputError | None:
    """calamine's own cap on the cells of a sheet («Cell limit exceeded»), told as the kit's limit."""
    if "Cell limit exceeded" not in message:
        return None
    cells = re.search(r"\((\d+) cells requested", message)
    said = f" ({_n(int(cells.group(1)))} celdas)" if cells else ""
    return InputError(f"la hoja abarca más celdas que el límite del lector{said}; el kit lee hasta "
                      f"{_n(MAX_CELLS)} celdas", file=path, sheet=sheet, hint=_SMALLER_OTHER)


def refuse_over_cap(exc: BaseException, path: Path) -> None:
    """Raise the cell-cap error when calamine failed to open `path` for it. An .ods is read whole as it is
    opened, and opened from bytes by trying each format, which hides the cause behind «Cannot detect file
    format»: only then is the file opened again by its name (its format from the extension) to learn it."""
    message = str(exc)
    if "Cannot detect file format" in message and path.suffix.lower() == ".ods":
        import python_calamine

        try:
            python_calamine.CalamineWorkbook.from_path(str(path))
        except BaseException as again:
            reraise_interrupts(again)
            message = str(again)
    error = _cell_cap(message, path, None)
    if error is not None:
        raise error from None


def _records(data: bytes):
    """(type, start of data, size) of each BIFF12 record of an .xlsb part (MS-XLSB 2.1.4: type and size are
    variable-length integers of 7 bits a byte)."""
    at, end = 0, len(data)
    while at < end:
        byte = data[at]
        kind, at = byte & 0x7F, at + 1
        if byte & 0x80 and at < end:
            kind, at = kind | (data[at] & 0x7F) << 7, at + 1
        size = shift = 0
        for _ in range(4):
            if at >= end:
                return
            byte, at = data[at], at + 1
            size, shift = size | (byte & 0x7F) << shift, shift + 7
            if not byte & 0x80:
                break
        yield kind, at, size
        at += size


def _xlsb_sheet(book: zipfile.ZipFile, sheet: str | None) -> tuple[str, str] | None:
    """(name, zip member) of the .xlsb sheet the loader reads: BrtBundleSh records of xl/workbook.bin."""
    try:
        workbook = _read_small(book, "xl/workbook.bin")
        rels = ElementTree.fromstring(_read_small(book, "xl/_rels/workbook.bin.rels"))
    except Exception:  # not an .xlsb (an .ods), or damaged: the reader decides
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for kind, at, size in _records(workbook):
        if kind == 0x9C and size >= 12:  # BrtBundleSh: state, tab, relationship id, name
            count = int.from_bytes(workbook[at + 8:at + 12], "little")
            if count == 0xFFFFFFFF:
                continue
            rel = workbook[at + 12:at + 12 + 2 * count].decode("utf-16-le", "replace")
            rest = at + 12 + 2 * count
            length = int.from_bytes(workbook[rest:rest + 4], "little")
            name = workbook[rest + 4:rest + 4 + 2 * length].decode("utf-16-le", "replace")
            if sheet is None or name == sheet:
                member = posixpath.normpath("xl/" + targets.get(rel, "").replace("\\", "/"))
                found = next((n for n in book.namelist() if n.lower() == member.lower()), None)
                return (name, found) if found is not None else None
        elif kind == 0x90:  # BrtEndBundleShs
            return None
    return None


def _check_xlsb(book: zipfile.ZipFile, path: Path, sheet: str | None) -> None:
    """An .xlsb sheet's rows and cells with a value past the limits, named as in an .xlsx.

    The .xlsb reader stops reading a sheet, without a word, at a row numbered past 1,048,577 (the
    rows after it were lost: a smaller figure with exit 0), and allocates the area up to its last
    cell. The records are walked once in Python (about 1 s per million records: .xlsb is rare)."""
    located = _xlsb_sheet(book, sheet)
    if located is None:
        return
    name, member = located
    data = _read_member(book, member, MAX_SHEET_XML_BYTES, path, name)
    far, row, at, end = [], 0, 0, len(data)
    while at < end and len(far) < 6:  # the record walk inlined: this loop is the cost of the check
        kind = data[at]
        at += 1
        if kind & 0x80:
            kind = (kind & 0x7F) | (data[at] & 0x7F) << 7 if at < end else kind
            at += 1
        size = shift = 0
        while at < end:
            byte = data[at]
            at += 1
            size |= (byte & 0x7F) << shift
            if not byte & 0x80 or shift == 21:
                break
            shift += 7
        if kind <= 0x0B and size >= 4:
            number = int.from_bytes(data[at:at + 4], "little")
            if kind == 0x00:  # BrtRowHdr
                row = number
                if row >= MAX_ROWS:
                    far.append(f"la fila {_n(row + 1)}")
            elif kind >= 0x02 and number >= MAX_COLUMNS:  # a cell with a value (not BrtCellBlank, 0x01)
                far.append(f"{column_letters(number + 1)}{row + 1}")
        elif kind == 0x92:  # BrtEndSheetData
            break
        at += size
    if far:
        far = list(dict.fromkeys(far))
        shown = ", ".join(far[:5]) + (" y más" if len(far) > 5 else "")
        raise InputError(
            f"hay datos en celdas muy lejos del resto ({shown}); el kit lee hasta la columna "
            f"{column_letters(MAX_COLUMNS)} ({_n(MAX_COLUMNS)} columnas) y la fila {_n(MAX_ROWS)}",
            file=path, sheet=name,
            hint="Borre esas celdas (o las columnas y filas vacías hasta ellas) y guarde el libro")


def sheet_rows(book, name: str, path: Path) -> list[list]:
    """The cells of sheet `name` of a calamine workbook as Python values, its area first checked.

    calamine allocates the area of a sheet (first to last cell with a value) when it opens it, and
    `to_python` then holds about 100 bytes a cell: an .xls, .xlsb or .ods is not checked in its bytes
    as an .xlsx is, so its area is checked here, between the two. An area calamine itself cannot
    allocate aborts the process: that is why such a workbook is read in a child (`mdrm.isolate`).
    """
    try:
        found = book.get_sheet_by_name(name)
    except BaseException as exc:
        reraise_interrupts(exc)
        error = _cell_cap(str(exc), path, name)
        if error is None:
            raise
        raise error from None
    height, width = found.total_height + 1, found.total_width + 1  # last indexes: the area from A1 on
    if width > MAX_COLUMNS or height > MAX_ROWS or height * width > MAX_CELLS:
        raise InputError(
            f"la hoja abarca {_n(height)} filas × {_n(width)} columnas ({_n(height * width)} celdas); el kit lee "
            f"hasta la columna {column_letters(MAX_COLUMNS)} ({_n(MAX_COLUMNS)} columnas), la fila "
            f"{_n(MAX_ROWS)} y {_n(MAX_CELLS)} celdas", file=path, sheet=name, hint=_SMALLER_OTHER)
    return found.to_python(skip_empty_area=False)


_SMALLER_OTHER = ("Borre las celdas lejos de los datos (o las filas y columnas vacías hasta ellas), o guarde "
                  "solo la región y los meses que necesita como libro de Excel (.xlsx)")


def _read_member(book: zipfile.ZipFile, member: str, limit: int, path: Path, sheet: str) -> bytes:
    """A zip member, read in blocks and never past `limit` bytes (its declared size may lie)."""
    parts, total = [], 0
    with book.open(member) as handle:
        while True:
            block = handle.read(1 << 24)
            if not block:
                break
            total += len(block)
            if total > limit:
                raise InputError(f"la hoja ocupa más que el límite de {_gb(limit)} sin comprimir",
                                 file=path, sheet=sheet, hint=_SMALLER)
            parts.append(block)
    return b"".join(parts)


def sheet_member(book: zipfile.ZipFile, sheet: str | None) -> tuple[str, str] | None:
    """(sheet name, zip member of its XML) of the sheet the loader will read: `sheet`, else the first."""
    try:
        workbook = ElementTree.fromstring(_read_small(book, "xl/workbook.xml"))
        rels = ElementTree.fromstring(_read_small(book, "xl/_rels/workbook.xml.rels"))
    except Exception:  # not an .xlsx (an .ods, a damaged file): the reader decides
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    sheets = [(s.get("name"), s.get(_NS_REL)) for s in workbook.iter() if s.tag.endswith("}sheet")]
    chosen = [(n, r) for n, r in sheets if n == sheet] if sheet is not None else sheets[:1]
    if not chosen:
        return None
    name, rel = chosen[0]
    target = targets.get(rel, "").replace("\\", "/")
    member = target.lstrip("/") if target.startswith("/") else "xl/" + target
    member = posixpath.normpath(member)  # «xl/./worksheets/../worksheets/sheet1.xml»
    # zip names compared as the reader compares them: case-insensitively («XL/Worksheets/Sheet1.xml»)
    found = next((n for n in book.namelist() if n.lower() == member.lower()), None)
    return (name, found) if found is not None else None


def _read_small(book: zipfile.ZipFile, member: str) -> bytes:
    with book.open(member) as handle:
        data = handle.read((64 << 20) + 1)
    if len(data) > 64 << 20:
        raise ValueError("too large")
    return data


def _shared_strings(book: zipfile.ZipFile, path: Path, sheet: str) -> list[int] | None:
    """Size in bytes of each shared string's XML element (its text and tags; None when there are none)."""
    member = next((n for n in book.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if member is None:
        return None
    if book.getinfo(member).file_size > MAX_SHARED_STRINGS_BYTES:
        raise InputError(
            f"la tabla de textos del libro (sharedStrings.xml) ocupa "
            f"{_over(book.getinfo(member).file_size, MAX_SHARED_STRINGS_BYTES)} "
            f"sin comprimir, más que el límite de {_gb(MAX_SHARED_STRINGS_BYTES)}", file=path, sheet=sheet,
            hint=_SMALLER)
    xml = _read_member(book, member, MAX_SHARED_STRINGS_BYTES, path, sheet)
    starts = [m.start() for m in _SI_START.finditer(xml)]
    if not starts:
        return []
    ends = starts[1:] + [len(xml)]
    return [end - begin for begin, end in zip(starts, ends)]


def _beyond(column: int) -> bytes:
    """Regex alternatives for the letters of a column past `column` (up to ZZ), in either case (classes of
    both cases: re.IGNORECASE would make the scan four times slower)."""
    def after(letter: str) -> str:  # the letters after `letter`, both cases
        following = chr(ord(letter) + 1)
        return f"[{following}-Z{following.lower()}-z]"

    def same(letter: str) -> str:
        return f"[{letter}{letter.lower()}]"

    letters = column_letters(column)
    if len(letters) == 1:
        one = after(letters) if letters != "Z" else "(?!)"
        return f"{one}|[A-Za-z][A-Za-z]".encode()
    first, second = letters
    same_first = f"{same(first)}{after(second)}" if second != "Z" else "(?!)"
    later = f"{after(first)}[A-Za-z]" if first != "Z" else "(?!)"
    return f"{same_first}|{later}".encode()


# a cell past column ZZ or on row 1,000,000 or after: one pass over the XML (about 2.5 s per GB)
_FAR_CELL = re.compile(rb'r(?<![\w.-]r)\s*=\s*["\'](?:[A-Za-z]{3}|[A-Za-z]{1,3}[0-9]{7})')


def _check_area(xml: bytes, path: Path, sheet: str) -> None:
    """Cells with a value past column ZZ or past the last row, and the area read, against the limits.

    References are read as an XML parser reads them (either quote, spaces around
    `=`, either case, `/>` inside an attribute value). Each pass over the XML is a
    search for a literal followed by classes (2–3 s per GB); in a real export the
    far-cell pass finds nothing. The last column is looked for only when the rows
    are so many that the area could pass the limit.
    """
    start = max(xml.find(b"sheetData"), 0)
    far, last_row = [], 0
    for match in _FAR_CELL.finditer(xml, start):
        ref = _ANY_REF.match(xml, match.start())
        if ref is None:
            continue
        close = _START_TAG_END.match(xml, ref.end())
        if close is not None and close.group(1) == b"/":
            continue  # an empty cell (formatting only): the reader skips it
        letters, row = ref.group(1), int(ref.group(2))
        if _column_number(letters) > MAX_COLUMNS or row > MAX_ROWS:
            far.append(f"{letters.decode().upper()}{row}")
        last_row = max(last_row, row)
    if far:
        far = list(dict.fromkeys(far))
        shown = ", ".join(far[:5]) + (f" y {len(far) - 5} más" if len(far) > 5 else "")
        raise InputError(
            f"hay datos en celdas muy lejos del resto ({shown}); el kit lee hasta la columna "
            f"{column_letters(MAX_COLUMNS)} ({_n(MAX_COLUMNS)} columnas) y la fila {_n(MAX_ROWS)}",
            file=path, sheet=sheet,
            hint="Borre esas celdas (o las columnas y filas vacías hasta ellas) y guarde el libro")
    # the last row: every <row> element's number (a row out of order in the middle counts too) and the cells
    # at the end of the sheet
    for found in _ROW_REF.finditer(xml, start):
        last_row = max(last_row, int(found.group(1)))
    for found in _ANY_REF.finditer(xml, max(start, len(xml) - 65536)):
        last_row = max(last_row, int(found.group(2)))
    if last_row * MAX_COLUMNS <= MAX_CELLS:
        return  # whatever the last column (at most ZZ), the area is within the limit
    # the last column: the first row's (the header's) last cell, then any cell beyond it
    first_close = xml.find(b"</row>", start)
    first_close = first_close if first_close != -1 else min(len(xml), start + (1 << 20))
    columns = [_column_number(m.group(1)) for m in _ANY_REF.finditer(xml, start, first_close)]
    last_column = max(columns, default=1)
    if last_column < MAX_COLUMNS:
        beyond = re.compile(rb'r(?<![\w.-]r)\s*=\s*["\'](' + _beyond(last_column) + rb')[0-9]')
        last_column = max([last_column, *(_column_number(m) for m in set(beyond.findall(xml, start)))])
    area = last_row * last_column
    if area > MAX_CELLS:
        raise InputError(
            f"la hoja abarca {_n(last_row)} filas × {_n(last_column)} columnas ({_n(area)} celdas), más que el "
            f"límite de {_n(MAX_CELLS)} celdas", file=path, sheet=sheet,
            hint=_SMALLER + "; o borre las filas y columnas vacías al final de la hoja")


def _check_text(xml: bytes, lengths: list[int], path: Path, sheet: str) -> None:
    """The text the sheet's cells expand to (each cell is read as its own copy of its shared string)."""
    if not lengths:
        return
    cells = xml.count(b't="s"')
    if cells * max(lengths) <= MAX_TEXT_BYTES:
        return
    import numpy as np

    # exact: the length of the string each cell refers to (slow, only for suspicious books)
    sizes = np.asarray(lengths, dtype=np.int64)
    indexes = np.fromiter((int(m) for m in _SHARED_CELL.findall(xml)), dtype=np.int64)
    indexes = indexes[(indexes >= 0) & (indexes < len(sizes))]
    total = int(sizes[indexes].sum())
    if total > MAX_TEXT_BYTES:
        raise InputError(
            f"las celdas de texto suman {_over(total, MAX_TEXT_BYTES)} al leerlas (un mismo texto largo repetido en "
            f"{_n(len(indexes))} celdas), más que el límite de {_gb(MAX_TEXT_BYTES)}", file=path, sheet=sheet,
            hint=_SMALLER)
