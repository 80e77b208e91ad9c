"""The workbook format, shared by writing (xlsform) and reading (reading): sheets, columns,
languages and the names XLSForm needs.

The sheets and the columns of each, in the order they are written. A text of the
definition (``{"vi": …, "en": …}``) is two columns, ``X::Tiếng Việt (vi)`` and
``X::English (en)``, as XLSForm writes translations. An empty cell means the definition
does not have that field (so a definition comes back with exactly the keys it had); a
text with one language filled and the other empty is an error.
"""

from __future__ import annotations

import re

from openpyxl.cell.cell import ERROR_CODES

from survey.spreadsheets import FORMULA_TRIGGERS

#: The definition's languages and XLSForm's names for them ("label::English (en)").
LANGUAGES = (("vi", "Tiếng Việt (vi)"), ("en", "English (en)"))
DEFAULT_LANGUAGE = LANGUAGES[0][1]

FRAMEWORK = "framework"
MODULE = "module"
KINDS = (FRAMEWORK, MODULE)

SURVEY, CHOICES, SETTINGS, ABOUT = "survey", "choices", "settings", "about"
LEVELS, PILLAR_BANDS, OVERALL_RULES, TIERS = "levels", "pillar_bands", "overall_rules", "tiers"
RECOMMENDATIONS, FIGURE_BANDS, APPLICABILITY, TECHNOLOGIES = (
    "recommendations",
    "figure_bands",
    "applicability",
    "technologies",
)

#: The list of a level criterion's screening question. Written for ODK from the settings'
#: ``screening_no`` (the app's own "no"); the app never shows "yes" (its descriptors are
#: the yes), so the list is not read back.
SCREENING_LIST = "yes_no"
SCREENING_YES = {"vi": "Có", "en": "Yes"}
SCREENING_NO_DEFAULT = {"vi": "Không", "en": "No"}
#: The value of the screening question that shows a level criterion's descriptors.
YES = "yes"
#: Suffixes of the rows a level or figure criterion's group holds (after its name).
SCREEN, ANSWER, VALUE, OF = "_screen", "_answer", "_value", "_of"


def lang_columns(field: str) -> list[str]:
    return [f"{field}::{name}" for _, name in LANGUAGES]


def _with_texts(*columns: str) -> tuple[str, ...]:
    """Column names, a ``*field`` standing for its two language columns."""
    out: list[str] = []
    for column in columns:
        out += lang_columns(column[1:]) if column.startswith("*") else [column]
    return tuple(out)


#: The columns of every sheet, by kind of instrument. XLSForm's own come first.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    FRAMEWORK: {
        SURVEY: _with_texts(
            "type", "name", "*label", "*hint", "relevant", "required",
            "code", "kind", "max_points", "*unit", "base", "provisional", "*note",
        ),
        CHOICES: _with_texts("list_name", "name", "*label", "points"),
        SETTINGS: (
            "form_title", "form_id", "version", "default_language",
            "kind", "code", "rescores", "wording", "band_comparison", "allows_not_applicable",
        ),
        ABOUT: _with_texts("field", "*text"),
        LEVELS: _with_texts("level", "*name", "*description"),
        PILLAR_BANDS: ("level", "percent", "min_percent"),
        OVERALL_RULES: ("level", "total_above", "min_pillars", "pillar_level"),
        TIERS: _with_texts("code", "min_level", "*name", "*description"),
        RECOMMENDATIONS: _with_texts("pillar", "level", "size", "*text"),
        FIGURE_BANDS: ("criterion", "percent", "points"),
        APPLICABILITY: ("code", "entity_types", "sectors"),
        TECHNOLOGIES: _with_texts("code", "*label"),
    },
    MODULE: {
        SURVEY: _with_texts(
            "type", "name", "*label", "*hint", "relevant", "required",
            "code", "max_length", "pillars", "*advice",
        ),
        CHOICES: _with_texts("list_name", "name", "*label", "pillars", "*advice"),
        SETTINGS: (
            "form_title", "form_id", "version", "default_language", "kind", "code", "wording", "high_from",
        ),
        ABOUT: _with_texts("field", "*text"),
    },
}  # fmt: skip

#: The rows of the ``about`` sheet: the definition's top-level texts.
ABOUT_FIELDS = {
    FRAMEWORK: ("title", "source", "provisional", "screening_no"),
    MODULE: ("title", "intro", "source"),
}
#: Sheets a workbook must have; the others may be left out when empty.
REQUIRED_SHEETS = (SURVEY, CHOICES, SETTINGS, ABOUT)

#: An XLSForm name (an XML name without namespace; dots and dashes left out on purpose,
#: since they are easy to mistype in ``${…}`` references).
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def is_name(value: str) -> bool:
    return bool(_NAME.match(value))


def xml_name(code: str) -> str:
    """The XLSForm name of a code: the code itself when it is a valid name, else ``c`` and
    the code with dots as underscores (criterion ``1.1.1`` is ``c1_1_1``)."""
    return code if is_name(code) else "c" + re.sub(r"[^A-Za-z0-9_]", "_", code)


def unescape(text: str) -> str:
    """Undo ``survey.spreadsheets.safe_cell``'s quote in front of formula-like text."""
    if text.startswith("'") and (text[1:].startswith(FORMULA_TRIGGERS) or text[1:] in ERROR_CODES):
        return text[1:]
    return text
