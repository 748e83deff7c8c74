"""gunicorn settings for `surveyapp serve` (and `gunicorn -c python:surveyapp.gunicorn_conf`).

Every value comes from the environment (surveyapp.config.server_settings, which `serve`
reads too) so a deployment changes nothing here; `serve` options override them on the
command line. Workers never create or upgrade the database: `surveyapp init-db` (which
`serve` runs first) does, and a worker refuses to start on a database that is not ready.
"""

import os
import subprocess
import sys

from surveyapp.config import server_settings

_settings = server_settings()
bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
# Threaded workers: a slow client or a live admin page holds a thread, not a process.
worker_class = "gthread"
threads = _settings.threads
# No control socket: gunicorn 25+ would otherwise share ~/.gunicorn/gunicorn.ctl
# between every instance on the machine.
control_socket_disable = True
timeout = _settings.timeout
graceful_timeout = _settings.graceful_timeout
keepalive = 5
accesslog = _settings.access_log
# Standard combined format plus the time the request took, in milliseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
logger_class = "surveyapp.gunicorn_log.RedactingLogger"  # invitation tokens never logged
errorlog = "-"
wsgi_app = "surveyapp:create_server_app()"  # figure views apart (web/apart.py)


_deliverer: list[subprocess.Popen] = []


def on_starting(_server) -> None:
    """Start the webhook deliverer (`deliver-webhooks --supervise`) beside the server,
    unless SURVEYAPP_DELIVER_WEBHOOKS=0. It watches this master process and stops when
    it ends; its supervisor restarts the deliverer should it die meanwhile."""
    if os.environ.get("SURVEYAPP_DELIVER_WEBHOOKS", "1") == "0":
        return
    command = [sys.executable, "-m", "surveyapp", "deliver-webhooks", "--supervise",
               "--exit-with", str(os.getpid())]  # fmt: skip
    _deliverer.append(subprocess.Popen(command, stdin=subprocess.DEVNULL))  # noqa: S603
