"""Invitations made in the browser: from a pasted list, an uploaded file or a count; every
bad line named and nothing made; links shown once with a CSV; the status list and its CSV."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.adminkit import admin_client, csrf, login, make_admin

pytestmark = pytest.mark.both_engines

FOLDER = Path(__file__).parent / "invite_questionnaires"
URL = "/admin/surveys/named/invitations"
LINK = re.compile(r'readonly id="link-\d+" value="(http://127\.0\.0\.1:5000/i/[A-Za-z0-9_.-]+)"')
DATA_CSV = re.compile(r'href="data:text/csv;charset=utf-8,([^"]+)"')


@pytest.fixture
def app(make_app):
    return make_app(FOLDER)


@pytest.fixture
def admin(app):
    return admin_client(app)


def make(client, url=URL, **fields):
    token = csrf(client.get(url).text)
    data = {"csrf_token": token, "edition": "2026", "days": "30", **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def stored(db) -> list[dict]:
    return list(db.query("SELECT * FROM invitations ORDER BY id"))


def test_a_pasted_list_makes_one_working_link_per_address(app, admin, db):
    page = make(admin, emails="ada@example.org, bob@example.com\n\ncy@example.net")
    assert page.status_code == 200
    links = LINK.findall(page.text)
    assert len(links) == 3 and "shown only now" in page.text
    # Without JavaScript the links stay in read-only boxes; the copy buttons appear with it.
    assert 'data-copy="link-1" data-copy-status="copy-status" hidden>Copy' in page.text
    assert [r["email"] for r in stored(db)] == [
        "ada@example.org",
        "bob@example.com",
        "cy@example.net",
    ]
    assert admin.get(links[0].removeprefix("http://127.0.0.1:5000")).status_code == 302
    assert all(link not in admin.get(URL).text for link in links), "links are shown once"


def test_the_links_csv_comes_in_the_page_itself(admin, db):
    page = make(admin, emails="ada@example.org\nbob@example.com")
    rows = unquote(DATA_CSV.search(page.text).group(1)).splitlines()
    assert rows[0] == "link,email,expires_at"
    assert [r.split(",")[:2] for r in rows[1:]] == [
        [link, email]
        for link, email in zip(
            LINK.findall(page.text), ["ada@example.org", "bob@example.com"], strict=True
        )
    ]
    signatures = [link.rsplit(".", 1)[1] for link in LINK.findall(page.text)]
    everything = json.dumps(stored(db))
    assert not any(s in everything for s in signatures), "signatures are never stored"


def test_an_uploaded_csv_or_text_file_makes_links(admin, db):
    people = io.BytesIO("\ufeffname,email\nAda,ada@example.org\nBob,bob@example.com\n".encode())
    page = make(admin, file=(people, "people.csv"))
    assert page.status_code == 200 and len(LINK.findall(page.text)) == 2
    plain = make(admin, file=(io.BytesIO(b"cy@example.net\ndee@example.net\n"), "list.txt"))
    assert len(LINK.findall(plain.text)) == 2
    assert [r["email"] for r in stored(db)][2:] == ["cy@example.net", "dee@example.net"]


def test_bad_lines_are_named_and_nothing_is_made(admin, db):
    pasted = "ada@example.org\nbob@example.com\n\nbob@\nAda@example.org\nnot an address"
    page = make(admin, emails=pasted)
    assert page.status_code == 422
    assert "line 4: &#39;bob@&#39; is not an email address" in page.text
    assert "line 5: &#39;Ada@example.org&#39; repeats line 1" in page.text
    assert "line 6: &#39;not an address&#39; is not an email address" in page.text
    assert "3 lines refused, nothing was made" in page.text
    assert ">ada@example.org\nbob@example.com\n\nbob@" in page.text, "the list is kept"
    assert stored(db) == []
    upload = make(admin, file=(io.BytesIO(b"email\nok@example.org\nbroken\n"), "p.csv"))
    assert (
        upload.status_code == 422
        and "line 3: &#39;broken&#39; is not an email address" in upload.text
    )
    assert stored(db) == []


def test_an_address_with_an_open_invitation_is_reported(admin, db):
    make(admin, emails="ada@example.org")
    again = make(admin, emails="bob@example.com\nADA@example.org")
    assert again.status_code == 422
    assert "line 2: &#39;ADA@example.org&#39; already has an open invitation" in again.text
    assert len(stored(db)) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "give exactly one"),
        ({"emails": "a@example.org", "count": "2"}, "give exactly one"),
        ({"count": "0"}, "a whole number from 1 to 1000"),
        ({"count": "1001"}, "a whole number from 1 to 1000"),
        ({"count": "2", "days": "x"}, "a whole number from 1 to 3650"),
        ({"count": "2", "edition": "1999"}, "choose an invitation-only edition"),
        ({"file": (b"\xff\xfe", "x.csv")}, "not UTF-8 text"),
        ({"emails": "email"}, "no addresses found"),
        ({"file": (b"\n\n", "blank.txt")}, "no addresses found"),
        ({"emails": "\n".join(f"p{n}@example.org" for n in range(1001))}, "at most 1000"),
    ],
)
def test_bad_forms_are_refused_with_the_field_named(admin, db, fields, message):
    # a file is opened per run: one parameter set serves each engine
    opened = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in fields.items()}
    page = make(admin, **opened)
    assert page.status_code == 422 and message in page.text
    assert stored(db) == []


def test_a_count_makes_anonymous_links_and_an_audit_entry(app, admin, db):
    page = make(admin, URL.replace("named", "invited"), count="3", days="7")
    assert len(LINK.findall(page.text)) == 3
    rows = stored(db)
    assert [(r["survey"], r["email"]) for r in rows] == [("invited", None)] * 3
    assert rows[0]["expires_at"][:10] > rows[0]["created_at"][:10]
    entry = db.execute(
        "SELECT actor, action, details FROM audit WHERE action = 'invitation'"
    ).fetchone()
    assert entry[:2] == ("ada", "invitation")
    assert json.loads(entry[2]) == {"survey": "invited", "edition": 2026, "count": 3}


def test_the_status_list_filters_and_downloads_without_links(app, admin, db):
    page = make(admin, emails="ada@example.org\nbob@example.com")
    ada = LINK.findall(page.text)[0].removeprefix("http://127.0.0.1:5000")
    from tests.test_invitations import answer

    answer(app.test_client(), ada, "named")
    answered = admin.get(URL + "?status=answered").text
    assert "ada@example.org" in answered and "bob@example.com" not in answered
    still_open = admin.get(URL + "?status=open").text
    assert "bob@example.com" in still_open and "ada@example.org" not in still_open
    assert "No expired invitations." in admin.get(URL + "?status=expired").text
    assert admin.get(URL + "?status=nope").status_code == 400
    csv_all = admin.get(URL + ".csv")
    assert csv_all.headers["Content-Disposition"] == 'attachment; filename="named-invitations.csv"'
    lines = csv_all.text.splitlines()
    assert lines[0] == "id,edition,email,status,created_at,expires_at,used_at"
    assert [line.split(",")[2:4] for line in lines[1:]] == [
        ["ada@example.org", "answered"], ["bob@example.com", "open"]
    ]  # fmt: skip
    assert "/i/" not in csv_all.text
    only_open = admin.get(URL + ".csv?status=open").text.splitlines()
    assert len(only_open) == 2 and "bob@example.com" in only_open[1]


def test_a_formula_in_an_address_is_neutralised_in_the_csv(admin):
    make(admin, emails="=cmd@example.org")
    assert ",'=cmd@example.org," in admin.get(URL + ".csv").text


def test_an_open_questionnaire_offers_no_form(make_app):
    app = make_app()
    admin = admin_client(app)
    page = admin.get("/admin/surveys/cmo/invitations")
    assert "is open to anyone, so it takes no invitations" in page.text
    assert make(admin, "/admin/surveys/cmo/invitations", count="2").status_code == 422


def test_viewers_and_anonymous_users_cannot_make_links(app, db):
    make_admin(app, "vic", role="viewer")
    viewer = app.test_client()
    login(viewer, "vic")
    token = csrf(viewer.get("/admin/").text)
    refused = viewer.post(
        URL, data={"csrf_token": token, "edition": "2026", "count": "2", "days": "3"}
    )
    assert refused.status_code == 403
    assert viewer.get(URL + ".csv").status_code == 403
    assert app.test_client().post(URL, data={"count": "2"}).status_code in (302, 400)
    assert stored(db) == []


def test_the_csrf_token_is_required(admin, db):
    refused = admin.post(URL, data={"edition": "2026", "count": "2", "days": "3"})
    assert refused.status_code == 400
    assert stored(db) == []
