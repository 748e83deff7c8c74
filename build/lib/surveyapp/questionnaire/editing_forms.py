"""The builder's forms applied to a definition document (see editing.py).

Every post of a builder form first writes down everything typed in it (titles, texts,
option codes and labels, a new entry's label) and then performs the button pressed, so
no button loses what was typed. A form says which of a question's keys it shows in the
hidden field `shown`; keys it does not show keep their values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from surveyapp.questionnaire import editing as ed
from surveyapp.questionnaire.editing_brand import apply_branding
from surveyapp.questionnaire.editing_texts import default_language, default_text, merged
from surveyapp.questionnaire.loader import QUESTION_KEYS
from surveyapp.questionnaire.types import REGISTRY

Form = Mapping[str, str]
TOP_ORDER = ("id", "title", "audience", "edition", "languages", "default_language",
             "introduction", "access", "anonymous", "scales", "mirrors", "pages")  # fmt: skip
QUESTION_ORDER = ("id", "type", "text", "help", "required")
LIST_KEYS = ("options", "items")
MAX_ROWS = 500
EVERY_KEY = frozenset(QUESTION_KEYS).union(*(t.keys for t in REGISTRY.values()))


@dataclass(frozen=True)
class Where:
    """A builder view: the outline, the settings, a question (page p, question q) or a
    shared scale; `anchor` is the element to show after a redirect."""

    view: str = "outline"
    p: int = 0
    q: int = 0
    name: str = ""
    anchor: str = ""


def tidy(doc: ed.Document) -> ed.Document:
    """The top-level keys in the shipped files' order (the loader ignores order)."""
    first = {k: doc[k] for k in TOP_ORDER if k in doc}
    ordered = first | {k: v for k, v in doc.items() if k not in first}
    if ordered.get("scales") == {}:  # what a look-up left behind: the loader needs none
        del ordered["scales"]
    return ordered


def _set(target: dict, key: str, value: str, default: str = "") -> None:
    """Write an optional key: left alone when unchanged or still at its default,
    removed when emptied."""
    value = value.strip()
    if target.get(key) == value or (key not in target and value in ("", default)):
        return
    if value:
        target[key] = value
    else:
        target.pop(key, None)


# Settings and outline ---------------------------------------------------------------


def _set_text(target: dict, key: str, typed: str, lang: str) -> None:
    """Write an optional text in the default language, keeping its translations."""
    value = merged(target.get(key), typed, lang)
    if isinstance(value, dict):
        target[key] = value
    else:
        _set(target, key, value)


def apply_settings(doc: ed.Document, form: Form) -> None:
    lang = default_language(doc)
    for key in ("audience", "edition"):
        if key in form:
            doc[key] = form[key].strip()
    if "title" in form:
        doc["title"] = merged(doc.get("title"), form["title"], lang)
    if "introduction" in form:
        _set_text(doc, "introduction", form["introduction"].replace("\r\n", "\n"), lang)
    for key, default in (("access", "open"), ("anonymous", "true")):
        if key in form:
            _set(doc, key, form[key], default)
    apply_branding(doc, form)


def apply_outline(doc: ed.Document, form: Form, action: str) -> Where:
    """Page titles, then new pages, questions and scales whose text was typed, then the
    button pressed."""
    for p, pg in enumerate(ed.pages(doc)):
        if f"page-{p}-title" in form:
            pg["title"] = merged(pg.get("title"), form[f"page-{p}-title"], default_language(doc))
    verb, _, arg = action.partition(":")
    where = Where()
    for p in range(len(ed.pages(doc))):
        text = form.get(f"new-{p}-text", "").strip()
        if text or (verb == "question_add" and arg == str(p)):
            q = ed.add_question(doc, p, form.get(f"new-{p}-type", ""), text)
            where = Where("outline", anchor=f"q-{p}-{q}")
    if form.get("new-page-title", "").strip() or verb == "page_add":
        where = Where("outline", anchor=f"page-{ed.add_page(doc, form.get('new-page-title', ''))}")
    if form.get("new-scale-name", "").strip() or verb == "scale_add":
        where = Where("scale", name=ed.add_scale(doc, form.get("new-scale-name", "")))
    return _outline_action(doc, verb, arg) or where


def _outline_action(doc: ed.Document, verb: str, arg: str) -> Where | None:
    kind, _, how = verb.partition("_")
    if kind == "page" and how == "copy":
        return Where("outline", anchor=f"page-{ed.duplicate_page(doc, position(arg))}")
    if kind == "page" and how in MOVES:
        return Where("outline", anchor=f"page-{MOVES[how](ed.pages(doc), position(arg))}")
    if kind == "question" and how in (*MOVES, "copy"):
        p_text, _, q_text = arg.partition(".")
        p, q = position(p_text), position(q_text)
        if how == "copy":
            return Where("outline", anchor=f"q-{p}-{ed.duplicate_question(doc, p, q)}")
        return Where("outline", anchor=f"q-{p}-{MOVES[how](ed.questions(doc, p), q)}")
    if kind == "scale" and how in SCALE_MOVES:
        return Where("outline", anchor=SCALE_MOVES[how](doc, arg))
    if verb in ("save", "page_add", "question_add", "scale_add"):
        return None
    raise ed.EditError("action", f"unknown action {verb!r}")


def _delete(entries: list, index: int) -> int:
    ed.delete(entries, index)
    return max(index - 1, 0)


MOVES = {
    "up": lambda entries, i: ed.move(entries, i, -1),
    "down": lambda entries, i: ed.move(entries, i, 1),
    "delete": _delete,
}
SCALE_MOVES = {
    "up": lambda doc, name: (ed.move_scale(doc, name, -1), "scales")[1],
    "down": lambda doc, name: (ed.move_scale(doc, name, 1), "scales")[1],
    "copy": lambda doc, name: (ed.duplicate_scale(doc, name), "scales")[1],
    "delete": lambda doc, name: (ed.delete_scale(doc, name), "scales")[1],
}


def position(text: str) -> int:
    """A 0-based position from a form; EditError unless it is a plain number."""
    if not (text.isascii() and text.isdigit()) or int(text) > 10**6:
        raise ed.EditError("action", f"{text!r} is not a position")
    return int(text)


# A question -------------------------------------------------------------------------


def apply_question(doc: ed.Document, p: int, q: int, form: Form) -> None:
    """Rewrite a question from its form: common keys, then the keys of its (possibly
    new) type in the registry; keys of another type are dropped, keys no type reads
    are kept for the loader to report."""
    old = ed.question(doc, p, q)
    type_name = form.get("type", str(old.get("type", ""))).strip()
    new: dict[str, Any] = {k: form.get(k, str(old.get(k, ""))).strip() for k in ("id", "type")}
    lang = default_language(doc)
    new["text"] = (
        merged(old.get("text"), form["text"], lang) if "text" in form else old.get("text", "")
    )
    typed_help = form.get("help", default_text(old.get("help"), lang))
    if help_text := merged(old.get("help"), typed_help, lang):
        new["help"] = help_text
    qtype = REGISTRY.get(type_name)
    # A computed question is never answered: nothing about answering it applies.
    common = () if qtype is not None and qtype.computed else ("required", "anchor")
    for key in common:
        _set(new, key, form.get(key, str(old.get(key, ""))))
    shown = set(form.get("shown", "").split())
    for key in ordered_keys(qtype.keys if qtype else frozenset()):
        value = _key_value(doc, old, key, form, shown)
        if value not in (None, ""):
            new[key] = value
    new.update({k: v for k, v in old.items() if k not in EVERY_KEY})
    if qtype is not None:
        ed.fill_defaults(doc, new)
    ed.questions(doc, p)[q] = new


KEY_ORDER = ("scale", "options", "items", "min_picks", "max_picks", "max_length", "min", "max",
             "integer")  # fmt: skip


def ordered_keys(keys: frozenset[str]) -> list[str]:
    """A type's keys in the order forms show them (keys of new types last, by name)."""
    return [k for k in KEY_ORDER if k in keys] + sorted(keys - set(KEY_ORDER))


def _key_value(doc: ed.Document, old: dict, key: str, form: Form, shown: set[str]) -> Any:
    if key in LIST_KEYS:
        return _list_value(doc, old, key, form)
    if key not in shown:
        return old.get(key)
    if key == "scale" and form.get("source") == "options":
        return None
    return form.get(key, "").strip()


def _list_value(doc: ed.Document, old: dict, key: str, form: Form) -> list | None:
    """The options (or items) typed in the form; for options, none when the form chose
    a shared scale, and the scale's options copied when it switched to own options."""
    if key == "options" and form.get("source") == "scale":
        return None
    if f"{key}-count" in form:
        entries = read_entries(form, key, old.get(key), default_language(doc))
    elif key == "options" and form.get("source") == "options" and "options" not in old:
        entries = [dict(e) for e in ed.scales(doc).get(str(old.get("scale")), [])]
    else:
        return old.get(key)
    add_typed_entry(entries, form, key)
    return entries


def read_entries(form: Form, key: str, before: Any = None, lang: str = "en") -> list[ed.Entry]:
    """Rows `<key>-<n>-code` / `<key>-<n>-label` of a form, n < `<key>-count`; the other
    keys of the entry shown in row n (`before[n]`: other, exclusive, anchor, na, the
    label's translations) are kept."""
    count = form.get(f"{key}-count", "0")
    total = min(int(count), MAX_ROWS) if count.isascii() and count.isdigit() else 0
    kept = [e if isinstance(e, dict) else {} for e in before] if isinstance(before, list) else []
    entries = []
    for n in range(total):
        entry = dict(kept[n]) if n < len(kept) else {}
        typed = form.get(f"{key}-{n}-label", "")
        entry |= {"code": form.get(f"{key}-{n}-code", "").strip(),
                  "label": merged(entry.get("label"), typed, lang)}  # fmt: skip
        entries.append(entry)
    return entries


def add_typed_entry(entries: list[ed.Entry], form: Form, key: str, always: bool = False) -> int:
    """Append the entry typed in the `new-<key>-...` fields (or a placeholder when
    `always`); its index, or -1 when nothing was added."""
    label = form.get(f"new-{key}-label", "").strip()
    if not label and not always:
        return -1
    return ed.add_entry(entries, label, form.get(f"new-{key}-code", ""))


def apply_entries_action(entries: list[ed.Entry], form: Form, key: str, action: str) -> str:
    """<kind>_add / _up:N / _down:N / _copy:N / _delete:N on `entries` (the typed new
    entry is already in); the anchor to show afterwards."""
    verb, _, arg = action.partition(":")
    how = verb.partition("_")[2]
    if how == "add":
        if not form.get(f"new-{key}-label", "").strip():
            add_typed_entry(entries, form, key, always=True)
        return f"{key}-{len(entries) - 1}"
    if how == "copy":
        return f"{key}-{ed.duplicate_entry(entries, position(arg))}"
    if how in MOVES:
        return f"{key}-{MOVES[how](entries, position(arg))}"
    raise ed.EditError("action", f"unknown action {verb!r}")


def question_action(doc: ed.Document, where: Where, form: Form, action: str) -> Where:
    """Save a question's form, then perform its button: an option or item action, a
    move to another page, or deleting the question."""
    apply_question(doc, where.p, where.q, form)
    verb = action.partition(":")[0]
    kind = verb.partition("_")[0]
    entry = ed.question(doc, where.p, where.q)
    if kind in ("option", "item"):
        key = f"{kind}s"
        if not isinstance(entry.get(key), list):
            raise ed.EditError(key, f"this question has no {key} of its own")
        return replace(where, anchor=apply_entries_action(entry[key], form, key, action))
    if verb == "move_page":
        target = position(form.get("page", ""))
        return Where("question", target, ed.move_question_to_page(doc, where.p, where.q, target))
    if verb == "delete":
        ed.delete(ed.questions(doc, where.p), where.q)
        return Where("outline", anchor=f"page-{where.p}")
    if verb != "save":
        raise ed.EditError("action", f"unknown action {verb!r}")
    return where


def scale_action(doc: ed.Document, where: Where, form: Form, action: str) -> Where:
    """Save a shared scale's form (name and options), then perform its button."""
    entries = ed.scale(doc, where.name)
    if "options-count" in form:
        entries[:] = read_entries(form, "options", list(entries), default_language(doc))
    add_typed_entry(entries, form, "options")
    where = replace(where, name=ed.rename_scale(doc, where.name, form.get("name", where.name)))
    verb = action.partition(":")[0]
    if verb.startswith("option_"):
        return replace(where, anchor=apply_entries_action(entries, form, "options", action))
    if verb != "save":
        raise ed.EditError("action", f"unknown action {verb!r}")
    return where
