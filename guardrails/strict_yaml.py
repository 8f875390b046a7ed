"""YAML for the data a clinician reviews: a key written twice is an error, not a silent override.

PyYAML keeps the last of two equal keys; in a word table that turns an entry into another language's meaning without
a word said (a later "mahina: month" would undo an earlier "mahina: weak"). Every data loader reads through here.
"""

from __future__ import annotations

import yaml
from yaml.constructor import ConstructorError


class DuplicateKeyError(ConstructorError, ValueError):
    """A key written twice: a YAML fault to loaders that wrap those, a ValueError to those that raise their own."""


class _StrictLoader(yaml.SafeLoader):
    pass


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise DuplicateKeyError("while reading a mapping", node.start_mark,
                                   f"key {key!r} is written twice (first on line {seen[key]})", key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def safe_load(text: str):
    """yaml.safe_load, refusing a mapping that writes one key twice (a yaml.YAMLError, as any other fault)."""
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
