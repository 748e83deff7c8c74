"""Who reaches what: every route x anonymous/viewer/admin from the url_map; the accounts
page; security headers on every GET route; cookies; proxy headers; shared lock-out."""

from __future__ import annotations

import io

import pytest

from surveyapp import create_app, store
from surveyapp.store import accounts, audit, tokens, webhooks
from surveyapp.web.admin.auth import PUBLIC_ENDPOINTS, VIEWER_ENDPOINTS
from tests import pgcluster
from tests.adminkit import add, cmo, csrf, login, make_admin

# Routes outside /admin that anyone may reach: the questionnaire pages and static files.
PUBLIC_ROUTES = {
    "survey.index", "survey.page", "survey.answer", "survey.thanks", "invite.landing", "static",
    "survey.logo", "survey.accent_css",  # an organiser's logo and accent: public, like static
    "survey.favicon",
    "survey.saved", "survey.mail_link", "survey.resume",
}  # fmt: skip


def routes(app):
    """(endpoint, method, url) of every rule, logout last (it ends the session). There is
    an API token of the viewer (#1) and a webhook message (#1) of endpoint #1; the
    endpoint deleted is #2."""
    make_admin(app, "ada")
    make_admin(app, "vic", role="viewer")
    db = store.thread_connection(app.config["DATABASE"])
    tokens.create(db, "vic", "read")
    webhooks.add_endpoint(db, "cmo", "https://8.8.8.8/", ["response.completed"], "test")
    webhooks.add_endpoint(db, "cmo", "https://8.8.8.8/", ["edition.opened"], "test")
    response_id = add(app, "cmo", cmo())
    values = {"survey_id": "cmo", "response_id": response_id, "username": "ada",
              "filename": "style.css", "edition": "2012", "action": "close",
              "token": "not-an-invitation.0", "token_id": "1", "endpoint_id": "2",
              "message_id": "1", "version": "v", "kind": "png", "p": "0", "q": "0",
              "index": "0", "name": "0" * 20, "colour": "1f5fa8",
              "field": "region", "question": "comments"}  # fmt: skip
    found = []
    for rule in app.url_map.iter_rules():
        formats = ("csv", "jsonl", "xlsx") if "fmt" in rule.arguments else ("csv",)
        if rule.endpoint == "admin.builder_download":
            formats = ("yaml", "xlsx")
        for fmt in formats:
            url = rule.rule
            for name in rule.arguments:
                url = url.replace(f"<{name}>", {**values, "fmt": fmt}[name])
                url = url.replace(f"<path:{name}>", values.get(name, ""))
                url = url.replace(f"<int:{name}>", values.get(name, ""))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, url))
    return sorted(found, key=lambda r: r[0] == "admin.logout")


def call(client, method, url):
    token = csrf(client.get("/admin/login").text)
    data = {"csrf_token": token, "role": "admin", "action": "open"} if method == "POST" else None
    response = client.open(url, method=method, data=data)
    response.close()
    return response


def signed_in(app, username, role):
    make_admin(app, username, role=role)
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


@pytest.mark.both_engines
def test_every_route_reaches_exactly_its_roles(app):
    table = routes(app)
    admin_only = {e for e, _m, _u in table if e.startswith("admin.")} - VIEWER_ENDPOINTS
    assert {"admin.export_file", "admin.responses", "admin.response", "admin.codebook",
            "admin.users", "admin.change_role", "admin.audit_log", "admin.edition_status",
            "admin.import_history", "admin.report",
            "admin.invitation_list"} <= admin_only  # fmt: skip
    # The API's routes have their own guard (tokens only): tests/test_api_access.py.
    outside = {e for e, _m, _u in table if not e.startswith(("admin.", "api."))}
    assert outside == PUBLIC_ROUTES, "a new route outside /admin: decide who may reach it"
    clients = {
        "anonymous": app.test_client(),
        "viewer": signed_in(app, "vic", "viewer"),
        "admin": signed_in(app, "ada", "admin"),
    }
    checked, guarded = 0, 0
    for endpoint, method, url in table:
        if not endpoint.startswith("admin.") or endpoint in PUBLIC_ENDPOINTS:
            continue
        guarded += 1
        for who, client in clients.items():
            response = call(client, method, url)
            status, location = response.status_code, response.headers.get("Location", "")
            to_login = location.startswith("/admin/login")
            checked += 1
            if who == "anonymous":
                assert status == 401 or (status == 302 and to_login), (method, url, status)
            elif who == "viewer" and endpoint not in VIEWER_ENDPOINTS:
                assert status == 403, (who, method, url, status)
            else:
                # In: a page, a redirect after a write, or a form's own complaint.
                assert status in (200, 302, 303) or (method == "POST" and status in (400, 422)), (
                    who, method, url, status)  # fmt: skip
                assert not to_login or endpoint == "admin.logout", (who, method, url)
    assert checked == 3 * guarded and guarded >= 20


@pytest.mark.both_engines
def test_a_new_route_is_admin_only_by_default(make_app):
    app = make_app()
    from surveyapp.web import admin

    # A view registered without any decorator, as a later branch might add one.
    app.view_functions["admin.audit_log"] = lambda: "secret"
    make_admin(app, "vic", role="viewer")
    viewer = app.test_client()
    login(viewer, "vic")
    assert viewer.get("/admin/audit").status_code == 403
    assert app.test_client().get("/admin/audit").status_code == 302
    assert admin.bp.before_request_funcs


@pytest.mark.both_engines
def test_accounts_page_changes_a_role_and_audits_it(app):
    client = signed_in(app, "ada", "admin")
    make_admin(app, "vic", role="viewer")
    page = client.get("/admin/users")
    assert page.status_code == 200 and "vic" in page.text
    token = csrf(page.text)
    changed = client.post("/admin/users/vic/role", data={"csrf_token": token, "role": "admin"})
    assert changed.status_code == 302
    db = store.thread_connection(app.config["DATABASE"])
    assert accounts.get_admin(db, "vic")["role"] == "admin"
    entry = audit.entries(db, 1, 0)[0]
    assert (entry["actor"], entry["action"]) == ("ada", "role_change")
    assert entry["details"] == {"username": "vic", "old": "viewer", "new": "admin"}
    before = audit.count(db)
    for data, status in (
        ({"csrf_token": token, "role": "owner"}, 400),
        ({"role": "viewer"}, 400),
        ({"csrf_token": token}, 400),
    ):
        assert client.post("/admin/users/vic/role", data=data).status_code == status
    assert client.post("/admin/users/nobody/role",
                       data={"csrf_token": token, "role": "viewer"}).status_code == 404  # fmt: skip
    assert accounts.get_admin(db, "vic")["role"] == "admin" and audit.count(db) == before


@pytest.mark.both_engines
def test_the_last_admin_keeps_the_role(app):
    client = signed_in(app, "ada", "admin")
    token = csrf(client.get("/admin/users").text)
    refused = client.post("/admin/users/ada/role", data={"csrf_token": token, "role": "viewer"})
    assert refused.status_code == 409
    db = store.thread_connection(app.config["DATABASE"])
    assert accounts.get_admin(db, "ada")["role"] == "admin"


@pytest.mark.both_engines
def test_security_headers_on_every_get_route(app):
    client = signed_in(app, "ada", "admin")
    anonymous = app.test_client()
    seen = 0
    for _endpoint, method, url in routes(app):
        if method != "GET":
            continue
        for who in (client, anonymous):
            response = who.get(url)
            response.close()
            seen += 1
            csp = response.headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, url
            assert "script-src 'self'" in csp and "style-src 'self'" in csp, url
            assert response.headers["X-Content-Type-Options"] == "nosniff", url
            assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url
    assert seen >= 24
    missing = anonymous.get("/no/such/page")
    assert missing.status_code == 404
    assert "frame-ancestors 'none'" in missing.headers["Content-Security-Policy"]


@pytest.mark.both_engines
def test_no_admin_response_may_be_stored_by_a_cache(app):
    """Every admin route and method, for anyone: pages, JSON, redirects, refusals."""
    clients = {"anonymous": app.test_client(), "viewer": signed_in(app, "vic", "viewer"),
               "admin": signed_in(app, "ada", "admin")}  # fmt: skip
    seen = 0
    for endpoint, method, url in routes(app):
        if not endpoint.startswith("admin."):
            continue
        for who, client in clients.items():
            response = call(client, method, url)
            assert response.headers.get("Cache-Control") == "no-store", (who, method, url)
            seen += 1
    assert seen >= 3 * 22
    admin = signed_in(app, "ada", "admin")  # the loop logged out last
    polled = admin.get("/admin/surveys/cmo/tallies.json")
    again = admin.get("/admin/surveys/cmo/tallies.json",
                      headers={"If-None-Match": polled.headers["ETag"]})  # fmt: skip
    assert again.status_code == 304 and again.headers["Cache-Control"] == "no-store"
    assert "no-store" not in app.test_client().get("/s/cmo").headers.get("Cache-Control", "")


@pytest.mark.both_engines
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8443", "EVIL.example/x"])
def test_a_forged_host_never_comes_back_in_a_location(app, host):
    """werkzeug's own redirects (a missing trailing slash, doubled slashes) are built from
    the Host header: "/admin" once answered "Location: http://evil.example/admin/"."""
    client = signed_in(app, "ada", "admin")
    redirects = [("/admin", "/admin/"), ("/admin//audit", "/admin/audit"),
                 ("/s//cmo?page=2", "/s/cmo?page=2"), ("/admin/login", None)]  # fmt: skip
    for path, location in redirects:
        response = client.get(path, headers={"Host": host})
        assert response.headers.get("Location") == location, (path, response.status_code)
    anonymous = app.test_client().get("/admin/audit", headers={"Host": host})
    assert anonymous.headers["Location"] == "/admin/login?next=/admin/audit?"


def session_cookie(app) -> str:
    client = app.test_client()
    make_admin(app)
    response = login(client)
    return next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))


@pytest.mark.both_engines
def test_session_cookie_flags(make_app):
    cookie = session_cookie(make_app())
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    store.close_thread_connections()
    assert "Secure" in session_cookie(make_app(SESSION_COOKIE_SECURE=True))


@pytest.fixture
def env_app(tmp_path, monkeypatch):
    """An app configured the production way: instance folder and environment only."""
    monkeypatch.setenv("SURVEYAPP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("SURVEYAPP_DATABASE", str(tmp_path / "env.db"))

    def build(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return create_app(init_db=True)

    yield build
    store.close_thread_connections()


def test_https_environment_marks_the_cookie_secure(env_app):
    assert "Secure" in session_cookie(env_app(SURVEYAPP_HTTPS="1"))


def test_instance_config_sets_secure_cookie_and_proxy_hops(env_app, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("SESSION_COOKIE_SECURE = True\nPROXY_HOPS = 2\n")
    app = env_app()
    assert app.config["PROXY_HOPS"] == 2
    assert "Secure" in session_cookie(app)


def failing_logins(app, forwarded: list[str]) -> int:
    """Fail from one socket address with different X-Forwarded-For; then the status of a
    good log-in from the last forwarded address."""
    make_admin(app)
    for number, address in enumerate(forwarded[:-1]):
        login(app.test_client(), username=f"x{number}", password="wrong",
              REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=address)  # fmt: skip
    return login(app.test_client(), REMOTE_ADDR="10.0.0.1",
                 HTTP_X_FORWARDED_FOR=forwarded[-1]).status_code  # fmt: skip


@pytest.mark.both_engines
def test_forwarded_for_is_ignored_without_proxy_hops(make_app):
    app = make_app(LOGIN_ADDRESS_FAILURES=3)
    # Three failures from the socket address hold it up, whatever the header claims.
    assert failing_logins(app, ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"]) == 429
    db = store.thread_connection(app.config["DATABASE"])
    assert {e["details"]["address"] for e in audit.entries(db, 10, 0)} == {"10.0.0.1"}


@pytest.mark.both_engines
def test_forwarded_for_is_the_address_with_proxy_hops(make_app, engine):
    app = make_app(LOGIN_ADDRESS_FAILURES=3, PROXY_HOPS=1)
    assert failing_logins(app, ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"]) == 302
    store.close_thread_connections()
    fresh = pgcluster.new_database() if engine == "postgresql" else app.config["DATABASE"] + "2"
    try:
        locked = make_app(LOGIN_ADDRESS_FAILURES=3, PROXY_HOPS=1, DATABASE=fresh)
        assert failing_logins(locked, ["9.9.9.9"] * 4) == 429
    finally:
        store.close_thread_connections()
        if engine == "postgresql":
            pgcluster.drop(fresh)


def test_proxy_hops_from_environment(env_app):
    app = env_app(SURVEYAPP_PROXY_HOPS="1")
    assert app.config["PROXY_HOPS"] == 1
    make_admin(app)
    login(app.test_client(), password="wrong", REMOTE_ADDR="10.0.0.1",
          HTTP_X_FORWARDED_FOR="5.6.7.8")  # fmt: skip
    db = store.thread_connection(app.config["DATABASE"])
    assert audit.entries(db, 1, 0)[0]["details"]["address"] == "5.6.7.8"


@pytest.mark.both_engines
def test_two_app_instances_share_the_lock_out(make_app, tmp_path):
    first = make_app(LOGIN_MAX_FAILURES=3, LOGIN_ACCOUNT_FAILURES=3)
    second = make_app(LOGIN_MAX_FAILURES=3, LOGIN_ACCOUNT_FAILURES=3,
                      DATABASE=first.config["DATABASE"])  # fmt: skip
    assert first is not second and first.config["DATABASE"] == second.config["DATABASE"]
    make_admin(first)
    for app in (first, second, first):
        login(app.test_client(), password="wrong", REMOTE_ADDR="10.0.0.9")
    # Neither instance alone saw three failures; together they did.
    assert login(second.test_client(), REMOTE_ADDR="10.0.0.9").status_code == 429
    assert login(first.test_client(), REMOTE_ADDR="10.0.0.9").status_code == 429
    assert login(second.test_client(), REMOTE_ADDR="10.0.0.10").status_code == 429  # account


@pytest.mark.both_engines
def test_viewers_see_no_links_they_cannot_follow(app):
    viewer = signed_in(app, "vic", "viewer")
    html = viewer.get("/admin/surveys/cmo").text
    assert "export.csv" not in html and "/responses" not in html and "/admin/users" not in html
    assert "/admin/report/" not in html and "/import" not in html
    for url in ("/admin/", "/admin/compare/2012", "/admin/surveys/cmo/trends"):
        page = viewer.get(url)
        assert page.status_code in (200, 404) and "/admin/report/" not in page.text, url
        assert "/import" not in page.text, url
    admin = signed_in(app, "ada", "admin")
    html = admin.get("/admin/surveys/cmo").text
    assert "export.csv" in html and "/admin/report/" in html and "/admin/audit" in html


@pytest.mark.both_engines
def test_edition_changes_and_uploads_on_the_pages_are_audited(make_app):
    from tests.test_audit import PETS

    app = make_app(PETS)
    client = signed_in(app, "ada", "admin")
    token = csrf(client.get("/admin/surveys/pets").text)
    opened = client.post("/admin/surveys/pets/editions/2024/open", data={"csrf_token": token})
    assert opened.status_code == 303
    db = store.thread_connection(app.config["DATABASE"])
    entry = audit.entries(db, 1, 0)[0]
    assert (entry["actor"], entry["action"]) == ("ada", "edition_open")
    assert entry["details"] == {"survey": "pets", "edition": 2024, "closed": [2025]}
    client.post("/admin/surveys/pets/editions/2024/close", data={"csrf_token": token})
    assert audit.entries(db, 1, 0)[0]["action"] == "edition_close"
    before = audit.count(db)
    assert client.post("/admin/surveys/pets/editions/2030/open",
                       data={"csrf_token": token}).status_code == 404  # fmt: skip
    assert client.post("/admin/surveys/pets/editions/2024/drop",
                       data={"csrf_token": token}).status_code == 404  # fmt: skip
    assert audit.count(db) == before
    upload = io.BytesIO(b"office,comments\nnorth,secret words zq\n")
    done = client.post("/admin/surveys/pets/import", data={
        "csrf_token": token, "edition": "2025", "format": "csv", "file": (upload, "old.csv"),
    }, content_type="multipart/form-data")  # fmt: skip
    assert done.status_code in (200, 422)
    entry = audit.entries(db, 1, 0)[0]
    assert (entry["actor"], entry["action"]) == ("ada", "import")
    assert entry["details"]["file"] == "old.csv" and entry["details"]["survey"] == "pets"
    assert "secret words" not in str(audit.entries(db, 50, 0))
