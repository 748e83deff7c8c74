"""The OpenAPI document is generated from the routes: every /api/v1 route is in it and
nothing else; errors are problem+json; the reference page is our own static files."""

from __future__ import annotations

import re

import pytest

from surveyapp.web.api import spec

pytestmark = pytest.mark.both_engines

IGNORED = {"HEAD", "OPTIONS"}


def routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(spec.PREFIX + "/") or rule.rule == spec.PREFIX:
            path = spec.openapi_path(rule.rule.removeprefix(spec.PREFIX))
            found |= {(path, method.lower()) for method in rule.methods - IGNORED}
    return found


def documented(document: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item}


def test_every_api_route_is_in_the_document_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/api/v1"}]
    assert routes(app) == documented(document)
    assert len(routes(app)) >= 18


def test_a_route_added_without_a_declaration_is_found(make_app):
    app = make_app()
    app.add_url_rule("/api/v1/stray", "stray", lambda: {})
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert routes(app) - documented(document) == {("/stray", "get")}


def test_an_undeclared_route_of_the_blueprint_answers_404(make_app):
    """The access check knows only declared operations: a route that slipped past
    `operation` is refused rather than served without a token."""
    from surveyapp.web.api import bp

    app = make_app()
    view = app.view_functions["api.questionnaires"]
    app.add_url_rule("/api/v1/undeclared", "api.undeclared", view)
    assert bp.name == "api"
    response = app.test_client().get("/api/v1/undeclared")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_every_operation_declares_who_may_call_it(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path in ("/openapi.json", "/docs"):
                assert operation["security"] == []
                continue
            assert operation["x-scope"] in ("read", "write"), (method, path)
            assert operation["x-role-of"].startswith("admin."), (method, path)
            assert "401" in operation["responses"] and "429" in operation["responses"]
            assert (method == "get") == (operation["x-scope"] == "read"), (method, path)


def test_errors_are_problem_documents(client):
    for response in (
        client.get("/api/v1/questionnaires"),  # no token
        client.get("/api/v1/no-such-thing"),  # no route
        client.delete("/api/v1/questionnaires"),  # wrong method
        client.get("/api/v1/questionnaires", headers={"Authorization": "Bearer sa_nope"}),
    ):
        assert response.mimetype == "application/problem+json"
        body = response.get_json()
        assert body["status"] == response.status_code
        assert {"type", "title", "detail", "instance"} <= set(body)
    assert client.delete("/api/v1/questionnaires").headers["Allow"] == "GET, HEAD, OPTIONS"
    assert "Bearer" in client.get("/api/v1/questionnaires").headers["WWW-Authenticate"]


def test_the_reference_page_renders_the_document_with_our_own_script(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts == ["/static/api-docs.js"]
    assert 'data-spec="/api/v1/openapi.json"' in page.text
    with client.get(scripts[0]) as script:
        assert script.status_code == 200
        assert b"http://" not in script.data and b"https://" not in script.data  # no CDN
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
