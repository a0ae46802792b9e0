"""Gunicorn settings for the Procfile's ``web`` process.

``ADUAN_BIND`` (e.g. ``0.0.0.0:8080`` or ``unix:/run/aduan.sock``) wins; otherwise the port
comes from ``PORT`` (honcho sets it) on 127.0.0.1, default 8000. Webhooks must answer fast,
so requests are short and a slow one is cut at ``timeout``.
"""

import os
from pathlib import Path

wsgi_app = "config.wsgi:application"
bind = os.environ.get("ADUAN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# Two cores: three sync workers with a few threads each keep webhooks answered while a
# desk page renders; SQLite in WAL mode copes with that many readers and one writer.
workers = int(os.environ.get("ADUAN_WEB_WORKERS", "3"))
threads = int(os.environ.get("ADUAN_WEB_THREADS", "4"))
timeout = 30
graceful_timeout = 20
max_requests = int(os.environ.get("ADUAN_WEB_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("ADUAN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "aduan-web"
# One control socket per bench (the default in $HOME would clash between two benches); two gunicorns of
# one bench on one machine (the several-machines test) each name their own with ADUAN_CONTROL_SOCKET.
control_socket = os.environ.get("ADUAN_CONTROL_SOCKET") or str(Path(__file__).resolve().parent.parent / "var"
                                                               / "gunicorn.ctl")
