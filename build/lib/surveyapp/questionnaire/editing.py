"""The builder's operations on a definition document: the raw mapping the loader reads
(every scalar a string), changed in place, written out with `yamltext.dump`.

A document may be invalid while it is edited (an empty page, an unknown scale): the
loader says so (surveyapp.questionnaire.checking). What cannot even be written down
(two scales of one name, a position that does not exist) raises EditError, naming the
form field it concerns. Which keys a question has comes from its type in the registry;
no type is named here.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from typing import Any

from surveyapp.questionnaire.types import REGISTRY

Document = dict[str, Any]
Entry = dict[str, str]
NEW_QUESTION_TEXT = "New question"
DEFAULT_SCALE = "agreement"
DEFAULT_SCALE_OPTIONS = (
    ("strongly_agree", "Strongly agree"),
    ("agree", "Agree"),
    ("neutral", "Neither agree nor disagree"),
    ("disagree", "Disagree"),
    ("strongly_disagree", "Strongly disagree"),
)


class EditError(ValueError):
    """An edit that cannot be made; `field` names the form field it concerns."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def new_document(survey_id: str, title: str, edition: str, audience: str = "") -> Document:
    """A new questionnaire: its settings and one empty page."""
    return {
        "id": survey_id.strip(),
        "title": title.strip(),
        "audience": audience.strip(),
        "edition": edition.strip(),
        "pages": [{"title": "Page 1", "questions": []}],
    }


def structure_problem(doc: Any) -> str:
    """Why the form editor cannot work on a document ("" when it can): the text editor
    may leave shapes the forms cannot show, e.g. a page that is not a mapping."""
    if not isinstance(doc, dict):
        return "The text must hold a mapping (id, title, pages...)."
    pages = doc.get("pages", [])
    if not isinstance(pages, list):
        return "pages must be a list."
    for p, page in enumerate(pages):
        if not isinstance(page, dict) or not isinstance(page.get("questions", []), list):
            return f"pages[{p}] must be a mapping with title and a list of questions."
        if not all(isinstance(q, dict) for q in page.get("questions", [])):
            return f"pages[{p}].questions must be a list of mappings."
    scales = doc.get("scales", {})
    if not isinstance(scales, dict) or not all(isinstance(v, list) for v in scales.values()):
        return "scales must map each name to a list of options."
    return ""


# Positions --------------------------------------------------------------------------


def pages(doc: Document) -> list[dict[str, Any]]:
    return doc.setdefault("pages", [])


def page(doc: Document, p: int) -> dict[str, Any]:
    return _at(pages(doc), p, "page")


def questions(doc: Document, p: int) -> list[dict[str, Any]]:
    return page(doc, p).setdefault("questions", [])


def question(doc: Document, p: int, q: int) -> dict[str, Any]:
    return _at(questions(doc, p), q, "question")


def scales(doc: Document) -> dict[str, list[Entry]]:
    return doc.setdefault("scales", {})


def scale(doc: Document, name: str) -> list[Entry]:
    if name not in scales(doc):
        raise EditError("scale", f"there is no scale {name!r}")
    return scales(doc)[name]


def _at(entries: list, index: int, what: str) -> Any:
    if not 0 <= index < len(entries):
        raise EditError(what, f"there is no {what} {index + 1}")
    return entries[index]


# Lists: pages, questions, options, items ---------------------------------------------


def move(entries: list, index: int, delta: int) -> int:
    """Move an entry up (delta -1) or down (+1); at either end it stays. Its new index."""
    _at(entries, index, "entry")
    target = min(max(index + delta, 0), len(entries) - 1)
    entries.insert(target, entries.pop(index))
    return target


def delete(entries: list, index: int) -> Any:
    _at(entries, index, "entry")
    return entries.pop(index)


def duplicate_entry(entries: list[Entry], index: int) -> int:
    """Copy an option or item right after it, with a code of its own."""
    entry = dict(_at(entries, index, "entry"))
    entry["code"] = unique(entry.get("code") or "option", {e.get("code") for e in entries})
    entries.insert(index + 1, entry)
    return index + 1


def add_entry(entries: list[Entry], label: str, code: str = "") -> int:
    """Append an option or item; a blank code is made from the label."""
    taken = {e.get("code") for e in entries}
    label = label.strip() or f"Option {len(entries) + 1}"
    entries.append({"code": code.strip() or unique(slug(label), taken), "label": label})
    return len(entries) - 1


def slug(text: str) -> str:
    """A code made from a label: ASCII letters, digits and _ ("Très bien" -> "tres_bien")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    code = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_").lower()[:40].rstrip("_")
    return code or "option"


def unique(base: str, taken: set) -> str:
    """`base`, or `base_2`, `base_3`... whichever is not taken."""
    if base not in taken:
        return base
    stem = re.sub(r"_[0-9]+$", "", base)
    number = 2
    while f"{stem}_{number}" in taken:
        number += 1
    return f"{stem}_{number}"


# Pages and questions ---------------------------------------------------------------


def question_ids(doc: Document) -> set[str]:
    return {q.get("id") for pg in pages(doc) for q in pg.get("questions", [])}


def add_page(doc: Document, title: str = "") -> int:
    title = title.strip() or f"Page {len(pages(doc)) + 1}"
    pages(doc).append({"title": title, "questions": []})
    return len(pages(doc)) - 1


def duplicate_page(doc: Document, p: int) -> int:
    """Copy a page right after it; its questions get ids of their own."""
    copied = copy.deepcopy(page(doc, p))
    taken = question_ids(doc)
    for entry in copied.get("questions", []):
        entry["id"] = unique(str(entry.get("id") or "q"), taken)
        taken.add(entry["id"])
    pages(doc).insert(p + 1, copied)
    return p + 1


def add_question(doc: Document, p: int, type_name: str, text: str = "") -> int:
    """Append a question of a registered type with what it needs to be valid: a fresh
    id, and options, a scale or items when its type reads them."""
    if type_name not in REGISTRY:
        raise EditError("type", f"unknown question type {type_name!r}")
    entry: dict[str, Any] = {
        "id": unique(f"q{len(question_ids(doc)) + 1}", question_ids(doc)),
        "type": type_name,
        "text": text.strip() or NEW_QUESTION_TEXT,
    }
    fill_defaults(doc, entry)
    questions(doc, p).append(entry)
    return len(questions(doc, p)) - 1


def fill_defaults(doc: Document, entry: dict[str, Any]) -> None:
    """Give a question the lists its type needs and it lacks: own options (or a shared
    scale when its type reads a scale only), one item, and a calculation."""
    keys = REGISTRY[entry["type"]].keys
    if "options" in keys and "options" not in entry and "scale" not in entry:
        entry["options"] = [{"code": f"option_{n}", "label": f"Option {n}"} for n in (1, 2)]
    elif "scale" in keys and "options" not in keys and "scale" not in entry:
        entry["scale"] = next(iter(scales(doc)), "") or add_default_scale(doc)
    if "items" in keys and "items" not in entry:
        entry["items"] = [{"code": "item_1", "label": "Item 1"}]
    if "calculation" in keys and "calculation" not in entry:
        entry["calculation"] = "0"


def add_default_scale(doc: Document) -> str:
    name = unique(DEFAULT_SCALE, set(scales(doc)))
    scales(doc)[name] = [{"code": c, "label": label} for c, label in DEFAULT_SCALE_OPTIONS]
    return name


def duplicate_question(doc: Document, p: int, q: int) -> int:
    copied = copy.deepcopy(question(doc, p, q))
    copied["id"] = unique(str(copied.get("id") or "q"), question_ids(doc))
    questions(doc, p).insert(q + 1, copied)
    return q + 1


def move_question_to_page(doc: Document, p: int, q: int, target: int) -> int:
    """Move a question to the end of another page; its index there."""
    page(doc, target)
    moved = delete(questions(doc, p), q)
    questions(doc, target).append(moved)
    return len(questions(doc, target)) - 1


# Shared scales --------------------------------------------------------------------


def scale_users(doc: Document, name: str) -> list[str]:
    return [str(q.get("id")) for pg in pages(doc) for q in pg.get("questions", [])
            if q.get("scale") == name]  # fmt: skip


def add_scale(doc: Document, name: str) -> str:
    name = name.strip() or unique("scale_1", set(scales(doc)))
    if name in scales(doc):
        raise EditError("new-scale", f"there is already a scale {name!r}")
    scales(doc)[name] = [{"code": f"option_{n}", "label": f"Option {n}"} for n in (1, 2)]
    return name


def rename_scale(doc: Document, old: str, new: str) -> str:
    """Rename a scale and every question's reference to it."""
    new = new.strip()
    if not new:
        raise EditError("name", "a scale needs a name")
    if new != old and new in scales(doc):
        raise EditError("name", f"there is already a scale {new!r}")
    entries = scale(doc, old)
    doc["scales"] = {(new if k == old else k): v for k, v in scales(doc).items()}
    doc["scales"][new] = entries
    for pg in pages(doc):
        for entry in pg.get("questions", []):
            if entry.get("scale") == old:
                entry["scale"] = new
    return new


def move_scale(doc: Document, name: str, delta: int) -> None:
    names = list(scales(doc))
    move(names, names.index(name) if name in names else -1, delta)
    doc["scales"] = {n: scales(doc)[n] for n in names}


def duplicate_scale(doc: Document, name: str) -> str:
    copied = unique(f"{name}_copy", set(scales(doc)))
    names = list(scales(doc))
    doc["scales"][copied] = copy.deepcopy(scale(doc, name))
    names.insert(names.index(name) + 1, copied)
    doc["scales"] = {n: scales(doc)[n] for n in names}
    return copied


def delete_scale(doc: Document, name: str) -> None:
    """Delete a scale no question uses (refused, naming the users, otherwise)."""
    scale(doc, name)
    users = scale_users(doc, name)
    if users:
        raise EditError("scale", f"scale {name!r} is used by {', '.join(users)}: change them first")
    del doc["scales"][name]
    if not doc["scales"]:
        del doc["scales"]
