"""Reading workflow files as untrusted YAML: no duplicate keys, no aliases, lines kept for errors."""

from __future__ import annotations

from typing import Any

import yaml


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.key = key


# libyaml's parser when PyYAML was built with it: ~10× faster than the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """SafeLoader that refuses duplicate keys (plain safe_load silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:
            raise YamlProblem("a mapping key must be a plain value", key_node.start_mark.line + 1)
        if duplicate:
            raise YamlProblem(f"duplicate key {key!r}", key_node.start_mark.line + 1, str(key))
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(text: str) -> tuple[Any, yaml.Node | None]:
    """The data in `text` and its node tree (for line numbers); raises YamlProblem."""
    try:
        for parsed in yaml.parse(text, Loader=_SafeLoader):
            # Aliases let a few lines expand into gigabytes; workflow files never need them.
            if isinstance(parsed, (yaml.AliasEvent,)) or getattr(parsed, "anchor", None):
                raise YamlProblem("anchors and aliases are not allowed", parsed.start_mark.line + 1)
        node = yaml.compose(text, Loader=_SafeLoader)
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(f"not valid YAML: {exc.problem or exc}", mark.line + 1 if mark else None)
    except yaml.YAMLError as exc:
        raise YamlProblem(f"not valid YAML: {exc}")
    return data, node


def line_of(node: yaml.Node | None, path: tuple) -> int | None:
    """The 1-based line of the key at `path` in the node tree, or of the nearest parent found."""
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    line, node = key_node.start_mark.line + 1, value_node
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
