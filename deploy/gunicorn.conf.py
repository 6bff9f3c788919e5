"""Gunicorn settings for the tracker (see deploy/README.md).

Run from the project directory: .venv/bin/gunicorn -c deploy/gunicorn.conf.py
Every value can be overridden with GUNICORN_* variables in /etc/tracker/env.
"""

import os
import sys

wsgi_app = "tracker.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # nginx is the only client
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "sync"
# nginx buffers whole uploads before passing them on, so a worker never waits on a slow client;
# the longest request is a full PDF report.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
max_requests = 1000  # recycle workers now and then (WeasyPrint is memory-hungry)
max_requests_jitter = 100
# Only the local nginx may set X-Forwarded-* headers.
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
capture_output = True
proc_name = "tracker-web"


def on_starting(server):
    """Refuse to start with a clear message (no traceback loop) when the configuration is wrong."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        settings.SECRET_KEY  # noqa: B018 - loading the settings is the check
    except ImproperlyConfigured as error:
        sys.stderr.write(f"Configuration error: {error}\n")
        sys.exit(1)
