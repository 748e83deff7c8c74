"""gunicorn settings for `surveyapp serve` (and `gunicorn -c python:surveyapp.gunicorn_conf`).

Every value comes from the environment so a deployment changes nothing here;
`surveyapp serve` options override them on the command line.
"""

import os

bind = f"{os.environ.get('SURVEYAPP_HOST', '127.0.0.1')}:{os.environ.get('SURVEYAPP_PORT', '5000')}"
workers = int(os.environ.get("SURVEYAPP_WORKERS", str(os.cpu_count() or 1)))
# Threaded workers: a slow client or a live admin page holds a thread, not a process.
worker_class = "gthread"
threads = int(os.environ.get("SURVEYAPP_THREADS", "16"))
# No control socket: gunicorn 25+ would otherwise share ~/.gunicorn/gunicorn.ctl
# between every instance on the machine.
control_socket_disable = True
timeout = int(os.environ.get("SURVEYAPP_WORKER_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("SURVEYAPP_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
accesslog = os.environ.get("SURVEYAPP_ACCESS_LOG", "-") or None
# Standard combined format plus the time the request took, in milliseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
logger_class = "surveyapp.gunicorn_log.RedactingLogger"  # invitation tokens never logged
errorlog = "-"
wsgi_app = "surveyapp:create_app()"
