"""Three languages (issue 19, SPEC §15): the catalogs, the formats, the parameter and the messages.

(a) the catalogs hold every message id of the Python and the templates, no stale one, every English
and Portuguese id translated (with the same placeholders), and the shipped .mo files are the .po
compiled; (b) a warning (W03), a quality issue (Q01) and an input error (unknown params key) in each
language, the Spanish byte for byte as before; (c) the locale formats; (d) `idioma:` is checked and
`--idioma` wins over it.
"""
from __future__ import annotations

import io
import string

import pytest
import yaml
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from conftest import ROOT
from test_quality import row
from test_warnings import PEOPLE, previous

from mdrm import formatting as fmt
from mdrm import i18n
from mdrm.cli import main

LOCALE_DIR = ROOT / "mdrm" / "locale"
CATALOGS = {language: LOCALE_DIR / locale / "LC_MESSAGES" / "mdrm.po" for language, locale in i18n.LOCALES.items()}


@pytest.fixture(autouse=True)
def spanish_after():
    """Each test leaves the process as a new run finds it: Spanish, no --idioma."""
    yield
    i18n.set_override(None)


def _read(path):
    with open(path, "rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The message ids as `make traducciones` extracts them (babel.cfg: the Python and the templates)."""
    pot = tmp_path_factory.mktemp("pot") / "mdrm.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(pot),
                                str(ROOT)])
    return {m.id for m in _read(pot) if m.id}


def test_extraction_finds_the_python_and_the_jinja_messages(extracted):
    assert "Error en los datos de entrada" in extracted  # an N_() of errors.py
    assert ("{n} persona", "{n} personas") in extracted  # an ngettext of formatting.py
    assert "clave desconocida «{key}»" in extracted


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_each_catalog_has_every_id_and_no_stale_one(extracted, language):
    ids = {m.id for m in _read(CATALOGS[language]) if m.id}
    assert not extracted - ids, f"missing in {language}: {sorted(map(str, extracted - ids))[:5]} (make traducciones)"
    assert not ids - extracted, f"stale in {language}: {sorted(map(str, ids - extracted))[:5]} (make traducciones)"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", ["en", "pt"])
def test_english_and_portuguese_translate_every_id_with_its_placeholders(language):
    catalog = _read(CATALOGS[language])
    assert catalog.num_plurals == {"en": 2, "pt": 3}[language]  # CLDR's Plural-Forms (pt_BR: one, many, other)
    for message in catalog:
        if not message.id:
            continue
        singular = message.id[0] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms) and not message.fuzzy, f"untranslated in {language}: {singular!r}"
        for form in forms:  # a placeholder lost or renamed would fail at .format() in the user's run
            assert _fields(form) == _fields(singular), (language, singular, form)


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_shipped_mo_is_the_po_compiled(language):
    compiled = io.BytesIO()
    write_mo(compiled, _read(CATALOGS[language]), use_fuzzy=False)
    assert CATALOGS[language].with_suffix(".mo").read_bytes() == compiled.getvalue(), "make traducciones"


def test_the_spanish_catalog_keeps_the_source_words():
    """Spanish is the source: its msgstr stay empty, so gettext answers the msgid itself."""
    assert not any(any(m.string) if isinstance(m.string, tuple) else m.string
                   for m in _read(CATALOGS["es"]) if m.id)
    i18n.activate("es")
    assert i18n.gettext("Error en los datos de entrada") == "Error en los datos de entrada"


# --------------------------------------------------------------------------- (b) messages

W03 = {
    "es": "Agosto de 2020 no tiene filas contadas para personas en el 5W: no se muestra la variación respecto de "
          "agosto de 2020 («—»).",
    "en": "August 2020 has no rows counted for people in the 5W: the change from August 2020 is not shown («—»).",
    "pt": "Agosto de 2020 não tem linhas contadas para pessoas no 5W: não se mostra a variação em relação a "
          "agosto de 2020 («—»).",
}


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_w03_in_each_language(metrics_of, language):
    # August has rows but none counts (RMRP = No): W03 for September (tests/test_warnings.py)
    keys = {} if language == "es" else {"idioma": language}
    m = metrics_of([previous(rmrp_activity="No"), PEOPLE], **keys)
    (w03,) = [w["message"] for w in m["warnings"] if w["code"] == "W03"]
    assert w03 == W03[language]


Q01 = {  # row 2: permanencia 6 + transito 3 = 9 against 10 new and 10 in the month
    "es": "La desagregación por tipo de población no suma los nuevos beneficiarios ni el total mensual: suma 9 "
          "frente a 10 nuevos y 10 en el mes",
    "en": "The breakdown by population type adds up to neither the new beneficiaries nor the total monthly: adds "
          "up to 9 against 10 new and 10 in the month",
    "pt": "A desagregação por tipo de população não soma os novos beneficiários nem o total mensal: soma 9 frente "
          "a 10 novos e 10 no mês",
}


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_q01_in_each_language(metrics_of, language):
    m = metrics_of([row(1), row(2, permanencia=6, transito=3)], idioma=language)
    (q01,) = [i["message"] for i in m["quality"]["issues"] if i["code"] == "Q01"]
    assert q01 == Q01[language]


UNKNOWN_KEY = {  # what `mdrm metrics` prints for `lang: pt` (the key users try first)
    "es": "Error en los datos de entrada: archivo «2020-09.yml»: clave desconocida «lang». Claves válidas: pais, "
          "region, mesa,",
    "en": "Error in the input data: file «2020-09.yml»: unknown key «lang». Valid keys: pais, region, mesa,",
    "pt": "Erro nos dados de entrada: arquivo «2020-09.yml»: chave desconhecida «lang». Chaves válidas: pais, "
          "region, mesa,",
}


def _metrics(params, *options, capsys) -> tuple[int, str]:
    code = main(["metrics", "--params", str(params), "-o", str(params.with_suffix(".json")), *options])
    assert not params.with_suffix(".json").exists()
    return code, capsys.readouterr().err


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_unknown_params_key_in_each_language(five_w, month_params, capsys, language):
    keys = {} if language == "es" else {"idioma": language}
    params = month_params(five_w([PEOPLE]), lang="pt", **keys)
    code, err = _metrics(params, capsys=capsys)
    assert code == 2 and err.startswith(UNKNOWN_KEY[language]), err


def test_unknown_key_in_spanish_is_todays_message(five_w, month_params, capsys):
    from mdrm.params import _KEYS

    code, err = _metrics(month_params(five_w([PEOPLE]), lang="pt"), capsys=capsys)
    assert err == ("Error en los datos de entrada: archivo «2020-09.yml»: clave desconocida «lang». Claves válidas: "
                   + ", ".join(_KEYS) + "\n")


# --------------------------------------------------------------------------- (c) formats

@pytest.mark.parametrize("language, number, decimal, share, month, people", [
    ("es", "2,953", "12.4", "74.4%", "septiembre de 2020", "1 persona"),
    ("en", "2,953", "12.4", "74.4%", "September 2020", "1 person"),
    ("pt", "2.953", "12,4", "74,4%", "setembro de 2020", "1 pessoa"),
])
def test_formats_of_each_language(language, number, decimal, share, month, people):
    i18n.activate(language)
    assert fmt.number(2953) == number
    assert fmt.number(12.4, 1) == decimal
    assert fmt.percent(0.744) == share
    assert fmt.month_label("2020-09") == month
    assert fmt.people(1) == people


def test_spanish_formats_are_the_seeds():
    i18n.activate("es")
    assert fmt.month_range("2020-01", "2020-09") == "enero a septiembre de 2020"
    assert fmt.date_label("2026-11-26") == "26 de noviembre de 2026"
    assert fmt.month_short("2020-09", year=True) == "sept 2020"
    assert fmt.people(2953) == "2,953 personas"
    assert fmt.signed_percent(0.0232) == "+2.3%"
    assert fmt.reached_against_target({"reached": 135, "target": 270, "percent": 50.0}) == "135 de 270 (50.0%)"


def test_english_and_portuguese_ranges_dates_and_plurals():
    i18n.activate("en")
    assert fmt.month_range("2020-01", "2020-09") == "January to September 2020"
    assert fmt.date_label("2026-11-26") == "November 26, 2026"
    assert fmt.people(2953) == "2,953 people"
    assert fmt.reached_against_target({"reached": 135, "target": 270, "percent": 50.0}) == "135 of 270 (50.0%)"
    i18n.activate("pt")
    assert fmt.month_range("2020-01", "2020-09") == "janeiro a setembro de 2020"
    assert fmt.date_label("2026-11-26") == "26 de novembro de 2026"
    assert fmt.people(2953) == "2.953 pessoas"
    assert fmt.signed_percent(0.0232) == "+2,3%"


def test_a_jinja_environment_follows_the_active_language():
    import jinja2

    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    i18n.install(env)
    template = env.from_string('{{ _("Sí") }} / {{ ngettext("{n} persona", "{n} personas", 3) }}')
    i18n.activate("en")
    assert template.render() == "Yes / {n} people"
    i18n.activate("pt")
    assert template.render() == "Sim / {n} pessoas"


# --------------------------------------------------------------------------- (d) the parameter

def test_an_unknown_language_is_bad_input_naming_file_key_value_and_the_languages(five_w, month_params, capsys):
    code, err = _metrics(month_params(five_w([PEOPLE]), idioma="fr"), capsys=capsys)
    assert code == 2
    assert err == ("Error en los datos de entrada: archivo «2020-09.yml»: la clave «idioma» debe ser es, en o pt: "
                   "valor «fr»\n")


def test_idioma_of_region_yml_applies_and_the_months_file_wins(five_w, month_params, capsys):
    data = five_w([PEOPLE])
    params = month_params(data, lang="x")
    (params.parent / "region.yml").write_text(yaml.safe_dump({"idioma": "pt"}), encoding="utf-8")
    assert "chave desconhecida «lang»" in _metrics(params, capsys=capsys)[1]
    params = month_params(data, lang="x", idioma="en")
    assert "unknown key «lang»" in _metrics(params, capsys=capsys)[1]


def test_command_line_idioma_wins_over_the_params(five_w, month_params, capsys):
    params = month_params(five_w([PEOPLE]), lang="x", idioma="pt")
    code, err = _metrics(params, "--idioma", "en", capsys=capsys)
    assert code == 2 and err.startswith("Error in the input data: file «2020-09.yml»: unknown key «lang»"), err
    assert i18n.language() == "es" and i18n.override() is None  # the run is over: nothing left behind


def test_command_line_refuses_an_unknown_language(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["metrics", "--params", "x.yml", "--idioma", "fr"])
    assert stop.value.code == 2 and "fr" in capsys.readouterr().err
