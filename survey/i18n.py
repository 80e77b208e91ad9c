"""Language choice: Vietnamese first, English second, remembered in the session."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import format_datetime, format_decimal, format_percent, get_locale

SESSION_KEY = "lang"


def supported() -> list[str]:
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    """The language chosen with the switch, else the browser's best match, else Vietnamese."""
    chosen = session.get(SESSION_KEY)
    if chosen in supported():
        return chosen
    return request.accept_languages.best_match(supported()) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def localised(text: dict[str, str] | None) -> str:
    """Pick the current language from a ``{"vi": …, "en": …}`` text, falling back to vi."""
    if not text:
        return ""
    return text.get(current_language()) or text.get("vi") or next(iter(text.values()))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        current_language=current_language,
        localised=localised,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        format_percent=format_percent,
    )
