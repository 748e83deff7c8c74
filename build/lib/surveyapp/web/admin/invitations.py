"""Invitations of an invitation-only questionnaire: counts, the list (filtered by status,
as CSV without links), and making links from a pasted or uploaded list or a count.

A link's signature is never stored, so links are shown once, in the answer to the post
that made them (copy boxes and a CSV carried in the page itself), as the CLI prints them
once. For an anonymous edition no time of use is kept and no response is linked."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, current_app, render_template, request

from surveyapp.exchange import cells
from surveyapp.store import invitation_lists, invitations
from surveyapp.store.invitations import InvitationFileError
from surveyapp.web import catalog, get_db, open_definition
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import editions_or_404, page_number

MAX_LINKS = 1000  # per batch made in the browser; the CLI makes more
DAYS = (1, 3650)
FIELDS = ("edition", "emails", "count", "days")


def _status() -> str | None:
    status = request.args.get("status") or None
    if status is not None and status not in invitations.STATUSES:
        abort(400, "status must be one of: " + ", ".join(invitations.STATUSES))
    return status


def invitable(survey_id: str) -> list[int]:
    """The questionnaire's invitation-only editions, the open one first, then newest first."""
    editions = catalog()[survey_id]
    opened = open_definition(survey_id)
    chosen = [e for e in sorted(editions, reverse=True) if editions[e].access == "invitation"]
    if opened is not None and opened.edition in chosen:
        chosen.remove(opened.edition)
        chosen.insert(0, opened.edition)
    return chosen


def _page(survey_id: str, status_code: int = 200, **context):
    editions = editions_or_404(survey_id)
    status, page = _status(), page_number()
    size, db = current_app.config["RESPONSES_PER_PAGE"], get_db()
    rows = invitations.listing(db, survey_id, size + 1, (page - 1) * size, status)
    context = {"values": {"days": "30"}, "problems": {}, "lines": [], **context}
    body = render_template(
        "admin/invitations.html", definition=catalog().latest(survey_id), editions=editions,
        counts=invitations.summary(db, survey_id), rows=rows[:size], page=page,
        more=len(rows) > size, status=status, statuses=list(invitations.STATUSES),
        invitable=invitable(survey_id), max_links=MAX_LINKS, **context,
    )  # fmt: skip
    return Response(body, status_code, mimetype="text/html")


@bp.get("/surveys/<survey_id>/invitations")
@auth.login_required(role="admin")
def invitation_list(survey_id: str):
    return _page(survey_id)


def _whole(values: dict, name: str, low: int, high: int, problems: dict) -> int | None:
    text = values.get(name, "")
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        problems[name] = f"a whole number from {low} to {high}"
        return None
    return int(text)


def _entries(survey_id: str, edition: int | None, values: dict, problems: dict) -> list:
    """One entry per link: the pasted or uploaded addresses, or COUNT Nones; every bad
    line in problems['lines']."""
    upload = request.files.get("file")
    sources = [bool(values["emails"]), bool(upload and upload.filename), bool(values["count"])]
    if sum(sources) != 1:
        problems["emails"] = "give exactly one: a list of addresses, a file or a number of links"
        return []
    if values["count"]:
        count = _whole(values, "count", 1, MAX_LINKS, problems)
        return [None] * (count or 0)
    field = "emails" if values["emails"] else "file"
    try:
        text = values["emails"] or invitation_lists.decode(upload.read(), upload.filename)
        emails = invitation_lists.parse(text)
        if edition is not None:
            invitation_lists.parse(text, invitations.open_emails(get_db(), survey_id, edition,
                                                                 emails))  # fmt: skip
    except InvitationFileError as exc:
        count = len(exc.errors)
        problems[field] = f"{count} line{'s' if count != 1 else ''} refused, nothing was made"
        problems["lines"] = exc.errors
        return []
    if not emails:
        problems[field] = "no addresses found"
    elif len(emails) > MAX_LINKS:
        problems[field] = f"at most {MAX_LINKS} addresses at a time ({len(emails)} given)"
    return emails


def _links_csv(links: list[dict]) -> str:
    """The links just made as a CSV in a data: URL, so the secrets never touch storage."""
    rows = [["link", "email", "expires_at"]]
    rows += [[link["link"], link["email"] or "", link["expires_at"]] for link in links]
    return "data:text/csv;charset=utf-8," + quote(cells.csv_text(rows))


@bp.post("/surveys/<survey_id>/invitations")
@auth.login_required(role="admin")
def invitation_create(survey_id: str):
    editions_or_404(survey_id)
    values = {name: request.form.get(name, "").strip() for name in FIELDS}
    problems: dict = {}
    edition = (
        int(values["edition"])
        if values["edition"].isascii() and values["edition"].isdigit()
        else None
    )
    if edition not in invitable(survey_id):
        problems["edition"] = "choose an invitation-only edition"
        edition = None
    days = _whole(values, "days", *DAYS, problems)
    entries = _entries(survey_id, edition, values, problems)
    if problems:
        lines = problems.pop("lines", [])
        return _page(survey_id, 422, values=values, problems=problems, lines=lines)
    secret, start = current_app.config["SECRET_KEY"], current_app.config["PUBLIC_URL"]
    made = invitations.create(get_db(), secret, survey_id, edition, entries, days,
                              actor=auth.actor())  # fmt: skip
    links = [{"link": f"{start.rstrip('/')}/i/{token}", "email": email, "expires_at": expires}
             for token, email, expires in made]  # fmt: skip
    return _page(survey_id, made=links, made_edition=edition, csv_url=_links_csv(links))


@bp.get("/surveys/<survey_id>/invitations.csv")
@auth.login_required(role="admin")
def invitations_csv(survey_id: str):
    """The invitation list (the page's status filter applies), without any link."""
    editions_or_404(survey_id)
    status = _status()
    rows = invitations.listing(get_db(), survey_id, -1, 0, status)
    columns = ["id", "edition", "email", "status", "created_at", "expires_at", "used_at"]
    text = cells.csv_text([columns] + [[row[c] for c in columns] for row in rows])
    name = f"{survey_id}-invitations{'-' + status if status else ''}.csv"
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
