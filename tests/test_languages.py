"""Respondent pages in the questionnaire's languages, interface strings from the shipped
catalogues, the language stored with the response and exported, admin labels in the
admin's language."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from surveyapp import store
from surveyapp.web.languages import CATALOGUES, SHIPPED
from tests.adminkit import add, admin_client, cmo
from tests.apikit import RESPONSES, api_app, bearer, token
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent, cmo_answers, hidden

ROOT = Path(__file__).resolve().parent.parent
WORLDWIDE = TEST_QUESTIONNAIRES / "worldwide"
ITALIAN = """
id: italian
title: {en: Working across borders, it: Lavorare oltre i confini}
audience: Managers
edition: 2026
languages: [en, it]
pages:
  - title: {en: One, it: Uno}
    questions:
      - {id: where, type: short_text, text: {en: "Where?", it: "Dove?"}}
"""
HTML = re.compile(r"<html lang=\"([^\"]+)\" dir=\"(ltr|rtl)\">")


def shown(response) -> tuple[str, str]:
    """The `<html lang>` and `dir` of a page."""
    return HTML.search(response.get_data(as_text=True)).groups()


def stored_languages(app) -> list[str | None]:
    db = store.thread_connection(app.config["DATABASE"])
    return [row[0] for row in db.execute("SELECT language FROM responses ORDER BY id")]


@pytest.mark.both_engines
def test_lang_in_the_query_selects_the_language_and_the_session_keeps_it(client):
    french = client.get("/s/cmo?lang=fr")
    assert shown(french) == ("fr", "ltr")
    assert "Page 1 sur 3" in french.text and ">Suivant</button>" in french.text
    assert "Travailler avec des clients du secteur biopharmaceutique" in french.text
    # later pages keep it, whatever the browser prefers
    again = client.get("/s/cmo?page=1", headers={"Accept-Language": "de"})
    assert shown(again) == ("fr", "ltr") and ">Suivant</button>" in again.text


@pytest.mark.both_engines
def test_the_picker_offers_the_questionnaires_languages_by_their_own_names(client):
    html = client.get("/s/cmo").text
    picker = html[html.index('<form class="language-picker"') : html.index("</form>")]
    options = re.findall(r'<option value="([^"]+)" lang="\1"( selected)?>([^<]+)</option>', picker)
    assert options == [
        ("en", " selected", "English"),
        ("fr", "", "Français"),
        ("de", "", "Deutsch"),
    ]
    assert '<label for="language-picker">Language</label>' in picker
    assert 'method="get"' in picker and 'name="lang"' in picker


@pytest.mark.both_engines
def test_accept_language_picks_the_best_match_among_the_questionnaires_languages(client, app):
    german = client.get("/s/cmo", headers={"Accept-Language": "ja, de-CH;q=0.8, fr;q=0.5"})
    assert shown(german) == ("de", "ltr") and ">Weiter</button>" in german.text
    other = app.test_client().get("/s/cmo", headers={"Accept-Language": "ja"})
    assert shown(other) == ("en", "ltr") and ">Next</button>" in other.text


@pytest.mark.both_engines
def test_an_unknown_language_falls_back_to_the_default(client):
    page = client.get("/s/cmo?lang=xx", headers={"Accept-Language": "xx"})
    assert shown(page) == ("en", "ltr") and ">Next</button>" in page.text


@pytest.mark.both_engines
def test_a_questionnaire_language_without_catalogue_keeps_english_buttons(make_app, tmp_path):
    (tmp_path / "italian.yaml").write_text(ITALIAN, encoding="utf-8")
    page = make_app(tmp_path).test_client().get("/s/italian?lang=it")
    assert shown(page) == ("it", "ltr")
    assert "Lavorare oltre i confini" in page.text and ">Submit</button>" in page.text


@pytest.mark.both_engines
def test_arabic_pages_are_right_to_left_and_every_page_follows_the_language(make_app):
    client = make_app(WORLDWIDE).test_client()
    page = client.get("/s/worldwide?lang=ar")
    assert shown(page) == ("ar", "rtl") and ">التالي</button>" in page.text
    assert "الصفحة 1 من 2" in page.text
    missing = client.get("/s/nothing-here")
    assert missing.status_code == 404 and shown(missing) == ("ar", "rtl")
    assert "غير موجود" in missing.text
    assert shown(client.get("/")) == ("ar", "rtl")
    thanks = client.get("/s/worldwide/thanks")
    assert shown(thanks) == ("ar", "rtl") and "العمل عبر الحدود" in thanks.text


@pytest.mark.both_engines
def test_answer_errors_are_in_the_language_shown(client):
    respondent = Respondent(client, "cmo")
    respondent.last = client.get("/s/cmo?lang=fr")
    refused = respondent.post(1, {})
    assert refused.status_code == 422
    assert "Veuillez répondre à cette question." in refused.text
    assert "Veuillez vérifier 3 réponses" in refused.text


@pytest.mark.both_engines
def test_number_errors_keep_their_values_when_translated(make_app):
    client = make_app(WORLDWIDE).test_client()
    respondent = Respondent(client, "worldwide")
    respondent.last = client.get("/s/worldwide?lang=de")
    refused = respondent.post(1, {"region": "asia", "team": "900", "meetings-team": "often",
                                  "meetings-clients": "often"})  # fmt: skip
    assert "Bitte geben Sie eine Zahl von höchstens 500 ein." in refused.text
    assert "Von 1 bis 500, nur ganze Zahlen." in refused.text


@pytest.mark.both_engines
def test_the_language_answered_is_stored_and_exported(client, app):
    client.get("/s/cmo?lang=fr")
    response = Respondent(client, "cmo").complete(cmo_answers())
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"])
    assert "Merci" in thanks.text and shown(thanks) == ("fr", "ltr")
    Respondent(app.test_client(), "cmo").complete(cmo_answers())
    assert stored_languages(app) == ["fr", "en"]
    admin = admin_client(app)
    rows = list(csv.DictReader(io.StringIO(admin.get("/admin/surveys/cmo/export.csv").text)))
    assert [row["language"] for row in rows] == ["fr", "en"]
    listed = admin.get("/admin/surveys/cmo/export.jsonl").text.splitlines()
    assert ['"language":"fr"' in line or '"language": "fr"' in line for line in listed] == [
        True,
        False,
    ]


@pytest.mark.both_engines
def test_a_draft_remembers_its_language_on_another_device(client, app):
    respondent = Respondent(client, "cmo")
    respondent.last = client.get("/s/cmo?lang=de")
    respondent.post(1, cmo_answers()[0])
    with client.session_transaction() as session:  # the same key, a browser with no choice
        del session["language"]
    page = client.get("/s/cmo?page=2", headers={"Accept-Language": "fr"})
    assert shown(page) == ("de", "ltr")
    db = store.thread_connection(app.config["DATABASE"])
    assert store.load_draft_state(db, hidden(page.text)["submission_key"])[2] == "de"
    with client.session_transaction() as session:
        assert session["language"] == "de"  # what the page's post is checked and kept in


def test_admin_pages_show_labels_in_the_admins_language(app):
    add(app, "cmo", cmo())
    admin = admin_client(app)
    english = admin.get("/admin/surveys/cmo/responses").text
    assert "Does your organisation manufacture biopharmaceuticals" in english
    french = admin.get("/admin/surveys/cmo/responses?lang=fr")
    assert french.status_code == 200 and shown(french) == ("en", "ltr")
    assert '<option value="fr" lang="fr" selected>Français</option>' in french.text
    kept = [admin.get(f"/admin/surveys/cmo{page}").text for page in ("", "/trends")]
    question = "Votre organisation fabrique-t-elle"
    assert question in french.text and all(question in page for page in kept)


def _extracted() -> set[str | tuple[str, str]]:
    method_map = [
        ("surveyapp/**.py", "python"),
        ("templates/survey/**.html", "jinja2"),
        ("templates/partials/**.html", "jinja2"),
        ("templates/base.html", "jinja2"),
        ("templates/error.html", "jinja2"),
        ("templates/_*.html", "jinja2"),
    ]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = extract_from_dir(ROOT, method_map, keywords=keywords)
    return {message for _file, _line, message, _comments, _context in found}


def _hashable(string: str | list | tuple) -> str | tuple:
    return string if isinstance(string, str) else tuple(string)


@pytest.mark.parametrize("language", SHIPPED)
def test_catalogues_are_complete_and_compiled(language):
    folder = CATALOGUES / language / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale=language)
    translated = {_hashable(m.id): _hashable(m.string) for m in catalogue if m.id}
    assert _extracted() <= set(translated), "run pybabel extract and update (README)"
    for message in catalogue:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else [message.string]
            assert all(strings) and not message.fuzzy, message.id
    assert not [problem for _m, problems in catalogue.check() for problem in problems]
    with open(folder / "messages.mo", "rb") as handle:
        compiled = {_hashable(m.id): _hashable(m.string) for m in read_mo(handle) if m.id}
    assert compiled == translated, "run pybabel compile -d surveyapp/translations"


@pytest.mark.both_engines
def test_the_api_gives_each_responses_language(make_app):
    app = api_app(make_app)
    french = add(app, "cmo", cmo(), language="fr")
    unknown = add(app, "cmo", cmo())
    headers = bearer(token(app, "ada", "read"))
    client = app.test_client()
    listed = client.get(RESPONSES, headers=headers).get_json()["data"]
    assert {r["response_id"]: r["language"] for r in listed} == {french: "fr", unknown: None}
    one = client.get(f"{RESPONSES}/{french}", headers=headers).get_json()
    assert one["language"] == "fr"


@pytest.mark.both_engines
def test_the_save_page_and_the_resume_error_page_come_in_french(client):
    respondent = Respondent(client, "cmo")
    client.get("/s/cmo?lang=fr")
    saved = respondent.post(1, {}, action="save")
    assert saved.status_code == 200 and shown(saved) == ("fr", "ltr")
    assert "<h1>Vos réponses sont enregistrées</h1>" in saved.text
    assert "Pour reprendre «\u00a0Travailler avec des clients du secteur" in saved.text
    assert "<title>Réponses enregistrées – Travailler avec des clients" in saved.text
    assert "Your answers" not in saved.text and "Continuer maintenant" in saved.text
    assert re.search(r'name="t" value="[^"]+"', saved.text)  # the picker keeps the link
    refused = client.get("/r/not-a-token?lang=fr")
    assert refused.status_code == 403 and shown(refused) == ("fr", "ltr")
    assert "<h1>Lien pour reprendre</h1>" in refused.text
    assert "Ce lien pour reprendre un questionnaire n’est pas valide." in refused.text
