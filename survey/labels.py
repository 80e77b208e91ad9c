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

from survey.models.business import BusinessKind, IdType, Population
from survey.models.enterprise import Ownership
from survey.models.export_job import JobState
from survey.models.mailing import MailPurpose, MailStatus
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
#: What became of a mailed invitation or reminder (survey.invitations.mailer).
MAIL_STATUS = {
    MailStatus.QUEUED: _l("Queued"),
    MailStatus.SENDING: _l("Being sent"),
    MailStatus.SENT: _l("Sent"),
    MailStatus.FAILED: _l("Failed"),
    MailStatus.SKIPPED: _l("Not sent"),
}
BY_ENUM[MailStatus] = MAIL_STATUS
BY_KIND["mail_status"] = MAIL_STATUS
MAIL_PURPOSE = {
    MailPurpose.INVITATION: _l("Invitation"),
    MailPurpose.REMINDER: _l("Reminder"),
}
BY_ENUM[MailPurpose] = MAIL_PURPOSE
BY_KIND["mail_purpose"] = MAIL_PURPOSE
#: Why a firm is left out of a mail-out (survey.invitations.mailouts.REASONS), or why its
#: queued message was not sent after all.
MAIL_LEFT_OUT = {
    "submitted": _l("Already submitted in this wave"),
    "opted_out": _l("Asked to receive no more e-mail"),
    "no_address": _l("No usable e-mail address"),
    "already_mailed": _l("Already mailed for this wave"),
    "not_invited": _l("Not invited in this wave yet"),
}
BY_KIND["mail_left_out"] = MAIL_LEFT_OUT

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

#: Every action the audit log records (survey.audit.record), as the log names it. The
#: responses' own actions keep their history's words, so that one action reads the same
#: on the response page and in the log.
AUDIT_ACTION = {
    "login": _l("Logged in"),
    "login.failed": _l("Log-in refused"),
    "logout": _l("Logged out"),
    "password.changed": _l("Changed their own password"),
    "user.created": _l("Account created"),
    "user.password_reset": _l("Password reset by an administrator"),
    "user.role": _l("Role changed"),
    "user.deactivated": _l("Account deactivated"),
    "user.reactivated": _l("Account reactivated"),
    "wave.created": _l("Wave created"),
    "wave.edited": _l("Wave edited"),
    "wave.modules": _l("Unscored modules of the wave changed"),
    "wave.open": _l("Wave opened"),
    "wave.close": _l("Wave closed"),
    "wave.rescored": _l("Wave re-scored"),
    "export.responses": _l("Responses workbook requested"),
    "export.summary": _l("Summary workbook requested"),
    "export.downloaded": _l("Export downloaded"),
    "register.imported": _l("Register imported"),
    "register.edited": _l("Firm in the register edited"),
    "register.exported": _l("Register exported"),
    "api_token.created": _l("Data access token created"),
    "api_token.revoked": _l("Data access token revoked"),
    "invitations.issued": _l("Invitation links issued"),
    "invitation.revoked": _l("Invitation link revoked"),
    "invitation.reissued": _l("Invitation link issued again"),
    "mailout.invitations": _l("Invitations mailed"),
    "mailout.reminders": _l("Reminders mailed"),
    "mail_template.edited": _l("Mail template edited"),
    "mail.opted_out": _l("A firm asked to receive no more e-mail"),
    "instrument.draft_imported": _l("Instrument draft loaded"),
    "instrument.published": _l("Instrument version published"),
    "instrument.draft_deleted": _l("Instrument draft deleted"),
    "support.created": _l("Support programme added"),
    "support.edited": _l("Support programme edited"),
    "support.withdrawn": _l("Support programme withdrawn"),
    "support.restored": _l("Support programme offered again"),
    "retention.contacts_erased": _l("Contact data erased after the retention period"),
    **RESPONSE_ACTION,
}
BY_KIND["audit_action"] = AUDIT_ACTION
#: What an audit event was done to (its object type: the table's name).
AUDIT_OBJECT = {
    "responses": _l("Response"),
    "waves": _l("Wave"),
    "staff_users": _l("Staff account"),
    "export_jobs": _l("Export"),
    "enterprises": _l("Firm in the register"),
    "invitations": _l("Invitation link"),
    "framework_versions": _l("Framework version"),
    "module_versions": _l("Module version"),
    "instrument_drafts": _l("Instrument draft"),
    "support_programmes": _l("Support programme"),
    "rescore_runs": _l("Re-scoring"),
    "api_tokens": _l("Data access token"),
    "mail_outs": _l("Mail-out"),
    "mail_templates": _l("Mail template"),
}
BY_KIND["audit_object"] = AUDIT_OBJECT
#: The fields and details of audit events, as the log names them (a response's as its
#: history does).
AUDIT_FIELD = {
    **RESPONSE_FIELD,
    "wave_state": _l("State of the wave"),
    "role": _l("Role"),
    "active": _l("Active"),
    "email": _l("E-mail"),
    "name": _l("Name"),
    "year": _l("Year"),
    "framework_version_id": _l("Framework version"),
    "framework_version": _l("Framework version"),
    "opens_at": _l("Opens"),
    "closes_at": _l("Closes"),
    "kinds": _l("Kinds of business"),
    "modules": _l("Unscored modules"),
    "count": _l("Number"),
    "filters": _l("Filters"),
    "contacts": _l("With contact data"),
    "personal_ids": _l("With personal IDs in full"),
    "wave_id": _l("Wave"),
    "checked": _l("Responses re-scored"),
    "changed": _l("Scorecards changed"),
    "moved": _l("Firms whose overall level changed"),
    "run": _l("Re-scoring"),
    "invitation_id": _l("Invitation link"),
    "enterprise_id": _l("Firm in the register"),
    "replaces": _l("Replaces the link"),
    "include_submitted": _l("Firms that already submitted included"),
    "mail_template": _l("Mail template"),
    "mailout": _l("Mail-out"),
    "subject": _l("Subject"),
    "trigger": _l("Sent by the schedule"),
    "subject_vi": _l("Subject (Vietnamese)"),
    "subject_en": _l("Subject (English)"),
    "body_vi": _l("Message (Vietnamese)"),
    "body_en": _l("Message (English)"),
    "signature_vi": _l("Signature (Vietnamese)"),
    "signature_en": _l("Signature (English)"),
    "added": _l("Added"),
    "updated": _l("Updated"),
    "unchanged": _l("Unchanged"),
    "skipped_rows": _l("Rows left out"),
    "enterprises": _l("Firms"),
    "module_texts": _l("Free-text answers"),
    "export_files": _l("Export files"),
    "export_jobs": _l("Exports"),
    "waves": _l("Waves"),
    "older_than_days": _l("Older than (days)"),
    "kind": _l("Kind"),
    "code": _l("Code"),
    "version": _l("Version"),
    "content_hash": _l("Content fingerprint"),
    "source": _l("File"),
    "provider": _l("Provider"),
    "offers": _l("What it offers"),
    "link": _l("Web address"),
    "contact": _l("Contact"),
    "pillars": _l("Pillars"),
    "levels": _l("Levels"),
    "sizes": _l("Size classes"),
    "needs": _l("Needs"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "fields_changed": _l("Fields changed"),
    "tax_code": _l("Tax code or personal ID"),
    "id_type": _l("Kind of identifier"),
    "address": _l("Address"),
    "contact_name": _l("Contact person"),
    "contact_email": _l("Contact e-mail"),
    "contact_phone": _l("Contact phone"),
    "searched": _l("With a search"),
    "client": _l("Given to"),
    "scope": _l("May read"),
    "expires_at": _l("Expires"),
}
BY_KIND["audit_field"] = AUDIT_FIELD
#: What an instrument draft is a draft of.
INSTRUMENT_KIND = {
    "framework": _l("Scored framework"),
    "module": _l("Unscored module"),
}
BY_KIND["instrument_kind"] = INSTRUMENT_KIND


def filter_words(
    filters: dict, units: dict[str, str] | None = None, sectors: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """Report filters (survey.reports.filters: name → code) as (filter, value) in words.

    A unit is named by ``units`` (code → name) and a sector by ``sectors`` (code → name)
    when given; the other coded filters by their tables here; a former area is a name.
    """
    words = []
    for name, value in filters.items():
        if name == "unit":
            shown = (units or {}).get(str(value), str(value))
        elif name == "sector":
            found = (sectors or {}).get(str(value))
            shown = f"{value} – {found}" if found else str(value)
        elif name in BY_KIND and name != "dimension":
            shown = label(value, name)
        else:
            shown = str(value)
        words.append((str(DIMENSION.get(name, name)), shown))
    return words


#: What a business's identifier is (survey.models.business.IdType).
ID_TYPE = {
    IdType.MST10: _l("Tax code (10 digits)"),
    IdType.MST13: _l("Tax code of a branch (13 digits)"),
    IdType.CCCD12: _l("Personal ID of the representative (12 digits)"),
}
BY_ENUM[IdType] = ID_TYPE
BY_KIND["id_type"] = ID_TYPE
