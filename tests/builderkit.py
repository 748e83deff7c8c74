"""Drive the browser builder through a Flask test client the way a browser without
JavaScript would: read the form on the page, change some fields, press a button."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.adminkit import csrf

REVISION = re.compile(r'name="revision" value="([0-9]+)"')


class FormReader(HTMLParser):
    """The successful fields of the first form whose class holds `builder-form`: what the
    browser would send (checked boxes and radios, selected options, text areas), without
    the buttons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self.state = "before"  # before, inside, after
        self.select: str | None = None
        self.first_option: str | None = None
        self.area: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.state == "before" and "builder-form" in a.get("class", ""):
            self.state = "inside"
        if self.state != "inside":
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select, self.first_option = a.get("name"), None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
                self.fields.setdefault(self.select, self.first_option)
            if "selected" in a:
                self.fields[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.area = a.get("name")
            self.fields[self.area] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self.state == "inside":
            self.state = "after"
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.area = None

    def handle_data(self, data):
        if self.area and self.state == "inside":
            self.fields[self.area] += (
                data.removeprefix("\n") if not self.fields[self.area] else data
            )


def form_fields(html: str) -> dict[str, str]:
    reader = FormReader()
    reader.feed(html)
    return reader.fields


class Builder:
    """One admin's browser on the builder: the page last shown, its form, its buttons."""

    def __init__(self, client, survey: str = ""):
        self.client = client
        self.survey = survey
        self.html = ""

    def url(self, path: str = "") -> str:
        return f"/admin/questionnaires/{self.survey}{path}"

    def open(self, path: str = "", status: int = 200) -> str:
        response = self.client.get(path if path.startswith("/admin/") else self.url(path))
        assert response.status_code == status, (response.status_code, response.text[:3000])
        self.html = response.text
        return self.html

    def create(self, survey: str, title: str, edition: str = "2026") -> None:
        self.open("/admin/new-questionnaire")
        data = {"csrf_token": csrf(self.html), "id": survey, "title": title, "edition": edition,
                "audience": "testers"}  # fmt: skip
        response = self.client.post("/admin/new-questionnaire", data=data)
        assert response.status_code == 303, response.text[:3000]
        self.survey = survey

    def press(self, path: str, action: str = "save", status: int = 303, **changes: str):
        """Open a builder page, change fields of its form, press the button `action`;
        follow the redirect. Returns the response to the post."""
        self.open(path)
        data = form_fields(self.html) | changes | {"action": action}
        response = self.client.post(self.url(path), data=data)
        assert response.status_code == status, (response.status_code, response.text[:3000])
        if status == 303:
            self.html = self.client.get(response.headers["Location"]).text
        else:
            self.html = response.text
        return response

    def post(self, path: str, data: dict, status: int = 303):
        """Post `data` with the page's CSRF token and revision (a form of its own)."""
        hidden = {"csrf_token": csrf(self.html), "revision": REVISION.search(self.html)[1]}
        response = self.client.post(self.url(path), data=hidden | data)
        assert response.status_code == status, (response.status_code, response.text[:3000])
        return response

    def question(self, p: int, q: int) -> str:
        return f"/pages/{p}/questions/{q}"
