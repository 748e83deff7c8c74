"""What changed between two versions of a definition, in words an admin reads.

A change is breaking when answers given to the old version would not mean the same under
the new one: a question's (or matrix item's, or option's) wording changed, its scale or
type changed, or a question, item or option was deleted. Adding things, moving them,
help texts, titles, settings and translations are not breaking.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields

from surveyapp.questionnaire import types
from surveyapp.questionnaire.branding import Branding
from surveyapp.questionnaire.model import Definition, Option, Question

WORDING, SCALE = "wording changed", "scale changed"


@dataclass(frozen=True)
class Change:
    where: str  # a question id, `<question>-<item>`, `page N` or a top-level key
    what: str  # e.g. "wording changed", "item deleted", "page moved"
    detail: str = ""
    breaking: bool = False

    @property
    def description(self) -> str:
        text = f"{self.where}: {self.what}"
        return f"{text} ({self.detail})" if self.detail else text


def breaking(changes: list[Change]) -> list[Change]:
    return [c for c in changes if c.breaking]


def text_diff(old_text: str, new_text: str, old_name: str = "old", new_name: str = "new") -> str:
    """A unified diff of two definition texts."""
    lines = difflib.unified_diff(
        old_text.splitlines(keepends=True), new_text.splitlines(keepends=True),
        fromfile=old_name, tofile=new_name,
    )  # fmt: skip
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def changes(old: Definition, new: Definition) -> list[Change]:
    """Every change from `old` to `new`, top-level keys first, then pages and questions."""
    found = [
        Change(key, f"{key} changed", f"{_short(getattr(old, key))} → {_short(getattr(new, key))}")
        for key in ("title", "audience", "introduction", "access", "anonymous")
        if getattr(old, key) != getattr(new, key)
    ]
    if old.edition != new.edition:
        found.append(Change("edition", "edition changed", f"{old.edition} → {new.edition}"))
    for name in (f.name for f in fields(Branding)):
        before, after = getattr(old.branding, name), getattr(new.branding, name)
        if before != after:
            detail = f"{_short(before)} → {_short(after)}"
            found.append(Change(f"branding.{name}", f"branding.{name} changed", detail))
    found.extend(_page_changes(old, new))
    found.extend(_question_changes(old, new))
    found.extend(_language_changes(old, new))
    return found


def _language_changes(old: Definition, new: Definition) -> list[Change]:
    """Declared languages, and per language how many translations changed (never breaking:
    the default language's texts say what an answer means)."""
    found = []
    if (old.languages, old.default_language) != (new.languages, new.default_language):
        was, now = (", ".join(d.languages) for d in (old, new))
        found.append(Change("languages", "languages changed", f"{was} → {now}"))
    for lang in new.languages:
        if lang == new.default_language:
            continue
        before, after = ({p: t for (p, code), t in d.texts.items() if code == lang}
                         for d in (old, new))  # fmt: skip
        changed = sum(before.get(path) != after.get(path) for path in before.keys() | after)
        if changed:
            found.append(Change(f"language {lang}", "translations changed",
                                f"{changed} text{'s' if changed != 1 else ''}"))  # fmt: skip
    return found


def _short(value: object, limit: int = 60) -> str:
    text = " ".join(str(value).split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _page_changes(old: Definition, new: Definition) -> list[Change]:
    found = []
    for number in range(1, max(len(old.pages), len(new.pages)) + 1):
        where = f"page {number}"
        if number > len(old.pages):
            found.append(Change(where, "page added", _short(new.pages[number - 1].title)))
        elif number > len(new.pages):
            found.append(Change(where, "page deleted", _short(old.pages[number - 1].title)))
        elif old.pages[number - 1].title != new.pages[number - 1].title:
            titles = (old.pages[number - 1].title, new.pages[number - 1].title)
            found.append(Change(where, "page title changed", " → ".join(map(_short, titles))))
    return found


def _places(definition: Definition) -> dict[str, tuple[int, Question]]:
    return {q.id: (n, q) for n, page in enumerate(definition.pages, 1) for q in page.questions}


def _question_changes(old: Definition, new: Definition) -> list[Change]:
    before, after = _places(old), _places(new)
    found = [Change(qid, "question deleted", _short(q.text), True)
             for qid, (_, q) in before.items() if qid not in after]  # fmt: skip
    for qid, (page, question) in after.items():
        if qid not in before:
            found.append(Change(qid, "question added", f"page {page}: {_short(question.text)}"))
            continue
        old_page, old_question = before[qid]
        if old_page != page:
            found.append(Change(qid, "page moved", f"from page {old_page} to page {page}"))
        found.extend(question_changes(old_question, question))
    return found


def question_changes(old: Question, new: Question) -> list[Change]:
    """How one question changed (same id in both versions)."""
    qid = new.id
    if types.of(old) is not types.of(new):
        return [Change(qid, "type changed", f"{types.of(old).name} → {types.of(new).name}", True)]
    found = []
    if old.text != new.text:
        found.append(Change(qid, WORDING, f"{_short(old.text)} → {_short(new.text)}", True))
    if old.help != new.help:
        found.append(Change(qid, "help changed", f"{_short(old.help)} → {_short(new.help)}"))
    if old.required != new.required:
        found.append(Change(qid, "required changed", f"{old.required} → {new.required}"))
    for key in sorted(set(old.settings) | set(new.settings)):
        was, now = old.settings.get(key), new.settings.get(key)
        if was != now:
            found.append(Change(qid, f"{key} changed", f"{was} → {now}"))
    found.extend(_option_changes(old, new))
    found.extend(_labelled_changes(qid, old.items, new.items, "item", f"{qid}-"))
    return found


def _option_changes(old: Question, new: Question) -> list[Change]:
    """A question on a scale (matrix, or `scale:`) reads its answers by position on the
    scale: any change to the scale is one breaking change. Plain options are compared
    one by one."""
    if old.options == new.options:
        return []
    if old.scale or new.scale or old.items or new.items:
        codes = (", ".join(o.code for o in old.options), ", ".join(o.code for o in new.options))
        detail = f"{codes[0]} → {codes[1]}" if codes[0] != codes[1] else "labels changed"
        return [Change(new.id, SCALE, detail, True)]
    return _labelled_changes(new.id, old.options, new.options, "option", f"{new.id} option ")


def _labelled_changes(
    qid: str, old: tuple[Option, ...], new: tuple[Option, ...], kind: str, prefix: str
) -> list[Change]:
    before, after = {o.code: o.label for o in old}, {o.code: o.label for o in new}
    found = [Change(f"{prefix}{code}", f"{kind} deleted", _short(label), True)
             for code, label in before.items() if code not in after]  # fmt: skip
    for code, label in after.items():
        if code not in before:
            found.append(Change(f"{prefix}{code}", f"{kind} added", _short(label)))
        elif before[code] != label:
            detail = f"{_short(before[code])} → {_short(label)}"
            found.append(Change(f"{prefix}{code}", WORDING, detail, True))
    kept = [o.code for o in old if o.code in after]
    if kept != [o.code for o in new if o.code in before]:
        found.append(Change(qid, f"{kind}s reordered"))
    return found
