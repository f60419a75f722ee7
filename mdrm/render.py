"""An executed report notebook -> the shared HTML file (nbconvert).

The page is one self-contained file a coordinator can open offline: no code,
no prompts, no stderr (warnings are for the analyst, not the reader), and
nothing loaded from the network. The template `mdrm/templates/mdrm` extends
nbconvert's "lab" template and drops what it would fetch from a CDN
(require.js, MathJax, mermaid, the widgets manager) and JavaScript outputs;
images are embedded as data URIs by the notebooks' own outputs.

Text from data or params is escaped by the notebooks' HTML builders
(`mdrm.html`); this module does not sanitize HTML outputs, because nbconvert's
sanitizer would also strip the report's tables, headings and images.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from . import __version__, data_path
from .bidi import shown

TEMPLATES = data_path("templates")
TEMPLATE = "mdrm"

# Cells the reader never sees, whatever their outputs.
REMOVE_CELL_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove_cell"}
REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output"}


class DropStderrPreprocessor(Preprocessor):
    """Remove stderr streams (warnings, logs) and cells left with nothing to show."""

    def preprocess(self, nb, resources):
        cells = []
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [out for out in cell.get("outputs", [])
                                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")]
                if not cell.outputs:
                    continue  # an empty block would only add space
            cells.append(cell)
        nb.cells = cells
        return nb, resources


def exporter() -> HTMLExporter:
    """The HTML exporter of the shared reports (no input, no prompts, offline)."""
    html = HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    html.register_preprocessor(TagRemovePreprocessor(
        remove_cell_tags=REMOVE_CELL_TAGS, remove_all_outputs_tags=REMOVE_OUTPUT_TAGS, enabled=True), enabled=True)
    html.register_preprocessor(DropStderrPreprocessor(enabled=True), enabled=True)
    return html


def notebook_to_html(nb: nbformat.NotebookNode | str | Path, title: str) -> str:
    """Render an executed notebook (node or path) as the shared HTML page titled `title`."""
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    else:
        nb = nbformat.from_dict(nb)  # a copy: the executed notebook (audit trail) stays whole
    nb.metadata["title"] = shown(title)  # the template escapes it; no right-to-left override
    body, _ = exporter().from_notebook_node(nb, resources={"mdrm_version": __version__})
    return body
