"""URL helpers shared by blueprints."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for

#: Hosts a link may be built from when BASE_URL is not set: only this machine can reach them.
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default``.

    An absolute URL, a scheme-relative ``//host`` or a backslash trick could send the
    user to another site after logging in or switching language.
    """
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return default


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` for links that leave the site (mail, workbooks).

    It is built on the configured ``BASE_URL``, whatever the request says: the Host
    header is the client's choice, and a link built from it could send a firm's resume
    token to another site. ``values`` are the endpoint's arguments, as for ``url_for``.

    Without ``BASE_URL`` the request's own address is used only in debug and testing
    runs, or when the request came to this machine by a loopback name (``make run``,
    benchmarks); anything else raises RuntimeError, so a production server without the
    setting fails loudly instead of mailing poisoned links.
    """
    base = current_app.config["BASE_URL"]
    if base:
        parts = urlsplit(base)
        current_app.inject_url_defaults(endpoint, values)
        adapter = current_app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
        )
        anchor = values.pop("_anchor", None)
        url = adapter.build(endpoint, values, force_external=True)
        return f"{url}#{anchor}" if anchor else url
    if current_app.debug or current_app.testing or request.host.rsplit(":", 1)[0].strip("[]") in LOOPBACK:
        return url_for(endpoint, _external=True, **values)
    raise RuntimeError(f"BASE_URL is not set: refusing to build a link to {endpoint} from the Host header")
