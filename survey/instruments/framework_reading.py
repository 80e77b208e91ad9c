"""Reading a scored framework's workbook (see survey.instruments.xlsform for the mapping).

Besides the shape of each row, the rules a staff member most often breaks are checked
here with the cell to fix: every select names a list the choices sheet has; codes are
used once; points add up to each pillar's and component's maximum; bands increase; the
levels, rules and tiers go in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from survey.instruments import layout as L
from survey.instruments.cells import Cells, Row, Sheet
from survey.instruments.errors import _
from survey.instruments.reading import (
    about,
    check_required,
    choice_lists,
    no_relevant,
    put,
    row_code,
    row_name,
    settings,
    survey_type,
)
from survey.scoring.definition import SIZE_KEYS

KINDS = ("single", "multi", "level", "figure", "scale")
#: Columns of a criterion's row (the first, or its group's) that other rows leave empty.
CRITERION_ONLY = [
    "kind",
    "max_points",
    *L.lang_columns("unit"),
    "base",
    "provisional",
    *L.lang_columns("note"),
]


@dataclass
class _Group:
    """A begin_group being read: a pillar, a component, or a level or figure criterion."""

    what: str
    row: Row
    data: dict
    name: str | None = None
    rows: list[Row] = field(default_factory=list)
    parts: list[dict] = field(default_factory=list)  # a pillar's components, or criteria
    components: bool = False


@dataclass
class _Select:
    """A criterion's select, resolved once every list's owner is known."""

    criterion: dict
    row: Row
    list_name: str
    owner: str | None


def read_framework(sheets: dict[str, Sheet], cells: Cells) -> dict:
    data: dict = {}
    row = settings(sheets, cells, data)
    put(data, "rescores", cells.integer(row, "rescores"))
    put(data, "band_comparison", cells.code(row, "band_comparison"))
    put(data, "allows_not_applicable", cells.boolean(row, "allows_not_applicable"))
    about(sheets, L.FRAMEWORK, cells, data)
    reader = _Survey(sheets, cells)
    reader.read()
    reader.resolve_lists(data)
    if reader.figures:
        data["figures"] = reader.figures
    data["levels"] = _levels(sheets, cells)
    data["pillar_bands"] = _pillar_bands(sheets, cells)
    data["overall_rules"] = _overall_rules(sheets, cells)
    data["tiers"] = _tiers(sheets, cells)
    data["pillars"] = reader.pillars
    _recommendations(sheets, cells, reader)
    _figure_bands(sheets, cells, reader)
    _applicability(sheets, cells, reader)
    reader.check_points()
    technologies = _technologies(sheets, cells)
    if technologies:
        data["technologies"] = technologies
    return data


class _Survey:
    """The survey sheet: shared figures, then pillars of components of criteria."""

    def __init__(self, sheets: dict[str, Sheet], cells: Cells):
        self.sheet = sheets[L.SURVEY]
        self.lists = choice_lists(sheets[L.CHOICES], cells)
        self.cells = cells
        self.names: dict[str, int] = {}
        self.figures: list[dict] = []
        self.pillars: list[dict] = []
        self.stack: list[_Group] = []
        self.selects: list[_Select] = []
        #: Every coded part (pillar, component, criterion) by code, with its row and group.
        self.parts: dict[str, tuple[Row, dict, _Group | None]] = {}
        self.pillar_groups: list[_Group] = []
        self.criteria: list[tuple[Row, dict]] = []

    # -- rows

    def read(self) -> None:
        for row in self.sheet.rows:
            parsed = survey_type(row, self.cells)
            if parsed is not None:
                self._row(row, *parsed)
        # Each group left open is a mistake of its own; closing it still lets the rules
        # across rows (points, recommendations) read a whole pillar.
        while self.stack:
            group = self.stack.pop()
            self.cells.fail(group.row, "type", _("This group has no end_group."))
            self._close(group)

    def _row(self, row: Row, kind: str, list_name: str | None) -> None:
        cells = self.cells
        top = self.stack[-1] if self.stack else None
        if kind == "end_group":
            if top is None:
                cells.fail(row, "type", _("end_group without a begin_group before it."))
            else:
                self._close(self.stack.pop())
            return
        name = row_name(row, cells, self.names)
        if top is not None and top.what in ("level", "figure"):
            self._part_of_criterion(top, row, kind, list_name, name)
            return
        if kind == "text":
            cells.fail(row, "type", _("A framework has no free-text questions."))
            return
        if kind == "begin_group":
            self._begin(top, row, name)
        elif kind in ("integer", "decimal"):
            if top is None:
                self._shared_figure(row, name)
            else:
                cells.fail(
                    row,
                    "type",
                    _(
                        "A number question is a shared figure (before the "
                        "pillars) or part of a figure criterion."
                    ),
                )
        elif top is None:
            cells.fail(row, "type", _("A question must be inside a pillar's group."))
        else:
            self._choice_criterion(top, row, kind, list_name, name)

    def _begin(self, top: _Group | None, row: Row, name: str | None) -> None:
        cells = self.cells
        code = row_code(row, cells, name)
        kind = cells.code(row, "kind")
        if kind in ("level", "figure"):
            if top is None:
                cells.fail(row, "kind", _("A criterion must be inside a pillar's group."))
            cells.unused(row, ["required"], _("a criterion's group row (required goes on the rows inside)"))
            no_relevant(row, cells)
            criterion = self._criterion(row, code, kind)
            self.stack.append(_Group(kind, row, criterion, name))
            if top is not None:
                self._add_criterion(top, row, criterion)
            return
        if kind is not None:
            cells.fail(
                row, "kind", _("A group is a pillar, a component, or a criterion of kind level or figure.")
            )
        what = "pillar" if top is None else "component"
        no_relevant(row, cells)
        unused = [c for c in CRITERION_ONLY if c != "max_points"] + ["required"]
        cells.unused(row, unused, _("a pillar's row") if what == "pillar" else _("a component's row"))
        part: dict = cells.made(row, {"code": code, "name": cells.text(row, "label", needed=True)})
        if what == "pillar":
            put(part, "description", cells.text(row, "hint"))
        else:
            cells.unused(row, L.lang_columns("hint"), _("a component's row"))
        part["max_points"] = cells.integer(row, "max_points", needed=True)
        group = _Group(what, row, part, name)
        self._register(row, code, part, group)
        if what == "pillar":
            self.pillars.append(part)
            self.pillar_groups.append(group)
        elif top is not None and top.what != "pillar":
            cells.fail(row, "type", _("A component must be directly inside a pillar's group."))
        elif top is not None and top.parts and not top.components:
            cells.fail(row, "type", _("A pillar holds components or criteria, not both."))
        elif top is not None:
            top.components = True
            top.parts.append(part)
        # Kept off the pillar after a mistake (so the pillar's parts stay of one sort), but
        # read all the same, to report what is inside it.
        self.stack.append(group)

    def _close(self, group: _Group) -> None:
        cells = self.cells
        if group.what == "pillar":
            key = "components" if group.components else "criteria"
            group.data[key] = group.parts
            if not group.parts:
                cells.fail(group.row, "type", _("This pillar has no criteria."))
            # recommendations come from their sheet; keep the key order of the YAML files
            group.data["recommendations"] = {}
        elif group.what == "component":
            group.data["criteria"] = group.parts
            if not group.parts:
                cells.fail(group.row, "type", _("This component has no criteria."))
        elif group.what == "level" and len(group.rows) != 2:
            cells.fail(
                group.row,
                "type",
                _(
                    "A level criterion's group holds two rows: select_one yes_no "
                    "(the screening question), then its descriptors."
                ),
            )
        elif group.what == "figure" and not group.rows:
            cells.fail(
                group.row,
                "type",
                _(
                    "A figure criterion's group holds its numerator (decimal) "
                    "and, unless it has a base, its denominator."
                ),
            )

    def _register(self, row: Row, code: str | None, part: dict, group: _Group | None) -> None:
        if code is None:
            return
        if code in self.parts:
            first = self.parts[code][0]
            column = "code" if row.filled("code") else "name"
            self.cells.fail(
                row,
                column,
                _("The code %(code)s is used twice (first in row %(row)s).", code=code, row=first.number),
            )
            return
        self.parts[code] = (row, part, group)

    def _add_criterion(self, top: _Group, row: Row, criterion: dict) -> None:
        if top.what == "pillar" and top.components:
            self.cells.fail(row, "type", _("A pillar holds components or criteria, not both."))
        else:
            top.parts.append(criterion)

    def _criterion(self, row: Row, code: str | None, kind: str | None) -> dict:
        """The fields every criterion has, from its (first) row."""
        cells = self.cells
        if kind is not None and kind not in KINDS:
            cells.fail(
                row,
                "kind",
                _("Unknown kind %(value)s: use one of %(kinds)s.", value=kind, kinds=", ".join(KINDS)),
            )
        criterion: dict = cells.made(row, {"code": code, "text": cells.text(row, "label", needed=True)})
        put(criterion, "help", cells.text(row, "hint"))
        put(criterion, "kind", kind)
        put(criterion, "max_points", cells.integer(row, "max_points"))
        put(criterion, "unit", cells.text(row, "unit"))
        base = cells.code(row, "base")
        put(criterion, "base", base)
        put(criterion, "provisional", cells.boolean(row, "provisional"))
        put(criterion, "note", cells.text(row, "note"))
        self._register(row, code, criterion, None)
        self.criteria.append((row, criterion))
        return criterion

    def _required(self, row: Row, criterion: dict) -> bool:
        required = bool(self.cells.boolean(row, "required"))
        if not required:
            criterion["required"] = False
        return required

    def _choice_criterion(
        self, top: _Group, row: Row, kind: str, list_name: str | None, name: str | None
    ) -> None:
        cells = self.cells
        code = row_code(row, cells, name)
        given = cells.code(row, "kind")
        if kind == "select_multiple" and given not in (None, "multi"):
            cells.fail(row, "kind", _("A select_multiple criterion is of kind multi."))
        if kind == "select_one" and given not in (None, "single", "scale"):
            cells.fail(
                row,
                "kind",
                _("A select_one criterion is of kind single or scale (level and figure are groups)."),
            )
        # A multi choice always says so: the kind left out means single.
        criterion = self._criterion(row, code, "multi" if kind == "select_multiple" else given)
        no_relevant(row, cells)
        self._required(row, criterion)
        self._add_criterion(top, row, criterion)
        self.selects.append(_Select(criterion, row, list_name or "", name))

    def _part_of_criterion(
        self, group: _Group, row: Row, kind: str, list_name: str | None, name: str | None
    ) -> None:
        """The screening question and descriptors of a level criterion, or a figure's numbers."""
        cells = self.cells
        criterion = group.data
        cells.unused(
            row, ["code", *CRITERION_ONLY, *L.lang_columns("hint")], _("a row inside a criterion's group")
        )
        index = len(group.rows)
        group.rows.append(row)
        if group.what == "level":
            if index == 0:
                if (kind, list_name) != ("select_one", L.SCREENING_LIST):
                    cells.fail(
                        row,
                        "type",
                        _("A level criterion's first row is select_one yes_no, its screening question."),
                    )
                no_relevant(row, cells)
                put(criterion, "question", cells.text(row, "label", needed=True))
                self._required(row, criterion)
            elif index == 1 and kind == "select_one":
                put(criterion, "prompt", cells.text(row, "label"))
                expected = f"${{{cells.code(group.rows[0], 'name')}}} = '{L.YES}'"
                relevant = " ".join((cells.string(row, "relevant") or "").replace('"', "'").split())
                if relevant.replace(" ", "") != expected.replace(" ", ""):
                    cells.fail(
                        row,
                        "relevant",
                        _("The descriptors are asked after a yes: write %(expected)s.", expected=expected),
                    )
                check_required(row, cells, criterion.get("required", True))
                self.selects.append(_Select(criterion, row, list_name or "", group.name))
            else:
                cells.fail(
                    row,
                    "type",
                    _(
                        "A level criterion's group holds two rows: select_one yes_no "
                        "(the screening question), then its descriptors."
                    ),
                )
            return
        no_relevant(row, cells)
        if kind not in ("decimal", "integer") or index > 1:
            cells.fail(
                row,
                "type",
                _("A figure criterion's group holds its numerator and denominator (decimal), nothing else."),
            )
        elif index == 0:
            put(criterion, "numerator", cells.text(row, "label", needed=True))
            self._required(row, criterion)
        else:
            put(criterion, "denominator", cells.text(row, "label", needed=True))
            check_required(row, cells, criterion.get("required", True))

    def _shared_figure(self, row: Row, name: str | None) -> None:
        cells = self.cells
        no_relevant(row, cells)
        cells.unused(
            row,
            ["code", "kind", "max_points", "base", "provisional", *L.lang_columns("note")],
            _("a shared figure's row"),
        )
        figure: dict = {
            "code": name,
            "label": cells.text(row, "label", needed=True),
            "unit": cells.text(row, "unit", needed=True),
        }
        put(figure, "help", cells.text(row, "hint"))
        cells.made(row, figure)
        if self.pillars:
            cells.fail(row, "type", _("Shared figures come before the pillars."))
        self.figures.append(figure)

    # -- after the rows

    def resolve_lists(self, data: dict) -> None:
        """Each select's options: its own list (named as the criterion) or a shared scale."""
        cells = self.cells
        owners = {s.owner for s in self.selects if s.owner}
        own = {s.list_name for s in self.selects if s.list_name == s.owner}
        scales: dict[str, list[dict]] = {}
        for name, rows in self.lists.items():
            if name in owners and name not in own:
                # Named after a criterion that uses another list: it would be lost unseen.
                cells.fail(
                    rows[0],
                    "list_name",
                    _("Criterion %(list)s does not use list %(list)s: remove the list or use it.", list=name),
                )
            if name == L.SCREENING_LIST or name in owners:
                continue
            scales[name] = [self._option(r) for r in rows]
        for select in self.selects:
            if select.list_name == L.SCREENING_LIST:
                cells.fail(
                    select.row,
                    "type",
                    _(
                        "List yes_no is a level criterion's screening "
                        "question: a criterion needs its own options."
                    ),
                )
            elif select.list_name not in self.lists:
                cells.fail(
                    select.row, "type", _("The choices sheet has no list %(list)s.", list=select.list_name)
                )
            elif select.list_name == select.owner:
                select.criterion["options"] = [self._option(r) for r in self.lists[select.list_name]]
            elif select.list_name in owners:
                cells.fail(
                    select.row,
                    "type",
                    _(
                        "List %(list)s holds the options of criterion %(list)s: give "
                        "this criterion a list of its own or a scale.",
                        list=select.list_name,
                    ),
                )
            else:
                select.criterion["scale"] = select.list_name
        if scales:
            data["scales"] = scales
        self.scales = scales

    def _option(self, row: Row) -> dict:
        cells = self.cells
        option = {"code": cells.code(row, "name"), "points": cells.integer(row, "points", needed=True)}
        option["label"] = cells.text(row, "label", needed=True)
        return cells.made(row, option)

    def check_points(self) -> None:
        """Each pillar's and component's maximum is what its criteria can give."""
        for group in self.pillar_groups:
            self._check_max(group.row, group.data, "criteria" if "criteria" in group.data else None)
            for component in group.data.get("components", []):
                row = self.parts.get(component["code"], (None,))[0]
                if row is not None:
                    self._check_max(row, component, "criteria")

    def _check_max(self, row: Row, part: dict, key: str | None) -> None:
        criteria = part[key] if key else [c for comp in part.get("components", []) for c in comp["criteria"]]
        worth = [self._worth(c) for c in criteria]
        if part.get("max_points") is None or any(w is None for w in worth):
            return
        if sum(worth) != part["max_points"]:
            self.cells.fail(
                row,
                "max_points",
                _(
                    "The maximum is %(max)s but the criteria inside add up to %(sum)s.",
                    max=part["max_points"],
                    sum=sum(worth),
                ),
            )

    def _worth(self, criterion: dict) -> int | None:
        """What a criterion can give at best (as survey.scoring.criteria.criterion_max)."""
        kind = criterion.get("kind", "single")
        if kind == "multi":
            return criterion.get("max_points")
        if kind == "figure":
            points = [b.get("points") for b in criterion.get("bands", [])]
            return max(points) if points and None not in points else None
        options = criterion.get("options") or self.scales.get(criterion.get("scale", ""), [])
        points = [o["points"] for o in options]
        return max(points) if points and None not in points else None


# ---------------------------------------------------------------- other sheets


def _rows(sheets: dict[str, Sheet], name: str) -> list[Row]:
    return sheets[name].rows if name in sheets else []


def _in_order(cells: Cells, rows: list[Row], numbers: list[int | None], first: int) -> None:
    for expected, (row, number) in enumerate(zip(rows, numbers, strict=True), start=first):
        if number is not None and number != expected:
            cells.fail(
                row,
                "level",
                _(
                    "Levels go %(first)s, %(next)s, … in order: this row should be %(expected)s.",
                    first=first,
                    next=first + 1,
                    expected=expected,
                ),
            )
            return


def _levels(sheets: dict[str, Sheet], cells: Cells) -> list[dict]:
    rows = _rows(sheets, L.LEVELS)
    if not rows:
        cells.fail(L.LEVELS, None, _("The levels sheet needs a row for each level, from 0."))
    levels = []
    for row in rows:
        level = {
            "level": cells.integer(row, "level", needed=True),
            "name": cells.text(row, "name", needed=True),
        }
        put(level, "description", cells.text(row, "description"))
        levels.append(cells.made(row, level))
    _in_order(cells, rows, [lv["level"] for lv in levels], 0)
    return levels


def _pillar_bands(sheets: dict[str, Sheet], cells: Cells) -> list[dict]:
    rows = _rows(sheets, L.PILLAR_BANDS)
    bands = []
    previous: tuple[Row, float] | None = None
    for row in rows:
        band: dict = cells.made(row, {"level": cells.integer(row, "level", needed=True)})
        percent, old = cells.number(row, "percent"), cells.number(row, "min_percent")
        column = "percent" if old is None else "min_percent"
        if (percent is None) == (old is None):
            cells.fail(
                row,
                "percent",
                _("Give the band's percent (or min_percent, as version 1 files do), one of them."),
            )
        value = percent if percent is not None else old
        put(band, column, value)
        if value is not None:
            if previous is not None and value <= previous[1]:
                cells.fail(
                    row,
                    column,
                    _(
                        "Bands must increase: %(value)s is not above %(previous)s in row %(row)s.",
                        value=value,
                        previous=previous[1],
                        row=previous[0].number,
                    ),
                )
            previous = (row, value)
        bands.append(band)
    _in_order(cells, rows, [b["level"] for b in bands], 1)
    return bands


def _overall_rules(sheets: dict[str, Sheet], cells: Cells) -> list[dict]:
    rows = _rows(sheets, L.OVERALL_RULES)
    rules = []
    for row in rows:
        rule: dict = cells.made(row, {"level": cells.integer(row, "level", needed=True)})
        rule["total_above"] = cells.integer(row, "total_above", needed=True)
        pillars = cells.code(row, "min_pillars", needed=True)
        if pillars is not None and pillars != "all":
            pillars = cells.integer(row, "min_pillars")
        rule["min_pillars"] = pillars
        rule["pillar_level"] = cells.integer(row, "pillar_level", needed=True)
        rules.append(rule)
    _in_order(cells, rows, [r["level"] for r in rules], 1)
    return rules


def _tiers(sheets: dict[str, Sheet], cells: Cells) -> list[dict]:
    tiers = []
    seen: dict[str, int] = {}
    for row in _rows(sheets, L.TIERS):
        code = cells.code(row, "code", needed=True)
        _once(cells, row, "code", code, seen)
        tier = {
            "code": code,
            "min_level": cells.integer(row, "min_level", needed=True),
            "name": cells.text(row, "name", needed=True),
        }
        put(tier, "description", cells.text(row, "description"))
        tiers.append(cells.made(row, tier))
    return tiers


def _technologies(sheets: dict[str, Sheet], cells: Cells) -> list[dict]:
    found = []
    seen: dict[str, int] = {}
    for row in _rows(sheets, L.TECHNOLOGIES):
        code = cells.code(row, "code", needed=True)
        _once(cells, row, "code", code, seen)
        found.append(cells.made(row, {"code": code, "label": cells.text(row, "label", needed=True)}))
    return found


def _once(cells: Cells, row: Row, column: str, value, seen: dict) -> None:
    if value is None:
        return
    if value in seen:
        cells.fail(
            row, column, _("%(value)s is given twice (first in row %(row)s).", value=value, row=seen[value])
        )
    else:
        seen[value] = row.number


def _recommendations(sheets: dict[str, Sheet], cells: Cells, reader: _Survey) -> None:
    pillars = {p["code"]: p for p in reader.pillars if p.get("code")}
    seen: dict[tuple, int] = {}
    for row in _rows(sheets, L.RECOMMENDATIONS):
        code = cells.code(row, "pillar", needed=True)
        level = cells.integer(row, "level", needed=True)
        size = cells.code(row, "size")
        text = cells.text(row, "text", needed=True)
        if code is not None and code not in pillars:
            cells.fail(row, "pillar", _("No pillar %(code)s on the survey sheet.", code=code))
            continue
        if size is not None and size not in SIZE_KEYS:
            cells.fail(
                row,
                "size",
                _("Unknown size %(value)s: use one of %(sizes)s.", value=size, sizes=", ".join(SIZE_KEYS)),
            )
            continue
        if code is None or level is None or text is None:
            continue
        _once(cells, row, "level" if size is None else "size", (code, level, size), seen)
        texts = pillars[code]["recommendations"]
        current = texts.get(level)
        if size is None:
            if current is not None:
                cells.fail(
                    row,
                    "size",
                    _("This level's advice is written by size in another row: give a size here too."),
                )
            texts[level] = cells.made(row, text)
        elif current is not None and "vi" in current:
            cells.fail(
                row,
                "size",
                _("This level's advice is one text in another row: leave size empty, or give sizes in both."),
            )
        else:
            texts.setdefault(level, {})[size] = cells.made(row, text)


def _figure_bands(sheets: dict[str, Sheet], cells: Cells, reader: _Survey) -> None:
    last: dict[str, tuple[Row, dict]] = {}
    for row in _rows(sheets, L.FIGURE_BANDS):
        code = cells.code(row, "criterion", needed=True)
        band = {
            "points": cells.integer(row, "points", needed=True),
            "percent": cells.number(row, "percent", needed=True),
        }
        cells.made(row, band)
        part = reader.parts.get(code or "")
        if code is not None and (part is None or part[1].get("kind") != "figure"):
            cells.fail(row, "criterion", _("No figure criterion %(code)s on the survey sheet.", code=code))
            continue
        if code is None:
            continue
        before = last.get(code)
        if before is not None:
            for column in ("percent", "points"):
                if None not in (band[column], before[1][column]) and band[column] <= before[1][column]:
                    cells.fail(
                        row,
                        column,
                        _(
                            "A criterion's bands must rise: %(value)s is not "
                            "above %(previous)s in row %(row)s.",
                            value=band[column],
                            previous=before[1][column],
                            row=before[0].number,
                        ),
                    )
        last[code] = (row, band)
        part[1].setdefault("bands", []).append(band)
    for row, criterion in reader.criteria:
        if criterion.get("kind") == "figure" and "bands" not in criterion:
            cells.fail(row, "kind", _("A figure criterion needs its bands on the figure_bands sheet."))


def _applicability(sheets: dict[str, Sheet], cells: Cells, reader: _Survey) -> None:
    seen: dict[str, int] = {}
    for row in _rows(sheets, L.APPLICABILITY):
        code = cells.code(row, "code", needed=True)
        if code is None:
            continue
        if code not in reader.parts:
            cells.fail(
                row, "code", _("No pillar, component or criterion %(code)s on the survey sheet.", code=code)
            )
            continue
        _once(cells, row, "code", code, seen)
        rule: dict = cells.made(row, {})
        put(rule, "entity_types", cells.words(row, "entity_types"))
        put(rule, "sectors", cells.words(row, "sectors"))
        reader.parts[code][1]["applies_to"] = rule
