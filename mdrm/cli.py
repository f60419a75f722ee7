"""The `mdrm` command line. Exit codes: 0 ok, 2 bad input, 3 a notebook failed, 1 other: the kit's own
errors carry theirs (`mdrm.errors.MdrmError.exit_code`)."""
from __future__ import annotations

import argparse
import sys

from . import __version__
from .errors import EXIT_INPUT, EXIT_OK, EXIT_OTHER, InputError, MdrmError, os_error_text, user_message
from .i18n import LANGUAGES, _, set_override
from .text import printable


def _metrics(args) -> int:
    from .iorw import dumps_metrics, write_atomic
    from .metrics import compute, compute_period, load_month
    from .params import load_params

    from .report import FiveWCache

    params = load_params(args.params)
    data = load_month(params, FiveWCache().get(params))  # a workbook read in a child process
    metrics = compute_period(data) if params.period else compute(data)  # `periodo:`: a quarter, half or year
    text = dumps_metrics(metrics)
    if args.output:
        write_atomic(args.output, text)
        print(_("Escrito: {path}").format(path=args.output), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _consolidated(args) -> int:
    from .consolidado import check_output, consolidate, load, summary, write

    check_output(args.output)
    params, fivew = load(args.datos, args.params, args.hoja)
    result = consolidate(params, fivew)
    write(result, args.output)
    print(summary(result, args.output), file=sys.stderr)
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
        raise InputError(_("indique el archivo 5W o --params"))
    return validate_file(data, sheet=sheet, columns=columns, out=sys.stdout, params=params, output=args.output,
                         by_organization=args.por_organizacion, everything=args.todo, indicators=args.indicadores)


def check_out_dir(out: str) -> None:
    """`--out` must be a folder the kit can create or use (a symlink loop or a file is bad input)."""
    from pathlib import Path

    path = Path(out)
    try:
        path.resolve()
        exists, is_dir = path.exists(), path.is_dir()
    except (OSError, RuntimeError) as exc:  # a symlink loop: RuntimeError before Python 3.13
        why = os_error_text(exc) if isinstance(exc, OSError) else _("bucle de enlaces simbólicos")
        raise InputError(_("la carpeta de salida --out no se puede usar ({why})").format(why=why), file=path) from exc
    if exists and not is_dir:
        raise InputError(_("la carpeta de salida --out es un archivo, no una carpeta"), file=path)


def _report(args) -> int:
    from .report import run_report

    check_out_dir(args.out)
    result = run_report(args.params, args.out, timeout=args.timeout)
    print(_("Escrito en {folder} ({seconds:.1f} s):").format(folder=result.month_dir, seconds=result.seconds),
          file=sys.stderr)
    for path in result.files:
        print(f"  {path.name}", file=sys.stderr)
    _print_warnings(result.month_dir / "metrics.json")
    return EXIT_OK


def _print_warnings(metrics_path) -> None:
    """The month's warnings (docs/metodologia.md §7), as the reports show them first."""
    import json

    try:
        metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for warning in metrics.get("warnings") or []:
        print(_("Aviso {code}: {message}").format(**warning), file=sys.stderr)
    for notice in metrics.get("notices") or []:  # information lines (the export's first month)
        print(_("Nota {code}: {message}").format(**notice), file=sys.stderr)


def _batch(args) -> int:
    from .batch import run_batch_cli

    check_out_dir(args.out)
    return run_batch_cli(args.params_dir, args.out, args.first, args.last, args.jobs, timeout=args.timeout,
                         periods=args.periodos)


def _init(args) -> int:
    from .scaffold import add_months, add_summary, init_mesa, init_summary

    if args.agregar:
        given = [o for o, v in (("--datos", args.datos), ("--pais", args.pais), ("--region", args.region),
                                ("--hoja", args.hoja), ("--columna", args.columna)) if v]
        if given:
            raise InputError(f"con --agregar no se usa {', '.join(given)}: se leen de region.yml",
                             hint="Si el 5W nuevo es otro archivo, cambie «datos:» en region.yml")
        print(add_summary(add_months(args.dir)))
        return EXIT_OK
    missing = [o for o, v in (("--datos", args.datos), ("--pais", args.pais)) if not v]
    if missing:
        raise InputError(f"falta {' y '.join(missing)}", hint="mdrm init --datos 5W.xlsx --pais Perú "
                         "[--region Tacna] --dir params/tacna")
    result = init_mesa(args.datos, args.pais, args.region, args.dir, sheet=args.hoja, columns=args.columna)
    print(init_summary(result))
    return EXIT_OK


def _activities(args) -> int:
    from .scaffold import activities_text

    sys.stdout.write(activities_text(args.params))
    return EXIT_OK


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(_("debe ser un entero ≥ 1: {text!r}").format(text=text))
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value > 0:
        raise argparse.ArgumentTypeError(_("debe ser un número de segundos > 0: {text!r}").format(text=text))
    return value


def _timeout_option(command) -> None:
    from .limits import NOTEBOOK_TIMEOUT

    command.add_argument("--timeout", type=_seconds, default=NOTEBOOK_TIMEOUT, metavar="SEGUNDOS",
                         help=f"tiempo máximo de cada celda de un cuaderno; pasado ese tiempo se detiene el "
                              f"cuaderno y el mes falla (por defecto {NOTEBOOK_TIMEOUT} s)")


def _language_option(command) -> None:
    command.add_argument("--idioma", choices=LANGUAGES, help=_(
        "idioma de las salidas y los mensajes: es, en o pt (por defecto, la clave «idioma» de los parámetros, "
        "o es)"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mdrm", description="Reporte de situación mensual de una Mesa de la respuesta R4V (GTRM, GIFMM, …) "
                                  "a partir de la exportación 5W de R4V.")
    parser.add_argument("--version", action="version", version=f"mdrm {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="comando")

    metrics = commands.add_parser("metrics", help="calcula las cifras del mes y escribe metrics.json")
    metrics.add_argument("--params", required=True, help="archivo de parámetros del mes o del periodo (YAML)")
    metrics.add_argument("-o", "--output", help="archivo de salida (por defecto, la salida estándar)")
    _language_option(metrics)
    metrics.set_defaults(run=_metrics)

    consolidado = commands.add_parser(
        "consolidado", help="la tabla consolidada de R4V (país × Admin1 × mes × sector e intersector, acumulado "
                            "del año) de todos los países del 5W, o del alcance de --params, en una sola lectura")
    consolidado.add_argument("--datos", help="archivo 5W (.xlsx o .csv); por defecto, el de --params")
    consolidado.add_argument("--params", help="toma las reglas (deduplicacion, duplicados, columnas, hoja…) y el "
                                              "alcance (pais, region) de este archivo de parámetros, todos sus "
                                              "meses; sin region ni pais, todos los países del archivo")
    consolidado.add_argument("--hoja", help="hoja del Excel (por defecto, la primera)")
    consolidado.add_argument("-o", "--output", required=True, metavar="ARCHIVO.xlsx|.csv",
                             help="la tabla consolidada, en Excel o CSV")
    _language_option(consolidado)
    consolidado.set_defaults(run=_consolidated)

    validate = commands.add_parser("validate", help="revisa un 5W completo y lista los problemas de calidad")
    validate.add_argument("data", nargs="?", help="archivo 5W (.xlsx o .csv); por defecto, el de --params")
    validate.add_argument("--hoja", help="hoja del Excel (por defecto, la primera)")
    validate.add_argument("--params", help="toma `datos`, `hoja` y `columnas` de este archivo de parámetros y "
                                           "revisa solo su región y sus meses (de enero a `mes`, y el anterior)")
    validate.add_argument("-o", "--output", metavar="ARCHIVO.xlsx",
                          help="escribe un resumen y el detalle de los problemas en un Excel")
    validate.add_argument("--por-organizacion", metavar="CARPETA",
                          help="escribe un Excel por organización con sus problemas y sus filas")
    validate.add_argument("--indicadores", metavar="ARCHIVO",
                          help="lista de indicadores de R4V (xlsx o csv: sector, indicador y tipo): revisa las "
                               "reglas de calidad de R4V que dependen del tipo de indicador")
    validate.add_argument("--todo", action="store_true", help="lista en la terminal cada problema (no solo el resumen)")
    _language_option(validate)
    validate.set_defaults(run=_validate)

    report = commands.add_parser(
        "report", help="produce el reporte del mes: situacion.html, destacados.html, cuadernos, metrics.json, tablas.xlsx")
    report.add_argument("--params", required=True, help="archivo de parámetros del mes (YAML)")
    report.add_argument("--out", default="reports",
                        help="carpeta de salida (por defecto reports/); escribe en OUT/<región>/<AAAA-MM>/")
    _timeout_option(report)
    _language_option(report)
    report.set_defaults(run=_report)

    batch = commands.add_parser("batch", help="produce los reportes de muchos meses y el índice de la región")
    batch.add_argument("--params-dir", required=True,
                       help="carpeta con region.yml y un AAAA-MM.yml por mes (p. ej. params/tacna)")
    batch.add_argument("--from", dest="first", metavar="AAAA-MM", help="primer mes (incluido)")
    batch.add_argument("--to", dest="last", metavar="AAAA-MM", help="último mes (incluido)")
    batch.add_argument("--jobs", type=_jobs, default=None,
                       help="cuadernos en paralelo (por defecto, el número de CPU, hasta 4)")
    batch.add_argument("--periodos", action="store_true",
                       help="los archivos de periodo de la carpeta (AAAA-T1.yml … AAAA-S2.yml, AAAA.yml) en lugar de los meses")
    batch.add_argument("--out", default="reports", help="carpeta de salida (por defecto reports/)")
    _timeout_option(batch)
    _language_option(batch)
    batch.set_defaults(run=_batch)

    init = commands.add_parser(
        "init", help="prepara la carpeta de parámetros de una Mesa nueva a partir de una exportación 5W")
    init.add_argument("--datos", help="archivo 5W (.xlsx o .csv)")
    init.add_argument("--pais", help="país de la región (p. ej. Perú, Colombia, Brasil)")
    init.add_argument("--region", action="append",
                      help="la región (Admin1) de la Mesa, p. ej. Tacna; varias separadas por comas "
                           "(\"Lima, Callao\") o repitiendo --region; sin --region, todo el país")
    init.add_argument("--dir", required=True, help="carpeta a crear, p. ej. params/arequipa (no sobrescribe)")
    init.add_argument("--agregar", action="store_true",
                      help="en una carpeta ya hecha: escribe los archivos de los meses nuevos del 5W de "
                           "region.yml (no toca los que existen)")
    init.add_argument("--hoja", help="hoja del Excel (por defecto, la primera)")
    init.add_argument("--columna", action="append", metavar="ENCABEZADO=campo",
                      help="un encabezado del archivo que no es de R4V y su campo (se puede repetir)")
    init.set_defaults(run=_init)

    actividades = commands.add_parser(
        "actividades", help="lista las actividades e indicadores de la región con su número de filas")
    actividades.add_argument("--params", required=True,
                             help="archivo de parámetros (un mes o region.yml de la carpeta)")
    actividades.set_defaults(run=_activities)
    return parser


def _requested_language(argv: list[str] | None) -> str | None:
    """`--idioma` read before the parser is built, so its help and errors are in that language too."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--idioma")
    value = early.parse_known_args(argv)[0].idioma
    return value if value in LANGUAGES else None  # a wrong value: the full parser says so


def main(argv: list[str] | None = None) -> int:
    set_override(_requested_language(argv))  # --idioma wins over the params' `idioma` (mdrm.i18n)
    try:
        return _run(build_parser().parse_args(argv))
    finally:  # the run is over: a caller in the same process (a test) gets the default back
        set_override(None)


def _run(args) -> int:
    try:
        return args.run(args)
    except MdrmError as exc:  # the kit's own errors say their words and their exit code
        print(printable(f"{_(exc.heading)}: {exc}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        text = (_("Interrumpido ({why}): no se publicó ningún archivo a medio escribir.").format(why=exc) if str(exc)
                else _("Interrumpido: no se publicó ningún archivo a medio escribir."))
        print(text, file=sys.stderr)
        if getattr(exc, "details", ""):  # a batch: the months written before it stopped
            print(printable(exc.details), file=sys.stderr)
        return EXIT_OTHER
    except OSError as exc:  # disk full, read-only, permission, symlink loop...: in Spanish
        import errno

        print(_("Error del sistema de archivos: {error}").format(error=os_error_text(exc)), file=sys.stderr)
        return EXIT_INPUT if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENAMETOOLONG) else EXIT_OTHER
    except MemoryError as exc:
        print(_("Error: {error}").format(error=user_message(exc)), file=sys.stderr)
        return EXIT_OTHER
    except BaseException as exc:  # last resort, still in Spanish; a Rust panic (pyo3's PanicException) too
        if isinstance(exc, (SystemExit, GeneratorExit)):
            raise
        print(_("Error inesperado ({kind}): {error}").format(kind=type(exc).__name__, error=exc), file=sys.stderr)
        return EXIT_OTHER


if __name__ == "__main__":
    sys.exit(main())
