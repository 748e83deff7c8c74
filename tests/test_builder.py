"""The browser builder through its forms alone: a questionnaire of every registry type is
built, published, served at /s/<id>, answered and stored; previews store nothing; a
validation error keeps what was typed; viewers get 403 everywhere in the builder."""

from __future__ import annotations

import io
import json

import pytest
import segno

from surveyapp import store
from surveyapp.questionnaire.types import REGISTRY
from tests.adminkit import admin_client, csrf, login, make_admin
from tests.builderkit import Builder
from tests.walker import Respondent

pytestmark = pytest.mark.both_engines

# How the test sets each key a type may declare (a new key needs a line here).
KEY_VALUES = {
    "min_picks": "1",
    "max_picks": "2",
    "max_length": "80",
    "min": "0",
    "max": "1000",
    "integer": "true",
    "max_ranks": "2",
    "calculation": "'worked out'",
}
TABLES = ("responses", "answers", "counters", "drafts", "submission_log")


@pytest.fixture
def builder(app):
    return Builder(admin_client(app))


def live_catalog(app):
    return app.extensions["live_catalog"].current(store.thread_connection(app.config["DATABASE"]))


def set_every_key(builder: Builder, p: int, q: int, type_name: str, shared: bool) -> None:
    """Through the question's form: help, required and every key its type declares;
    a type reading options or a scale uses the shared scale when `shared`."""
    path = builder.question(p, q)
    keys = REGISTRY[type_name].keys
    changes = {"help": f"Help for question {q + 1}.", "required": "true"}
    changes |= {key: KEY_VALUES[key] for key in keys if key in KEY_VALUES}
    if "options" in keys and "scale" in keys:
        changes |= (
            {"source": "scale", "scale": "ratings"}
            if shared
            else {"options-0-label": "First choice", "options-0-code": "first"}
        )
    elif "scale" in keys:
        changes["scale"] = "ratings"
    unknown = keys - set(KEY_VALUES) - {"options", "scale", "items"}
    assert not unknown, f"teach this test to set {unknown}"
    builder.press(path, **changes)
    if "options" in keys and not shared:
        builder.press(path, "option_add", **{"new-options-label": "Third choice"})
    if "items" in keys:
        builder.press(path, "item_add", **{"new-items-label": "Second item"})


def build_every_type(builder: Builder) -> list[list[str]]:
    """Three pages holding one question of each registered type, built by form posts."""
    builder.create("everything", "Every question type")
    builder.press("", **{"page-0-title": "First page"})
    builder.press("", "page_add", **{"new-page-title": "Second page"})
    builder.press("", "page_add", **{"new-page-title": "Third page"})
    builder.press("", "scale_add", **{"new-scale-name": "ratings"})
    builder.press(
        "/scales/0",
        **{
            "options-0-label": "Good",
            "options-0-code": "good",
            "options-1-label": "Poor",
            "options-1-code": "poor",
        },
    )
    names = list(REGISTRY)
    pages = [names[0::3], names[1::3], names[2::3]]
    for p, types in enumerate(pages):
        for name in types:
            builder.press(
                "",
                f"question_add:{p}",
                **{f"new-{p}-type": name, f"new-{p}-text": f"About {name}?"},
            )
    shared_done = False
    for p, types in enumerate(pages):
        for q, name in enumerate(types):
            both = {"options", "scale"} <= REGISTRY[name].keys
            set_every_key(builder, p, q, name, shared=both and not shared_done)
            shared_done = shared_done or both
    return pages


def answers_for(definition) -> list[dict]:
    """Per page, an answer each field's type accepts: codes, a rank (a field's place in its
    question), a number or a text."""
    pages = []
    for page in definition.pages:
        answers = {}
        for question in page.questions:
            qtype = REGISTRY[question.type]
            codes = [o.code for o in question.options]
            for index, name in enumerate(qtype.field_names(question)):
                for raw in (codes[:1], [str(index + 1)], ["42"], ["Typed answer"]):
                    value, error = qtype.check(question, name, raw)
                    if raw and value is not None and not error:
                        answers[name] = raw if isinstance(value, list) else raw[0]
                        break
        pages.append(answers)
    return pages


def test_every_registry_type_built_published_answered_and_stored(app, builder, db):
    pages = build_every_type(builder)
    editor = builder.open("")
    assert "to fix before publishing" not in editor, editor
    builder.open("/publish")
    response = builder.post("/publish", {"open": "yes"})
    assert "/history?published=" in response.headers["Location"]

    definition = live_catalog(app)["everything"][2026]
    assert [[q.type for q in page.questions] for page in definition.pages] == pages
    assert set().union(*(set(q.settings) for q in definition.questions())) >= {
        k for name in REGISTRY for k in REGISTRY[name].keys if k in {"min_picks", "max_length"}
    }
    assert all(q.help and (q.required or REGISTRY[q.type].computed) for q in definition.questions())
    respondent = Respondent(app.test_client(), "everything")
    answers = answers_for(definition)
    final = respondent.complete(answers)
    assert final.status_code == 302 and "/s/everything/thanks" in final.headers["Location"]
    rows = list(db.query("SELECT * FROM responses WHERE survey = ?", ["everything"]))
    assert len(rows) == 1 and rows[0]["version"] == definition.version
    stored = json.loads(rows[0]["answers"])
    computed = {q.id: "worked out" for q in definition.questions() if REGISTRY[q.type].computed}
    assert stored == {k: v for page in answers for k, v in page.items()} | computed


def counts(db) -> dict[str, int]:
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


def test_a_preview_stores_nothing_and_counts_nothing(app, builder, db):
    builder.create("peek", "Peek")
    builder.press("", "question_add:0", **{"new-0-type": "single_choice", "new-0-text": "Yes?"})
    builder.press("", "page_add", **{"new-page-title": "Two"})
    builder.press("", "question_add:1", **{"new-1-type": "short_text", "new-1-text": "Why?"})
    before = counts(db)
    page = builder.open("/preview")
    assert "Preview of the draft" in page and "Yes?" in page and "Page 1 of 2" in page
    token = csrf(page)
    refused = builder.client.post(
        builder.url("/preview?page=1"), data={"csrf_token": token, "action": "next"}
    )
    assert refused.status_code == 422 and "Please answer this question." in refused.text
    moved = builder.client.post(
        builder.url("/preview?page=1"),
        data={"csrf_token": token, "action": "next", "q1": "option_1"},
    )
    assert moved.status_code == 303 and moved.headers["Location"].endswith("page=2")
    second = builder.open("/preview?page=2")
    assert "Why?" in second and 'action="/admin/questionnaires/peek/preview?page=2"' in second
    end = builder.client.post(
        builder.url("/preview?page=2"), data={"csrf_token": token, "action": "submit", "q2": "x"}
    )
    assert end.status_code == 200 and "End of the preview" in end.text
    assert counts(db) == before


def test_a_validation_error_keeps_what_was_typed_with_the_message_at_its_field(builder):
    builder.create("typed", "Typed")
    builder.press("", "question_add:0", **{"new-0-type": "multiple_choice", "new-0-text": "Pick"})
    builder.press(
        builder.question(0, 0),
        "option_add",
        min_picks="two",
        text="Kept wording",
        **{"new-options-label": "Kept option", "options-1-code": "bad code"},
    )
    html = builder.html
    assert 'value="two"' in html and "Kept wording" in html and 'value="Kept option"' in html
    assert 'value="bad code"' in html
    min_error = html.split('id="f-min_picks-error"', 1)[1].split("</p>", 1)[0]
    assert "must be a whole number &gt;= 0" in min_error
    code_error = html.split('id="f-options-1-code-error"', 1)[1].split("</p>", 1)[0]
    assert "may hold only letters, digits, _" in code_error
    assert 'aria-invalid="true"' in html
    # An edit that cannot even be written down is refused with the whole form kept.
    builder.press("", "scale_add", **{"new-scale-name": "one"})
    builder.press("", "scale_add", **{"new-scale-name": "two"})
    builder.press("/scales/1", status=422, name="one", **{"options-0-label": "Typed label"})
    assert "there is already a scale &#39;one&#39;" in builder.html
    assert 'value="Typed label"' in builder.html and 'value="one"' in builder.html


def test_the_text_editor_shows_each_problem_on_its_line(builder):
    builder.create("lines", "Lines")
    text = builder.open("/text").split('name="text"', 1)[1].split(">", 1)[1].split("</textarea>")[0]
    assert "questions: []" in text
    broken = (
        "id: lines\ntitle: Lines\naudience: x\nedition: 2026\npages:\n- title: One\n"
        "  questions:\n  - id: q1\n    type: single_choice\n    text: Hm\n"
        "    scale: nowhere\n"
    )
    builder.post("/text", {"text": broken}, status=200)
    page = builder.open("/text")
    assert "Line 11</a>: <code>pages[0].questions[0].scale</code>: unknown scale" in page
    builder.post("/text", {"text": "id: lines\npages: [\n"}, status=200)
    page = builder.open("/text")
    assert "Line 3</a>:" in page and "not valid YAML" in page
    assert "id: lines\npages: [" in page  # the text is kept as typed
    assert "cannot show this draft" in builder.open("")


def test_qr_code_images_encode_the_public_link(app, builder):
    png = builder.client.get("/admin/questionnaires/cmo/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n")
    svg = builder.client.get("/admin/questionnaires/cmo/qr.svg")
    assert svg.mimetype == "image/svg+xml" and svg.text.startswith("<svg")
    for response, kind, options in (
        (png, "png", {"scale": 8}),
        (svg, "svg", {"scale": 4, "xmldecl": False, "title": "QR code"}),
    ):
        drawn = {}
        for link in ("http://127.0.0.1:5000/s/cmo", "http://127.0.0.1:5000/s/client"):
            buffer = io.BytesIO()
            segno.make(link, error="m").save(buffer, kind=kind, border=4, **options)
            drawn[link] = buffer.getvalue()
        assert response.data == drawn["http://127.0.0.1:5000/s/cmo"] != drawn[link]
    listing = builder.open("/admin/questionnaires")
    assert 'value="http://127.0.0.1:5000/s/cmo"' in listing and "qr.svg" in listing
    assert builder.client.get("/admin/questionnaires/nope/qr.png").status_code == 404


def builder_urls(app) -> list[tuple[str, str]]:
    args = {"survey_id": "cmo", "p": 0, "q": 0, "index": 0, "kind": "png", "fmt": "yaml"}
    found = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("admin.builder"):
                values = {k: v for k, v in args.items() if k in rule.arguments}
                for method in sorted(rule.methods & {"GET", "POST"}):
                    found.append((method, url_for(rule.endpoint, **values)))
    return found


def test_viewers_get_403_on_every_builder_route(app):
    make_admin(app, "vera", role="viewer")
    viewer = app.test_client()
    assert login(viewer, "vera").status_code == 302
    token = csrf(viewer.get("/admin/").text)
    urls = builder_urls(app)
    assert len(urls) >= 20
    for method, url in urls:
        response = viewer.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (method, url, response.status_code)
    assert "Questionnaires</a>" not in viewer.get("/admin/").text
