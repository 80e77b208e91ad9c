"""Writing a framework or module definition as an XLSForm workbook.

The workbook carries everything the definition holds, so that reading it back
(survey.instruments.reading) gives the identical definition and content hash. The
questionnaire part (sheets ``survey``, ``choices``, ``settings``) is a valid XLSForm:
pyxform converts it, so the same instrument runs in ODK Collect or KoboCollect; the other
sheets hold what XLSForm has no place for, and pyxform ignores them.

Mapping decisions, framework:

- A **pillar** is a ``begin_group``/``end_group`` named by its code, its name the label,
  its description the hint, ``max_points`` in our column. A **component** is a group in
  its pillar's group (name ``c1_1`` for component ``1.1``, the code in ``code``).
- A **shared figure** (``figures``) is a ``decimal`` row outside every group, before the
  pillars: asked once, its help the hint, its unit in ``unit``.
- A **single**, **scale** or **multi** criterion is one row: ``select_one LIST`` (single,
  scale) or ``select_multiple LIST`` (multi), its text the label, its help the hint. The
  definition's own ``kind`` is in ``kind`` (empty when the definition leaves it out:
  single). LIST is the criterion's own list, named as the criterion, in ``choices`` with
  each option's ``points``, or, when the criterion uses one of the framework's reusable
  ``scales``, that scale's list (any list not named after a criterion is a scale).
- A **level** criterion is a group (its text and help) holding two rows: the screening
  question ``select_one yes_no`` (``question``, the label) and, relevant on its "yes",
  the descriptors ``select_one LIST`` (``prompt``, the label; the options without the
  "no", which the loader adds). ``yes_no`` is written from ``screening_no`` for ODK and not
  read back: the app asks "no" and the descriptors as one question.
- A **figure** criterion is a group holding the numerator (``decimal``, ``NAME_value``)
  and, unless it divides by a shared figure (``base``, in our column), the denominator
  (``decimal``, ``NAME_of``); its unit in ``unit``, its %-bands in ``figure_bands``.
- ``required``: the effective value, as ODK needs it (``yes``/``no``); a definition that
  spells out the default (``required: true`` on a framework criterion) comes back without
  it. No packaged file does.
- Criterion codes that are not XLSForm names (``1.1.1``) are named ``c1_1_1``; the code is
  then in ``code`` (empty ``code``: the name is the code). A module section whose code is
  also a question's (barriers-needs has section and question ``needs``) is named
  ``needs_section``, its code in ``code``: XLSForm names are one namespace.
- Sheets for the rest: ``about`` (title, source, provisional, screening_no: XLSForm's
  settings cannot hold translated texts), ``levels``, ``pillar_bands`` (``percent``, or
  ``min_percent`` as version 1 files name it), ``overall_rules``, ``tiers``,
  ``recommendations`` (by pillar, level and, when written by size, size),
  ``figure_bands``, ``applicability`` (a pillar's, component's or criterion's
  ``applies_to``; codes space-separated), ``technologies``; ``settings`` holds the scalar
  fields (code, version, kind, rescores, wording, band_comparison, allows_not_applicable).

Module: a **section** is a group (title the label, intro the hint); a **rating** is
``select_one SCALE`` (its scale's list: the points' values as names), a **checklist**
``select_multiple NAME`` (its own list, each option's ``pillars`` and ``advice``), a
**text** question ``text`` (``max_length`` in our column); ``pillars`` and ``advice`` of a
question in our columns; ``about`` holds title, intro and source.

Text that a spreadsheet would run as a formula is written through the project's
spreadsheet layer (quoted; reading removes the quote). Export checks its own work: it
reads the workbook back and refuses (``ExportError``) a definition that would not come
back identical, rather than hand out a lossy file.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from survey.instruments import layout as L
from survey.instruments.errors import ExportError
from survey.spreadsheets import Col, Table, save

_WIDE = {"label", "hint", "text", "description", "name", "note", "advice", "unit"}


def workbook_bytes(kind: str, definition: dict) -> bytes:
    """The .xlsx workbook of ``definition`` (a framework's or a module's, by ``kind``),
    checked to read back as the identical definition."""
    from survey.instruments.reading import read_definition  # reading imports layout only

    sheets = framework_sheets(definition) if kind == L.FRAMEWORK else module_sheets(definition)
    data = _write(kind, sheets)
    back = read_definition(data)
    if back.kind != kind or back.definition != definition:
        raise ExportError(
            f"{definition.get('code')} v{definition.get('version')}: this definition cannot be carried"
            " exactly by a workbook (a field a workbook has no place for, or an empty list)"
        )
    return data


def _write(kind: str, sheets: dict[str, list[dict]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, headers in L.COLUMNS[kind].items():
        rows = sheets.get(name, [])
        sheet = workbook.create_sheet(name)
        cols = [
            Col(h, 40 if h.split("::")[0] in _WIDE else 14, wrap=h.split("::")[0] in _WIDE) for h in headers
        ]
        table = Table(sheet, cols)
        for row in rows:
            unknown = set(row) - set(headers)
            if unknown:  # a mistake here, not in the definition
                raise AssertionError(f"{name}: no columns {sorted(unknown)}")
            table.row([row.get(h) for h in headers])
        table.close()
    return save(workbook)


def _texts(row: dict, field: str, text: dict | None) -> dict:
    """``row`` with ``text``'s languages in ``field``'s columns (nothing when None)."""
    if text is not None:
        for (lang, _name), column in zip(L.LANGUAGES, L.lang_columns(field), strict=True):
            row[column] = text.get(lang)
    return row


def _row(type_: str, name: str | None = None, **fields: Any) -> dict:
    """A survey row; ``label``/``hint``/… given as texts, the rest as cell values."""
    row: dict = {"type": type_, "name": name}
    for field, value in fields.items():
        if field in {"label", "hint", "unit", "note", "advice"}:
            _texts(row, field, value)
        elif value is not None:
            row[field] = value
    return row


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _words(values: list | None) -> str | None:
    return None if values is None else " ".join(values)


def _about(definition: dict, fields: tuple[str, ...]) -> list[dict]:
    return [_texts({"field": f}, "text", definition[f]) for f in fields if f in definition]


# ---------------------------------------------------------------- framework


def framework_sheets(data: dict) -> dict[str, list[dict]]:
    survey: list[dict] = []
    choices: list[dict] = []
    sheets: dict[str, list[dict]] = {
        L.SURVEY: survey,
        L.CHOICES: choices,
        L.FIGURE_BANDS: [],
        L.APPLICABILITY: [],
        L.RECOMMENDATIONS: [],
    }
    sheets[L.SETTINGS] = [
        {
            "form_title": data["title"]["vi"],
            "form_id": data["code"],
            "version": data["version"],
            "default_language": L.DEFAULT_LANGUAGE,
            "kind": L.FRAMEWORK,
            "code": data["code"],
            **{
                k: data[k]
                for k in ("rescores", "wording", "band_comparison", "allows_not_applicable")
                if k in data
            },
        }
    ]
    sheets[L.ABOUT] = _about(data, L.ABOUT_FIELDS[L.FRAMEWORK])
    for figure in data.get("figures", []):
        survey.append(
            _row(
                "decimal", figure["code"], label=figure["label"], hint=figure.get("help"), unit=figure["unit"]
            )
        )
    has_level = any(c.get("kind") == "level" for c in _criteria(data))
    if has_level:
        no = data.get("screening_no", L.SCREENING_NO_DEFAULT)
        choices.append(_texts({"list_name": L.SCREENING_LIST, "name": "no"}, "label", no))
        choices.append(_texts({"list_name": L.SCREENING_LIST, "name": L.YES}, "label", L.SCREENING_YES))
    for scale, options in data.get("scales", {}).items():
        choices += [_option(scale, o) for o in options]
    for pillar in data["pillars"]:
        _applies(sheets, pillar)
        survey.append(
            _row(
                "begin_group",
                pillar["code"],
                label=pillar["name"],
                hint=pillar.get("description"),
                code=_code(pillar["code"]),
                max_points=pillar["max_points"],
            )
        )
        for level, text in pillar["recommendations"].items():
            sized = "vi" not in text
            for size, one in text.items() if sized else [(None, text)]:
                row = {"pillar": pillar["code"], "level": level, "size": size}
                sheets[L.RECOMMENDATIONS].append(_texts(row, "text", one))
        if "components" in pillar:
            for component in pillar["components"]:
                _applies(sheets, component)
                survey.append(
                    _row(
                        "begin_group",
                        L.xml_name(component["code"]),
                        label=component["name"],
                        code=_code(component["code"]),
                        max_points=component["max_points"],
                    )
                )
                for criterion in component["criteria"]:
                    _criterion(sheets, criterion)
                survey.append(_row("end_group"))
        else:
            for criterion in pillar["criteria"]:
                _criterion(sheets, criterion)
        survey.append(_row("end_group"))
    sheets[L.LEVELS] = [
        _texts(_texts({"level": lv["level"]}, "name", lv["name"]), "description", lv.get("description"))
        for lv in data["levels"]
    ]
    sheets[L.PILLAR_BANDS] = [dict(band) for band in data["pillar_bands"]]
    sheets[L.OVERALL_RULES] = [dict(rule) for rule in data["overall_rules"]]
    sheets[L.TIERS] = [
        _texts(
            _texts({"code": t["code"], "min_level": t["min_level"]}, "name", t["name"]),
            "description",
            t.get("description"),
        )
        for t in data["tiers"]
    ]
    sheets[L.TECHNOLOGIES] = [
        _texts({"code": t["code"]}, "label", t["label"]) for t in data.get("technologies", [])
    ]
    return sheets


def _code(code: str) -> str | None:
    """The ``code`` cell: empty when the name says it."""
    return None if L.xml_name(code) == code else code


def _criteria(data: dict) -> list[dict]:
    found = []
    for pillar in data["pillars"]:
        found += pillar.get("criteria", [])
        for component in pillar.get("components", []):
            found += component["criteria"]
    return found


def _option(list_name: str, option: dict) -> dict:
    return _texts(
        {"list_name": list_name, "name": option["code"], "points": option["points"]}, "label", option["label"]
    )


def _applies(sheets: dict, part: dict) -> None:
    rule = part.get("applies_to")
    if rule is not None:
        sheets[L.APPLICABILITY].append(
            {
                "code": part["code"],
                "entity_types": _words(rule.get("entity_types")),
                "sectors": _words(rule.get("sectors")),
            }
        )


def _criterion(sheets: dict, c: dict) -> None:
    survey, choices = sheets[L.SURVEY], sheets[L.CHOICES]
    name = L.xml_name(c["code"])
    kind = c.get("kind", "single")
    required = _yes_no(c.get("required", True))
    common = {
        "label": c["text"],
        "hint": c.get("help"),
        "code": _code(c["code"]),
        "kind": c.get("kind"),
        "max_points": c.get("max_points"),
        "unit": c.get("unit"),
        "base": c.get("base"),
        "provisional": c.get("provisional"),
        "note": c.get("note"),
    }
    _applies(sheets, c)
    if "scale" in c:
        list_name = c["scale"]
    else:
        list_name = name
        choices += [_option(name, o) for o in c.get("options", [])]
    if kind == "level":
        survey.append(_row("begin_group", name, **common))
        survey.append(
            _row(f"select_one {L.SCREENING_LIST}", name + L.SCREEN, label=c["question"], required=required)
        )
        survey.append(
            _row(
                f"select_one {list_name}",
                name + L.ANSWER,
                label=c.get("prompt"),
                relevant=f"${{{name + L.SCREEN}}} = '{L.YES}'",
                required=required,
            )
        )
        survey.append(_row("end_group"))
    elif kind == "figure":
        survey.append(_row("begin_group", name, **common))
        survey.append(_row("decimal", name + L.VALUE, label=c["numerator"], required=required))
        if "denominator" in c:
            survey.append(_row("decimal", name + L.OF, label=c["denominator"], required=required))
        survey.append(_row("end_group"))
        sheets[L.FIGURE_BANDS] += [{"criterion": c["code"], **band} for band in c["bands"]]
    else:
        select = "select_multiple" if kind == "multi" else "select_one"
        survey.append(_row(f"{select} {list_name}", name, required=required, **common))


# ---------------------------------------------------------------- module


def module_sheets(data: dict) -> dict[str, list[dict]]:
    survey: list[dict] = []
    choices: list[dict] = []
    settings = {
        "form_title": data["title"]["vi"],
        "form_id": data["code"],
        "version": data["version"],
        "default_language": L.DEFAULT_LANGUAGE,
        "kind": L.MODULE,
        "code": data["code"],
        **{k: data[k] for k in ("wording", "high_from") if k in data},
    }
    for scale in data.get("scales", []):
        choices += [
            _texts({"list_name": scale["code"], "name": str(p["value"])}, "label", p["label"])
            for p in scale["points"]
        ]
    questions = {q["code"] for s in data["sections"] for q in s["questions"]}
    for section in data["sections"]:
        # Sections and questions have codes of their own; XLSForm names are one namespace.
        code = section["code"]
        name = code if code not in questions else f"{code}_section"
        survey.append(
            _row(
                "begin_group",
                name,
                label=section["title"],
                hint=section.get("intro"),
                code=None if name == code else code,
            )
        )
        for q in section["questions"]:
            rating = q["kind"] == "rating"
            required = q.get("required")
            effective = required if required is not None else rating
            type_ = {"rating": f"select_one {q.get('scale')}", "checklist": f"select_multiple {q['code']}"}
            survey.append(
                _row(
                    type_.get(q["kind"], q["kind"]),
                    q["code"],
                    label=q["text"],
                    hint=q.get("help"),
                    required=_yes_no(effective),
                    max_length=q.get("max_length"),
                    pillars=_words(q.get("pillars")),
                    advice=q.get("advice"),
                )
            )
            for option in q.get("options", []):
                row = {
                    "list_name": q["code"],
                    "name": option["code"],
                    "pillars": _words(option.get("pillars")),
                }
                choices.append(_texts(_texts(row, "label", option["label"]), "advice", option.get("advice")))
        survey.append(_row("end_group"))
    return {
        L.SURVEY: survey,
        L.CHOICES: choices,
        L.SETTINGS: [settings],
        L.ABOUT: _about(data, L.ABOUT_FIELDS[L.MODULE]),
    }
