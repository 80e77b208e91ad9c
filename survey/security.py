"""Security headers on every response.

No page has inline script or style, so the Content-Security-Policy can forbid both;
``frame-ancestors 'none'`` (and X-Frame-Options for old browsers) stops click-jacking;
``Referrer-Policy: same-origin`` keeps resume and invitation links, which carry a
secret in the path, from leaking to other sites.

Form fields and query parameters must be text. A request whose form holds bytes that
are not UTF-8, or whose form or query string holds control characters (anything below
a space but tab and line breaks, DEL, and the U+FFFD that stands for unreadable bytes),
is refused with a 400 that says why, before any view sees it. Left alone, Werkzeug
would quietly drop a raw body that is not UTF-8, turn percent-encoded junk into
look-alike text, and hand a NUL to the database, which PostgreSQL refuses with an error.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from flask import Flask, Request, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.formparser import FormDataParser

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


#: What no form field may carry; tab, line feed and carriage return are text.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def _not_text() -> BadRequest:
    return BadRequest(
        _(
            "The form contains characters that are not text (control characters, or bytes "
            "that are not UTF-8). Please remove them and send it again."
        )
    )


class TextFormParser(FormDataParser):
    """Parses forms like Werkzeug's, but refuses fields that are not text (see above)."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        try:
            text = stream.read().decode("utf-8")
            items = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise _not_text() from None
        _check(items)
        return stream, self.cls(items), self.cls()

    def _parse_multipart(self, stream, mimetype, content_length, options):
        stream, form, files = super()._parse_multipart(stream, mimetype, content_length, options)
        try:
            _check(form.items(multi=True))
        except BadRequest:
            # The request never gets these files, so it would not close them either.
            for _name, upload in files.items(multi=True):
                upload.close()
            raise
        return stream, form, files


def _check(items) -> None:
    # A multipart part whose name Werkzeug could not read (name="a\" escapes its own closing
    # quote) comes with the name None: no field of ours, and Flask-WTF's CSRF check would
    # crash on it, so it is refused like any other field that is not text.
    if any(name is None or NOT_TEXT.search(name) or NOT_TEXT.search(value) for name, value in items):
        raise _not_text()


class TextFormRequest(Request):
    form_data_parser_class = TextFormParser


def init_app(app: Flask) -> None:
    app.request_class = TextFormRequest

    @app.before_request
    def refuse_query_strings_that_are_not_text():
        # The same rule for the query string (filters, searches, pages) as for forms.
        _check(request.args.items(multi=True))

    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
