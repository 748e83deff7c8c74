"""Drive questionnaires through a Flask test client the way a browser would."""

from __future__ import annotations

import re

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]*)"')
SHAPE = re.compile(r'name="~shown" value="([^"]*)"')
VERSION = re.compile(r'name="definition_version" type="hidden" value="([^"]*)"')


def hidden(html: str) -> dict[str, str]:
    """The page form's hidden fields, as a browser posts them back: the CSRF token, the
    submission key, the definition version and, on a page with logic, the shape of the
    page as drawn (what a browser without JavaScript sends)."""
    fields = {"csrf_token": TOKEN.search(html).group(1)}
    fields["submission_key"] = KEY.search(html).group(1)
    version = VERSION.search(html)
    if version:
        fields["definition_version"] = version.group(1)
    shape = SHAPE.search(html)
    if shape:
        fields["~shown"] = shape.group(1)
    return fields


class Respondent:
    def __init__(self, client, survey: str):
        self.client = client
        self.survey = survey
        self.last = None

    def open(self, page: int = 1):
        self.last = self.client.get(f"/s/{self.survey}?page={page}")
        assert self.last.status_code == 200, self.last.status_code
        return self.last

    def post(self, page: int, answers: dict, action: str = "next", tokens: dict | None = None):
        html = self.last.get_data(as_text=True) if self.last is not None else self.open(page).text
        data = {**(tokens or hidden(html)), "action": action, **answers}
        self.last = self.client.post(f"/s/{self.survey}?page={page}", data=data)
        if self.last.status_code == 302:
            location = self.last.headers["Location"]
            self.last_location = location
            if "/thanks" not in location:
                self.last = self.client.get(location)
        return self.last

    def complete(self, pages: list[dict]):
        """Answer every page in turn (Next, then Submit); return the final response."""
        self.open(1)
        for number, answers in enumerate(pages, 1):
            action = "submit" if number == len(pages) else "next"
            response = self.post(number, answers, action)
        return response


def cmo_answers(size="small", region="europe", rating="very_common", comments="Fine."):
    items = [
        "communicate", "timeframes", "cost_containment", "process_variability", "tech_transfer",
        "scale_differences", "difficult_problems", "regulatory_role", "hand_off",
        "unsuitable_cell_lines",
    ]  # fmt: skip
    return [
        {"manufactures_for_clients": "yes", "company_size": size, "region": region},
        {f"problems-{item}": rating for item in items},
        {"comments": comments},
    ]


def client_answers(size="large", region="asia", rating="important", comments=""):
    items = [
        "good_relationship", "quality_standards", "cross_contamination", "protect_ip",
        "stick_to_schedule", "capacity",
    ]  # fmt: skip
    return [
        {"company_size": size, "region": region, "outsources_commercial": "yes"},
        {f"importance-{item}": rating for item in items},
        {"comments": comments},
    ]
