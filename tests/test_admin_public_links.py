"""The public link and its QR code on the dashboard and a questionnaire's page: only for
an edition open to anyone; an invitation-only or closed one says why there is none."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import segno

from surveyapp.web.admin import sharing
from tests.adminkit import admin_client, csrf, login, make_admin

pytestmark = pytest.mark.both_engines

FOLDER = Path(__file__).parent / "invite_questionnaires"
CMO_LINK = "http://127.0.0.1:5000/s/cmo"


def expected_svg(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=4, border=4, xmldecl=False,
                                     title="QR code")  # fmt: skip
    return buffer.getvalue()


def test_the_dashboard_shows_each_open_questionnaires_link_and_qr_code(app):
    admin = admin_client(app)
    page = admin.get("/admin/").text
    assert f'readonly id="link-cmo" value="{CMO_LINK}"' in page
    assert 'data-copy="link-cmo"' in page and "/admin/surveys/cmo/qr.svg" in page
    qr = admin.get("/admin/surveys/cmo/qr.svg")
    assert qr.mimetype == "image/svg+xml" and qr.data == expected_svg(CMO_LINK)
    png = admin.get("/admin/surveys/cmo/qr.png?download=1")
    assert png.data.startswith(b"\x89PNG") and "cmo-qr.png" in png.headers["Content-Disposition"]


def test_the_public_link_follows_the_public_url_setting(make_app):
    app = make_app(PUBLIC_URL="https://survey.example.org/")
    admin = admin_client(app)
    assert 'value="https://survey.example.org/s/cmo"' in admin.get("/admin/surveys/cmo").text
    qr = admin.get("/admin/surveys/cmo/qr.svg").data
    assert qr == expected_svg("https://survey.example.org/s/cmo")


def test_the_questionnaire_page_shows_its_link(app):
    admin = admin_client(app)
    page = admin.get("/admin/surveys/cmo").text
    assert '<h2 id="share-title-cmo">Public link</h2>' in page
    assert f'value="{CMO_LINK}"' in page and "Edition 2012 is open to anyone" in page


def test_a_closed_questionnaire_has_no_link_to_share(app):
    admin = admin_client(app)
    page = admin.get("/admin/surveys/cmo").text
    admin.post("/admin/surveys/cmo/editions/2012/close", data={"csrf_token": csrf(page)})
    closed = admin.get("/admin/surveys/cmo").text
    assert "No edition is open, so there is no public link" in closed
    assert 'id="link-cmo"' not in closed and "qr.svg" not in closed


def test_an_invitation_only_edition_says_it_has_no_public_link(make_app):
    app = make_app(FOLDER)
    admin = admin_client(app)
    page = admin.get("/admin/").text
    assert "Edition 2026 is invitation-only, so it has no public link" in page
    assert 'href="/admin/surveys/named/invitations">Make invitation links' in page
    assert 'id="link-named"' not in page and "/surveys/named/qr" not in page
    assert 'id="link-t_pages"' in page


def test_viewers_see_the_link_and_qr_code_but_no_invitation_link(make_app):
    app = make_app(FOLDER)
    make_admin(app, "vic", role="viewer")
    viewer = app.test_client()
    login(viewer, "vic")
    page = viewer.get("/admin/").text
    assert 'id="link-t_pages"' in page and "Make invitation links" not in page
    assert viewer.get("/admin/surveys/t_pages/qr.svg").status_code == 200
    assert viewer.get("/admin/surveys/nope/qr.svg").status_code == 404


def test_polling_the_dashboard_sends_no_links(app):
    admin = admin_client(app)
    assert "link-cmo" not in admin.get("/admin/?partial=1").text


def test_one_qr_drawing_serves_builder_and_dashboard(app):
    with app.test_request_context():
        assert sharing.qr_code(CMO_LINK, "svg") == expected_svg(CMO_LINK)
        assert sharing.public_link("cmo") == CMO_LINK


def test_the_builder_and_the_dashboard_draw_the_same_code(app):
    admin = admin_client(app)
    builder = admin.get("/admin/questionnaires/cmo/qr.svg").data
    assert builder == admin.get("/admin/surveys/cmo/qr.svg").data == expected_svg(CMO_LINK)
