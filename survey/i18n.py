"""Language choice: Vietnamese first, English second, remembered in the session."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, request, session
from flask_babel import format_datetime, format_decimal, format_percent, get_locale
from flask_babel import lazy_gettext as _l

from survey import labels

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


# The tables live in the one label catalogue (survey.labels); these names are kept for
# the callers that read them here.
SIZE_CLASS_LABELS = labels.SIZE_CLASS
KIND_LABELS = labels.KIND
POPULATION_LABELS = labels.POPULATION
PILLAR_LABELS = labels.ECONOMIC_PILLAR
OWNERSHIP_LABELS = labels.OWNERSHIP
DIMENSION_LABELS = labels.DIMENSION


def group_label(dimension: str, key, label: dict | None = None) -> str:
    """A breakdown group's name in the current language."""
    if key is None:
        return str(_l("Not stated"))
    if label:
        return label.get(current_language()) or label.get("vi") or str(key)
    table = {
        "economic_pillar": PILLAR_LABELS,
        "ownership": OWNERSHIP_LABELS,
        "size_class": SIZE_CLASS_LABELS,
        "business_kind": KIND_LABELS,
        "population": POPULATION_LABELS,
    }
    return str(table.get(dimension, {}).get(str(key), key))


def size_class_label(value) -> str:
    if value is None:
        return str(_l("Not known yet"))
    return str(SIZE_CLASS_LABELS[getattr(value, "value", value)])


def kind_label(value) -> str:
    return str(KIND_LABELS.get(getattr(value, "value", value), value or ""))


def localised_text(text) -> str:
    """A framework ``Text`` (vi/en) in the current language."""
    return text.get(current_language()) if text is not None else ""


def field_attrs(field, type: str | None = None, hint: bool = False) -> dict:
    """HTML attributes tying a control to its hint and errors for screen readers."""
    described = [f"{field.id}-hint"] if hint else []
    attrs: dict = {}
    if field.errors:
        described.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if type:
        attrs["type"] = type
    return attrs


def merge_query(args: dict, **changes) -> str:
    """The query string ``args`` with ``changes`` applied (None removes a key)."""
    merged = {**args, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        localised_text=localised_text,
        zip=zip,
        merge_query=merge_query,
        kind_label=kind_label,
        label=labels.label,
    )
    app.jinja_env.globals.update(
        current_language=current_language,
        localised=localised,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        format_percent=format_percent,
        size_class_label=size_class_label,
        kind_label=kind_label,
        field_attrs=field_attrs,
        group_label=group_label,
        dimension_label=lambda name: str(DIMENSION_LABELS.get(name, name)),
        label=labels.label,
        label_choices=labels.choices,
    )
