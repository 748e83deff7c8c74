"""Invitation-only editions: links made by the CLI, answered once, resumed elsewhere."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from surveyapp import store
from surveyapp.questionnaire.loader import DefinitionError, parse_definition
from surveyapp.store import invitations
from surveyapp.store.migrations import hardening
from surveyapp.store.timestamps import TIME_FORMAT
from tests.adminkit import admin_client, login, make_admin
from tests.walker import Respondent, hidden

pytestmark = pytest.mark.both_engines

FOLDER = Path(__file__).parent / "invite_questionnaires"
LINK = re.compile(r"http://127\.0\.0\.1:5000(/i/[A-Za-z0-9_.-]+)")
PAGES = [{"first": "hello"}, {"second": "x"}]


@pytest.fixture
def app(make_app):
    return make_app(FOLDER)


def invite(app, survey="invited", *args) -> list[str]:
    result = app.test_cli_runner().invoke(args=["invite", survey, *args])
    assert result.exit_code == 0, result.output
    return LINK.findall(result.stdout)


def answer(client, link: str, survey="invited", pages=PAGES):
    assert client.get(link).status_code == 302
    return Respondent(client, survey).complete(pages)


def refusal_shape(response) -> str:
    """The page with its message removed: what tells invitation states apart."""
    body = response.get_data(as_text=True)
    return re.sub(r'<div class="notice" role="alert">.*?</div>', "", body, flags=re.S)


def test_count_makes_signed_unique_links(app, db):
    links = invite(app, "invited", "--count", "5")
    assert len(set(links)) == 5
    rows = list(db.query("SELECT * FROM invitations"))
    assert [(r["survey"], r["edition"], r["email"], r["used_at"]) for r in rows] == [
        ("invited", 2026, None, None)
    ] * 5
    token_ids = {link.removeprefix("/i/").split(".")[0] for link in links}
    assert token_ids == {r["token_id"] for r in rows}
    stored = " ".join(str(v) for r in rows for v in r.values())
    assert not any(link.split(".")[1] in stored for link in links), "signatures are not stored"


def test_from_csv_writes_links_with_emails(app, db, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("name,email\nAda,ada@example.org\nBob,bob@example.com\n", encoding="utf-8")
    out = tmp_path / "links.csv"
    invite(app, "invited", "--from", str(people), "-o", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "link,email,expires_at"
    assert [line.split(",")[1] for line in lines[1:]] == ["ada@example.org", "bob@example.com"]
    assert db.execute("SELECT count(*) FROM invitations WHERE email IS NOT NULL").fetchone()[0] == 2


def test_bad_csv_rows_are_reported_and_nothing_is_written(app, db, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("email\nada@example.org\nnot-an-email\n\nada@example.org\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["invite", "invited", "--from", str(people)])
    assert result.exit_code == 1
    assert "people.csv:row 3: email: 'not-an-email' is not an email address" in result.output
    assert "people.csv:row 5: email: 'ada@example.org' repeats row 2" in result.output
    assert "Nothing written" in result.output
    assert db.execute("SELECT count(*) FROM invitations").fetchone()[0] == 0
    people.write_text("name\nAda\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["invite", "invited", "--from", str(people)])
    assert "people.csv:row 1: email: no 'email' column" in result.output


def test_open_editions_get_no_invitations(app):
    result = app.test_cli_runner().invoke(args=["invite", "t_pages", "--count", "1"])
    assert result.exit_code == 1
    assert "access: invitation" in result.output


def test_a_link_answers_once(app, db):
    [link] = invite(app, "invited", "--count", "1")
    client = app.test_client()
    response = answer(client, link)
    assert response.status_code == 302 and "/thanks" in response.headers["Location"]
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 1
    again = app.test_client().get(link)
    assert again.status_code == 403 and "already been answered" in again.text
    same_browser = client.get("/s/invited")
    assert same_browser.status_code == 403 and "already been answered" in same_browser.text
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0


def test_the_same_link_resumes_on_a_second_device(app, db):
    [link] = invite(app, "invited", "--count", "1")
    laptop, phone = app.test_client(), app.test_client()
    laptop.get(link)
    Respondent(laptop, "invited").post(1, {"first": "started on the laptop"})
    phone.get(link)
    page1 = phone.get("/s/invited?page=1").text
    assert 'value="started on the laptop"' in page1
    walker = Respondent(phone, "invited")
    walker.open(2)
    response = walker.post(2, {"second": "y"}, action="submit")
    assert response.status_code == 302
    [stored] = [r["answers"] for r in db.query("SELECT answers FROM responses")]
    assert stored == '{"first": "started on the laptop", "second": "y"}'


def test_used_expired_and_invalid_pages_look_alike(app, db):
    used, expired, other = invite(app, "invited", "--count", "3")
    answer(app.test_client(), used)
    db.execute("UPDATE invitations SET expires_at = '2000-01-01T00:00:00.000000Z'"
               " WHERE token_id = ?", [expired.removeprefix("/i/").split(".")[0]])  # fmt: skip
    db.conn.commit()
    [named] = invite(app, "named", "--count", "1")
    token_id, signature = other.removeprefix("/i/").split(".")
    pages = {
        "used": app.test_client().get(used),
        "expired": app.test_client().get(expired),
        "forged": app.test_client().get(f"/i/{token_id}.{'0' * len(signature)}"),
        "unknown": app.test_client().get(f"/i/{invitations.make_token('test-secret', 'nope')}"),
        "garbage": app.test_client().get("/i/%3Cscript%3E"),
        "other survey's id, this signature": app.test_client().get(
            f"/i/{named.removeprefix('/i/').split('.')[0]}.{signature}"
        ),
    }
    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 403)
    shapes = {refusal_shape(r) for r in pages.values()}
    assert len(shapes) == 1
    assert "already been answered" in pages["used"].text
    assert "has expired" in pages["expired"].text
    invalid = {r.text for name, r in pages.items() if name not in ("used", "expired")}
    assert len(invalid) == 1 and "not a valid invitation" in invalid.pop()


def test_without_an_invitation_the_edition_refuses(app, db):
    client = app.test_client()
    page = client.get("/s/invited")
    assert page.status_code == 403 and "by invitation only" in page.text
    assert "submission_key" not in page.text
    other = app.test_client()
    [link] = invite(app, "invited", "--count", "1")
    other.get(link)
    tokens = hidden(other.get("/s/invited?page=2").text)
    post = client.post("/s/invited?page=2", data={**tokens, "second": "x", "action": "submit"})
    assert post.status_code == 403
    assert client.get("/").text.count("/s/invited") == 0
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


def test_parallel_use_of_one_link_stores_one_response(app, db):
    [link] = invite(app, "invited", "--count", "1")
    posts = []
    for _ in range(6):
        client = app.test_client()
        client.get(link)
        walker = Respondent(client, "invited")
        walker.post(1, PAGES[0])
        posts.append((client, hidden(client.get("/s/invited?page=2").text)))
    barrier, results = threading.Barrier(len(posts)), []

    def submit(client, tokens):
        barrier.wait(timeout=10)
        data = {**tokens, "action": "submit", **PAGES[1]}
        results.append(client.post("/s/invited?page=2", data=data).status_code)

    threads = [threading.Thread(target=submit, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [302] + [403] * 5
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 1
    counted = db.execute("SELECT count FROM counters WHERE field = '*'").fetchone()[0]
    assert counted == 1


def test_anonymous_editions_keep_no_link(app, db):
    [link] = invite(app, "invited", "--count", "1")
    answer(app.test_client(), link)
    [row] = db.query("SELECT used_at, response_id, attempts_since FROM invitations")
    # No time of use at all: a day on both sides would pair them on a day with one answer.
    assert row == {"used_at": "anonymous", "response_id": None, "attempts_since": None}
    [response] = db.query("SELECT submission_key, submitted_at FROM responses")
    assert response["submission_key"] is None
    assert response["submitted_at"] == store.utcnow()[:10] + "T00:00:00.000000Z"
    admin = admin_client(app)
    export = admin.get("/admin/surveys/invited/export.csv").text
    assert export.splitlines()[0] == (
        "response_id,submitted_at,edition,version,status,not_shown,language,first,second"
    )
    page = admin.get("/admin/surveys/invited/invitations").text
    assert "<td>yes</td><td>not kept (anonymous)</td>" in page
    assert store.utcnow()[:10] not in page.split("<caption>Invitations</caption>")[1]


def test_non_anonymous_editions_keep_exact_times(app, db):
    [link] = invite(app, "named", "--count", "1")
    answer(app.test_client(), link, "named")
    [row] = db.query("SELECT used_at, response_id FROM invitations")
    [response] = db.query("SELECT response_id, submitted_at FROM responses")
    assert row["response_id"] == response["response_id"]
    assert len(row["used_at"]) == len(response["submitted_at"]) == len(store.utcnow())
    assert response["submitted_at"] != invitations.day_start(response["submitted_at"])


def test_non_anonymous_export_ties_answers_to_emails(app, db, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("email\nada@example.org\nbob@example.com\n", encoding="utf-8")
    ada, _bob = invite(app, "named", "--from", str(people))
    answer(app.test_client(), ada, "named", [{"first": "Ada's"}, {"second": "y"}])
    admin = admin_client(app)
    lines = admin.get("/admin/surveys/named/export.csv").text.splitlines()
    assert lines[0] == (
        "response_id,submitted_at,edition,version,status,not_shown,language,email,first,second"
    )
    assert len(lines) == 2 and lines[1].endswith(",ada@example.org,Ada's,y")
    codebook = admin.get("/admin/surveys/named/codebook.csv").text
    assert "email,Email of the invitation" in codebook


def test_admin_invitations_page_shows_who_responded(app, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("email\nada@example.org\nbob@example.com\n", encoding="utf-8")
    ada, _bob = invite(app, "named", "--from", str(people))
    answer(app.test_client(), ada, "named")
    admin = admin_client(app)
    page = admin.get("/admin/surveys/named/invitations")
    assert page.status_code == 200
    rows = re.findall(r"<tr><td>([^<]*)</td><td>2026</td><td>(yes|no)</td><td>(.*?)</td>",
                      page.text)  # fmt: skip
    assert [(email, done) for email, done, _when in rows] == [
        ("ada@example.org", "yes"), ("bob@example.com", "no")
    ]  # fmt: skip
    assert rows[0][2].startswith('<time datetime="20') and rows[1][2] == ""
    assert "<td>2</td><td>1</td><td>0</td><td>1</td>" in page.text
    make_admin(app, "vic", role="viewer")
    viewer = app.test_client()
    login(viewer, "vic")
    assert viewer.get("/admin/surveys/named/invitations").status_code == 403
    assert app.test_client().get("/admin/surveys/named/invitations").status_code == 302


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ("access: secret\n", "x.yaml: access: must be one of open, invitation, not 'secret'"),
        ("anonymous: maybe\naccess: invitation\n", "x.yaml: anonymous: must be true or false"),
        ("anonymous: false\n", "x.yaml: anonymous: false needs access: invitation"),
    ],
)
def test_definition_access_keys_are_checked(extra, error):
    text = (FOLDER / "invited.yaml").read_text(encoding="utf-8")
    text = text.replace("access: invitation\nanonymous: true\n", extra)
    with pytest.raises(DefinitionError) as raised:
        parse_definition(text, "x.yaml")
    assert any(e.startswith(error) for e in raised.value.errors), raised.value.errors


def test_expired_invitations_cannot_submit_a_started_draft(app, db):
    [link] = invite(app, "invited", "--count", "1")
    client = app.test_client()
    client.get(link)
    Respondent(client, "invited").post(1, PAGES[0])
    tokens = hidden(client.get("/s/invited?page=2").text)
    db.execute("UPDATE invitations SET expires_at = '2000-01-01T00:00:00.000000Z'")
    db.conn.commit()
    post = client.post("/s/invited?page=2", data={**tokens, "action": "submit", **PAGES[1]})
    assert post.status_code == 403 and "has expired" in post.text
    assert store.response_for_key(db, tokens["submission_key"]) is None
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


def test_attempts_per_invitation_are_limited(make_app):
    app = make_app(FOLDER, INVITATION_ATTEMPTS=2)
    [link] = invite(app, "invited", "--count", "1")
    client = app.test_client()
    client.get(link)
    Respondent(client, "invited").post(1, PAGES[0])
    tokens = hidden(client.get("/s/invited?page=2").text)
    database = store.thread_connection(app.config["DATABASE"])
    database.execute("UPDATE invitations SET attempts = 2, attempts_since = ?", [store.utcnow()])
    database.conn.commit()
    post = client.post("/s/invited?page=2", data={**tokens, "action": "submit", **PAGES[1]})
    assert post.status_code == 429 and "too many times" in post.text
    assert 'value="x" checked' in post.text or 'checked value="x"' in post.text
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


def submit_last_page(app, link: str):
    """Open the link, answer page 1, and return (client, tokens of page 2)."""
    client = app.test_client()
    client.get(link)
    Respondent(client, "invited").post(1, PAGES[0])
    return client, hidden(client.get("/s/invited?page=2").text)


def test_the_attempt_window_is_real_and_resets(make_app):
    app = make_app(FOLDER, INVITATION_ATTEMPTS=2, INVITATION_ATTEMPT_WINDOW_SECONDS=600)
    [link] = invite(app, "invited", "--count", "1")
    client, tokens = submit_last_page(app, link)
    database = store.thread_connection(app.config["DATABASE"])
    eleven_minutes_ago = (datetime.now(UTC) - timedelta(minutes=11)).strftime(TIME_FORMAT)
    database.execute("UPDATE invitations SET attempts = 40, attempts_since = ?",
                     [eleven_minutes_ago])  # fmt: skip
    database.conn.commit()
    post = client.post("/s/invited?page=2", data={**tokens, "action": "submit", **PAGES[1]})
    assert post.status_code == 302 and "/thanks" in post.headers["Location"]
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 1


def test_attempts_count_within_one_window(make_app):
    app = make_app(FOLDER)
    [link] = invite(app, "invited", "--count", "1")
    db = store.thread_connection(app.config["DATABASE"])
    [token_id] = [r[0] for r in db.execute("SELECT token_id FROM invitations")]
    assert [invitations.count_attempt(db, token_id, 600) for _ in range(3)] == [1, 2, 3]
    started = db.execute("SELECT attempts_since FROM invitations").fetchone()[0]
    assert invitations.count_attempt(db, token_id, 0) == 1  # the window has passed: a new one
    assert db.execute("SELECT attempts_since FROM invitations").fetchone()[0] > started
    assert invitations.count_attempt(db, "no such token", 600) == 0


# A trigger failing every count of attempts, and the statement that removes it, per engine.
REFUSE_ATTEMPTS = {
    "sqlite": ("CREATE TRIGGER refuse BEFORE UPDATE OF attempts ON invitations"
               " BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END", "DROP TRIGGER refuse"),
    "postgresql": ("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                   " RAISE EXCEPTION 'disk I/O error' USING ERRCODE = 'io_error'; END $$;"
                   " CREATE TRIGGER refuse BEFORE UPDATE OF attempts ON invitations"
                   " FOR EACH ROW EXECUTE FUNCTION refuse()", "DROP TRIGGER refuse ON invitations"),
}  # fmt: skip


def test_a_database_error_counting_attempts_gives_503_with_the_answers_kept(make_app, engine):
    app = make_app(FOLDER)
    [link] = invite(app, "invited", "--count", "1")
    client, tokens = submit_last_page(app, link)
    database = store.thread_connection(app.config["DATABASE"])
    create, drop = REFUSE_ATTEMPTS[engine]
    database.executescript(create)
    database.conn.commit()
    post = client.post("/s/invited?page=2", data={**tokens, "action": "submit", **PAGES[1]})
    assert post.status_code == 503 and "could not save your answers" in post.text
    assert 'value="x" checked' in post.text or 'checked value="x"' in post.text
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    database.execute(drop)
    database.conn.commit()
    again = client.post("/s/invited?page=2", data={**tokens, "action": "submit", **PAGES[1]})
    assert again.status_code == 302
    assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 1


def test_admin_invitations_page_is_paged(make_app):
    app = make_app(FOLDER, RESPONSES_PER_PAGE=2)
    invite(app, "invited", "--count", "3")
    admin = admin_client(app)
    first = admin.get("/admin/surveys/invited/invitations").text
    second = admin.get("/admin/surveys/invited/invitations?page=2").text
    assert (
        first.count("<td>#") == 2
        and 'rel="next" href="/admin/surveys/invited/invitations?page=2"' in first
    )
    assert second.count("<td>#") == 1 and 'rel="next"' not in second and 'rel="prev"' in second
    assert "(anonymous)" in first
    assert admin.get("/admin/surveys/invited/invitations?page=0").status_code == 400


def test_invite_needs_exactly_one_source_and_a_new_output(app, db, tmp_path):
    runner = app.test_cli_runner()
    neither = runner.invoke(args=["invite", "invited"])
    assert neither.exit_code == 1 and "either --count N or --from" in neither.output
    existing = tmp_path / "links.csv"
    existing.write_text("keep me", encoding="utf-8")
    clash = runner.invoke(args=["invite", "invited", "--count", "1", "-o", str(existing)])
    assert clash.exit_code == 1 and "exists" in clash.output
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert db.execute("SELECT count(*) FROM invitations").fetchone()[0] == 0


def test_the_migration_coarsens_what_anonymous_editions_stored_before(app, db):

    [anonymous] = invite(app, "invited", "--count", "1")
    [named] = invite(app, "named", "--count", "1")
    answer(app.test_client(), anonymous)
    answer(app.test_client(), named, "named")
    exact = "2026-03-04T15:16:17.181920Z"
    db.execute("UPDATE responses SET submitted_at = ?", [exact])  # as stored before the fix
    db.execute("UPDATE invitations SET used_at = '2026-03-04' WHERE response_id IS NULL")
    db.conn.commit()
    with store.immediate(db):
        hardening.m005_privacy_anonymous_days(db)
    times = dict(db.execute("SELECT survey, submitted_at FROM responses").fetchall())
    assert times == {"invited": "2026-03-04T00:00:00.000000Z", "named": exact}
    uses = dict(db.execute("SELECT survey, used_at FROM invitations").fetchall())
    assert uses["invited"] == "anonymous" and len(uses["named"]) == len(exact)
