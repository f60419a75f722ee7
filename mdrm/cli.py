"""The `mdrm` command line. Exit codes: 0 ok, 2 bad input, 3 a notebook failed, 1 other."""
from __future__ import annotations

import argparse
import sys

from . import __version__
from .errors import InputError, NotebookError

EXIT_OK, EXIT_OTHER, EXIT_INPUT, EXIT_NOTEBOOK = 0, 1, 2, 3


def _metrics(args) -> int:
    from .iorw import dumps_metrics, write_atomic
    from .metrics import compute, load_month
    from .params import load_params

    metrics = compute(load_month(load_params(args.params)))
    text = dumps_metrics(metrics)
    if args.output:
        write_atomic(args.output, text)
        print(f"Escrito: {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _validate(args) -> int:
    from .validate import validate_file

    sheet, columns, params, data = args.hoja, None, None, args.data
    if args.params:  # the sheet and header mappings of a params file; its region and months only
        from .params import load_params

        params = load_params(args.params)
        sheet, columns = sheet or params.sheet, params.columns
        data = data or params.data_path
    if not data:
        raise InputError("indique el archivo 5W o --params")
    return validate_file(data, sheet=sheet, columns=columns, out=sys.stdout, params=params, output=args.output,
                         by_organization=args.por_organizacion, everything=args.todo)


def _report(args) -> int:
    from .report import run_report

    result = run_report(args.params, args.out)
    print(f"Escrito en {result.month_dir} ({result.seconds:.1f} s):", file=sys.stderr)
    for path in result.files:
        print(f"  {path.name}", file=sys.stderr)
    _print_warnings(result.month_dir / "metrics.json")
    return EXIT_OK


def _print_warnings(metrics_path) -> None:
    """The month's warnings (SPEC §11), as the reports show them first."""
    import json

    try:
        warnings = json.loads(metrics_path.read_text(encoding="utf-8")).get("warnings") or []
    except (OSError, ValueError):
        return
    for warning in warnings:
        print(f"Aviso {warning['code']}: {warning['message']}", file=sys.stderr)


def _batch(args) -> int:
    from .batch import run_batch_cli

    return run_batch_cli(args.params_dir, args.out, args.first, args.last, args.jobs)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"debe ser un entero ≥ 1: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mdrm", description="Reporte de situación mensual de la MDRM a partir del 5W de R4V.")
    parser.add_argument("--version", action="version", version=f"mdrm {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="comando")

    metrics = commands.add_parser("metrics", help="calcula las cifras del mes y escribe metrics.json")
    metrics.add_argument("--params", required=True, help="archivo de parámetros del mes (YAML)")
    metrics.add_argument("-o", "--output", help="archivo de salida (por defecto, la salida estándar)")
    metrics.set_defaults(run=_metrics)

    validate = commands.add_parser("validate", help="revisa un 5W completo y lista los problemas de calidad")
    validate.add_argument("data", nargs="?", help="archivo 5W (.xlsx o .csv); por defecto, el de --params")
    validate.add_argument("--hoja", help="hoja del Excel (por defecto, la primera)")
    validate.add_argument("--params", help="toma `datos`, `hoja` y `columnas` de este archivo de parámetros y "
                                           "revisa solo su región y sus meses (de enero a `mes`, y el anterior)")
    validate.add_argument("-o", "--output", metavar="ARCHIVO.xlsx",
                          help="escribe un resumen y el detalle de los problemas en un Excel")
    validate.add_argument("--por-organizacion", metavar="CARPETA",
                          help="escribe un Excel por organización con sus problemas y sus filas")
    validate.add_argument("--todo", action="store_true", help="lista en la terminal cada problema (no solo el resumen)")
    validate.set_defaults(run=_validate)

    report = commands.add_parser(
        "report", help="produce el reporte del mes: situacion.html, destacados.html, cuadernos, metrics.json, tablas.xlsx")
    report.add_argument("--params", required=True, help="archivo de parámetros del mes (YAML)")
    report.add_argument("--out", default="reports",
                        help="carpeta de salida (por defecto reports/); escribe en OUT/<región>/<AAAA-MM>/")
    report.set_defaults(run=_report)

    batch = commands.add_parser("batch", help="produce los reportes de muchos meses y el índice de la región")
    batch.add_argument("--params-dir", required=True,
                       help="carpeta con region.yml y un AAAA-MM.yml por mes (p. ej. params/tacna)")
    batch.add_argument("--from", dest="first", metavar="AAAA-MM", help="primer mes (incluido)")
    batch.add_argument("--to", dest="last", metavar="AAAA-MM", help="último mes (incluido)")
    batch.add_argument("--jobs", type=_jobs, default=None,
                       help="cuadernos en paralelo (por defecto, el número de CPU, hasta 4)")
    batch.add_argument("--out", default="reports", help="carpeta de salida (por defecto reports/)")
    batch.set_defaults(run=_batch)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as exc:
        print(f"Error en los datos de entrada: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except NotebookError as exc:
        print(f"Falló la ejecución de un cuaderno: {exc}", file=sys.stderr)
        return EXIT_NOTEBOOK
    except KeyboardInterrupt as exc:
        why = f" ({exc})" if str(exc) else ""
        print(f"Interrumpido{why}: no se publicó ningún archivo a medio escribir.", file=sys.stderr)
        return EXIT_OTHER
    except Exception as exc:  # noqa: BLE001 - last resort, still in Spanish
        print(f"Error inesperado ({type(exc).__name__}): {exc}", file=sys.stderr)
        return EXIT_OTHER


if __name__ == "__main__":
    sys.exit(main())
