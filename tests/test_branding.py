"""A questionnaire that looks like its organiser's: branding read from the definition,
the accent's contrast, the logo upload and how it is served, sanitised Markdown, the
onward address after the thanks, and the home page's listing."""

from __future__ import annotations

import io
import re
import struct

import pytest

from surveyapp import store
from surveyapp.questionnaire import diff, markdown
from surveyapp.questionnaire.branding import contrast, ratio_text, redirect_problem
from surveyapp.questionnaire.estimate import estimate
from surveyapp.questionnaire.images import ImageRefused, check_image
from surveyapp.questionnaire.loader import DefinitionError, parse_definition
from surveyapp.store import builder_drafts, logos
from surveyapp.web import SECURITY_HEADERS
from tests.adminkit import admin_client, csrf
from tests.brandkit import (
    ACCENT,
    LOGO,
    branded_folder,
    definition_text,
    png,
    store_logo,
    unbranded_text,
)
from tests.builderkit import REVISION, form_fields

pytestmark = pytest.mark.both_engines

BASE = unbranded_text()


def with_branding(block: str) -> str:
    return BASE.replace("pages:\n", block + "pages:\n", 1)


def errors_of(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, "b.yaml")
    return caught.value.errors


def test_branding_is_read_from_the_definition():
    branding = parse_definition(definition_text("ab" * 10), "b.yaml").branding
    assert branding.organiser == "Northwind Research"
    assert (branding.logo, branding.accent) == ("ab" * 10, ACCENT)
    assert branding.thanks.startswith("Thank you for helping **Northwind**.")
    assert branding.redirect == "https://northwind.example/"
    assert parse_definition(BASE, "b.yaml").branding.organiser == ""


def test_branding_problems_name_their_key_path():
    errors = errors_of(with_branding(
        "branding:\n  accent: '#88aaff'\n  logo: ../etc/passwd\n"
        "  redirect_after_thanks: javascript:alert(1)\n  colour: red\n"
    ))  # fmt: skip
    assert errors == [
        "b.yaml: branding.colour: unknown key",
        "b.yaml: branding.logo: '../etc/passwd' is not a logo id: upload the logo in the "
        "builder's settings",
        "b.yaml: branding.accent: contrast 2.27:1 with white, needs at least 4.5:1 (WCAG AA): "
        "choose a darker colour",
        "b.yaml: branding.redirect_after_thanks: must be an address starting with https:// or "
        "http://",
    ]
    assert errors_of(with_branding("branding: Northwind\n")) == [
        "b.yaml: branding: must be a mapping (organiser, logo, accent, thanks, ...)"
    ]
    assert errors_of(with_branding("branding:\n  accent: blue\n")) == [
        "b.yaml: branding.accent: 'blue' must be a colour written #rrggbb, e.g. #1f5fa8"
    ]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#ffffff", "21:1"),
        ("#ffffff", "#ffffff", "1:1"),
        ("#777777", "#ffffff", "4.47:1"),  # the grey that just fails AA (4.48)
        ("#767676", "#ffffff", "4.54:1"),  # the lightest grey that passes
        ("#0000ff", "#ffffff", "8.59:1"),
        ("#ff0000", "#ffffff", "3.99:1"),
        ("#ffffff", "#0b5cad", "6.66:1"),  # order does not matter
    ],
)
def test_contrast_matches_known_wcag_pairs(first, second, expected):
    assert ratio_text(contrast(first, second)) == expected


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,hi", "//evil.example/", "ftp://x.example/",
     "https://user:pw@x.example/", "https://", "https://x.example/a b", "/s/cmo",
     "https://x.example:99999/", "https://x.example/\nLocation: y"],
)  # fmt: skip
def test_only_plain_web_addresses_are_onward_addresses(url):
    assert redirect_problem(url)


def test_a_web_address_is_an_onward_address():
    assert redirect_problem("https://northwind.example/thanks?from=survey#top") == ""
    assert redirect_problem("http://127.0.0.1:8000/") == ""


def test_markdown_is_rendered_and_sanitised():
    html = markdown.render(
        "Hello **you** <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
        "[bad](javascript:alert(1)) [ok](https://ok.example/) <a href='x' onclick='y'>raw</a>"
        "\n\n[also bad](data:text/html;base64,PHNjcmlwdD4=) ![img](https://x.example/i.png)"
    )
    assert "<strong>you</strong>" in html
    assert '<a href="https://ok.example/" rel="noopener noreferrer nofollow">ok</a>' in html
    tags = re.findall(r"<[a-z][^>]*>", html.lower())
    assert {re.match(r"<([a-z0-9]+)", tag).group(1) for tag in tags} == {"p", "strong", "a"}
    for bad in (" on", "javascript:", "data:", "href='x'"):
        assert not [tag for tag in tags if bad in tag]
    assert "&lt;script&gt;" in html  # raw HTML is shown as text, never run
    assert markdown.render("  ") == ""


def test_estimate_counts_questions_and_minutes():
    definition = parse_definition(definition_text("0" * 20), "b.yaml")
    assert estimate(definition) == (2, 1)  # 10 s for a choice and 30 s for a text


def test_estimate_of_the_shipped_cmo(app):
    cmo = app.extensions["surveys"].latest("cmo")
    questions, minutes = estimate(cmo)
    assert questions == sum(1 for _ in cmo.questions())
    assert minutes >= 1


def test_check_image_knows_png_jpeg_and_webp_by_their_content():
    assert check_image(png(20, 30), 10_000).content_type == "image/png"
    assert (check_image(png(20, 30), 10_000).width, check_image(png(20, 30), 10_000).height) == (
        20,
        30,
    )
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
    frame = b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 90, 120) + b"\x00" * 12
    jpeg = check_image(b"\xff\xd8" + app0 + frame + b"\xff\xd9", 10_000)
    assert (jpeg.content_type, jpeg.width, jpeg.height) == ("image/jpeg", 120, 90)
    webp = b"RIFF" + struct.pack("<I", 30) + b"WEBPVP8L" + struct.pack("<I", 10) + b"\x2f"
    webp += struct.pack("<I", (64 - 1) | ((32 - 1) << 14)) + b"\x00" * 8
    image = check_image(webp, 10_000)
    assert (image.content_type, image.width, image.height) == ("image/webp", 64, 32)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose an image file"),
        (b"GIF89a not a logo", "not a PNG, JPEG or WebP image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "SVG is not accepted"),
        (png(40, 40)[:-12], "not a PNG, JPEG or WebP image"),  # cut short
        (png(8, 8), "each side must be from 16 to 2000"),
        (png(2400, 20), "2400×20 pixels"),
        (png(200, 200) + b"\x00" * 5000, "a logo may be at most 4 KB"),
    ],
)  # fmt: skip
def test_check_image_refuses_what_is_not_a_usable_logo(data, message):
    with pytest.raises(ImageRefused, match=re.escape(message)):
        check_image(data, 4096)


# The builder ---------------------------------------------------------------------------


def _settings(client, survey="cmo"):
    page = client.get(f"/admin/questionnaires/{survey}/settings")
    assert page.status_code == 200
    return page


def _draft_text(app, survey="cmo") -> str:
    with app.app_context():
        draft = builder_drafts.get(store.thread_connection(app.config["DATABASE"]), survey)
    return draft.text if draft else ""


def test_builder_saves_branding_settings(app):
    client = admin_client(app)
    fields = form_fields(_settings(client).text)
    fields |= {"branding-organiser": "Northwind Research", "branding-accent": "#1F5FA8",
               "branding-thanks": "Thanks, **really**.",
               "branding-redirect_after_thanks": "https://northwind.example/"}  # fmt: skip
    saved = client.post("/admin/questionnaires/cmo/settings", data=fields)
    assert saved.status_code == 303
    branding = parse_definition(_draft_text(app), "cmo.yaml").branding
    assert (branding.organiser, branding.accent) == ("Northwind Research", "#1f5fa8")
    assert (branding.thanks, branding.redirect) == (
        "Thanks, **really**.",
        "https://northwind.example/",
    )
    shown = _settings(client).text
    assert 'value="Northwind Research"' in shown and 'value="#1f5fa8"' in shown


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("branding-accent", "#88aaff",
         "Accent colour: contrast 2.27:1 with white, needs at least 4.5:1 (WCAG AA)"),
        ("branding-accent", "#ff0000", "contrast 3.99:1 with white, needs at least 4.5:1"),
        ("branding-redirect_after_thanks", "javascript:alert(1)",
         "Address after the thanks: must be an address starting with https://"),
    ],
)  # fmt: skip
def test_builder_refuses_a_hard_to_read_accent_with_its_ratio_at_the_field(
    app, field, value, message
):
    client = admin_client(app)
    fields = form_fields(_settings(client).text) | {"branding-organiser": "Typed org", field: value}
    refused = client.post("/admin/questionnaires/cmo/settings", data=fields)
    assert refused.status_code == 422
    at_field = re.search(rf'<p class="error" id="f-{field}-error"[^>]*>([^<]*)</p>', refused.text)
    assert message in at_field.group(1).replace("&#39;", "'")
    assert f'id="f-{field}"' in refused.text and 'aria-invalid="true"' in refused.text
    assert 'value="Typed org"' in refused.text  # what was typed is kept
    assert _draft_text(app) == ""  # nothing was saved


def _upload(client, data: bytes, name="logo.png", action="upload"):
    revision = REVISION.search(_settings(client).text).group(1)
    token = csrf(_settings(client).text)

    payload = {"csrf_token": token, "revision": revision, "action": action}
    if data is not None:
        payload["logo"] = (io.BytesIO(data), name)
    return client.post("/admin/questionnaires/cmo/logo", data=payload,
                       content_type="multipart/form-data")  # fmt: skip


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"just some text, named like an image", "logo.png", "is not a PNG, JPEG or WebP image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.svg", "SVG is not accepted"),
        (png(300, 300) + b"\x00" * 3000, "big.png", "a logo may be at most 2 KB"),
    ],
)
def test_builder_refuses_an_upload_that_is_not_a_usable_logo(make_app, data, name, message):
    app = make_app(LOGO_MAX_BYTES=2048)
    client = admin_client(app)
    refused = _upload(client, data, name)
    assert refused.status_code == 422
    assert message in re.search(r'id="f-logo-error"[^>]*>([^<]*)<', refused.text).group(1)
    assert _draft_text(app) == ""
    with app.app_context():
        db = store.thread_connection(app.config["DATABASE"])
        assert db.execute("SELECT count(*) FROM logos").fetchone()[0] == 0


def test_an_uploaded_logo_is_stored_named_in_the_draft_and_served_safely(app):
    client = admin_client(app)
    assert _upload(client, LOGO).status_code == 303
    name = logos.logo_id(LOGO)
    assert parse_definition(_draft_text(app), "cmo.yaml").branding.logo == name
    served = client.get(f"/logo/{name}")
    assert served.status_code == 200 and served.data == LOGO
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert f'src="/logo/{name}"' in _settings(client).text
    assert _upload(client, None, action="remove").status_code == 303
    assert parse_definition(_draft_text(app), "cmo.yaml").branding.logo == ""


def test_unknown_logos_and_unreadable_accents_are_not_served(client):
    assert client.get("/logo/" + "0" * 20).status_code == 404
    assert client.get("/logo/..%2fconfig").status_code == 404
    assert client.get("/accent/88aaff.css").status_code == 404  # too light to be an accent
    assert client.get("/accent/zzzzzz.css").status_code == 404
    css = client.get("/accent/1f5fa8.css")
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert css.text == ":root { --accent: #1f5fa8; }\n"


# Respondent pages -----------------------------------------------------------------------


@pytest.fixture
def branded(make_app, tmp_path):
    app = make_app(branded_folder(tmp_path))
    store_logo(app)
    return app


def test_branded_pages_show_the_organiser_instead_of_surveyapp(branded):
    client = branded.test_client()
    for url in ("/s/branded", "/s/branded?page=2"):
        page = client.get(url)
        assert 'class="organiser-name">Northwind Research<' in page.text
        assert f'src="/logo/{logos.logo_id(LOGO)}"' in page.text
        assert ">surveyapp</a>" not in page.text
        assert 'href="/accent/1f5fa8.css"' in page.text
        assert " style=" not in page.text  # the CSP allows no inline style
        assert (
            page.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
        )
    first = client.get("/s/branded").text
    assert "help <strong>Northwind</strong> choose" in first
    assert (
        '<a href="https://northwind.example/privacy" rel="noopener noreferrer nofollow">' in first
    )
    assert ">surveyapp</a>" in client.get("/").text  # other pages keep the app's own header


def test_the_thank_you_page_has_the_organisers_text_and_onward_link(branded):
    thanks = branded.test_client().get("/s/branded/thanks").text
    assert "Thank you for helping <strong>Northwind</strong>." in thanks
    assert "run by Northwind Research" in thanks
    assert (
        'href="https://northwind.example/" rel="noopener noreferrer" data-redirect-after="10"'
        in thanks
    )
    assert "Continue to northwind.example" in thanks and "/static/thanks.js" in thanks


def test_a_thank_you_page_without_an_onward_address_links_home(client):
    thanks = client.get("/s/cmo/thanks").text
    assert 'href="/">Back to the questionnaires</a>' in thanks
    assert "thanks.js" not in thanks and "data-redirect-after" not in thanks


def test_home_page_lists_open_questionnaires_with_organiser_and_time(branded):
    home = branded.test_client().get("/").text
    assert "Supplier satisfaction" in home
    assert "<p>by Northwind Research</p>" in home
    assert "About 1 minute, 2 questions · for suppliers, 2026" in home


def test_home_page_can_list_nothing(make_app, tmp_path):
    app = make_app(branded_folder(tmp_path), HOME_LISTS_SURVEYS=False)
    home = app.test_client().get("/")
    assert home.status_code == 200
    assert "<h1>Welcome</h1>" in home.text and "Supplier satisfaction" not in home.text
    assert 'href="/s/branded"' not in home.text


def test_without_a_listing_the_thank_you_page_links_to_the_home_page(make_app):
    thanks = make_app(HOME_LISTS_SURVEYS=False).test_client().get("/s/cmo/thanks").text
    assert 'href="/">Back to the home page</a>' in thanks


def test_a_branding_change_is_described_and_not_breaking():
    old = parse_definition(definition_text("ab" * 10), "b.yaml")
    new = parse_definition(definition_text("ab" * 10).replace("#1f5fa8", "#0b5cad"), "b.yaml")
    found = diff.changes(old, new)
    assert [c.description for c in found] == [
        "branding.accent: branding.accent changed ('#1f5fa8' → '#0b5cad')"
    ]
    assert not diff.breaking(found)


def test_add_logo_stores_an_image_file_and_refuses_anything_else(runner, app, tmp_path):
    image, text = tmp_path / "logo.png", tmp_path / "logo.svg"
    image.write_bytes(LOGO)
    text.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    stored = runner.invoke(args=["add-logo", str(image)])
    assert stored.exit_code == 0, stored.output
    assert stored.stdout.strip() == logos.logo_id(LOGO)
    assert app.test_client().get(f"/logo/{logos.logo_id(LOGO)}").data == LOGO
    refused = runner.invoke(args=["add-logo", str(text)])
    assert refused.exit_code == 1
    assert "logo.svg: This file is not a PNG, JPEG or WebP image" in refused.output
