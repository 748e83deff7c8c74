"""Hostile input beyond the questionnaire pages: the log-in form, every admin POST, the
admin and export query strings, and the importer. No 5xx, nothing stored from an
invalid post, 413 over the size limit. One app per module keeps 2,000 examples cheap."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from surveyapp import SHIPPED_SURVEYS, create_app, store
from surveyapp.exchange.importer import import_file
from surveyapp.questionnaire.answers import check_definition
from surveyapp.store import accounts
from tests.adminkit import add, cmo, csrf, make_admin

PETS = SHIPPED_SURVEYS.parent.parent / "tests" / "admin_questionnaires"
EXAMPLES = 2000
RAW = st.sampled_from(["%ED%A0%80", "%00", "%FF%FE", "%C0%AF", "%E2%80%AE", "%F0%9F%98%80",
                       "a%26b%3Dc", "%25", "+", "%0D%0A"])  # fmt: skip
HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\x00", "\u202etxt.exe", "\u05e9\u05dc\u05d5\u05dd", "<script>x</script>",
                     "=1+1", "' OR 1=1 --", "\ufeff", "🧪" * 5, "../../etc/passwd", "2012",
                     "2026-01-01", "2026-13-45T99:99", "-1", "0", "1", "²", "١٢", "9" * 40,
                     "admin", "viewer", "ada", "vic", "csv", "1e9"]),
    st.just("x" * 100_000),
)  # fmt: skip
METHODS = st.sampled_from(["GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH"])
CSRF = st.sampled_from(["valid", "missing", "stale", "foreign", "repeated"])


def examples(count: int = EXAMPLES):
    return settings(
        max_examples=count, derandomize=True, deadline=None, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large],
    )  # fmt: skip


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    # On tmpfs when there is one: thousands of small commits, each fsynced by design.
    shm = Path("/dev/shm")  # noqa: S108 - a private mkdtemp folder inside it
    folder = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp_path_factory.mktemp("h")
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "DATABASE": str(folder / "h.db"),
        "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS), str(PETS)], "MAX_CONTENT_LENGTH": 256 * 1024,
    }, init_db=True)  # fmt: skip
    make_admin(app, "ada", role="admin")
    make_admin(app, "vic", role="viewer")
    for n in range(3):
        add(app, "cmo", cmo(comments=f"c{n}"))
    yield app
    store.close_thread_connections()
    shutil.rmtree(folder, ignore_errors=True)


def database(app):
    return store.thread_connection(app.config["DATABASE"])


def snapshot(app) -> tuple:
    """What an invalid admin post must leave alone: accounts, responses, editions."""
    db = database(app)
    return (
        db.execute("SELECT username, role, password_hash FROM admins ORDER BY id").fetchall(),
        db.execute("SELECT count(*), max(id) FROM responses").fetchone(),
        db.execute("SELECT * FROM editions ORDER BY survey, edition").fetchall(),
    )


def sign_in(app, client, username="ada") -> None:
    """Put a valid session of `username` (its current generation) into the client."""
    generation = accounts.get_admin(database(app), username)["session_generation"]
    now = int(time.time())
    with client.session_transaction() as session:
        session.update(admin=username, gen=generation, since=now, seen=now)


def signed_in(app, username="ada"):
    client = app.test_client()
    sign_in(app, client, username)
    return client


def tokens(app, client) -> dict[str, str]:
    foreign = app.test_client()
    stale = URLSafeTimedSerializer("an-old-secret", salt="wtf-csrf-token").dumps("f" * 40)
    return {"valid": csrf(client.get("/admin/login").text), "stale": stale,
            "foreign": csrf(foreign.get("/admin/login").text)}  # fmt: skip


def form_posts(names: list[str]):
    value = st.one_of(HOSTILE_TEXT, st.lists(HOSTILE_TEXT, min_size=2, max_size=3))
    return st.fixed_dictionaries({
        "fields": st.dictionaries(st.one_of(st.sampled_from(names), st.text(max_size=10)),
                                  value, max_size=5),
        "csrf": CSRF, "method": METHODS,
        "raw": st.one_of(st.none(), st.lists(st.tuples(st.sampled_from(names), RAW), max_size=4)),
    })  # fmt: skip


def send(client, url: str, post: dict, known: dict[str, str]):
    """Send one hostile form: a MultiDict of the fields, or a raw urlencoded body."""
    token = {"missing": None, "repeated": known["valid"]}.get(post["csrf"], known.get(post["csrf"]))
    pairs = [
        (k, v) for k, vs in post["fields"].items() for v in (vs if isinstance(vs, list) else [vs])
    ]
    if token:
        pairs.append(("csrf_token", token))
    if post["csrf"] == "repeated":
        pairs.append(("csrf_token", known["foreign"]))
    if post["raw"] is not None:
        body = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs if len(v) < 1000)
        body += "".join(f"&{k}={raw}" for k, raw in post["raw"])
        return client.open(url, method=post["method"], data=body.encode(),
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    return client.open(url, method=post["method"], data=MultiDict(pairs))


def test_hostile_login_posts(hostile):
    client = hostile.test_client()
    known = tokens(hostile, client)
    before = snapshot(hostile)

    @examples()
    @given(post=form_posts(["username", "password", "next"]))
    def run(post):
        response = send(client, "/admin/login", post, known)
        assert response.status_code in (200, 400, 401, 405, 413, 429), response.status_code
        assert response.status_code != 302, "no hostile post logs in"

    run()
    assert snapshot(hostile) == before


def test_hostile_role_changes(hostile):
    client = signed_in(hostile)
    known = tokens(hostile, client)
    db = database(hostile)
    usernames = st.one_of(st.sampled_from(["vic", "ada", "nobody"]), st.text(max_size=20))

    @examples()
    @given(post=form_posts(["role"]), username=usernames)
    def run(post, username):
        before = snapshot(hostile)
        entries = db.execute("SELECT count(*) FROM audit").fetchone()[0]
        # "%2F" arrives as "/": werkzeug redirects "//" (308) before any view runs.
        url = f"/admin/users/{quote(username, safe='')}/role"
        response = send(client, url, post, known)
        status = response.status_code
        assert status in (302, 308, 400, 404, 405, 409, 413), status
        after = snapshot(hostile)
        if status != 302:
            assert after == before
            return
        roles = dict((u, r) for u, r, _h in after[0])
        changed = roles != dict((u, r) for u, r, _h in before[0])
        assert set(roles.values()) <= {"admin", "viewer"} and "admin" in roles.values()
        assert db.execute("SELECT count(*) FROM audit").fetchone()[0] == entries + changed

    run()


def test_hostile_account_changes(hostile):
    """Disable/enable, clear failures and password resets of any account but the one
    signed in: no 5xx; a refused post changes no account and writes no audit entry."""
    db = database(hostile)
    accounts.set_role(db, "ada", "admin")
    client = signed_in(hostile)
    known = tokens(hostile, client)
    usernames = st.one_of(st.sampled_from(["vic", "nobody"]), st.text(max_size=20))
    actions = st.sampled_from(["status", "unlock", "password"])

    def state():
        return db.execute("SELECT * FROM admins ORDER BY id").fetchall()

    @examples(600)
    @given(post=form_posts(["status", "password", "generate"]), username=usernames,
           action=actions)  # fmt: skip
    def run(post, username, action):
        if username == "ada":
            return
        before = state()
        entries = db.execute("SELECT count(*) FROM audit").fetchone()[0]
        url = f"/admin/users/{quote(username, safe='')}/{action}"
        response = send(client, url, post, known)
        status = response.status_code
        assert status in (200, 302, 308, 400, 404, 405, 409, 413, 422), status
        if status not in (200, 302):
            assert state() == before
            assert db.execute("SELECT count(*) FROM audit").fetchone()[0] == entries

    run()
    assert accounts.get_admin(db, "ada")["disabled_at"] is None


def test_hostile_edition_changes(hostile):
    client = signed_in(hostile)
    known = tokens(hostile, client)
    db = database(hostile)
    editions = st.one_of(st.sampled_from(["2012", "2011", "0", "-1", "99999999999999999999"]),
                         st.text(max_size=8))  # fmt: skip
    actions = st.one_of(st.sampled_from(["open", "close", "drop"]), st.text(max_size=8))

    @examples()
    @given(post=form_posts(["action", "edition"]), edition=editions, action=actions)
    def run(post, edition, action):
        before = snapshot(hostile)
        entries = db.execute("SELECT count(*) FROM audit").fetchone()[0]
        url = f"/admin/surveys/cmo/editions/{quote(edition, safe='')}/{quote(action, safe='')}"
        response = send(client, url, post, known)
        status = response.status_code
        assert status in (303, 308, 400, 404, 405, 413), status
        if status != 303:
            assert snapshot(hostile) == before
        assert db.execute("SELECT count(*) FROM audit").fetchone()[0] == entries + (status == 303)

    run()


def test_hostile_logout_posts(hostile):
    client = signed_in(hostile)
    known = tokens(hostile, client)

    @examples()
    @given(post=form_posts(["next"]))
    def run(post):
        sign_in(hostile, client)
        response = send(client, "/admin/logout", post, known)
        assert response.status_code in (302, 400, 405, 413), response.status_code
        if response.status_code == 302:
            known["valid"] = csrf(client.get("/admin/login").text)

    run()


PAGES = [
    "/admin/", "/admin/surveys/cmo", "/admin/surveys/cmo/tallies.json",
    "/admin/surveys/pets/responses", "/admin/surveys/cmo/responses/nope", "/admin/audit",
    "/admin/users", "/admin/surveys/cmo/trends", "/admin/surveys/cmo/trends.json",
    "/admin/report/2012", "/admin/compare/2012", "/admin/surveys/cmo/import",
]  # fmt: skip
DOWNLOADS = [
    "/admin/surveys/pets/export.csv", "/admin/surveys/pets/export.jsonl",
    "/admin/surveys/pets/export.xlsx", "/admin/surveys/cmo/codebook.csv",
]  # fmt: skip
QUERY_KEYS = ["edition", "since", "until", "page", "labels", "order", "partial"]


def query_strings():
    pairs = st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=8)),
                               HOSTILE_TEXT), max_size=5)  # fmt: skip
    raw = st.lists(st.tuples(st.sampled_from(QUERY_KEYS), RAW), min_size=1, max_size=4)
    return st.one_of(pairs.map(lambda p: ("pairs", p)), raw.map(lambda r: ("raw", r)))


# The pages share one filter parser (edition, since, until, page): 2,000 examples for
# each group, the path drawn per example, keep the file near a minute of CPU.
@pytest.mark.parametrize("paths", [PAGES, DOWNLOADS], ids=["pages", "downloads"])
def test_hostile_admin_query_strings(hostile, paths):
    client = signed_in(hostile)
    before = snapshot(hostile)

    @examples()
    @given(path=st.sampled_from(paths), query=query_strings())
    def run(path, query):
        kind, pairs = query
        if kind == "raw":
            string = "&".join(f"{k}={v}" for k, v in pairs)
        else:
            string = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs if len(v) < 5000)
        response = client.get(path, query_string=string)
        assert response.status_code in (200, 304, 400, 404), response.status_code
        response.get_data()  # a streamed export fails while streaming, not before

    run()
    assert snapshot(hostile) == before


def import_files():
    fields = ["response_id", "submitted_at", "edition", "office", "pets", "comments",
              "views-allowed", "views-welcome"]  # fmt: skip
    cell = st.one_of(HOSTILE_TEXT, st.sampled_from(["north", "south", "cat;dog", "cat;cat",
                                                    "agree", "disagree", "2025"]))  # fmt: skip
    header = st.lists(st.one_of(st.sampled_from(fields), st.text(max_size=8)), max_size=6)

    def csv_file(head_rows):
        head, rows = head_rows
        lines = [",".join(head)] + [",".join(json.dumps(c) for c in row) for row in rows]
        return "\r\n".join(lines).encode("utf-8", "surrogatepass"), "csv"

    csv_data = st.tuples(header, st.lists(st.lists(cell, max_size=7), max_size=4)).map(csv_file)
    jsonl = st.lists(st.dictionaries(st.sampled_from(fields), st.one_of(cell, st.lists(cell)),
                                     max_size=6), max_size=4)  # fmt: skip
    jsonl_data = jsonl.map(lambda rows: ("\n".join(json.dumps(r) for r in rows).encode(), "jsonl"))
    raw = st.tuples(st.binary(max_size=200), st.sampled_from(["csv", "jsonl"]))
    return st.one_of(csv_data, jsonl_data, raw)


def test_hostile_import_files(hostile):
    db = database(hostile)
    catalog = hostile.extensions["surveys"]
    definition = catalog["pets"][2025]

    @examples()
    @given(upload=import_files())
    def run(upload):
        data, fmt = upload
        before = db.execute("SELECT count(*) FROM responses").fetchone()[0]
        result = import_file(db, catalog, "pets", 2025, data, fmt, name=f"upload.{fmt}")
        after = db.execute("SELECT count(*) FROM responses").fetchone()[0]
        assert after == before + (result.created if result.ok else 0)

    run()
    for row in db.query("SELECT answers FROM responses WHERE survey = 'pets'"):
        answers = json.loads(row["answers"])
        assert check_definition(definition, answers) == (answers, {})


def test_hostile_upload_posts(hostile):
    client = signed_in(hostile)
    known = tokens(hostile, client)
    db = database(hostile)
    fields = st.fixed_dictionaries({
        "edition": st.one_of(st.sampled_from(["2025", "2024", "1899", "２０２５", "²"]),
                             st.text(max_size=30)),
        "format": st.one_of(st.sampled_from(["csv", "jsonl", "xlsx"]), st.text(max_size=5)),
    })  # fmt: skip

    @examples()
    @given(upload=import_files(), form=fields, csrf_choice=CSRF, name=st.text(max_size=20),
           with_file=st.booleans())  # fmt: skip
    def run(upload, form, csrf_choice, name, with_file):
        data, _fmt = upload
        # werkzeug's test client spools a multipart body over 500 kB to a temporary file it
        # never closes (a ResourceWarning); bodies over the limit are the 413 test's part.
        data = data[:200_000]
        body = dict(form)
        token = {"missing": None, "repeated": known["valid"]}.get(
            csrf_choice, known.get(csrf_choice)
        )
        if token:
            body["csrf_token"] = token
        if with_file:
            body["file"] = (io.BytesIO(data), name or "upload.csv")
        before = db.execute("SELECT count(*) FROM responses").fetchone()[0]
        response = client.post("/admin/surveys/pets/import", data=body,
                               content_type="multipart/form-data")  # fmt: skip
        status = response.status_code
        assert status in (200, 400, 413, 422), status
        after = db.execute("SELECT count(*) FROM responses").fetchone()[0]
        assert status == 200 or after == before

    run()
    definition = hostile.extensions["surveys"]["pets"][2025]
    for row in db.query("SELECT answers FROM responses WHERE survey = 'pets'"):
        answers = json.loads(row["answers"])
        assert check_definition(definition, answers) == (answers, {})


@pytest.mark.parametrize(
    "url",
    [
        "/admin/login",
        "/admin/users/vic/role",
        "/admin/logout",
        "/admin/surveys/cmo/editions/2012/close",
        "/admin/surveys/pets/import",
    ],
)
def test_a_body_over_the_limit_gets_413(hostile, url):
    client = signed_in(hostile)
    token = csrf(client.get("/admin/login").text)
    before = snapshot(hostile)
    response = client.post(url, data={"csrf_token": token, "role": "x" * 300_000})
    assert response.status_code == 413 and snapshot(hostile) == before


def test_out_of_range_numbers_and_times_are_refused_not_crashed(hostile):
    """Each of these once raised (500): int() of "²", an edition past SQLite's integers,
    a time before year 1 once moved to UTC."""
    client = signed_in(hostile)
    assert client.get("/s/cmo?page=²").status_code in (200, 410)  # 410: edition closed earlier
    for query in (
        "edition=" + "9" * 40,
        "since=0001-01-01T00:00%2B01:00",
        "until=0001-01-01T00:00%2B01:00",
    ):
        assert client.get(f"/admin/surveys/cmo/responses?{query}").status_code == 400, query
    result = import_file(
        database(hostile), hostile.extensions["surveys"], "pets", 2025,
        b"submitted_at,office\n0001-01-01T00:00+01:00,north\n", "csv", name="old.csv",
    )  # fmt: skip
    assert not result.ok and any("submitted_at" in e for e in result.errors)
