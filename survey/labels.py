"""The one label catalogue: every code a person reads, in words, through the Babel catalogues.

Codes stay where machines read them (URLs, the CLI's JSON, a ``code`` column beside the
label in the analysts' workbook); everywhere a person reads, a code goes through ``label``
(also the Jinja filter ``label``), so one table per kind of value gives its words in the
reader's language. A value of an enum is looked up by its enum; a plain string needs the
name of its kind (``label("private", "ownership")``).

The labels are lazy (``lazy_gettext``): the table is built once at import time and each
label is translated when it is shown, in the language of that request.
"""

from __future__ import annotations

from enum import Enum

from flask_babel import lazy_gettext as _l

from survey.models.business import BusinessKind, Population
from survey.models.enterprise import Ownership
from survey.models.export_job import JobState
from survey.models.reference import EconomicPillar, UnitKind
from survey.models.response import EntryMethod, ResponseState, ReviewState
from survey.models.size_class import SizeClass, SizeGroup
from survey.models.staff import Role
from survey.models.wave import WaveState

SIZE_CLASS = {
    SizeClass.MICRO: _l("Micro enterprise"),
    SizeClass.SMALL: _l("Small enterprise"),
    SizeClass.MEDIUM: _l("Medium enterprise"),
    SizeClass.LARGE: _l("Large enterprise"),
    SizeClass.HOUSEHOLD: _l("Household or individual business"),
}
SIZE_GROUP = {
    SizeGroup.INDUSTRY: _l("Agriculture, industry and construction"),
    SizeGroup.TRADE_SERVICES: _l("Trade and services"),
}
#: Kinds of business as staff read them (the start page has its own, longer, wording).
KIND = {
    BusinessKind.ENTERPRISE: _l("Enterprise"),
    BusinessKind.BRANCH: _l("Branch or dependent unit"),
    BusinessKind.COOPERATIVE: _l("Cooperative"),
    BusinessKind.HOUSEHOLD: _l("Household business"),
    BusinessKind.INDIVIDUAL: _l("Individual business"),
}
POPULATION = {
    Population.ENTERPRISES: _l("Enterprises and cooperatives"),
    Population.HOUSEHOLDS: _l("Household and individual businesses"),
}
#: The city's economic sectors of focus. Called "economic sectors", never "pillars": a
#: pillar is one of the framework's six (customers, strategy, …), and one word must not
#: mean both on the same dashboard.
ECONOMIC_PILLAR = {
    EconomicPillar.HIGH_TECH_INDUSTRY: _l("High-tech industry"),
    EconomicPillar.SEAPORT_LOGISTICS: _l("Seaport and logistics"),
    EconomicPillar.TOURISM_TRADE: _l("Tourism and trade"),
    EconomicPillar.OTHER: _l("Other sectors"),
}
OWNERSHIP = {
    Ownership.PRIVATE: _l("Private domestic"),
    Ownership.STATE: _l("State-owned"),
    Ownership.FOREIGN: _l("Foreign-invested"),
    Ownership.COOPERATIVE: _l("Cooperative"),
    Ownership.HOUSEHOLD: _l("Household business"),
}
UNIT_KIND = {
    UnitKind.WARD: _l("Ward"),
    UnitKind.COMMUNE: _l("Commune"),
    UnitKind.SPECIAL_ZONE: _l("Special zone"),
}
RESPONSE_STATE = {
    ResponseState.DRAFT: _l("Not submitted yet"),
    ResponseState.SUBMITTED: _l("Submitted"),
}
#: One word for review everywhere: "review" is the act, these are its outcomes.
REVIEW_STATE = {
    ReviewState.PENDING: _l("Awaiting review"),
    ReviewState.VERIFIED: _l("Verified"),
    ReviewState.FLAGGED: _l("Flagged for checking"),
    ReviewState.REJECTED: _l("Rejected"),
}
WAVE_STATE = {
    WaveState.DRAFT: _l("Being prepared"),
    WaveState.OPEN: _l("Open"),
    WaveState.CLOSED: _l("Closed"),
}
JOB_STATE = {
    JobState.QUEUED: _l("Waiting"),
    JobState.RUNNING: _l("Being prepared"),
    JobState.DONE: _l("Ready"),
    JobState.FAILED: _l("Failed"),
}
ROLE = {
    Role.ADMIN: _l("Administrator"),
    Role.ANALYST: _l("Analyst"),
    Role.VIEWER: _l("Viewer"),
}
EXPORT_KIND = {
    "responses": _l("Responses workbook"),
    "summary": _l("Summary workbook"),
}
DIMENSION = {
    "economic_pillar": _l("Economic sector"),
    "sector": _l("Sector (VSIC)"),
    "size_class": _l("Size class"),
    "size_group": _l("Sector group (Decree 80)"),
    "ownership": _l("Ownership"),
    "business_kind": _l("Kind of business"),
    "population": _l("Enterprises or household businesses"),
    "former_area": _l("Former district-level area"),
    "unit": _l("Ward, commune or special zone"),
}

#: Each enum's table, so that ``label(value)`` needs no kind for an enum value.
BY_ENUM: dict[type[Enum], dict] = {
    SizeClass: SIZE_CLASS,
    SizeGroup: SIZE_GROUP,
    BusinessKind: KIND,
    Population: POPULATION,
    EconomicPillar: ECONOMIC_PILLAR,
    Ownership: OWNERSHIP,
    UnitKind: UNIT_KIND,
    ResponseState: RESPONSE_STATE,
    ReviewState: REVIEW_STATE,
    WaveState: WAVE_STATE,
    JobState: JOB_STATE,
    Role: ROLE,
}
#: The tables by the name of the kind of value (the report dimensions' names where one is).
BY_KIND: dict[str, dict] = {
    "size_class": SIZE_CLASS,
    "size_group": SIZE_GROUP,
    "business_kind": KIND,
    "kind": KIND,
    "population": POPULATION,
    "economic_pillar": ECONOMIC_PILLAR,
    "ownership": OWNERSHIP,
    "unit_kind": UNIT_KIND,
    "state": RESPONSE_STATE,
    "review_state": REVIEW_STATE,
    "wave_state": WAVE_STATE,
    "job_state": JOB_STATE,
    "role": ROLE,
    "export_kind": EXPORT_KIND,
    "dimension": DIMENSION,
}


def table(kind: str) -> dict:
    return BY_KIND[kind]


def label(value, kind: str | None = None) -> str:
    """``value`` in words in the current language; "" for None. An unknown code comes back
    as it is (never an error on a page), and the Vietnamese-page scan finds it there."""
    if value is None or value == "":
        return ""
    entries = BY_KIND[kind] if kind is not None else BY_ENUM.get(type(value))
    if entries is None:
        return str(value)
    found = entries.get(value)
    if found is None and isinstance(value, str):
        # A plain string for an enum-keyed table: StrEnum members equal their values.
        found = next((text for key, text in entries.items() if key == value), None)
    return str(found) if found is not None else str(getattr(value, "value", value))


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a select, in the table's order."""
    return [(str(getattr(key, "value", key)), str(text)) for key, text in BY_KIND[kind].items()]


#: Where a personal invitation link stands, from the firm's side (survey.invitations).
INVITATION_STATUS = {
    "not_opened": _l("Not opened"),
    "opened": _l("Opened, not started"),
    "draft": _l("Started, not submitted"),
    "submitted": _l("Submitted"),
}
BY_KIND["invitation_status"] = INVITATION_STATUS

#: How staff took the answers of a response they entered for the firm.
ENTRY_METHOD = {
    EntryMethod.PHONE: _l("By phone"),
    EntryMethod.PAPER: _l("From a paper form"),
    EntryMethod.IN_PERSON: _l("In person"),
}
BY_ENUM[EntryMethod] = ENTRY_METHOD
BY_KIND["entry_method"] = ENTRY_METHOD

#: What was done to a response, as its history on the staff page names it (its audit
#: actions; survey.responses.review.history). The audit log's own table, where there is
#: one ("audit_action"), has the last word.
RESPONSE_ACTION = {
    "response.verified": _l("Reviewed: verified"),
    "response.flagged": _l("Reviewed: flagged for checking"),
    "response.rejected": _l("Reviewed: rejected"),
    "response.reopened": _l("Reopened for review"),
    "response.note": _l("Internal note added"),
    "response.corrected": _l("Profile corrected by staff"),
    "response.taken_over": _l("Opened through a personal link"),
    "response.recovery_requested": _l("The business asked for its link again"),
    "response.recovered": _l("Came back through a link sent by e-mail"),
    "response.link_sent": _l("Link sent again by staff"),
    "response.entered_by_staff": _l("Entered by staff"),
    "response.entry_continued": _l("Staff went on entering it"),
}
BY_KIND["response_action"] = RESPONSE_ACTION
#: A response's fields as its history names them (before → after).
RESPONSE_FIELD = {
    "review_state": _l("Review state"),
    "review_reason": _l("Reason for the review decision"),
    "firm_name": _l("Enterprise name"),
    "unit_id": _l("Ward, commune or special zone"),
    "sector_code": _l("Sector (VSIC)"),
    "ownership": _l("Ownership"),
    "employees": _l("Employees"),
    "revenue_vnd": _l("Revenue"),
    "capital_vnd": _l("Total capital"),
    "size_class": _l("Size class"),
    "state": _l("State of the response"),
    "note": _l("Note"),
    "reason": _l("Reason"),
    "method": _l("How the answers were taken"),
    "choice": _l("Answers found on the link"),
}
BY_KIND["response_field"] = RESPONSE_FIELD
#: What a firm chose when its personal link met answers begun without it (survey.respondent).
TAKEOVER_CHOICE = {
    "keep": _l("Kept"),
    "afresh": _l("Started afresh"),
}
BY_KIND["takeover_choice"] = TAKEOVER_CHOICE
