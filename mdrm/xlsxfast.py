"""A plain .xlsx of data sheets, written column by column (no per-cell Python objects).

`mdrm consolidado` writes tens of thousands of cells: openpyxl takes seconds for
that, longer than reading the export. A sheet here is the table as it is: a
bold header row, numbers as numbers, text as inline strings (never a formula:
a text cell is only ever text, whatever it starts with), frozen header and an
autofilter. Nothing else (no styles per cell, no formulas, no shared strings).
"""
from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from .limits import column_letters

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '{sheets}</Types>'
)
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{i}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets>{sheets}</sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
    '<Relationship Id="rIdStyles" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    '</Relationships>'
)
_STYLES = (  # style 0: normal; style 1: bold (the header row)
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


def column_letter(position: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    return column_letters(position + 1)


def _text(value) -> str:
    return escape(_ILLEGAL_XML.sub("", str(value)), {'"': "&quot;"})


def _column(column: pd.Series, letter: str, position: int) -> tuple[str, list]:
    """(the XML template of the column's cell, its values): numbers as numbers, anything else as text."""
    ref = f'<c r="{letter}{{0}}"'
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column) \
            and bool(np.isfinite(column.to_numpy(dtype="float64")).all()):
        values = column.to_numpy(dtype="float64")
        integral = bool((values == np.round(values)).all())
        return ref + f"><v>{{{position}}}</v></c>", (values.astype("int64") if integral else values).tolist()
    codes, uniques = pd.factorize(column.astype(object), use_na_sentinel=True)
    texts = np.array([_text(u) for u in uniques] + [""], dtype=object)[codes]
    return ref + f' t="inlineStr"><is><t xml:space="preserve">{{{position}}}</t></is></c>', texts.tolist()


def sheet_xml(frame: pd.DataFrame) -> str:
    """One worksheet: a bold header row, then the rows of `frame` (one string format per row)."""
    n, k = frame.shape
    header = "".join(f'<c r="{column_letter(i)}1" s="1" t="inlineStr"><is><t xml:space="preserve">{_text(name)}'
                     f"</t></is></c>" for i, name in enumerate(frame.columns))
    templates, columns = [], []
    for i in range(k):
        template, values = _column(frame.iloc[:, i], column_letter(i), i + 1)
        templates.append(template)
        columns.append(values)
    row = ('<row r="{0}">' + "".join(templates) + "</row>").format
    body = "".join(row(number, *values) for number, values in zip(range(2, n + 2), zip(*columns)))
    last = f"{column_letter(max(k, 1) - 1)}{n + 1}"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews>'
        f'<sheetData><row r="1">{header}</row>{body}</sheetData>'
        + (f'<autoFilter ref="A1:{last}"/>' if k else "")
        + "</worksheet>"
    )


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx holding each frame as a sheet, in order (names of 31 characters at most)."""
    names = list(sheets)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(
            sheets="".join(_SHEET_TYPE.format(i=i + 1) for i in range(len(names)))))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(sheets="".join(
            f'<sheet name="{_text(name[:31])}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, name in enumerate(names))))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(rels="".join(
            f'<Relationship Id="rId{i + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names)))))
        archive.writestr("xl/styles.xml", _STYLES)
        for i, name in enumerate(names):
            archive.writestr(f"xl/worksheets/sheet{i + 1}.xml", sheet_xml(sheets[name]))
    return buffer.getvalue()
