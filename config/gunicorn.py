"""gunicorn settings for `make serve` and production: `gunicorn -c config/gunicorn.py config.wsgi`."""

import multiprocessing
import os

from gunicorn.glogging import Logger

from config.logfilters import FAMILY_TOKEN

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two workers per core plus one: requests mostly wait on PostgreSQL, not on the CPU.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Uploads of 50 MB on a slow connection take a while; anything longer is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
# A fresh worker now and then keeps memory flat over weeks.
max_requests = 2000
max_requests_jitter = 200
# Behind the TLS proxy, trust its X-Forwarded-* headers only when it runs on this machine.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = "-"
errorlog = "-"
# The path without its query string (searches stay out of the log), the status, size and time.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class PrivateLogger(Logger):
    """Family links carry a signed token in their path: the log shows where, never the token."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = FAMILY_TOKEN.sub("/my-case/…/", atoms["U"])
        return atoms


logger_class = PrivateLogger
