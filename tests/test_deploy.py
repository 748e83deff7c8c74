"""The supported deployment: deploy/nginx.conf (Debian's nginx) in front of gunicorn."""

from __future__ import annotations

import re

import pytest
import requests

from bench.proxy import HOST, NGINX, Nginx, SlowClients
from bench.server import Server
from surveyapp import store

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def proxied(tmp_path):
    """gunicorn with 1 worker of 4 threads (SURVEYAPP_PROXY_HOPS=1), nginx in front."""
    assert NGINX.exists(), "Debian's nginx is missing: run scripts/install-nginx"
    server = Server(tmp_path / "app", workers=1, threads=4)
    server.env["SURVEYAPP_PROXY_HOPS"] = "1"
    with server, Nginx(server.port) as nginx:
        yield server, nginx


def test_40_slow_header_clients_leave_the_site_answering_behind_nginx(proxied):
    server, nginx = proxied
    with SlowClients(nginx.port, count=40, every=0.5):
        page = requests.get(f"{nginx.base}/s/cmo", headers={"Host": HOST}, timeout=60)
    assert page.status_code == 200
    assert "Page 1 of 3" in page.text


def test_requests_for_another_host_are_dropped(proxied):
    _server, nginx = proxied
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{nginx.base}/s/cmo", headers={"Host": "evil.example"}, timeout=30)


def _failed_login(base: str, forged: str, host: str | None = None) -> int:
    session = requests.Session()
    headers = {"Host": host} if host else {}
    html = session.get(f"{base}/admin/login", headers=headers, timeout=30).text
    form = {"csrf_token": TOKEN.search(html).group(1), "username": "nobody", "password": "x"}
    headers["X-Forwarded-For"] = forged
    return session.post(f"{base}/admin/login", data=form, headers=headers, timeout=30).status_code


def _stored_text(server: Server) -> str:
    db = store.connect(server.database)
    try:
        return "\n".join(str(row) for table in db.table_names() for row in db[table].rows)
    finally:
        db.close()


def test_nginx_replaces_the_clients_forwarded_for(proxied):
    server, nginx = proxied
    assert _failed_login(nginx.base, "203.0.113.66", HOST) == 401
    # Straight to gunicorn (which the deployment keeps on 127.0.0.1), the header is believed:
    assert _failed_login(server.base, "203.0.113.77") == 401
    stored = _stored_text(server)
    assert "203.0.113.77" in stored
    assert "203.0.113.66" not in stored
