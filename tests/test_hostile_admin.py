"""Hostile input beyond the questionnaire pages: the log-in form and its redirect target,
every admin POST, the query strings of every admin page and export, and the importer.
No 5xx, nothing stored from an invalid post, 413 over the size limit. One app per module
keeps 2,000 examples (the thorough profile) cheap."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer
from markupsafe import escape
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from surveyapp import SHIPPED_SURVEYS, create_app, store
from surveyapp.exchange.importer import import_file
from surveyapp.questionnaire.answers import check_definition
from surveyapp.store import accounts
from tests import pgcluster
from tests.adminkit import PASSWORD, add, cmo, csrf, make_admin
from tests.conftest import examples
from tests.hostile import EDITS, NUMBERS, RAW, edited, form_body, redirect_targets

pytestmark = pytest.mark.both_engines

PETS = SHIPPED_SURVEYS.parent.parent / "tests" / "admin_questionnaires"
HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\x00", "\u202etxt.exe", "\u05e9\u05dc\u05d5\u05dd", "<script>x</script>",
                     "=1+1", "' OR 1=1 --", "\ufeff", "🧪" * 5, "../../etc/passwd", "2012",
                     "2026-01-01", "2026-13-45T99:99", "-1", "0", "1", "²", "١٢", "9" * 40,
                     "admin", "viewer", "ada", "vic", "csv", "1e9"]),
    st.just("x" * 100_000),
)  # fmt: skip
METHODS = st.sampled_from(["GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH"])
CSRF = st.sampled_from(["valid", "missing", "stale", "foreign", "repeated", "edited"])


@pytest.fixture(scope="module")
def engine(request) -> str:
    """conftest's engine, for the whole module: one app per engine."""
    return getattr(request, "param", os.environ.get("SURVEYAPP_TEST_ENGINE", "sqlite"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, engine):
    # On tmpfs when there is one: thousands of small commits, each fsynced by design.
    shm = Path("/dev/shm")  # noqa: S108 - a private mkdtemp folder inside it
    folder = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp_path_factory.mktemp("h")
    config = {"DATABASE": str(folder / "h.db")}
    if engine == "postgresql":
        config = {"DATABASE": pgcluster.new_database(), "AUDIT_KEY": "test-audit-key"}
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", **config,
        "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS), str(PETS)], "MAX_CONTENT_LENGTH": 256 * 1024,
    }, init_db=True)  # fmt: skip
    make_admin(app, "ada", role="admin")
    make_admin(app, "vic", role="viewer")
    for n in range(3):
        add(app, "cmo", cmo(comments=f"c{n}"))
    yield app
    store.close_thread_connections()
    shutil.rmtree(folder, ignore_errors=True)
    if engine == "postgresql":
        pgcluster.drop(config["DATABASE"])


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
        "csrf": CSRF, "edit": EDITS, "method": METHODS,
        "raw": st.one_of(st.none(), st.lists(st.tuples(st.sampled_from(names), RAW), max_size=4)),
    })  # fmt: skip


def send(client, url: str, post: dict, known: dict[str, str]):
    """Send one hostile form: a MultiDict of the fields, or a raw urlencoded body (always
    when the CSRF token is an edited one)."""
    choice, raw = post["csrf"], list(post["raw"] or [])
    pairs = [
        (k, v) for k, vs in post["fields"].items() for v in (vs if isinstance(vs, list) else [vs])
    ]
    if choice == "edited":
        raw.append(("csrf_token", edited(known["valid"], post["edit"])))
    elif token := {"missing": None, "repeated": known["valid"]}.get(choice, known.get(choice)):
        pairs.append(("csrf_token", token))
    if choice == "repeated":
        pairs.append(("csrf_token", known["foreign"]))
    if post["raw"] is not None or choice == "edited":
        data = form_body([(k, v) for k, v in pairs if len(v) < 1000], raw)
        return client.open(url, method=post["method"], data=data,
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


def test_hostile_redirect_targets(hostile):
    """Every redirect target a client supplies: `next` after a correct password, and the
    `next` an anonymous request is sent to log in with. A path on this site under /admin
    or the dashboard, never a control character in a Location (a CR LF once gave a 500)."""
    db = database(hostile)
    # A cheap hash for this account: one log-in per example.
    accounts.create_admin(db, "nia", generate_password_hash(PASSWORD, "pbkdf2:sha256:1"), "admin")
    client, anonymous = hostile.test_client(), hostile.test_client()
    address = {"REMOTE_ADDR": "192.0.2.7"}  # apart from the failures of the other tests
    pages = [p for p in admin_urls(hostile)[0] if p != "/admin/login"]

    @examples()
    @given(target=redirect_targets(), path=st.sampled_from(pages))
    def run(target, path):
        data = {"csrf_token": csrf(client.get("/admin/login").text), "username": "nia",
                "password": PASSWORD}  # fmt: skip
        response = client.post(f"/admin/login?next={target}", data=data, environ_base=address)
        assert response.status_code == 302, (target, response.status_code)
        assert_on_site(response.headers["Location"], "/admin")
        response = anonymous.get(f"{path}?next={target}&{target}={target}")
        assert response.status_code in (302, 401), (path, target, response.status_code)
        if response.status_code == 302:
            assert_on_site(response.headers["Location"], "/admin/login?next=")

    run()


def assert_on_site(location: str, start: str) -> None:
    assert location.startswith(start) and location.isascii() and location.isprintable(), location
    assert not urlsplit(location).netloc and not location.startswith("//"), location


def admin_urls(app) -> tuple[list[str], list[str]]:
    """(pages, downloads): a URL of every admin GET route in the url_map."""
    values = {"survey_id": "cmo", "response_id": "nope", "edition": "2012", "kind": "svg",
              "p": "0", "q": "0", "index": "0"}  # fmt: skip
    pages, downloads = [], []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or "GET" not in rule.methods:
            continue
        formats = ("csv", "jsonl", "xlsx") if "fmt" in rule.arguments else ("",)
        for fmt in formats:
            url = rule.rule.replace("<fmt>", fmt)
            for name in rule.arguments - {"fmt"}:
                url = re.sub(rf"<(\w+:)?{name}>", values.get(name, "x"), url)
            exporting = rule.endpoint in ("admin.export_file", "admin.codebook")
            (downloads if exporting else pages).append(url.replace("/cmo/export", "/pets/export"))
    return sorted(pages), sorted(downloads)


QUERY_KEYS = ["edition", "since", "until", "page", "labels", "order", "partial", "q", "col", "sort",
              "dir", "answer", "after", "status", "show", "language"]  # fmt: skip


def query_strings():
    value = st.one_of(HOSTILE_TEXT, NUMBERS)
    pairs = st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=8)),
                               value), max_size=5)  # fmt: skip
    raw = st.lists(st.tuples(st.sampled_from(QUERY_KEYS), RAW), min_size=1, max_size=4)
    return st.one_of(pairs.map(lambda p: ("pairs", p)), raw.map(lambda r: ("raw", r)))


# The pages share one filter parser (edition, since, until, page): 2,000 examples for
# each group in the thorough profile, the path drawn per example; besides, every route
# gets a page number past SQLite's integers and one that is not ASCII.
@pytest.mark.parametrize("group", [0, 1], ids=["pages", "downloads"])
def test_hostile_admin_query_strings(hostile, group):
    client = signed_in(hostile)
    before = snapshot(hostile)
    paths = admin_urls(hostile)[group]
    assert "/admin/surveys/cmo/invitations" in paths or group == 1

    def check(path, query):
        kind, pairs = query
        if kind == "raw":
            string = "&".join(f"{k}={v}" for k, v in pairs)
        else:
            string = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs if len(v) < 5000)
        response = client.get(path, query_string=string)
        assert response.status_code in (200, 304, 400, 404), (path, string, response.status_code)
        response.get_data()  # a streamed export fails while streaming, not before

    run = given(path=st.sampled_from(paths), query=query_strings())(check)
    for path in paths:
        for page in ("9" * 30, "%C2%B2"):
            run = example(path=path, query=("raw", [("page", page)]))(run)
    examples()(run)()
    assert snapshot(hostile) == before


def import_files():
    """CSV and JSON Lines files of hostile rows: cells past the csv module's 128 KiB,
    lone surrogates, values nested thousands deep, text in the wrong places, raw bytes."""
    fields = ["response_id", "submitted_at", "edition", "office", "pets", "comments",
              "views-allowed", "views-welcome"]  # fmt: skip
    big = st.integers(131_000, 140_000).map(lambda n: "x" * n)
    lone = st.sampled_from(["\ud800", "a\udfffb", "\udc00\ud800"])
    codes = st.sampled_from(["north", "south", "cat;dog", "cat;cat", "agree", "2025"])
    cell = st.one_of(HOSTILE_TEXT, big, lone, codes)
    header = st.lists(st.one_of(st.sampled_from(fields), st.text(max_size=8)), max_size=6)

    def csv_file(head_rows):
        head, rows = head_rows
        lines = [",".join(head)] + [",".join(json.dumps(c) for c in row) for row in rows]
        return "\r\n".join(lines).encode("utf-8", "surrogatepass"), "csv"

    csv_data = st.tuples(header, st.lists(st.lists(cell, max_size=7), max_size=4)).map(csv_file)
    row = st.dictionaries(st.one_of(st.sampled_from(fields), lone),
                          st.one_of(cell, st.lists(cell)), max_size=6)  # fmt: skip
    deep = st.tuples(st.sampled_from(fields), st.integers(1, 3000), st.booleans()).map(deep_line)
    jsonl = st.lists(st.one_of(row.map(json.dumps), deep), max_size=4)
    jsonl_data = jsonl.map(lambda lines: ("\n".join(lines).encode(), "jsonl"))
    raw = st.tuples(st.binary(max_size=200), st.sampled_from(["csv", "jsonl"]))
    return st.one_of(csv_data, jsonl_data, raw)


def deep_line(spec: tuple[str, int, bool]) -> str:
    """A JSON Lines row whose `column` holds lists (or objects) nested `depth` deep."""
    column, depth, lists = spec
    value = "[" * depth + "]" * depth if lists else '{"a": ' * depth + "1" + "}" * depth
    return f"{{{json.dumps(column)}: {value}}}"


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
        assert all(e.startswith(f"upload.{fmt}") for e in result.errors)
        "\n".join(result.errors).encode()  # shown on a page: no lone surrogate in them

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
    @given(upload=import_files(), form=fields, csrf_choice=CSRF, edit=EDITS,
           name=st.text(max_size=20), with_file=st.booleans())  # fmt: skip
    def run(upload, form, csrf_choice, edit, name, with_file):
        data, _fmt = upload
        # werkzeug's test client spools a multipart body over 500 kB to a temporary file it
        # never closes (a ResourceWarning); bodies over the limit are the 413 test's part.
        data = data[:200_000]
        body = dict(form)
        token = {"missing": None, "repeated": known["valid"],
                 "edited": unquote(edited(known["valid"], edit))}.get(
            csrf_choice, known.get(csrf_choice)
        )  # fmt: skip
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
    for page in ("²", "9" * 30, "0"):  # invitations parsed "page" itself: 500 on the first two
        for path in ("surveys/cmo/invitations", "audit"):
            assert client.get(f"/admin/{path}?page={page}").status_code == 400, (path, page)
        # The responses table pages by key: a position that is not one is refused.
        assert client.get(f"/admin/surveys/cmo/responses?after={page}").status_code == 400
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


ROW = '"office": "north", "pets": "cat"'
TOO_LONG = "a cell over 131,072 characters, longer than any answer may be"
TOO_DEEP = "nested over 100 levels deep; a cell holds text, a number or a list of codes"
SURROGATE = "holds a \\ud800-\\udfff escape that is no character (half of a UTF-16 pair)"


@pytest.mark.parametrize(
    ("data", "fmt", "error"),
    [
        (f"office,pets\nnorth,cat\nsouth,{'c' * 131_073}\n", "csv",
         f"row 3: pets: {TOO_LONG}"),
        (f'office,"{"x" * 140_000}"\n', "csv", f"row 1: column 2: {TOO_LONG}"),
        (f'{{{ROW}}}\n{{{ROW}, "comments": "\\ud800"}}\n', "jsonl",
         f"row 2: comments: {SURROGATE}"),
        (f'{{{ROW}, "\\udfff": 1}}\n', "jsonl", f"row 1: '\\udfff': {SURROGATE}"),
        ('{"comments": ' + "[" * 5000 + "]" * 5000 + "}", "jsonl", f"row 1: comments: {TOO_DEEP}"),
        ('{"comments": ' + '{"a": ' * 101 + "1" + "}" * 102, "jsonl",
         f"row 1: comments: {TOO_DEEP}"),
    ],
    ids=["csv-cell-over-128KiB", "csv-header-cell", "jsonl-lone-surrogate",
         "jsonl-surrogate-column", "jsonl-nested-lists", "jsonl-nested-objects"],
)  # fmt: skip
def test_unreadable_import_cells_are_named_not_crashed(hostile, data, fmt, error):
    """Each of these once raised (csv.Error, UnicodeEncodeError, RecursionError): now one
    error naming the row and the column, nothing written, the upload page says so."""
    db = database(hostile)
    before = snapshot(hostile)
    catalog = hostile.extensions["surveys"]
    result = import_file(db, catalog, "pets", 2025, data.encode(), fmt, name=f"old.{fmt}")
    assert result.errors[0].startswith(f"old.{fmt}:{error}")
    client = signed_in(hostile)
    upload = {"csrf_token": csrf(client.get("/admin/login").text), "edition": "2025",
              "format": fmt, "file": (io.BytesIO(data.encode()), f"old.{fmt}")}  # fmt: skip
    response = client.post("/admin/surveys/pets/import", data=upload,
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422 and str(escape(result.errors[0])) in response.text
    assert snapshot(hostile) == before
