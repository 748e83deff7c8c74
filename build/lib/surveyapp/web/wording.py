"""Interface texts made below the web layer (the question types' answer checks, which
import no Flask) in the language of the page: each English message is matched against
its pattern here and its catalogue translation filled with the same values. A message
matching none (a constraint message written in the definition) is shown as it is."""

from __future__ import annotations

import re
from functools import cache

from flask_babel import gettext


def N_(message: str) -> str:  # noqa: N802 - the marker `pybabel extract` looks for (babel.cfg)
    """Mark a message for the catalogues; it is translated where it is shown."""
    return message


ANSWER_MESSAGES = (
    N_("Please answer this question."),
    N_("Please give one answer."),
    N_("Please choose only one answer."),
    N_("Please say what “%(option)s” is."),
    N_("Please keep this to %(limit)s characters or fewer."),
    N_("Please keep this to %(limit)s characters or fewer (now %(length)s)."),
    N_("Each option can be picked only once."),
    N_("Please pick at least %(count)s."),
    N_("Please pick at most %(count)s."),
    N_("Please enter a whole number."),
    N_("Please enter a number."),
    N_("Please write the number out in full, without an exponent (1000, not 1e3)."),
    N_(
        "Please enter a number with at most %(whole)s digits before the decimal point"
        " and %(fraction)s after it."
    ),
    N_("Please enter a number of at least %(low)s."),
    N_("Please enter a number of at most %(high)s."),
    N_("Please give one rank."),
    N_("Please choose a rank from 1 to %(top)s."),
    N_("Please rank %(what)s."),
    N_("Rank %(rank)s is given to more than one option: each rank once."),
    N_("Please rank %(what)s: %(given)s of %(top)s ranked so far."),
    N_("This answer does not fit: please check it."),
    N_("“%(option)s” cannot be picked together with other answers."),
)
# The phrases the ranking messages put in %(what)s.
RANK_PHRASES = (N_("the options"), N_("your top %(top)s"))
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    found = []
    for message in (*ANSWER_MESSAGES, *RANK_PHRASES):
        parts = _PLACEHOLDER.split(message)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        found.append((re.compile(f"^{regex}$", re.DOTALL), message))
    return tuple(found)


def translated(message: str) -> str:
    """`message` in the interface language when it is one of ANSWER_MESSAGES."""
    for pattern, msgid in _patterns():
        matched = pattern.match(message)
        if matched:
            values = {name: translated(value) for name, value in matched.groupdict().items()}
            return gettext(msgid, **values)
    return message
