"""A YAML reader for params files that cannot be made to explode.

PyYAML's `safe_load` runs no code, but it still expands aliases: a 1 KB file
of nested `&a [*b, *b, ...]` ("billion laughs") builds a structure of 10^9
items. A params file needs no alias, so this loader refuses them (an anchor
alone is harmless and allowed), and it refuses a file larger than
`MAX_PARAMS_BYTES`, a text value longer than `MAX_PARAMS_VALUE` characters and
more than `MAX_PARAMS_ITEMS` values. A key written twice in one mapping (`mes:` twice: PyYAML
keeps the last silently) and nesting deeper than `MAX_PARAMS_DEPTH` (PyYAML's composer recurses:
5,000 levels end in RecursionError) are refused too, naming the key or the line.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from yaml.events import AliasEvent

from . import limits
from .errors import EXIT_INPUT, InputError, MdrmError
from .i18n import _


class RefusedYAML(MdrmError, yaml.YAMLError):
    """A params file the kit will not read (message in Spanish): bad input, exit 2. `params` tells it
    as an InputError naming the file and the line; a YAMLError still, for the readers of YAML."""

    exit_code = EXIT_INPUT
    heading = InputError.heading

    def __init__(self, problem: str, mark=None):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class _NoAliasLoader(yaml.SafeLoader):
    def __init__(self, stream):
        super().__init__(stream)
        self._items = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise RefusedYAML(_("no se admiten alias de YAML («*{anchor}»): escriba el valor completo").format(
                anchor=event.anchor),
                              event.start_mark)
        self._items += 1
        if self._items > limits.MAX_PARAMS_ITEMS:
            raise RefusedYAML(_("el archivo tiene más de {n} valores").format(n=limits.MAX_PARAMS_ITEMS),
                              self.peek_event().start_mark)
        self._depth += 1
        if self._depth > limits.MAX_PARAMS_DEPTH:
            raise RefusedYAML(_("el archivo anida listas o mapas en más de {n} niveles").format(
                n=limits.MAX_PARAMS_DEPTH),
                              self.peek_event().start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, yaml.ScalarNode) and len(node.value) > limits.MAX_PARAMS_VALUE:
            raise RefusedYAML(_("un valor tiene {n} caracteres, más que el límite de {limit}").format(
                n=len(node.value), limit=limits.MAX_PARAMS_VALUE), node.start_mark)
        if isinstance(node, yaml.MappingNode):
            _refuse_duplicate_keys(node)
        return node


def _refuse_duplicate_keys(node: yaml.MappingNode) -> None:
    """A key written twice in one mapping: which value was meant? (PyYAML keeps the last silently.)"""
    seen: dict[tuple[str, str], int] = {}
    for key, _value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        line = key.start_mark.line + 1
        if (key.tag, key.value) in seen:
            raise RefusedYAML(_("la clave «{key}» está dos veces en el mismo bloque (líneas {first} y {second}): "
                                "deje una sola").format(key=key.value, first=seen[key.tag, key.value], second=line),
                              key.start_mark)
        seen[key.tag, key.value] = line


def load_params_yaml(path: Path):
    """Read and parse a params file (no aliases, bounded sizes); raises yaml.YAMLError, OSError."""
    with open(path, "rb") as handle:
        data = handle.read(limits.MAX_PARAMS_BYTES + 1)
    if len(data) > limits.MAX_PARAMS_BYTES:
        raise RefusedYAML(_("el archivo pesa más que el límite de {kb} KB para un archivo de parámetros").format(
            kb=limits.MAX_PARAMS_BYTES // 1024))
    loader = _NoAliasLoader(data.decode("utf-8"))
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
