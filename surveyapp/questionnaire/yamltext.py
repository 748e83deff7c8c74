"""Definitions as YAML text: writing a raw definition in the shipped files' style, and
finding the line a loader key path (`pages[1].questions[0].scale`) stands on.

Every scalar is written plain whenever YAML allows, because the loader reads every
scalar as text (`required: true`, `edition: 2026`, `code: no` come back as written).
"""

from __future__ import annotations

from typing import Any

import yaml

from surveyapp.questionnaire.loader import compose_yaml, read_yaml


class _Dumper(yaml.SafeDumper):
    """Writes scalars plain when YAML allows: no implicit types to avoid. A text shared by
    two places (a scale's labels copied into a question's options) is written out twice,
    never as an anchor and alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.yaml_implicit_resolvers = {}


class _Flow(dict):
    """A {code, label} mapping, written on one line."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)


def _flow(value: Any) -> Any:
    if isinstance(value, list):
        return [
            _Flow(v) if isinstance(v, dict) and set(v) == {"code", "label"} else _flow(v)
            for v in value
        ]
    if isinstance(value, dict):
        return {k: _flow(v) for k, v in value.items()}
    return value


def dump(raw: dict[str, Any], header: str = "") -> str:
    """The definition as YAML in the shipped files' style (options one per line);
    `header`, when given, becomes a comment line on top."""
    body = yaml.dump(_flow(raw), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return f"# {' '.join(header.split())}\n{body}" if header else body


def load(text: str) -> Any:
    """The raw data of a YAML text, every scalar a string; raises yaml.YAMLError."""
    return read_yaml(text)


def yaml_error_line(error: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML syntax error points at, when it says."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def line_of(text: str, path: str) -> int | None:
    """The 1-based line of the deepest node of `path` that the text has (a missing key
    points at its mapping); None when the text is not YAML or the path is empty."""
    try:
        node = compose_yaml(text)
    except yaml.YAMLError:
        return None
    if node is None or not path:
        return None
    line = node.start_mark.line
    rest = path
    while rest and node is not None:
        node, key_line, rest = _step(node, rest)
        line = key_line if key_line is not None else line
    return line + 1


def _step(node: yaml.Node, rest: str) -> tuple[yaml.Node | None, int | None, str]:
    """Follow the first step of `rest` from `node`: (next node, its line, what is left)."""
    if isinstance(node, yaml.SequenceNode) and rest.startswith("["):
        index, _, after = rest[1:].partition("]")
        if index.isdigit() and int(index) < len(node.value):
            item = node.value[int(index)]
            return item, item.start_mark.line, after.removeprefix(".")
        return None, None, ""
    if isinstance(node, yaml.MappingNode):
        # the longest key that starts the path: scale names may hold dots
        matches = [
            (key, value)
            for key, value in node.value
            if isinstance(key.value, str) and _starts(rest, key.value)
        ]
        if matches:
            key, value = max(matches, key=lambda pair: len(pair[0].value))
            return value, key.start_mark.line, rest[len(key.value) :].removeprefix(".")
    return None, None, ""


def _starts(path: str, key: str) -> bool:
    return path == key or path.startswith((f"{key}.", f"{key}["))
