"""Reading one raw definition mapping: typed values, codes, lists of mappings, options and
logic rules, with every problem collected as `file: key path: message`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from surveyapp.questionnaire import rules
from surveyapp.questionnaire.model import Option, Rule

CODE = re.compile(r"^[A-Za-z0-9_]+$")
OPTION_FLAGS = ("other", "exclusive", "anchor", "na")


class Reader:
    """Reads one raw definition, collecting errors instead of stopping at the first."""

    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[str] = []
        self.scales: dict[str, tuple[Option, ...]] = {}
        self.languages: tuple[str, ...] = ("en",)
        self.default_language = "en"
        self.texts: dict[tuple[str, str], str] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{self.filename}: {path}: {message}")

    def string(self, raw: dict, key: str, path: str, required: bool = True) -> str:
        value = raw.get(key)
        if value is None:
            if required:
                self.error(f"{path}.{key}".lstrip("."), "missing")
            return ""
        if not isinstance(value, str):
            self.error(f"{path}.{key}".lstrip("."), "must be text")
            return ""
        return value.strip()

    def text(self, raw: dict, key: str, path: str, required: bool = True) -> str:
        """A text respondents read: plain (the default language) or a mapping of language
        code to text. Every language's text is kept in `texts`; the default one is returned."""
        value, where = raw.get(key), f"{path}.{key}".lstrip(".")
        if not isinstance(value, dict):
            text = self.string(raw, key, path, required)
            if text:
                self.texts[(where, self.default_language)] = text
            return text
        for lang, text in value.items():
            if lang not in self.languages:
                self.error(f"{where}.{lang}", f"{lang!r} is not one of the languages "
                           f"({', '.join(self.languages)})")  # fmt: skip
            elif not isinstance(text, str):
                self.error(f"{where}.{lang}", "must be text")
            elif text.strip():
                self.texts[(where, lang)] = text.strip()
        default = self.texts.get((where, self.default_language), "")
        if not default and (required or value):
            self.error(where, f"needs a text in the default language {self.default_language!r}")
        return default

    def code(self, raw: dict, key: str, path: str) -> str:
        value = self.string(raw, key, path)
        if value and not CODE.match(value):
            self.error(f"{path}.{key}".lstrip("."), f"{value!r} may hold only letters, digits, _")
        return value

    def boolean(self, raw: dict, key: str, path: str, default: bool) -> bool:
        if key not in raw:
            return default
        value = raw[key]
        if value in ("true", "false"):
            return value == "true"
        self.error(f"{path}.{key}".lstrip("."), f"must be true or false, not {value!r}")
        return default

    def integer(self, value: Any, path: str, minimum: int | None = None) -> int:
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
            number = int(value)
            if minimum is None or number >= minimum:
                return number
        self.error(path, f"must be a whole number{'' if minimum is None else f' >= {minimum}'}")
        return minimum or 0

    def number(self, value: Any, path: str) -> float:
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
            return int(value) if "." not in value else float(value)
        self.error(path, f"must be a number, not {value!r}")
        return 0

    def mappings(
        self, raw: Any, path: str, keys: set[str], what: str, empty: str
    ) -> Iterator[tuple[str, dict]]:
        """(path, entry) for each mapping in a non-empty list; other entries, unknown keys
        and an empty or missing list are errors (`empty` says what the list must be)."""
        if not isinstance(raw, list) or not raw:
            self.error(path, empty)
            return
        for index, entry in enumerate(raw):
            at = f"{path}[{index}]"
            if not isinstance(entry, dict):
                self.error(at, f"must be a mapping with {what}")
                continue
            for extra in sorted(set(entry) - keys):
                self.error(f"{at}.{extra}", "unknown key")
            yield at, entry

    def rule(self, raw: dict, key: str, path: str) -> Rule | None:
        """The expression under `key` parsed (see surveyapp.questionnaire.rules)."""
        return rules.read_rule(self, raw, key, path)

    def option_list(self, raw: Any, path: str, relevant: bool = True) -> tuple[Option, ...]:
        """Options or items with their flags; each may have a `relevant` rule unless
        `relevant` is False."""
        options, seen = [], set()
        keys = {"code", "label", *OPTION_FLAGS} | ({"relevant"} if relevant else set())
        empty = "must be a non-empty list of {code, label}"
        for at, entry in self.mappings(raw, path, keys, "code and label", empty):
            code, label = self.code(entry, "code", at), self.text(entry, "label", at)
            if code in seen:
                self.error(f"{at}.code", f"duplicate code {code!r}")
            seen.add(code)
            flags = {flag: self.boolean(entry, flag, at, False) for flag in OPTION_FLAGS}
            options.append(Option(code, label, relevant=self.rule(entry, "relevant", at), **flags))
        return tuple(options)

    def scale_ref(self, raw: dict, path: str) -> tuple[Option, ...]:
        name = self.string(raw, "scale", path)
        if name and name not in self.scales:
            self.error(f"{path}.scale", f"unknown scale {name!r}")
        return self.scales.get(name, ())

    def options_or_scale(self, raw: dict, path: str) -> tuple[Option, ...]:
        if ("options" in raw) == ("scale" in raw):
            self.error(path, "give either options or scale")
            return ()
        if "scale" in raw:
            return self.scale_ref(raw, path)
        return self.option_list(raw["options"], f"{path}.options")
