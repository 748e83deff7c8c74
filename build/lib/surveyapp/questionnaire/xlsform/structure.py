"""From survey rows to pages: groups, matrices and notes.

- A group with `field-list` appearance is a page, and so is a top-level group holding no
  field-list group; questions outside such a group each get a page (ODK shows them one per
  screen) titled with their own text, but a calculation, which shows nothing, joins the
  page before it. Other groups only hold pages; a group inside a page joins it (its label
  is dropped, with a warning).
- A `table-list` group of select_one rows sharing one list is one matrix (the group's
  name, label and hint are the question's id, text and help); so is a select_one row with
  `label` appearance followed by rows with `list-nolabel` appearance on the same list.
- Notes before the first question make the introduction; other notes are the help of the
  question after them on their page (or before them, at a page's end; or the next
  question, for notes on a page of their own). Notes after the last question are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyxform import constants

from surveyapp.questionnaire.types.xlsform import COMPUTED, MATRIX_ROW
from surveyapp.questionnaire.xlsform.rows import BEGIN, END, NOTE, QUESTION, Entry
from surveyapp.questionnaire.xlsform.workbook import Problems, Row

FIELD_LIST, TABLE_LIST = "field-list", "table-list"
REPEATS = "is refused: a web survey page cannot add copies of its questions"


@dataclass
class Group:
    entry: Entry
    children: list[Entry | Group] = field(default_factory=list)


@dataclass
class Matrix:
    head: Entry  # the table-list group, or the row with `label` appearance
    rows: list[Entry]


@dataclass
class Screen:
    title: str
    head: Entry
    items: list[Entry | Matrix]


def build_tree(entries: list[Entry], problems: Problems) -> list[Entry | Group]:
    """Nest the rows between begin and end rows; unmatched ones are errors."""
    stack = [Group(Entry(Row(constants.SURVEY, 1, {}), BEGIN))]
    for entry in entries:
        row = entry.row
        if entry.kind == BEGIN:
            if entry.control != "group":
                problems.error(row.sheet, row.number, "type", f"begin {entry.control} {REPEATS}")
            group = Group(entry)
            stack[-1].children.append(group)
            stack.append(group)
        elif entry.kind == END:
            if len(stack) == 1 or stack[-1].entry.control != entry.control:
                problems.error(
                    row.sheet,
                    row.number,
                    "type",
                    f"end {entry.control} without a matching begin {entry.control}",
                )
                continue
            stack.pop()
        else:
            stack[-1].children.append(entry)
    for group in stack[1:]:
        row = group.entry.row
        problems.error(row.sheet, row.number, "type", f"begin {group.entry.control} is never ended")
    return stack[0].children


def screens(nodes: list[Entry | Group], problems: Problems) -> list[Screen]:
    found: list[Screen] = []
    _collect(nodes, True, found, problems)
    return found


def _collect(nodes: list, top: bool, found: list[Screen], problems: Problems) -> None:
    for node in nodes:
        if isinstance(node, Entry) and node.xls_type == COMPUTED and found:
            found[-1].items.append(node)  # nothing to show: it joins the page before it
            continue
        if isinstance(node, Entry):
            found.append(Screen(node.label if node.kind == QUESTION else "", node, [node]))
            continue
        title = node.entry.label or node.entry.name
        rows = _matrix_rows(node)
        if rows is not None:
            found.append(Screen(title, node.entry, [Matrix(node.entry, rows)]))
        elif FIELD_LIST in node.entry.appearances or (top and not _has_field_list(node)):
            if node.entry.hint:
                row = node.entry.row
                problems.warn(row.sheet, row.number, "hint", "not shown: pages have no help")
            found.append(Screen(title, node.entry, _label_runs(_flatten(node, title, problems))))
        else:
            _collect(node.children, False, found, problems)


def _has_field_list(group: Group) -> bool:
    return any(
        isinstance(child, Group)
        and _matrix_rows(child) is None
        and (FIELD_LIST in child.entry.appearances or _has_field_list(child))
        for child in group.children
    )


def _flatten(group: Group, page: str, problems: Problems) -> list[Entry | Matrix]:
    items: list[Entry | Matrix] = []
    for node in group.children:
        if isinstance(node, Entry):
            items.append(node)
            continue
        rows = _matrix_rows(node)
        if rows is not None:
            items.append(Matrix(node.entry, rows))
            continue
        if node.entry.label:
            row = node.entry.row
            problems.warn(
                row.sheet,
                row.number,
                "label",
                f"not shown: the group's questions join the page {page!r}",
            )
        items.extend(_flatten(node, page, problems))
    return items


def _matrix_rows(group: Group) -> list[Entry] | None:
    """The item rows when a group is a table-list of select_one rows on one list."""
    children = group.children
    if TABLE_LIST not in group.entry.appearances or not children:
        return None
    if not all(_choice_row(c) for c in children) or len({c.list_name for c in children}) > 1:
        return None
    if len(children) > 1 and "label" in children[0].appearances:
        return children[1:]
    return children


def _choice_row(node: Entry | Group, appearance: str = "", list_name: str = "") -> bool:
    return (
        isinstance(node, Entry)
        and node.kind == QUESTION
        and node.xls_type == MATRIX_ROW
        and not node.or_other
        and (not appearance or appearance in node.appearances)
        and (not list_name or node.list_name == list_name)
    )


def _label_runs(items: list[Entry | Matrix]) -> list[Entry | Matrix]:
    """Turn a `label` row followed by `list-nolabel` rows on its list into a matrix."""
    found: list[Entry | Matrix] = []
    index = 0
    while index < len(items):
        head = items[index]
        end = index + 1
        if isinstance(head, Entry) and _choice_row(head, "label"):
            while end < len(items) and _choice_row(items[end], "list-nolabel", head.list_name):
                end += 1
        if end > index + 1:
            found.append(Matrix(head, items[index + 1 : end]))  # type: ignore[arg-type]
        else:
            found.append(head)
        index = end
    return found


def is_note(item: Entry | Matrix) -> bool:
    return isinstance(item, Entry) and item.kind == NOTE


def place_notes(found: list[Screen], problems: Problems) -> tuple[str, list[Screen]]:
    """(introduction, the screens holding questions, notes moved into help texts)."""
    introduction: list[str] = []
    pending: list[Entry] = []
    started = False
    kept = []
    for screen in found:
        questions = [item for item in screen.items if not is_note(item)]
        for item in screen.items:
            if is_note(item):
                pending.append(item)  # type: ignore[arg-type]
                continue
            if started:
                _join(item, pending, problems, before=True)
            else:
                introduction.extend(
                    _note_text(note, problems, "the introduction") for note in pending
                )
            pending, started = [], True
        if questions:
            _join(questions[-1], pending, problems, before=False)
            pending = []
            kept.append(Screen(screen.title, screen.head, questions))
    for note in pending:
        problems.warn(note.row.sheet, note.number, "type", "note ignored: no question follows it")
    return "\n\n".join(text for text in introduction if text), kept


def _join(item: Entry | Matrix, notes: list[Entry], problems: Problems, before: bool) -> None:
    head = item.head if isinstance(item, Matrix) else item
    texts = [_note_text(note, problems, f"the help of {head.name!r}") for note in notes]
    parts = [*texts, head.hint] if before else [head.hint, *texts]
    head.hint = "\n\n".join(text for text in parts if text)


def _note_text(note: Entry, problems: Problems, where: str) -> str:
    problems.warn(note.row.sheet, note.number, "type", f"note shown as {where}")
    return "\n\n".join(text for text in (note.label, note.hint) if text)
