"""The builder's other paths: publishing a breaking change on an edition with answers
(confirmation, old answers keep their version, the diff), a new edition, stale forms,
undo and discard with audit entries, uploads and downloads, reordering."""

from __future__ import annotations

import io

import openpyxl
import pytest

from surveyapp.questionnaire.xlsform import definition_to_xlsform
from surveyapp.store import audit, builder_drafts, editions
from tests.adminkit import add, admin_client, cmo
from tests.builderkit import Builder, form_fields

pytestmark = pytest.mark.both_engines


def builder_for(app, survey: str = "cmo") -> Builder:
    return Builder(admin_client(app), survey)


def actions(db, name: str) -> list[dict]:
    import json

    rows = db.execute("SELECT details FROM audit WHERE action = ?", [name]).fetchall()
    return [json.loads(row[0]) for row in rows]


def test_a_wording_change_on_an_edition_with_answers_needs_confirmation(app, db):
    old_version = app.extensions["surveys"]["cmo"][2012].version
    add(app, "cmo", cmo())
    builder = builder_for(app)
    builder.press(builder.question(0, 1), text="How many people work for you?")
    page = builder.open("/publish")
    assert "company_size</code>: wording changed" in page and 'name="confirm"' in page
    refused = builder.post("/publish", {"as": "version"}, status=409)
    assert "Confirm the changes listed below" in refused.text
    assert builder_drafts.get(db, "cmo") is not None  # nothing published, the draft kept
    builder.post("/publish", {"as": "version", "confirm": "yes"})
    served = builder.client.get("/s/cmo").text
    assert "How many people work for you?" in served
    assert builder_drafts.get(db, "cmo") is None
    versions = {row["version"] for row in db.query("SELECT version FROM responses")}
    assert versions == {old_version}  # the stored answer keeps the version it answered
    history = builder.open("/history")
    assert "wording changed" in history and "<del>" in history and "<ins>" in history
    assert actions(db, "publish")[-1]["breaking"] == [
        "company_size: wording changed ('How many employees does your organisation have?'"
        " → 'How many people work for you?')"
    ]


def test_publishing_a_new_edition_opens_it_and_closes_the_old_one(app, db):
    builder = builder_for(app)
    builder.open("/publish")
    builder.post("/publish", {"as": "edition", "new_edition_year": "2013", "open": "yes"})
    page = builder.client.get("/admin/questionnaires").text
    assert "2013: <strong>open</strong>" in page and "2012: <strong>closed</strong>" in page
    # 2012 was open as the newest edition: a newer one ends that without a recorded change
    assert actions(db, "edition_open")[-1] == {"survey": "cmo", "edition": 2013, "closed": []}
    catalog = app.extensions["live_catalog"].current(db)
    assert editions.open_definition(db, catalog, "cmo").edition == 2013
    builder.open("/publish")
    refused = builder.post("/publish", {"as": "edition", "new_edition_year": "2012"}, status=409)
    assert "Edition 2012 exists already" in refused.text


def test_a_form_from_an_outdated_page_is_refused_and_keeps_what_was_typed(app, db):
    builder = builder_for(app)
    stale = builder.open(builder.question(0, 1))
    builder.press(builder.question(0, 0), text="Changed in another tab")
    data = form_fields(stale) | {"text": "Typed in the old tab", "action": "save"}
    response = builder.client.post(builder.url(builder.question(0, 1)), data=data)
    assert response.status_code == 409
    assert "Typed in the old tab" in response.text and "was changed" in response.text
    assert "Typed in the old tab" not in builder_drafts.get(db, "cmo").text


def test_deleting_is_audited_and_undone_and_a_draft_can_be_discarded(app, db):
    builder = builder_for(app)
    builder.press("", "question_delete:0.2")
    assert "region" not in builder_drafts.get(db, "cmo").text.split("pages:")[1]
    assert actions(db, "builder_delete") == [{"survey": "cmo", "what": "question", "target": "0.2"}]
    builder.open("")
    builder.post("/undo", {})
    assert "id: region" in builder_drafts.get(db, "cmo").text
    builder.open("")
    response = builder.post("/discard", {})
    assert response.headers["Location"].endswith("/admin/questionnaires/cmo")
    assert builder_drafts.get(db, "cmo") is None
    assert actions(db, "draft_discard")[0]["survey"] == "cmo"
    assert audit.verify(db) == []


def test_a_scale_in_use_cannot_be_deleted_and_a_rename_follows_its_users(app, db):
    builder = builder_for(app)
    builder.press("", "scale_delete:region", status=422)
    assert "scale &#39;region&#39; is used by region" in builder.html
    builder.press("/scales/2", name="where")
    text = builder_drafts.get(db, "cmo").text
    assert "scale: where" in text and "  where:\n" in text and "scale: region" not in text


def test_moving_copying_and_retyping(app, db):
    builder = builder_for(app)
    builder.press("", "question_down:0.1")
    builder.press("", "question_copy:0.2")
    builder.press("", "page_up:2")
    definition = builder_state(app, db)
    assert [q.id for q in definition.pages[0].questions] == [
        "manufactures_for_clients",
        "region",
        "company_size",
        "company_size_2",
    ]
    assert definition.pages[1].title == "Your comments"
    builder.press(builder.question(1, 0), type="number")
    retyped = builder_state(app, db).question("comments")
    assert retyped.settings == {"integer": False}
    builder.press(builder.question(1, 0), shown="min max integer", min="1", max="9", integer="true")
    assert builder_state(app, db).question("comments").settings == {
        "integer": True,
        "min": 1,
        "max": 9,
    }


def builder_state(app, db):
    from surveyapp.questionnaire.checking import check_text

    checked = check_text(builder_drafts.get(db, "cmo").text, "cmo")
    assert checked.ok, checked.problems
    return checked.definition


def upload(builder: Builder, path: str, name: str, data: bytes, status: int = 200):
    builder.open("/text" if path == "/upload" else "/admin/new-questionnaire")
    from tests.adminkit import csrf

    fields = {"csrf_token": csrf(builder.html), "file": (io.BytesIO(data), name)}
    if path == "/upload":
        fields["revision"] = form_fields(builder.html).get("revision") or "0"
    target = builder.url(path) if path == "/upload" else path
    response = builder.client.post(target, data=fields, content_type="multipart/form-data")
    assert response.status_code == status, response.text[:2000]
    return response


def test_xlsform_and_yaml_uploads_and_downloads(app, db):
    builder = builder_for(app)
    xlsx = definition_to_xlsform(app.extensions["surveys"]["client"][2012])
    refused = upload(builder, "/admin/new-questionnaire/upload", "client.xlsx", xlsx, 422)
    assert "there is already a questionnaire &#39;client&#39;" in refused.text
    page = upload(builder, "/upload", "client.xlsx", xlsx).text
    assert "The file&#39;s id &#39;client&#39; became &#39;cmo&#39;." in page
    assert "id: cmo" in builder_drafts.get(db, "cmo").text and "importance" in page
    download = builder.client.get(builder.url("/download.xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(download.data))["settings"]
    assert [c.value for c in sheet[2]][:2] == ["Choosing a contract manufacturer", "cmo"]
    app.config["BUILDER_UPLOAD_MAX_BYTES"] = 100
    big = upload(builder, "/upload", "big.yaml", b"id: cmo\n" * 50, 422).text
    assert "The file is larger than 100 bytes." in big
    app.config["BUILDER_UPLOAD_MAX_BYTES"] = 512 * 1024
    fresh = b"id: fresh\ntitle: Fresh\naudience: x\nedition: 2026\npages: []\n"
    made = upload(builder, "/admin/new-questionnaire/upload", "fresh.yaml", fresh, 303)
    assert made.headers["Location"].endswith("/admin/questionnaires/fresh/text")
    yaml_file = builder.client.get("/admin/questionnaires/fresh/download.yaml")
    assert yaml_file.data == fresh
    assert "attachment" in yaml_file.headers["Content-Disposition"]


def test_the_check_answers_problems_by_key_path_and_stores_nothing(app, db):
    builder = builder_for(app)
    page = builder.open(builder.question(0, 0))
    data = form_fields(page) | {"view": "question", "id": "bad id", "required": "maybe"}
    answer = builder.client.post(builder.url("/check"), data=data).get_json()
    assert answer["problems"] == {
        "pages[0].questions[0].id": ["'bad id' may hold only letters, digits, _"],
        "pages[0].questions[0].required": ["must be true or false, not 'maybe'"],
    }
    renamed = form_fields(builder.open("/scales/1")) | {"view": "scale", "name": "region"}
    assert builder.client.post(builder.url("/check"), data=renamed).get_json()["refused"] == {
        "name": "there is already a scale 'region'"
    }
    assert builder_drafts.get(db, "cmo") is None


def test_hostile_posts_get_a_clear_refusal_and_change_nothing(app, db):
    builder = builder_for(app)
    builder.press("", **{"page-0-title": "Kept"})
    before = builder_drafts.get(db, "cmo")
    for action in (
        "page_up:x",
        "page_up:99999999",
        "question_down:0",
        "scale_copy:nope",
        "explode",
        "option_up:0",
    ):
        builder.press("", action, status=422)
        assert 'role="alert" id="notice"' in builder.html, action
    assert builder.post("", {"action": "save"}, status=303)
    bad_revision = builder.client.post(builder.url(""), data={"revision": "x"})
    assert bad_revision.status_code == 400
    assert builder.client.get(builder.url("/pages/9/questions/0")).status_code == 404
    assert builder.client.get(builder.url("/scales/99")).status_code == 404
    assert builder.client.get("/admin/questionnaires/no%20such").status_code == 404
    assert builder.client.get(builder.url("/download.exe")).status_code == 404
    assert builder.client.get(builder.url("/download.yaml?version=nope")).status_code == 404
    after = builder_drafts.get(db, "cmo")
    assert after.text == before.text and after.revision == before.revision + 1


def test_the_publish_page_warns_when_the_edition_was_published_since_the_draft(app, db):
    from surveyapp.store import definitions

    builder = builder_for(app)
    builder.press(builder.question(0, 1), help="Where your head office is.")
    elsewhere = app.extensions["surveys"]["cmo"][2012].text.replace(
        "Where is your organisation based?", "Where are you based?"
    )
    definitions.publish(db, elsewhere, "cmo.yaml", "cli:someone")
    page = builder.open("/publish")
    assert "has been published again since" in page
    assert "region</code>: wording changed" in page  # the draft would undo that change
