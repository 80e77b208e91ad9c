"""gunicorn settings for production: ``gunicorn -c python:survey.gunicorn_conf wsgi:app``.

The access log goes to standard output in gunicorn's usual format, with the secret
tokens of resume, invitation and recovery links cut short (``/resume/AbCd…``): anyone
who reads the log could otherwise open a firm's answers. Every field of a line (the
request line, the path, the Referer, headers) goes through the same redaction, and so
does the error log.

Settings given on the command line win over these, e.g. ``--bind`` or
``--access-logfile /var/log/survey/access.log``.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from survey.security import RedactTokens, redact_tokens

bind = "127.0.0.1:8000"
workers = 4
accesslog = "-"
logger_class = "survey.gunicorn_conf.RedactingLogger"


class RedactingLogger(Logger):
    """gunicorn's logger, with tokens redacted from every access-log field and from the
    error log (which names the request's URI when a request fails)."""

    def __init__(self, cfg):
        super().__init__(cfg)
        self.error_log.addFilter(RedactTokens())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact_tokens(v) if isinstance(v, str) else v for key, v in atoms.items()}
