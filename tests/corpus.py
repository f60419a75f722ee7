"""A corpus of malformed or awkward 5W files, made by code.

Each `Case` writes one input file into a folder and states what the kit must
do with it: either the right figures (`Figures`, exact numbers) or a clear
hard error (`HardError`: exit code 2, a Spanish message naming the file and,
where it applies, the sheet, row, column and value). `tests/test_corpus.py`
runs every case through `mdrm metrics`.

Most cases hold the same four rows (`BASE_ROWS`) in another shape (encoding,
delimiter, title rows, header style, container…): read right, they give the
figures worked out by hand in `BASE`; read wrong (an accent lost, a row
shifted, a column mismatched), some figure moves.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd

from conftest import SPANISH_HEADERS, rows_frame

# --- header styles (docs/metodologia.md §1) -----------------------------------------------------------------------

ENGLISH_HEADERS = {
    "country": "Country", "admin1": "Country Admin1", "admin2": "Admin2",
    "appealing_org": "Appealing organisation Name", "implementation_setup": "Implementation Set up",
    "implementing_partner": "Implementing partner Name", "month": "Month", "sector": "Subsector",
    "indicator": "Indicator", "activity_name": "Activity Name", "activity_description": "Activity Description",
    "rmrp_activity": "RMRP Activity", "cva": "CVA", "cva_value_usd": "Value (in USD)",
    "delivery_mechanism": "Delivery mechanism", "quantity": "Quantity of output",
    "total_monthly": "Total monthly beneficiaries", "new_beneficiaries": "New beneficiaries of the month",
    "permanencia": "Refugees and Migrants IN DESTINATION", "transito": "Refugees and Migrants IN TRANSIT",
    "acogida": "Host Communities Beneficiaries", "pendulares": "Refugees and Migrants PENDULARS",
    "retornados": "Colombian Returnees", "ninas": "Women under 18", "ninos": "Men under 18",
    "mujeres": "Women above 18", "hombres": "Men above 18", "otros_menores": "Other under 18",
    "otros_adultos": "Other above 18", "indicator_type": "Indicator Type",
}
SHORT_HEADERS = {
    "country": "Country", "admin1": "Admin1", "admin2": "Admin2", "appealing_org": "Appealing_org",
    "implementation_setup": "Implementation", "implementing_partner": "Implementing_partner",
    "month": "Reporting Month", "sector": "Sector / Subsector / WG", "indicator": "Indicator",
    "activity_name": "Activity_Name", "activity_description": "Activity_Description",
    "rmrp_activity": "RMRPActivity", "cva": "CVA", "cva_value_usd": "Value",
    "delivery_mechanism": "Delivery_mechanism", "quantity": "Quantity_output",
    "total_monthly": "Total_monthly", "new_beneficiaries": "New_beneficiaries",
    "permanencia": "IN_DESTINATION", "transito": "IN_TRANSIT", "acogida": "Host_Communities",
    "pendulares": "PENDULARS", "retornados": "Returnees", "ninas": "Girls", "ninos": "Boys",
    "mujeres": "Women", "hombres": "Men", "otros_menores": "Other_under", "otros_adultos": "Other_above",
    "indicator_type": "Indicator_Type",
}
HEADER_STYLES = {"es": SPANISH_HEADERS, "en": ENGLISH_HEADERS, "short": SHORT_HEADERS}
H = SPANISH_HEADERS  # the header of a field in the Spanish export, for messages

# --- the base rows and their figures ---------------------------------------------------------------

# Four rows of Tacna, September 2020, with accents where a wrong encoding would show.
BASE_ROWS = [
    {"sector": "Shelter", "admin2": "Tacna", "activity_name": "Kits de higiene distribuidos (# de kits)",
     "quantity": 4, "total_monthly": 10, "new_beneficiaries": 10, "permanencia": 6, "transito": 4,
     "mujeres": 5, "hombres": 5},
    {"sector": "Salud", "admin2": "Tacna", "appealing_org": "Asociación Niñez",
     "activity_name": "Consultas de atención primaria de salud (# de consultas)", "quantity": 8,
     "total_monthly": 8, "new_beneficiaries": 8, "permanencia": 8, "ninas": 8},
    {"sector": "Protección (General)", "admin2": "Jorge Basadre", "implementing_partner": "Socio Ñandú",
     "activity_name": "Orientaciones legales brindadas (# de sesiones de orientación)", "quantity": 5,
     "total_monthly": 5, "new_beneficiaries": 5, "acogida": 5, "ninos": 5},
    {"sector": "Integración", "admin2": "Tacna", "appealing_org": "Org B",
     "activity_name": "Capacitación para el autoempleo", "cva": "Sí", "cva_value_usd": 150,
     "total_monthly": 3, "new_beneficiaries": 3, "permanencia": 3, "otros_adultos": 3},
]

# Worked out by hand (method maximo, level admin1, basis mensual: the params defaults):
# one unit (Tacna); per group, the max over the four sectors:
#   permanencia max(6, 8, 0, 3) = 8 ; transito max(4, 0, 0, 0) = 4 ; acogida max(0, 0, 5, 0) = 5
#   headline 8 + 4 + 5 = 17
# sex and age: Σ ninas 8, ninos 5, mujeres 5, hombres 5, otros_adultos 3 (26) apportioned to 17:
#   5.23, 3.27, 3.27, 3.27, 0, 1.96 -> floors 5, 3, 3, 3, 0, 1 (15); the 2 left go to the largest
#   remainders: otros_adultos (.96), then ninos (.27, first listed of the tied three)
# key figures: kits 4 (quantity), consultas APS 8, orientaciones 5, autoempleo 3 people, USD 150
# organizations: Org A, Asociación Niñez, Socio Ñandú (partner of row 3), Org B -> 4
BASE = {
    "rows": {"read": 4, "counted": 4},
    "people_reached": {"total": 17, "by_population": {"permanencia": 8, "transito": 4, "acogida": 5}},
    "by_sex_age": {"ninas": 5, "ninos": 4, "mujeres": 3, "hombres": 3, "otros_menores": 0, "otros_adultos": 2},
    "subgroups": {"necesidades_basicas": 10, "salud_nutricion": 8, "proteccion": 5, "integracion": 3},
    "key_figures": {"kits_higiene": 4, "consultas_aps": 8, "orientaciones": 5, "personas_autoempleo": 3,
                    "usd_distribuidos": 150},
    "reporting": 4,
    "quality": {},
}


def expected(**changes) -> dict:
    """`BASE` with some parts replaced."""
    result = copy.deepcopy(BASE)
    result.update(changes)
    return result


def digest(metrics: dict) -> dict:
    """The parts of metrics.json the corpus checks, in the shape of `BASE`."""
    return {
        "rows": {"read": metrics["rows"]["read"], "counted": metrics["rows"]["counted"]},
        "people_reached": metrics["people_reached"],
        "by_sex_age": metrics["by_sex_age"],
        "subgroups": {sg: f["total"] for sg, f in metrics["subgroups"].items()},
        "key_figures": {k: v for k, v in metrics["key_figures"].items() if v},
        "reporting": metrics["organizations"]["reporting"],
        "quality": {c: n for c, n in metrics["quality"]["counts"].items() if n},
    }


# --- expectations ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    """Exit 0 and these figures (a `digest` of metrics.json)."""

    figures: dict


@dataclass(frozen=True)
class HardError:
    """Exit 2, nothing written, a Spanish message naming the file and these (None: not checked)."""

    words: tuple[str, ...] = ()
    row: int | None = None
    column: str | None = None
    value: str | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], tuple[Path, dict]]  # folder -> (data file, params keys)
    expect: Figures | HardError
    note: str = ""


SAME = Figures(BASE)

# --- writers ---------------------------------------------------------------------------------------


def table(rows: list[dict] = BASE_ROWS, headers: dict[str, str] = SPANISH_HEADERS) -> pd.DataFrame:
    """Rows by field -> a frame with the given header style, defaults filled (conftest.rows_frame)."""
    frame = rows_frame(rows)
    return frame.rename(columns={SPANISH_HEADERS[f]: headers[f] for f in SPANISH_HEADERS})


def csv_text(frame: pd.DataFrame, sep: str = ",") -> str:
    return frame.to_csv(index=False, sep=sep, lineterminator="\n")


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def grid(frame: pd.DataFrame) -> list[list]:
    """Header and rows as lists, blank cells as None."""
    body = [[None if (isinstance(v, str) and v == "") else v for v in row] for row in frame.itertuples(index=False)]
    return [list(frame.columns)] + body


def write_xlsx(path: Path, rows: list[list], sheet: str = "5W", above: list[list] = (),
               edit: Callable | None = None, first_col: int = 1, sheets_before: list[str] = ()) -> Path:
    """A workbook written cell by cell with openpyxl: `above` rows go before the table."""
    book = openpyxl.Workbook()
    first = book.active
    for name in sheets_before:
        book.create_sheet(name).cell(1, 1, "Portada del reporte")
    ws = book.create_sheet(sheet)
    book.remove(first)
    for r, values in enumerate([*above, *rows], start=1):
        for c, value in enumerate(values, start=first_col):
            if value is not None:
                ws.cell(r, c, value)
    if edit:
        edit(ws)
    book.save(path)
    return path


def write_ods(path: Path, rows: list[list], sheet: str = "5W") -> Path:
    """A minimal OpenDocument spreadsheet (what LibreOffice saves), zipped by hand."""
    def cell(v):
        if v is None:
            return "<table:table-cell/>"
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return (f'<table:table-cell office:value-type="float" office:value="{v}">'
                    f"<text:p>{v}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>" for r in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def patch_sheet_xml(path: Path, change: Callable[[str], str]) -> Path:
    """Rewrite the first worksheet's XML of an xlsx (to add what openpyxl cannot write)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = change(parts[name].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part, data in parts.items():
            z.writestr(part, data)
    return path


def col_letter(field_name: str, headers: dict[str, str] = SPANISH_HEADERS) -> str:
    """Excel column letter of a field in `table()` order."""
    index = list(headers).index(field_name)
    return openpyxl.utils.get_column_letter(index + 1)


def with_cell(rows: list[dict], at: int, **cells) -> list[dict]:
    """A copy of `rows` with cells of row `at` (0-based data row) replaced."""
    rows = [dict(r) for r in rows]
    rows[at].update(cells)
    return rows


# --- the cases -------------------------------------------------------------------------------------

def _csv(name: str, text: str, encoding: str = "utf-8", **params):
    return lambda d: (write_bytes(d / name, text.encode(encoding)), params)


def _xlsx(name: str, rows: list[list] | None = None, **kwargs):
    params = kwargs.pop("params", {})
    return lambda d: (write_xlsx(d / name, rows if rows is not None else grid(table()), **kwargs), params)


def _base_csv(**kwargs) -> str:
    return csv_text(table(), **kwargs)


def _truncated(d: Path) -> tuple[Path, dict]:
    whole = write_xlsx(d / "entero.xlsx", grid(table()))
    data = whole.read_bytes()
    whole.unlink()
    return write_bytes(d / "5w_cortado.xlsx", data[: len(data) // 2]), {}


def _empty_sheet(d: Path) -> tuple[Path, dict]:
    book = openpyxl.Workbook()
    book.active.title = "Hoja1"
    book.save(d / "vacio.xlsx")
    return d / "vacio.xlsx", {}


def _merged_title(d: Path) -> tuple[Path, dict]:
    rows = grid(table())
    width = len(rows[0])

    def merge(ws):
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=6)

    above = [["MESA DE DIÁLOGO PARA REFUGIADOS Y MIGRANTES – TACNA"], ["Reporte 5W, septiembre 2020"], []]
    return write_xlsx(d / "titulo.xlsx", rows, above=above, edit=merge), {}


def _merged_header(d: Path) -> tuple[Path, dict]:
    """A two-row header: 'Refugiados y migrantes' merged over 'EN DESTINO' and 'EN TRANSITO'."""
    rows = grid(table())
    header = rows[0]
    top = [None] * len(header)
    i = header.index(H["permanencia"])
    top[i] = "Refugiados y migrantes"
    header[i], header[i + 1] = "EN DESTINO", "EN TRANSITO"

    def merge(ws):
        ws.merge_cells(start_row=1, start_column=i + 1, end_row=1, end_column=i + 2)

    return write_xlsx(d / "doble_encabezado.xlsx", rows, above=[top], edit=merge), {}


def _formula_without_value(d: Path) -> tuple[Path, dict]:
    rows = grid(table())
    c = rows[0].index(H["total_monthly"])
    rows[2][c] = f"={col_letter('new_beneficiaries')}3"  # Excel row 3: =R3 (new beneficiaries), no cached value
    return write_xlsx(d / "formulas.xlsx", rows), {}


def _formula_with_value(d: Path) -> tuple[Path, dict]:
    """As Excel saves it: the formula and its cached value (openpyxl writes no value: patched in)."""
    path = _formula_without_value(d)[0]
    ref = f"{col_letter('total_monthly')}3"
    return patch_sheet_xml(path, lambda xml: re.sub(
        rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?', r"\1\2<v>8</v>", xml)), {}


def _formula_in_month(d: Path) -> tuple[Path, dict]:
    rows = grid(table())
    rows[4][rows[0].index("Month")] = '=TEXT(DATE(2020,9,1),"yyyy-mm")'
    return write_xlsx(d / "mes_formula.xlsx", rows), {}


def _formula_in_region(d: Path) -> tuple[Path, dict]:
    rows = grid(table())
    rows[3][rows[0].index(H["admin1"])] = '=VLOOKUP(C4,Regiones!A:B,2,FALSE)'
    return write_xlsx(d / "region_formula.xlsx", rows), {}


def _excel_error(d: Path) -> tuple[Path, dict]:
    rows = grid(table())
    rows[2][rows[0].index(H["permanencia"])] = "#N/A"  # openpyxl writes it as an error cell (t="e")
    return write_xlsx(d / "error_excel.xlsx", rows), {}


def _bool_xlsx(d: Path) -> tuple[Path, dict]:
    rows = grid(table())
    c = rows[0].index(H["total_monthly"])
    rows[1][c] = 1            # 1 and TRUE in one column: TRUE must not read as 1
    rows[2][c] = True
    rows[1][rows[0].index(H["new_beneficiaries"])] = 1
    rows[1][rows[0].index(H["permanencia"])] = 1
    rows[1][rows[0].index(H["transito"])] = None
    rows[1][rows[0].index(H["mujeres"])] = 1
    rows[1][rows[0].index(H["hombres"])] = None
    return write_xlsx(d / "logicos.xlsx", rows), {}


def _month_serial_xlsx(d: Path) -> tuple[Path, dict]:
    rows = grid(table())
    c = rows[0].index("Month")
    for r in rows[1:]:
        r[c] = 44075  # 2020-09-01 as a General-formatted date
    rows[2][c] = 44104.5  # 2020-09-30 12:00
    return write_xlsx(d / "serial.xlsx", rows), {}


def _month_dates_xlsx(d: Path) -> tuple[Path, dict]:
    rows = grid(table())
    c = rows[0].index("Month")
    rows[1][c] = dt.datetime(2020, 9, 1)
    rows[2][c] = dt.date(2020, 9, 15)
    rows[3][c] = "2020-09"
    return write_xlsx(d / "fechas.xlsx", rows), {}


def _leading_blank_columns(d: Path) -> tuple[Path, dict]:
    return write_xlsx(d / "desplazada.xlsx", grid(table()), above=[[], []], first_col=3), {}


def _blank_rows_xlsx(d: Path) -> tuple[Path, dict]:
    rows = grid(table())
    rows = rows[:3] + [[None] * len(rows[0]), [None] * len(rows[0])] + rows[3:]
    rows[3][5] = "   "  # only spaces: still blank
    return write_xlsx(d / "huecos.xlsx", rows), {}


def _long_text_xlsx(d: Path) -> tuple[Path, dict]:
    rows = grid(table())
    rows[1][rows[0].index(H["activity_description"])] = "Descripción larga. " * 1700  # 32,300 chars (Excel's max 32,767)
    return write_xlsx(d / "texto_largo.xlsx", rows), {}


def _quoted_newlines(d: Path) -> tuple[Path, dict]:
    rows = with_cell(BASE_ROWS, 0, activity_description="Primera línea\nsegunda línea, con coma\n\ntercera \"citada\"")
    return write_bytes(d / "saltos.csv", csv_text(table(rows)).encode("utf-8")), {}


def _quoted_newline_then_bad(d: Path) -> tuple[Path, dict]:
    rows = with_cell(BASE_ROWS, 0, activity_description="línea 1\nlínea 2\nlínea 3")
    rows = with_cell(rows, 2, acogida="cinco")
    return write_bytes(d / "saltos_error.csv", csv_text(table(rows)).encode("utf-8")), {}


def _duplicate_same(d: Path) -> tuple[Path, dict]:
    frame = table()
    frame.insert(len(frame.columns), "Month ", frame["Month"])  # the same header again (a trailing space)
    return write_xlsx(d / "mes_dos_veces.xlsx", grid(frame)), {}


def _duplicate_different(d: Path) -> tuple[Path, dict]:
    frame = table()
    other = frame[H["total_monthly"]].copy()
    other.iloc[2] = 50
    frame["Total_monthly"] = other  # an alias of the same field, other values from Excel row 4
    return write_xlsx(d / "total_dos_veces.xlsx", grid(frame)), {}


def _duplicate_resolved(d: Path) -> tuple[Path, dict]:
    frame = table()
    frame["Total atendidos (corregido)"] = frame[H["total_monthly"]]
    frame[H["total_monthly"]] = [99, 99, 99, 99]
    path = write_xlsx(d / "total_corregido.xlsx", grid(frame))
    return path, {"columnas": {"Total atendidos (corregido)": "total_monthly"}}


def _other_sheet_first(d: Path) -> tuple[Path, dict]:
    return write_xlsx(d / "portada.xlsx", grid(table()), sheets_before=["Portada"]), {}


def _named_sheet(d: Path) -> tuple[Path, dict]:
    return write_xlsx(d / "portada_hoja.xlsx", grid(table()), sheets_before=["Portada"]), {"hoja": "5W"}


def _renamed(name: str):
    def make(d: Path) -> tuple[Path, dict]:
        real = write_xlsx(d / "real.xlsx", grid(table()))
        target = d / name
        real.rename(target)
        return target, {}
    return make


def _ods(d: Path) -> tuple[Path, dict]:
    return write_ods(d / "5w.ods", grid(table())), {}


def _month_gap(d: Path) -> tuple[Path, dict]:
    rows = [dict(r, month="2020-08") for r in BASE_ROWS[:2]] + [dict(r, month="2020-10") for r in BASE_ROWS[2:]]
    return write_bytes(d / "sin_septiembre.csv", csv_text(table(rows)).encode("utf-8")), {}


def _mojibake(d: Path) -> tuple[Path, dict]:
    text = csv_text(table())
    return write_bytes(d / "mojibake.csv", text.encode("utf-8").decode("latin-1").encode("utf-8")), {}


def _messy_headers(d: Path) -> tuple[Path, dict]:
    frame = table()
    frame.columns = [f"  {c.upper()}  " if i % 2 else f"{c.replace(' ', '_')} " for i, c in enumerate(frame.columns)]
    return write_xlsx(d / "encabezados.xlsx", grid(frame)), {}


def _region_variants(d: Path) -> tuple[Path, dict]:
    rows = [dict(r, admin1=a) for r, a in zip(BASE_ROWS, [" TACNA ", "tacna", "Tacná", "TACNA"])]
    return write_bytes(d / "region.csv", csv_text(table(rows)).encode("utf-8")), {}


def _title_rows_csv(d: Path) -> tuple[Path, dict]:
    text = "Reporte 5W - Tacna\nGenerado el 2020-10-05;;;\n\n" + csv_text(table(), sep=";")
    return write_bytes(d / "titulo.csv", text.encode("utf-8")), {}


def _title_rows_csv_bad(d: Path) -> tuple[Path, dict]:
    rows = with_cell(BASE_ROWS, 1, total_monthly="ocho")
    text = "Reporte 5W - Tacna\n\n" + csv_text(table(rows))
    return write_bytes(d / "titulo_error.csv", text.encode("utf-8")), {}


def _title_rows_xlsx_bad(d: Path) -> tuple[Path, dict]:
    rows = grid(table())
    rows[3][rows[0].index(H["ninos"])] = "cinco"
    return write_xlsx(d / "titulo_error.xlsx", rows, above=[["5W Tacna"], [], ["Fuente: R4V"]]), {}


def _people(rows_changes: dict[int, dict], name: str, ext: str = "csv"):
    def make(d: Path) -> tuple[Path, dict]:
        rows = [dict(r) for r in BASE_ROWS]
        for at, cells in rows_changes.items():
            rows[at].update(cells)
        if ext == "csv":
            return write_bytes(d / f"{name}.csv", csv_text(table(rows)).encode("utf-8")), {}
        return write_xlsx(d / f"{name}.xlsx", grid(table(rows))), {}
    return make


CASES: list[Case] = [
    # --- the container --------------------------------------------------------------------------
    Case("vacio_0_bytes_csv", lambda d: (write_bytes(d / "vacio.csv", b""), {}),
         HardError(("vacío", "0 bytes"))),
    Case("vacio_0_bytes_xlsx", lambda d: (write_bytes(d / "vacio.xlsx", b""), {}),
         HardError(("vacío", "0 bytes"))),
    Case("solo_espacios_csv", lambda d: (write_bytes(d / "blanco.csv", b"\n\n  \n"), {}),
         HardError(("vacío",))),
    Case("solo_encabezado_csv", _csv("encabezado.csv", ",".join(SPANISH_HEADERS.values()) + "\n"),
         HardError(("no tiene filas de datos",))),
    Case("solo_encabezado_xlsx", _xlsx("encabezado.xlsx", [list(SPANISH_HEADERS.values())]),
         HardError(("no tiene filas de datos",), sheet="5W")),
    Case("encabezado_y_filas_vacias_xlsx",
         _xlsx("filas_vacias.xlsx", [list(SPANISH_HEADERS.values()), [None] * 29, [" "] + [None] * 28]),
         HardError(("no tiene filas de datos",), sheet="5W")),
    Case("xlsx_truncado", _truncated, HardError(("dañado o incompleto",))),
    Case("html_renombrado_xlsx",
         lambda d: (write_bytes(d / "descarga.xlsx", b"<!DOCTYPE html><html><body><table><tr><td>"
                                b"Month</td></tr></table></body></html>"), {}),
         HardError(("HTML", "guárdelo como libro de Excel"))),
    Case("html_renombrado_csv",
         lambda d: (write_bytes(d / "descarga.csv", b"\xef\xbb\xbf  <html><head><title>Error 404</title></head></html>"), {}),
         HardError(("HTML",))),
    Case("binario_renombrado_csv", lambda d: (write_bytes(d / "raro.csv", b"\x00\x01\x02 binario \x00" * 40), {}),
         HardError(("no es un archivo de texto",))),
    Case("xlsx_con_una_hoja_vacia", _empty_sheet, HardError(("hoja está vacía",), sheet="Hoja1")),
    Case("hoja_equivocada_portada_primero", _other_sheet_first,
         HardError(("falta la columna obligatoria", "«5W»", "`hoja:`"), sheet="Portada")),
    Case("hoja_indicada_no_primera", _named_sheet, SAME),
    Case("xlsx_con_extension_xls", _renamed("5w.xls"), SAME),
    Case("xlsx_con_extension_ods", _renamed("5w_mal.ods"), SAME),
    Case("ods_de_libreoffice", _ods, SAME),
    Case("csv_con_extension_xlsx", _csv("csv_disfrazado.xlsx", _base_csv()), SAME),
    # --- text files: encodings and delimiters ------------------------------------------------------
    Case("csv_latin1_punto_y_coma", _csv("latin1.csv", _base_csv(sep=";"), "latin-1"), SAME),
    Case("csv_cp1252_comas", _csv("cp1252.csv", _base_csv(), "cp1252"), SAME),
    Case("csv_utf8_con_bom", _csv("bom.csv", _base_csv(), "utf-8-sig"), SAME),
    Case("csv_utf8_con_bom_punto_y_coma", _csv("bom_pyc.csv", _base_csv(sep=";"), "utf-8-sig"), SAME),
    Case("csv_tabulado", _csv("tabulado.csv", _base_csv(sep="\t")), SAME),
    Case("tsv_utf16_texto_unicode_de_excel", _csv("unicode.txt", _base_csv(sep="\t"), "utf-16"), SAME),
    Case("csv_barras", _csv("barras.csv", _base_csv(sep="|")), SAME),
    Case("csv_fin_de_linea_windows", _csv("crlf.csv", _base_csv().replace("\n", "\r\n")), SAME),
    Case("csv_doble_codificado_mojibake", _mojibake, SAME),
    Case("csv_saltos_de_linea_entre_comillas", _quoted_newlines, SAME),
    Case("csv_un_campo_de_mas_sin_encabezado", _csv("coma_final.csv", "\n".join(
        line + (",nota suelta" if i == 2 else "") for i, line in enumerate(_base_csv().split("\n")))),
         HardError((f"{len(table().columns) + 1} campos", f"más campos que el encabezado ({len(table().columns)})",
                    "fila 3")),
         "issue 21: a field past the header on one row may be a cell shifted by an unquoted delimiter"),
    Case("csv_fila_con_muchos_campos_de_mas", _csv("desalineado.csv", "\n".join(
        line + (",x" * 8 if i == 2 else "") for i, line in enumerate(_base_csv().split("\n")))),
         HardError(("más campos que el encabezado", "fila 3"))),
    Case("texto_cualquiera_con_extension_xlsx", _csv("notas.xlsx", "Estas son mis notas\nno un 5W\n"),
         HardError(("falta la columna obligatoria", "no es un libro de Excel"), row=1)),
    Case("csv_salto_entre_comillas_y_error_despues", _quoted_newline_then_bad,
         HardError(("texto",), row=4, column=H["acogida"], value="cinco"),
         "rows are records: the multi-line cell of row 2 does not shift the row of the bad cell"),
    # --- header row ------------------------------------------------------------------------------
    Case("xlsx_titulos_combinados_sobre_encabezado", _merged_title, SAME),
    Case("xlsx_titulos_y_error_numera_filas_de_excel", _title_rows_xlsx_bad,
         HardError(("texto",), row=7, column=H["ninos"], value="cinco"),
         "3 rows above the header (row 4): the 3rd data row is Excel row 7"),
    Case("csv_titulos_sobre_encabezado", _title_rows_csv, SAME),
    Case("csv_titulos_y_error_numera_filas", _title_rows_csv_bad,
         HardError(("texto",), row=5, column=H["total_monthly"], value="ocho")),
    Case("xlsx_tabla_desde_columna_c_fila_3", _leading_blank_columns, SAME),
    Case("encabezado_en_dos_filas_combinadas", _merged_header,
         HardError(("falta la columna obligatoria «Refugiados y migrantes EN DESTINO»", "dos filas",
                    "«Refugiados y migrantes» sobre «EN DESTINO»"), row=2)),
    Case("encabezados_con_espacios_mayusculas_guiones", _messy_headers, SAME),
    Case("encabezados_en_ingles", _xlsx("ingles.xlsx", grid(table(headers=ENGLISH_HEADERS))), SAME),
    Case("encabezados_cortos", _csv("cortos.csv", csv_text(table(headers=SHORT_HEADERS))), SAME),
    Case("columnas_desconocidas_extra",
         _csv("extra.csv", csv_text(table().assign(COVID19="Si", Platform="R4V", **{"": ""}))), SAME),
    Case("columna_repetida_mismos_datos", _duplicate_same, SAME),
    Case("columna_repetida_datos_distintos", _duplicate_different,
         HardError(("dos columnas", "«Total beneficiarios mensuales»", "«Total_monthly»"), row=4, sheet="5W")),
    Case("columna_repetida_resuelta_con_columnas", _duplicate_resolved, SAME),
    # --- numbers -----------------------------------------------------------------------------------
    # row 1 has 1,234 people (1,000 in destination, 234 in transit) instead of 10:
    #   permanencia max(1000, 8, 0, 3) = 1000 ; transito 234 ; acogida 5 -> 1239
    Case("miles_con_coma_en_texto",
         _people({0: {"total_monthly": "1,234", "new_beneficiaries": "1,234", "permanencia": "1,000",
                      "transito": "234", "mujeres": "1,234", "hombres": ""}}, "miles"),
         Figures(expected(
             people_reached={"total": 1239, "by_population": {"permanencia": 1000, "transito": 234, "acogida": 5}},
             # 1239 by sex/age from Σ ninas 8, ninos 5, mujeres 1234, otros_adultos 3 (1250)
             by_sex_age={"ninas": 8, "ninos": 5, "mujeres": 1223, "hombres": 0, "otros_menores": 0,
                         "otros_adultos": 3},
             subgroups={"necesidades_basicas": 1234, "salud_nutricion": 8, "proteccion": 5, "integracion": 3}))),
    # 2,500 as text in an xlsx, "1 234" with a no-break space, and Spanish "1.234,50" USD
    Case("miles_en_celdas_de_texto_xlsx",
         _people({0: {"quantity": "2,500"}, 1: {"quantity": "1\u00a0234"}, 3: {"cva_value_usd": "1.234,50"}},
                 "miles_texto", "xlsx"),
         Figures(expected(key_figures={"kits_higiene": 2500, "consultas_aps": 1234, "orientaciones": 5,
                                       "personas_autoempleo": 3, "usd_distribuidos": 1235}))),
    Case("coma_decimal_ambigua", _people({2: {"acogida": "1,5"}}, "coma"),
         HardError(("ambiguo",), row=4, column=H["acogida"], value="1,5")),
    Case("coma_con_dos_cifras", _people({3: {"cva_value_usd": "150,25"}}, "coma_usd"),
         HardError(("ambiguo",), row=5, column=H["cva_value_usd"], value="150,25")),
    # 10.5 people in row 1, split 6.3 / 4.2: permanencia max(6.3, 8, 0, 3) = 8, transito 4.2 -> 4,
    # acogida 5 -> 17; the fractions are used as they are and flagged Q09 (one row)
    Case("personas_fraccionarias", _people({0: {"total_monthly": 10.5, "new_beneficiaries": 10.5,
                                                 "permanencia": 6.3, "transito": 4.2, "mujeres": 5.5}}, "fracciones"),
         Figures(expected(
             # sex/age: Σ ninas 8, ninos 5, mujeres 5.5, hombres 5, otros_adultos 3 (26.5) to 17:
             # 5.13, 3.21, 3.53, 3.21, 0, 1.92 -> 5, 3, 3, 3, 0, 1 (15) + otros_adultos (.92), mujeres (.53)
             by_sex_age={"ninas": 5, "ninos": 3, "mujeres": 4, "hombres": 3, "otros_menores": 0, "otros_adultos": 2},
             # necesidades básicas: 6.3 -> 6 and 4.2 -> 4, total the sum of its parts: 10
             quality={"Q09": 1}))),
    Case("numeros_con_espacios", _people({0: {"quantity": "  4 ", "total_monthly": " 10"}}, "espacios"), SAME),
    Case("verdadero_falso_en_numero_xlsx", _bool_xlsx,
         HardError(("valor lógico",), row=3, column=H["total_monthly"], value="VERDADERO"),
         "1 in Excel row 2 and TRUE in row 3 of one column: TRUE is not read as 1"),
    Case("true_en_numero_csv", _people({2: {"ninos": "TRUE"}}, "true"),
         HardError(("valor lógico",), row=4, column=H["ninos"], value="TRUE")),
    Case("true_entre_numeros_csv", _people({1: {"mujeres": "true"}}, "true_mezclado"),
         HardError(("valor lógico",), row=3, column=H["mujeres"], value="true")),
    Case("n_a_en_numero", _people({1: {"permanencia": "N/A"}}, "na"),
         HardError(("texto",), row=3, column=H["permanencia"], value="N/A")),
    Case("guion_en_numero", _people({3: {"quantity": "-"}}, "guion"),
         HardError(("texto",), row=5, column=H["quantity"], value="-")),
    Case("error_de_excel_como_texto", _people({0: {"hombres": "#DIV/0!"}}, "div0"),
         HardError(("error de Excel",), row=2, column=H["hombres"], value="#DIV/0!")),
    Case("negativo_decimal_xlsx", _people({1: {"new_beneficiaries": -2.5}}, "negativo", "xlsx"),
         HardError(("negativo",), row=3, column=H["new_beneficiaries"], value="-2.5", sheet="5W")),
    Case("enorme_1e12_personas", _people({0: {"total_monthly": 1e12}}, "enorme", "xlsx"),
         HardError(("demasiado grande",), row=2, column=H["total_monthly"], value="1000000000000")),
    Case("desbordamiento_1e400", _people({2: {"acogida": "1e400"}}, "infinito"),
         HardError(("fuera de rango",), row=4, column=H["acogida"], value="más de 1.8e308"),
         "the CSV parser reads 1e400 as infinity: named as out of range, never «inf» (issue 21)"),
    Case("nan_en_texto", _people({2: {"quantity": "nan"}}, "nan"),
         HardError(("texto",), row=4, column=H["quantity"], value="nan")),
    # --- months ----------------------------------------------------------------------------------
    Case("mes_serial_de_excel_xlsx", _month_serial_xlsx, SAME),
    Case("mes_serial_de_excel_csv", _people({i: {"month": "44075"} for i in range(4)}, "serial"), SAME),
    Case("mes_fechas_y_texto_mezclados", _month_dates_xlsx, SAME),
    Case("mes_en_espanol", _people({1: {"month": "Septiembre 2020"}}, "mes_es"),
         HardError(("mes ilegible", "AAAA-MM"), row=3, column="Month", value="Septiembre 2020")),
    Case("mes_abreviado_sep_20", _people({2: {"month": "sep-20"}}, "sep20"),
         HardError(("mes ilegible",), row=4, column="Month", value="sep-20")),
    Case("mes_dia_primero", _people({0: {"month": "01/09/2020"}}, "dia"),
         HardError(("mes ilegible",), row=2, column="Month", value="01/09/2020")),
    Case("mes_numero_que_no_es_fecha", _people({3: {"month": 2020}}, "anio", "xlsx"),
         HardError(("mes ilegible",), row=5, column="Month", value="2020")),
    Case("mes_sin_filas", _month_gap,
         HardError(("no hay filas", "«Tacna»", "2020-09", "2020-08", "2020-10"))),
    # --- formulas and Excel errors ---------------------------------------------------------------
    Case("formula_sin_valor_calculado", _formula_without_value,
         HardError(("fórmula sin valor calculado",), row=3, column=H["total_monthly"],
                   value=f"={col_letter('new_beneficiaries')}3", sheet="5W")),
    Case("formula_con_valor_calculado", _formula_with_value, SAME),
    Case("formula_sin_valor_en_el_mes", _formula_in_month,
         HardError(("fórmula sin valor calculado",), row=5, column="Month")),
    Case("formula_sin_valor_en_la_region", _formula_in_region,
         HardError(("fórmula sin valor calculado",), row=4, column=H["admin1"]),
         "the row's region is unknown: it could be Tacna, so it is a used row"),
    Case("celda_con_error_de_excel", _excel_error,
         HardError(("error de Excel",), row=3, column=H["permanencia"], value="#N/A", sheet="5W")),
    # --- rows and values ---------------------------------------------------------------------------
    Case("sector_desconocido", _people({3: {"sector": "Sector Inventado"}}, "sector"),
         Figures(expected(subgroups={"necesidades_basicas": 10, "salud_nutricion": 8, "proteccion": 5,
                                     "sin_subgrupo": 3}, quality={"Q06": 1}))),
    Case("region_con_mayusculas_y_tildes", _region_variants, SAME),
    Case("filas_vacias_en_medio_xlsx", _blank_rows_xlsx, SAME),
    Case("filas_vacias_en_medio_csv",
         _csv("huecos.csv", "\n".join(_base_csv().split("\n")[:2] + ["", ",,,", " "] + _base_csv().split("\n")[2:])),
         SAME),
    Case("texto_muy_largo_xlsx", _long_text_xlsx, SAME),
    Case("texto_muy_largo_csv",
         lambda d: (write_bytes(d / "largo.csv", csv_text(table(with_cell(
             BASE_ROWS, 3, activity_description="x" * 300_000))).encode("utf-8")), {}), SAME),
    Case("nombre_de_archivo_raro", _csv("5W Tacna «sept» 'v2' \"final\" (copia).csv", _base_csv()), SAME),
]
