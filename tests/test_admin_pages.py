"""Admin pages: live updates by conditional polling, responses listing, escaping."""

from __future__ import annotations

import re

import pytest

from tests.adminkit import add, admin_client, cmo

pytestmark = pytest.mark.both_engines

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


def _poll(client, url, etag=None):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(url, headers=headers)


def test_live_update_reaches_a_poll(app):
    client = admin_client(app)
    page = client.get("/admin/surveys/cmo")
    etag = re.search(r'data-etag="([^"]+)"', page.text).group(1).replace("&#34;", '"')
    url = re.search(r'data-poll="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert "partial=1" in url
    unchanged = _poll(client, url, etag)
    assert unchanged.status_code == 304 and unchanged.data == b""
    add(app, "cmo", cmo(size="large"))
    changed = _poll(client, url, etag)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert '<span data-figure="responses">1</span>' in changed.text
    assert "<html" not in changed.text
    assert _poll(client, url, changed.headers["ETag"]).status_code == 304


def test_dashboard_and_json_polls(app):
    client = admin_client(app)
    first = client.get("/admin/?partial=1")
    assert _poll(client, "/admin/?partial=1", first.headers["ETag"]).status_code == 304
    body = client.get("/admin/surveys/cmo/tallies.json")
    assert _poll(client, "/admin/surveys/cmo/tallies.json", body.headers["ETag"]).status_code == 304
    add(app, "cmo", cmo())
    second = _poll(client, "/admin/?partial=1", first.headers["ETag"])
    assert second.status_code == 200
    assert '<td class="num" data-figure="responses">1</td>' in second.text
    again = _poll(client, "/admin/surveys/cmo/tallies.json", body.headers["ETag"])
    assert again.status_code == 200 and again.json["responses"] == 1


def test_pages_obey_the_csp(app):
    client = admin_client(app)
    add(app, "cmo", cmo())
    for url in ("/admin/", "/admin/surveys/cmo", "/admin/surveys/cmo/responses"):
        html = client.get(url).text
        assert " style=" not in html and "<style" not in html
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    for name in ("admin.js", "admin.css"):
        with client.get(f"/static/{name}") as response:
            assert response.status_code == 200


def test_hostile_free_text_is_escaped(app):
    response_id = add(app, "cmo", cmo(comments=HOSTILE))
    client = admin_client(app)
    for url in ("/admin/surveys/cmo/responses", f"/admin/surveys/cmo/responses/{response_id}"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x" in html
        assert "&amp; &#34;quotes&#34;" in html


def next_link(html: str) -> str:
    """The Next page link of a responses page."""
    return re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_responses_newest_first_and_paginated(make_app):
    app = make_app(RESPONSES_PER_PAGE=2)
    ids = [
        add(
            app,
            "cmo",
            cmo(comments=f"answer {n}"),
            submitted_at=f"2026-04-0{n + 1}T08:00:00.000000Z",
        )
        for n in range(5)
    ]
    client = admin_client(app)
    first = client.get("/admin/surveys/cmo/responses").text
    assert first.index(ids[4]) < first.index(ids[3]) and ids[2] not in first
    assert 'rel="next"' in first and "First page" not in first
    second = client.get(next_link(first)).text
    assert ids[2] in second and ids[1] in second and ids[3] not in second
    third = client.get(next_link(second)).text
    assert ids[0] in third and 'rel="next"' not in third and "First page" in third
    filtered = client.get("/admin/surveys/cmo/responses?until=2026-04-02T12:00").text
    assert ids[1] in filtered and ids[0] in filtered and ids[2] not in filtered
    detail = client.get(f"/admin/surveys/cmo/responses/{ids[0]}").text
    assert "answer 0" in detail and "Fewer than 50 employees" in detail
    assert client.get("/admin/surveys/cmo/responses/nope").status_code == 404
    assert client.get("/admin/surveys/cmo/responses?after=0").status_code == 400
    assert client.get("/admin/surveys/nope/responses").status_code == 404


def test_unchanged_poll_computes_no_figures(app, monkeypatch):
    client = admin_client(app)
    url = "/admin/surveys/cmo?partial=1&order=top2"
    etag = client.get(url).headers["ETag"]

    def refuse(*args, **kwargs):
        raise AssertionError("figures computed for an unchanged poll")

    monkeypatch.setattr("surveyapp.figures.tallies.tallies", refuse)
    monkeypatch.setattr("surveyapp.figures.tallies.dashboard", refuse)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    with pytest.raises(AssertionError, match="figures computed"):  # another view: recomputed
        client.get("/admin/surveys/cmo?partial=1&order=top", headers={"If-None-Match": etag})
