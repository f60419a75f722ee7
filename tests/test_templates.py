"""The report's HTML lives in templates (mdrm/templates/report/, autoescape on), none in Python strings:
escaping comes from the environment, never from a call someone may forget, and the words are in
the templates, where the languages step translates them."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from mdrm.templating import environment, render

PACKAGE = Path(__file__).resolve().parents[1] / "mdrm"
TAGS = ("div|p|span|table|thead|tbody|tr|td|th|a|strong|b|em|i|img|figure|ul|ol|li|code|h[1-6]|style|col|"
        "colgroup|br|section|header|footer")  # HTML's, not the XML of the xlsx writer (xlsxfast)
MARKUP = re.compile(rf"</?(?:{TAGS})[\s>/]|\bstyle=[\"']")


def markup_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every str literal (f-string parts included) that holds an HTML tag or a `style=`
    attribute; docstrings, which may name a tag, bytes (the reader sniffing an HTML file) and XML documents
    (the parts of an xlsx, xlsxfast) are not HTML."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant) and isinstance(node.body[0].value.value, str)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and not node.value.startswith("<?xml") and MARKUP.search(node.value)]


def test_no_markup_literal_in_the_python_of_the_kit():
    found = [f"{path.relative_to(PACKAGE.parent)}:{line}: {text[:60]!r}"
             for path in sorted(PACKAGE.rglob("*.py")) for line, text in markup_literals(path.read_text("utf-8"))]
    assert not found, "HTML en código Python (va en mdrm/templates/report/):\n" + "\n".join(found)


def test_the_grep_sees_markup_in_strings_and_f_strings_but_not_in_docstrings():
    source = '''
def f(x):
    """Emits a `<div>` (a docstring may name a tag)."""
    a = '<p class="n">'
    b = f'<td>{x}</td>'
    c = "width" + ' style="color:red"'
    d = b"<table"
    e = "a < b > c"
    return dict(style="Grupo")
'''
    assert sorted({line for line, _ in markup_literals(source)}) == [4, 5, 6]


def test_templates_escape_data_and_drop_bidi_controls():
    page = render("section.html.j2", title="\u202e<script>alert(1)</script>", subtitle="M&M \"sí\"")
    assert page == ('<div class="mdrm"><h2 class="mdrm-h2">&lt;script&gt;alert(1)&lt;/script&gt;</h2>'
                    '<p class="mdrm-sub">M&amp;M &#34;sí&#34;</p></div>')


def test_the_words_go_through_gettext_so_a_catalog_can_translate_them():
    from jinja2.ext import babel_extract

    words = set()
    for path in sorted((PACKAGE / "templates" / "report").glob("*.j2")):
        with path.open("rb") as file:
            words |= {message for _, _, message, _ in babel_extract(
                file, ("_", "ngettext"), [], {"extensions": "mdrm.templating.JoinLines"})}
    assert "Población alcanzada en el mes de reporte" in words
    assert ("Aviso antes de leer las cifras", "Avisos antes de leer las cifras") in {m[:2] for m in words
                                                                                   if isinstance(m, tuple)}
    env = environment()
    assert env.autoescape and "jinja2.ext.InternationalizationExtension" in env.extensions
