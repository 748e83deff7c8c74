"""The frame around every admin page: the side navigation (questionnaires, then each
questionnaire's pages, then accounts and the audit log) and the breadcrumbs.

A link appears only when its endpoint exists (pages added by other modules join by
registering the endpoint named here) and the account's role may reach it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for

from surveyapp.web import catalog
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.editions import answered

# A questionnaire's pages in the side navigation: (label, endpoint).
SURVEY_PAGES = (
    ("Overview", "admin.survey"),
    ("Results", "admin.results"),
    ("Responses", "admin.responses"),
    ("Trends", "admin.trends"),
    ("Reports", "admin.report"),
    ("Invitations", "admin.invitation_list"),
    ("Settings", "admin.builder_settings"),
)
# Pages without a link of their own, and the link they belong under.
BELONGS = {
    "admin.response": "admin.responses",
    "admin.compare": "admin.report",
    "admin.tallies_json": "admin.survey",
    "admin.import_history": "admin.survey",
    "admin.weights": "admin.survey",
    "admin.webhooks_page": "admin.survey",
    "admin.builder_edit": "admin.builder_settings",
}
# Page names for the last breadcrumb, where the navigation does not name the page.
TITLES = {
    "admin.response": "Response",
    "admin.compare": "Both sides",
    "admin.import_history": "Import",
    "admin.weights": "Weighting",
    "admin.webhooks_page": "Webhooks",
    "admin.builder_list": "Questionnaires",
    "admin.users": "Accounts",
    "admin.audit_log": "Audit log",
    "admin.tokens_page": "API tokens",
}
SITE_PAGES = (
    ("Accounts", "admin.users"),
    ("Audit log", "admin.audit_log"),
    ("API tokens", "admin.tokens_page"),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


def reachable(endpoint: str) -> bool:
    """The endpoint exists and the account may use it."""
    return endpoint in current_app.view_functions and auth.allowed(endpoint)


def _here() -> str:
    endpoint = request.endpoint or ""
    return BELONGS.get(endpoint, endpoint)


def current_survey() -> str | None:
    """The questionnaire the page is about (from the URL), if any."""
    survey = (request.view_args or {}).get("survey_id")
    return survey if survey in catalog() else None


def survey_links(survey: str) -> list[Link]:
    """The pages of one questionnaire the account may reach."""
    newest = max(catalog()[survey])
    edition = (request.view_args or {}).get("edition", newest)
    links = []
    for label, endpoint in SURVEY_PAGES:
        if not reachable(endpoint):
            continue
        if endpoint == "admin.report":
            url = url_for(endpoint, edition=edition)
        else:
            url = url_for(endpoint, survey_id=survey)
        current = _here() == endpoint and current_survey() == survey
        links.append(Link(label, url, current))
    return links


def site_links() -> list[Link]:
    return [Link(label, url_for(e), _here() == e) for label, e in SITE_PAGES if reachable(e)]


def crumbs() -> list[Link]:
    """Dashboard › questionnaire › page; the last one is the page itself (no link)."""
    endpoint = request.endpoint or ""
    trail = [Link("Dashboard", url_for("admin.dashboard"))]
    survey = current_survey()
    if survey:
        title = catalog().latest(survey).title
        trail.append(Link(title, url_for("admin.survey", survey_id=survey)))
        name = TITLES.get(endpoint) or dict((e, n) for n, e in SURVEY_PAGES).get(_here())
        if name and endpoint != "admin.survey":
            trail.append(Link(name, ""))
    elif endpoint == "admin.report" or endpoint == "admin.compare":
        edition = (request.view_args or {}).get("edition")
        trail.append(Link(f"{TITLES.get(endpoint, 'Report')} {edition}", ""))
    elif endpoint in TITLES:
        trail.append(Link(TITLES[endpoint], ""))
    return trail if len(trail) > 1 else []


@bp.context_processor
def _shell() -> dict:
    return {"shell": Shell()}


class Shell:
    """What admin/base.html asks for, computed only when a template asks."""

    surveys = staticmethod(lambda: [(s, catalog().latest(s).title) for s in sorted(catalog())])
    survey = staticmethod(current_survey)
    survey_links = staticmethod(survey_links)
    site_links = staticmethod(site_links)
    crumbs = staticmethod(crumbs)
    reachable = staticmethod(reachable)
    answered = staticmethod(answered)
    orphan = staticmethod(lambda definition: catalog().is_orphan(definition))
