"""Hostile input to every form endpoint: never a 500, always a 4xx with a message, nothing written.

Each hypothesis example starts from a form the endpoint accepts (``test_the_untouched_form_is_accepted``
proves that), poisons it in one way that must make the app refuse it, then scrambles the
rest of the form with more junk. Poisons: a missing or blank field, a wrong type, a huge
or negative number, an overlong string, control characters, bytes that are not UTF-8
(percent-encoded or raw in the body), an unknown option code, a wrong or missing CSRF
token, a wrong id in the URL, a junk file. Scrambling: other fields replaced by junk,
dropped or repeated, unknown fields added; the poisoned fields are left alone. So every
example is junk by construction, and any acceptance is a bug.

The app must answer below 500, with a 4xx (or, for an edit conflict, the designed
redirect to a page saying so), show a message a person can read, and leave every table
exactly as it was. The one write that refused input makes by design, the audit entry of
a failed log-in, is counted precisely rather than ignored.

The state behind the forms is real (a logged-in administrator, a respondent with a draft,
a submitted response, waves, an invitation, a register upload), so the junk reaches the
validation rather than a "please log in" redirect. Cases are keyed by endpoint and
checked against ``app.url_map``: a new POST route without a junk case fails the suite.

Besides: junk that once got through (``REGRESSIONS``), tried on every run; junk in the
staff lists' query strings; wrong secrets in personal links. The module prints how many
hostile inputs it tried; ``JUNK_EXAMPLES`` sets how many per endpoint (default 40).
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import os
import re
import secrets
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote_from_bytes

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from survey import errors, tokens
from survey.extensions import db as _db
from survey.extensions import limiter
from survey.models import AuditEvent, Invitation, Response, Role, StaffUser, Wave
from survey.models.base import utcnow
from survey.responses.review import CORRECTABLE
from tests import factories
from tests.registry_import._support import row, workbook
from tests.respondent import helpers as journey
from tests.scoring._support import raw_dbi as _raw_v1
from tests.staff.conftest import PASSWORD, log_in

FRAMEWORK = journey.FRAMEWORK
#: Hostile inputs per endpoint and run, spread over its kinds of junk, at least PER_FAMILY
#: of each; JUNK_EXAMPLES=1000 digs deeper.
EXAMPLES = int(os.environ.get("JUNK_EXAMPLES", "40"))
PER_FAMILY = 2
#: Hostile inputs tried in this run, by endpoint (reported when the module finishes).
TRIED: Counter[str] = Counter()
#: Routes that take no form: static files, and the bench's bare baseline (``make bench`` only).
NOT_FORMS = {"static", "bench.bare"}

Value = str | bytes  # bytes are sent as they are, so they may be anything but UTF-8

# fmt: off
#: Characters no form field may carry (tab and line breaks are text).
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"]
#: Byte sequences that are not UTF-8: stray bytes, a lone surrogate, overlong forms.
NOT_UTF8 = [b"\xff", b"\xfe\xff", b"\xed\xa0\x80", b"\xc3\x28", b"\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80"]
#: Not a number, or a number no field takes.
NOT_NUMBERS = ["abc", "1.5", "1e3", "1e308", "-1e308", "NaN", "sNaN", "inf", "-Infinity", "0x10", "12abc",
               "--1", "1 2", "1" + "0" * 40, "-" + "9" * 40, "9" * 5000, "²", "Ⅻ"]
WRONG_IDS = [0, 999_999, 2**31, 2**63, 10**40]
ROLES = ["superuser", "ADMIN", "admin ", "root", "0"]
TIMES = ["2026-13-01T08:00", "2026-02-30T08:00", "tomorrow", "2026-01-01", "2026-01-01T08:00:00", "",
         "1e308", "0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T23:59", "2101-01-01T00:00"]
TAX_CODES = ["", "abc", "0100233489", "010023348", "01002334881", "0100233488-000", "0100233488-1000",
             "٠١٠٠٢٣٣٤٨٨", "0" * 41, "x" * 100_000]
#: A household's personal ID typed wrong: every structural rule, and the kinds' mix-ups.
PERSONAL_IDS = ["", "03108012345", "0310801234567", "03108012345x", "999080123456", "031480123456",
                "031225123456", "0100233488", "0100233488-001", "٠٣١٠٨٠١٢٣٤٥٦"]
KINDS = ["", "company", "HOUSEHOLD", "household\x00", "enterprise " * 50]
EMAILS = ["", "not-an-email", "a@", "@example.vn", "a@b", "a b@example.vn", "lan@@example.vn",
          "x" * 250 + "@example.vn"]
PHONES = ["", "abc", "123", "1234567", "1" * 16, "+84 912 345 678 ext 9", "0912" + " " * 30 + "345678",
          "(" * 20 + "0912345678" + ")" * 20]
#: Amounts are decimals, with a decimal comma and spaces allowed: "1.5", "1e3" and "1 2" are amounts.
AMOUNTS = ["-1", "-0.001", "10000000.1", "1E+400", "1.2.3", "1,2,3",
           *(n for n in NOT_NUMBERS if n not in ("1.5", "1e3", "1 2"))]
UPLOADS = ["abc", "0" * 32, "f" * 32, "A" * 32, "0" * 31, "0" * 33, "..%2F..%2Fetc%2Fpasswd", "%00" * 4]
SCRAPS = ["", " ", "0", "-1", "null", "None", "true", "[]", "{}", "<script>alert(1)</script>", "' OR 1=1 --",
          "%00", "%FF", "../../etc/passwd", "\u202e\u200b", "١٢٣", *NOT_NUMBERS]
#: Pages that read filters, searches and page numbers from the query string, and their names.
QUERY_PAGES = ["/staff/responses", "/staff/audit", "/staff/invitations", "/staff/dashboard", "/staff/",
               "/summary", "/staff/firms", "/staff/firms/export.xlsx"]
#: The one query page that writes by design: its audit entry.
REGISTER_EXPORT = "/staff/firms/export.xlsx"
QUERY_NAMES = ["wave", "q", "sort", "dir", "page", "unit", "area", "former_area", "sector", "size_class",
               "level", "tier", "ownership", "economic_pillar", "action", "actor", "object_type", "object_id",
               "from", "to"]
# fmt: on

printable = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffd")
#: Junk for the fields around the poison: printable, so that the poison is what gets refused.
junk_text = st.one_of(
    st.text(printable, max_size=40),
    st.sampled_from(SCRAPS),
    st.integers().map(str),
    st.floats().map(repr),
    st.builds(lambda c, n: c * n, st.sampled_from("x9 ế漢"), st.sampled_from([255, 301, 2001, 100_000])),
)
unknown_names = st.one_of(
    st.sampled_from(["zz", "id", "state", "role[]", "answers", "__proto__", "csrf_token_", "x" * 300]),
    st.text(printable, min_size=1, max_size=12).map(lambda s: "junk_" + s),
)


# --- what is sent -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Poison:
    """One change that must make the endpoint refuse the form.

    ``changes`` maps a field to the values it is sent with (several: a repeated field)
    or to None (left out). ``body``: "raw" puts byte values unescaped into the body,
    "json" and "plain" send the form under a content type that is no form.
    ``redirect_ok``: the designed answer is a redirect to a page that says what went
    wrong (a stale version is an edit conflict). ``files`` replace the page's files.
    """

    label: str
    changes: dict[str, list[Value] | None] = field(default_factory=dict)
    path: str | None = None
    body: str = "urlencoded"
    redirect_ok: bool = False
    files: tuple[tuple[str, str, bytes], ...] | None = None


@dataclass
class Attempt:
    path: str
    fields: list[tuple[Value, Value]]
    multipart: bool = False
    body: str = "urlencoded"
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    poison: str = "none"
    redirect_ok: bool = False

    def set(self, name: str, values: list[Value] | None) -> None:
        """Send ``name`` with ``values`` where it first was, or leave it out for None."""
        at = next((i for i, (n, _) in enumerate(self.fields) if n == name), len(self.fields))
        kept = [(n, v) for n, v in self.fields if n != name]
        kept[at:at] = [(name, v) for v in values or []]
        self.fields = kept

    def describe(self) -> str:
        shown = [(_short(n, 20), _short(v)) for n, v in self.fields]
        files = [(n, _short(f, 20), len(c)) for n, f, c in self.files]
        return f"POST {_short(self.path)} [{self.poison}] {self.body} fields={shown} files={files}"


def _short(value, limit: int = 50) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…(+{len(text) - limit})"


def _bytes(value: Value) -> bytes:
    # A lone surrogate becomes the invalid bytes a broken client would send.
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def _urlencoded(fields: list[tuple[Value, Value]], raw: bool) -> bytes:
    def quoted(value: Value) -> bytes:
        if raw and isinstance(value, bytes):
            return value
        return quote_from_bytes(_bytes(value), safe="").encode("ascii")

    return b"&".join(quoted(name) + b"=" + quoted(value) for name, value in fields)


def _multipart(fields: list[tuple[Value, Value]], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = b"junk-boundary-7d2f1c"
    parts = [b'form-data; name="%s"\r\n\r\n%s' % (_bytes(n), _bytes(v)) for n, v in fields]
    parts += [
        b'form-data; name="%s"; filename="%s"\r\nContent-Type: application/octet-stream\r\n\r\n%s'
        % (n.encode(), f.encode(), content)
        for n, f, content in files
    ]
    body = b"".join(b"--%s\r\nContent-Disposition: %s\r\n" % (boundary, p) for p in parts)
    return body + b"--%s--\r\n" % boundary, "multipart/form-data; boundary=" + boundary.decode()


def send(client, attempt: Attempt):
    if attempt.body == "json":
        body = json.dumps({str(n): str(v) for n, v in attempt.fields}).encode()
        content_type = "application/json"
    elif attempt.body == "plain":
        body, content_type = _urlencoded(attempt.fields, raw=False), "text/plain"
    elif attempt.multipart:
        body, content_type = _multipart(attempt.fields, attempt.files)
    else:
        body = _urlencoded(attempt.fields, raw=attempt.body == "raw")
        content_type = "application/x-www-form-urlencoded"
    return client.post(attempt.path, data=body, content_type=content_type)


# --- poisons -------------------------------------------------------------------------------------


def set_to(name: str, values, why: str) -> st.SearchStrategy[Poison]:
    """``name`` sent with a value from ``values`` (a list, or a strategy; a list value repeats the field)."""
    strategy = values if isinstance(values, st.SearchStrategy) else st.sampled_from(values)
    return strategy.map(
        lambda v: Poison(f"{why}: {name}={_short(v, 30)}", {name: v if isinstance(v, list) else [v]})
    )


def missing(*names: str) -> st.SearchStrategy[Poison]:
    return st.sampled_from(names).map(lambda n: Poison(f"missing {n}", {n: None}))


def overlong(limit: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda c, n: c * n, st.sampled_from("xế9"), st.sampled_from([limit + 1, 4 * limit, 100_000])
    )


def required_text(name: str, limit: int) -> list[st.SearchStrategy[Poison]]:
    """Left out, blank (spaces are no answer) or longer than ``limit``."""
    return [
        missing(name),
        set_to(name, ["", " ", "   \t ", "\r\n"], "blank"),
        set_to(name, overlong(limit), "overlong"),
    ]


def choice(name: str, unknown: list[str]) -> list[st.SearchStrategy[Poison]]:
    """A required choice: an unknown option, no option, or left out."""
    return [set_to(name, unknown, "unknown option"), set_to(name, [""], "no option"), missing(name)]


def wrong_path(template: str, good: dict[str, object], **wrong: list) -> st.SearchStrategy[Poison]:
    """``template`` with one placeholder wrong (a missing object, a bad segment), the rest good."""
    pairs = [(name, value) for name, values in wrong.items() for value in values]
    return st.sampled_from(pairs).map(
        lambda p: Poison(f"wrong {p[0]} in the URL", path=template.format(**{**good, p[0]: p[1]}))
    )


def token_poisons(w: World, who: str) -> st.SearchStrategy[Poison]:
    """Wrong CSRF tokens: none, forged, mangled, another session's, or a wrong one repeated first."""
    good = w.tokens[who]
    wrong = ["", "forged.token.value", good[:-1], good + "x", good.swapcase(), good[::-1], w.tokens["other"]]
    wrong += ["None", "x" * 100_000]
    return st.one_of(
        st.just(Poison("no CSRF token", {"csrf_token": None})),
        st.sampled_from(wrong).map(
            lambda t: Poison(f"wrong CSRF token {_short(t, 20)}", {"csrf_token": [t]})
        ),
        st.sampled_from(wrong).map(
            lambda t: Poison("a wrong CSRF token, then the right one", {"csrf_token": [t, good]})
        ),
    )


def text_poisons(page: Page) -> st.SearchStrategy[Poison]:
    """Control characters or bytes that are not UTF-8 in a field or its name; a body that is no form."""
    current = dict(page.form)
    names = st.one_of(st.sampled_from([n for n, _ in page.form] or ["zz"]), unknown_names)

    def control(args) -> Poison:
        name, char, at = args
        value = str(current.get(name, "abc"))
        return Poison(f"control character {char!r} in {name}", {name: [value[:at] + char + value[at:]]})

    def undecodable(args) -> Poison:
        name, junk, raw = args
        value = _bytes(current.get(name, "abc")) + junk
        return Poison(f"not UTF-8 in {name}", {name: [value]}, body="raw" if raw else "urlencoded")

    return st.one_of(
        st.tuples(names, st.sampled_from(CONTROL), st.integers(0, 40)).map(control),
        st.tuples(names, st.sampled_from(NOT_UTF8), st.booleans()).map(undecodable),
        st.sampled_from(CONTROL).map(
            lambda c: Poison(f"control character {c!r} in a field name", {f"x{c}": ["1"]})
        ),
        st.sampled_from(["json", "plain"]).map(lambda b: Poison(f"the form sent as {b}", body=b)),
    )


def file_poisons() -> st.SearchStrategy[Poison]:
    """No register: no file, the file as a text field, random bytes, text, a broken zip, an empty file."""
    contents = st.one_of(
        st.binary(max_size=2000),
        st.sampled_from([b"", b"PK\x03\x04 not a zip", b"tax_code,name\n0300000017,A\n", b"<html></html>"]),
    )
    names = st.sampled_from(["reg.xlsx", "reg.csv", "", "../../etc/passwd", "x" * 300 + ".xlsx"])
    return st.one_of(
        st.just(Poison("no file", files=())),
        st.just(Poison("the file as a text field", {"file": ["reg.xlsx"]}, files=())),
        st.tuples(contents, names).map(
            lambda p: Poison(f"junk file {p[1][:20]!r} of {len(p[0])} bytes", files=(("file", p[1], p[0]),))
        ),
    )


# --- the world the forms act on ------------------------------------------------------------------


@cache
def password_hash() -> str:
    """Hashing is slow on purpose; the accounts share one hash of the test password."""
    return generate_password_hash(PASSWORD)


def staff_user(db, role: Role, email: str, active: bool = True) -> StaffUser:
    user = StaffUser(email=email, role=role, active=active, password_hash=password_hash())
    db.session.add(user)
    db.session.flush()
    return user


@dataclass
class World:
    """Real objects for the junk to aim at, and the client and CSRF token of each kind of user."""

    clients: dict[str, object]
    tokens: dict[str, str]
    admin: StaffUser
    colleague: StaffUser
    wave: Wave  # open, with responses
    draft_wave: Wave  # no responses
    submitted: Response
    invitation: Invitation
    framework_version_id: int
    #: A recorded version that re-scores the wave's version 1 (other pillar bands).
    rescore_target_id: int = 0
    upload: str | None = None
    #: A draft instrument (dbi-2021-sme v1 renumbered 3), for the instrument pages.
    instrument_draft: int = 0
    #: A support programme, for the catalogue's forms.
    programme_id: int = 0
    #: The invitation's secret, for the personal link's own form.
    invitation_token: str = ""
    #: An API token, for its revocation.
    api_token_id: int = 0
    #: The unsubscribe link's secret of a mailed message, for its confirmation.
    unsubscribe_token: str = ""


@pytest.fixture
def make_world(app, db, client):
    """``make_world(case)``: the world, with only the slow parts that case needs.

    The staff client is logged in as an administrator; the respondent's client has a
    complete draft in its session; the visitor's client is nobody's. Register previews
    the test leaves in the instance folder are removed afterwards.
    """
    uploads = Path(app.instance_path) / "uploads"
    kept = set(uploads.iterdir()) if uploads.is_dir() else set()

    def build(case: Case) -> World:
        admin = staff_user(db, Role.ADMIN, "admin.junk@staff.example.org")
        colleague = staff_user(db, Role.ANALYST, "colleague@staff.example.org")
        staff_user(db, Role.VIEWER, "gone@staff.example.org", active=False)
        wave = factories.wave(name="Khảo sát junk 2025")
        draft_wave = factories.wave(
            open_now=False,
            name="Khảo sát junk 2026",
            # After the open wave: opening it must not make a business see two.
            opens_at=utcnow() + timedelta(days=60),
            closes_at=utcnow() + timedelta(days=90),
        )
        submitted = factories.response(wave, answers=factories.answers_at(FRAMEWORK, 0.5))
        invitation_token, invitation_digest = tokens.new_token()
        invitation = Invitation(wave=wave, enterprise=factories.enterprise(), token_hash=invitation_digest)
        db.session.add(invitation)
        db.session.commit()
        other = app.test_client()
        w = World(
            clients={case.who: client},
            tokens={"other": other.csrf_token("/staff/login")},
            admin=admin,
            colleague=colleague,
            wave=wave,
            draft_wave=draft_wave,
            submitted=submitted,
            invitation=invitation,
            invitation_token=invitation_token,
            framework_version_id=factories.framework_version(2).id,
            rescore_target_id=_rescoring_version(db).id,
        )
        if case.who == "staff":
            assert log_in(client, admin.email).status_code == 302
            w.tokens["staff"] = client.csrf_token("/staff/")
            if case.endpoint == "staff.register_confirm":
                w.upload = _upload(client)
            if case.endpoint.endswith("support_programme"):
                w.programme_id = _programme(db)
            if case.endpoint == "staff.revoke_api_token":
                w.api_token_id = _api_token(db)
            if case.endpoint == "staff.queue_mailout":
                # A firm with an address, so that the mail-out reaches someone.
                factories.enterprise(name="Công ty TNHH Thư", contact_email="thu@example.vn")
                db.session.commit()
            if case.endpoint.startswith("staff.instrument_") and case.endpoint != "staff.instrument_upload":
                w.instrument_draft = _instrument_draft(db)
        elif case.who == "respondent":
            assert journey.start(client, factories.tax_code()).status_code == 302
            journey.complete(client)
            w.tokens["respondent"] = client.csrf_token("/start")
        else:
            w.tokens["visitor"] = client.csrf_token("/staff/login")
            if case.endpoint == "respondent.confirm_unsubscribe":
                w.unsubscribe_token = _mailed_message(db, w)
        return w

    yield build
    for path in set(uploads.iterdir()) - kept if uploads.is_dir() else ():
        path.unlink(missing_ok=True)


def _instrument_draft(db) -> int:
    from survey.instruments import drafts
    from tests.staff.test_instrument_drafts import _edited

    draft = drafts.import_workbook(db.session, _edited("dbi-2021-sme", 1, 3), "dbi.xlsx")
    db.session.commit()
    return draft.id


def _upload(client) -> str:
    """Upload a good register for preview; the id of the upload waiting for confirmation."""
    response = client.post(
        "/staff/register",
        data={"csrf_token": client.csrf_token("/staff/register"), "file": (workbook([row()]), "reg.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,  # through the check's task page, which shows the preview
    )
    match = re.search(r"/staff/register/([0-9a-f]{32})/confirm", response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:2000]
    return match.group(1)


# --- the cases: every POST endpoint --------------------------------------------------------------


@dataclass
class Page:
    """One form of an endpoint: where it posts, what it accepts, how to poison it."""

    path: str
    form: list[tuple[str, Value]]
    poisons: list[st.SearchStrategy[Poison]] = field(default_factory=list)
    #: Fields the scrambling leaves alone (their junk has a designed answer of its own).
    steady: frozenset[str] = frozenset()
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    multipart: bool = False


@dataclass(frozen=True)
class Case:
    endpoint: str
    who: str  # whose client posts: "staff" (an administrator), "respondent" or "visitor"
    pages: Callable[[World], list[Page]]
    accepted: int  # the status answering the untouched form
    writes: bool  # whether the untouched form changes the database


def _id_paths(template: str, good: int) -> st.SearchStrategy[Poison]:
    return wrong_path(template, {"id": good}, id=WRONG_IDS)


def _language(w: World) -> list[Page]:
    return [
        Page(
            "/language", [("lang", "en"), ("next", "/")], choice("lang", ["fr", "VI", "vi ", "e", "en" * 99])
        )
    ]


def _start(w: World) -> list[Page]:
    poisons = [
        missing("tax_code", "consent"),
        set_to("tax_code", TAX_CODES, "bad tax code"),
        set_to("tax_code", [w.submitted.enterprise.tax_code], "a firm that already responded"),
        set_to("kind", KINDS, "bad kind"),
        set_to("tax_code", ["031080123456"], "a personal ID as an enterprise"),
        set_to("consent", [""], "no consent"),
        set_to("website", ["http://spam.example"], "honeypot filled"),
    ]
    household = [
        missing("tax_code", "consent"),
        set_to("tax_code", PERSONAL_IDS, "bad personal ID"),
        set_to("kind", ["branch", "enterprise"], "a personal ID under another kind"),
    ]
    return [
        Page(
            "/start",
            [("kind", "enterprise"), ("tax_code", factories.tax_code()), ("consent", "y"), ("website", "")],
            poisons,
        ),
        Page(
            "/start",
            [("kind", "household"), ("tax_code", factories.personal_id()), ("consent", "y"), ("website", "")],
            household,
        ),
    ]


def _recover(w: World) -> list[Page]:
    # The contact address is optional (the link goes to the one in the assessment): a blank
    # one is no junk, a malformed one is.
    poisons = [
        missing("tax_code"),
        set_to("tax_code", TAX_CODES, "bad tax code"),
        set_to("kind", KINDS, "bad kind"),
        set_to("contact_email", [e for e in EMAILS if e.strip()], "bad e-mail"),
        set_to("website", ["http://spam.example"], "honeypot filled"),
    ]
    form = [
        ("kind", "enterprise"),
        ("tax_code", w.submitted.enterprise.tax_code),
        ("contact_email", "lan@example.vn"),
        ("website", ""),
    ]
    return [Page("/recover", form, poisons)]


def _take_over(w: World) -> list[Page]:
    template = "/i/{token}"
    wrong = ["x" * 101, "%00", "%FF%FE", w.invitation_token[:-1], w.invitation_token.swapcase(), "0" * 43]
    poisons = [wrong_path(template, {"token": w.invitation_token}, token=wrong)]
    return [Page(template.format(token=w.invitation_token), [("choice", "afresh")], poisons)]


def _firm(w: World) -> list[Page]:
    poisons = [
        *required_text("firm_name", 300),
        *required_text("contact_name", 120),
        *choice("unit_id", ["999999", "0", "-1", "abc", "1.0", "1e3", "9" * 40]),
        *choice("sector_code", ["ZZ", "h", "H ", "X" * 100]),
        *choice("ownership", ["public", "PRIVATE", "private ", "0"]),
        missing("employees", "contact_email", "contact_phone"),
        set_to("employees", ["", "-1", "1000001", *NOT_NUMBERS], "bad number"),
        set_to("revenue_bn", AMOUNTS, "bad amount"),
        set_to("capital_bn", AMOUNTS, "bad amount"),
        set_to("contact_email", EMAILS, "bad e-mail"),
        set_to("contact_phone", PHONES, "bad phone"),
        set_to("website", ["http://spam.example", "x"], "honeypot filled"),
    ]
    return [Page("/firm", list(journey.firm_data(firm_name="Công ty TNHH Sửa Đổi").items()), poisons)]


def _pillar_page(step: int, pillar, steps: int, base: str = "/assessment") -> Page:
    answers = journey.pillar_answers(pillar, 1.0)  # unlike the stored draft's, so accepting writes
    form = [("action", "next")]
    form += [
        (code, v) for code, value in answers.items() for v in (value if isinstance(value, list) else [value])
    ]
    elsewhere = {o.code for _, c in FRAMEWORK.criteria() for o in c.options}
    unknown, combined, unanswered = [], [], []  # one family each, over the page's criteria
    for c in pillar.criteria:
        codes = {o.code for o in c.options}
        others = sorted({"zz", "0", "NONE", c.options[0].code + " ", *elsewhere} - codes)
        if c.kind.value == "multi":
            given_codes = answers[c.code]
            unknown.append(
                set_to(c.code, st.sampled_from(others).map(lambda u, g=given_codes: [*g, u]), "unknown")
            )
            zero = [o.code for o in c.options if o.points == 0]
            paying = [o.code for o in c.options if o.points > 0]
            if zero and paying:
                combined.append(set_to(c.code, [[paying[0], zero[0]]], "“none” with another answer"))
        else:
            unknown.append(set_to(c.code, others, "unknown option"))
        if c.required:
            unanswered.append(
                st.sampled_from([["next"], None]).map(
                    lambda a, code=c.code: Poison(f"{code} unanswered, going on", {code: None, "action": a})
                )
            )
    poisons = [wrong_path(base + "/{step}", {"step": step}, step=[0, steps + 1, 999, 10**40])]
    poisons += [st.one_of(family) for family in (unknown, combined, unanswered) if family]
    return Page(f"{base}/{step}", form, poisons)


def _assessment(w: World) -> list[Page]:
    steps = len(FRAMEWORK.pillars) + 1
    pages = [_pillar_page(step, pillar, steps) for step, pillar in enumerate(FRAMEWORK.pillars, start=1)]
    known = {t.code for t in FRAMEWORK.technologies}
    unknown = ["zz", "CLOUD", "cloud ", "", "none"]
    technologies = [("action", "next"), ("technologies", "cloud"), ("technologies", "iot")]
    poisons = [
        set_to("technologies", [u for u in unknown if u not in known], "unknown option"),
        set_to("technologies", [["cloud", "zz"], ["iot", "iot", "nope"]], "unknown option"),
    ]
    return [*pages, Page(f"/assessment/{steps}", technologies, poisons)]


def _login(w: World) -> list[Page]:
    poisons = [
        missing("email", "password"),
        set_to("email", ["", "x" * 255, "nobody@staff.example.org", "gone@staff.example.org"], "bad e-mail"),
        set_to(
            "password", ["", "wrong-password", PASSWORD.upper(), PASSWORD + " ", "x" * 201], "bad password"
        ),
    ]
    return [
        Page("/staff/login", [("email", w.admin.email), ("password", PASSWORD), ("next", "/staff/")], poisons)
    ]


def _password(w: World) -> list[Page]:
    new = "Brand-new pass phrase 2025"
    poisons = [
        missing("current", "new", "confirm"),
        set_to("current", ["", "wrong-password", "x" * 201], "wrong current password"),
        # Too short, too few letters, the e-mail, too long, common, the current one.
        st.sampled_from(
            ["short", "aaaaaaaaaaaaaaaa", "admin.junk-2025-xyz", "x" * 201, "password1234", PASSWORD]
        ).map(lambda p: Poison(f"weak new password {p[:20]!r}", {"new": [p], "confirm": [p]})),
        st.just(Poison("the two new passwords differ", {"new": [new], "confirm": [new + "!"]})),
    ]
    return [Page("/staff/password", [("current", PASSWORD), ("new", new), ("confirm", new)], poisons)]


def _new_user(w: World) -> list[Page]:
    poisons = [
        missing("email"),
        set_to("email", ["", "not-an-email", "a@b", "x" * 250 + "@staff.example.org"], "bad e-mail"),
        set_to("email", [w.admin.email.upper(), " " + w.colleague.email], "an e-mail in use"),
        *choice("role", ROLES),
    ]
    return [Page("/staff/users", [("email", "new.person@staff.example.org"), ("role", "analyst")], poisons)]


def _user_action(action: str, form: list, poisons: list) -> Callable[[World], list[Page]]:
    def pages(w: World) -> list[Page]:
        template = "/staff/users/{id}/" + action
        path = template.format(id=w.colleague.id)
        return [Page(path, form, [*poisons, _id_paths(template, w.colleague.id)])]

    return pages


def _wave_form(w: World, name: str) -> list[tuple[str, Value]]:
    return [
        ("name", name),
        ("year", "2026"),
        ("framework_version_id", str(w.framework_version_id)),
        ("opens_at", "2026-03-01T08:00"),
        ("closes_at", "2026-04-30T17:00"),
        ("kinds", "enterprise"),
        ("kinds", "household"),
    ]


def _wave_poisons(w: World, name_in_use: str) -> list[st.SearchStrategy[Poison]]:
    return [
        *required_text("name", 200),
        set_to("name", [name_in_use], "a name in use"),
        missing("year", "framework_version_id", "opens_at", "closes_at", "kinds"),
        set_to("kinds", ["", "nobody", "enterprise\x00"], "bad kind"),
        set_to("year", ["", "1999", "2101", "-2025", *NOT_NUMBERS], "bad year"),
        set_to("framework_version_id", ["", "0", "999999", "abc", "1.0", "9" * 40], "unknown option"),
        set_to("opens_at", TIMES, "bad time"),
        set_to("closes_at", TIMES, "bad time"),
        st.just(
            Poison(
                "closes before it opens",
                {"opens_at": ["2026-05-01T08:00"], "closes_at": ["2026-04-30T17:00"]},
            )
        ),
    ]


def _new_wave(w: World) -> list[Page]:
    return [Page("/staff/waves/new", _wave_form(w, "Đợt khảo sát mới"), _wave_poisons(w, w.wave.name))]


def _edit_wave(w: World) -> list[Page]:
    empty = f"/staff/waves/{w.draft_wave.id}/edit"
    empty_poisons = [*_wave_poisons(w, w.wave.name), _id_paths("/staff/waves/{id}/edit", w.draft_wave.id)]
    # A wave with responses keeps its year, framework and opening time.
    locked = [
        set_to("year", ["2030"], "a locked field changed"),
        set_to("opens_at", ["2026-01-02T08:00"], "a locked field changed"),
    ]
    used = f"/staff/waves/{w.wave.id}/edit"
    return [
        Page(empty, _wave_form(w, "Khảo sát junk 2026 (sửa)"), empty_poisons),
        Page(used, _wave_form(w, w.wave.name), [*_wave_poisons(w, w.draft_wave.name), *locked]),
    ]


def _rescoring_version(db):
    """Version 1's questions with other pillar bands, recorded as a version that re-scores it."""
    raw = copy.deepcopy(_raw_v1())
    raw.update(version=9, rescores=1)
    raw["pillar_bands"][0]["min_percent"] = 15
    version = factories.record_framework(raw)
    db.session.commit()
    return version


def _rescore(w: World) -> list[Page]:
    path = f"/staff/waves/{w.wave.id}/rescore"
    return [
        Page(
            path,
            [("version", str(w.rescore_target_id))],
            [
                *choice("version", ["0", str(w.framework_version_id), "abc", "9" * 40, "1.0", "-1"]),
                _id_paths("/staff/waves/{id}/rescore", w.wave.id),
            ],
        )
    ]


def _wave_state(w: World) -> list[Page]:
    good = {"id": w.draft_wave.id, "action": "open"}
    poison = wrong_path(
        "/staff/waves/{id}/{action}",
        good,
        id=WRONG_IDS,
        action=["delete", "OPEN", "opened", "open%00", "open/x"],
    )
    return [Page(f"/staff/waves/{w.draft_wave.id}/open", [], [poison])]


def _stale_version(w: World) -> list[st.SearchStrategy[Poison]]:
    """A version the response no longer has, or none: an edit conflict, by design a redirect."""
    stale = ["", "0", "999", "abc", "-1", f"{w.submitted.version_id}.0", "9" * 40]
    return [
        st.just(Poison("no version", {"version_id": None}, redirect_ok=True)),
        st.sampled_from(stale).map(
            lambda v: Poison(f"stale version {v!r}", {"version_id": [v]}, redirect_ok=True)
        ),
    ]


def _review(w: World) -> list[Page]:
    r = w.submitted
    form = [("decision", "verified"), ("reason", ""), ("version_id", str(r.version_id))]
    poisons = [
        *choice("decision", ["approved", "VERIFIED", "verified ", "0", "rejected\u200b"]),
        st.tuples(st.sampled_from(["rejected", "pending"]), st.sampled_from([None, "", "  "])).map(
            lambda p: Poison(
                f"{p[0]}, no reason", {"decision": [p[0]], "reason": None if p[1] is None else [p[1]]}
            )
        ),
        set_to("reason", overlong(500), "overlong"),
        st.just(Poison("no such transition", {"decision": ["pending"], "reason": ["why not"]})),
        *_stale_version(w),
        _id_paths("/staff/responses/{id}/review", r.id),
    ]
    return [Page(f"/staff/responses/{r.id}/review", form, poisons, steady=frozenset({"version_id"}))]


def _note(w: World) -> list[Page]:
    r = w.submitted
    poisons = [*required_text("text", 2000), _id_paths("/staff/responses/{id}/notes", r.id)]
    return [Page(f"/staff/responses/{r.id}/notes", [("text", "Gọi lại vào thứ Hai.")], poisons)]


def _entry(w: World) -> list[Page]:
    """Staff entering a response for a business: its kind and identifier (or a register
    firm's id), how the answers were taken, and the business's consent."""
    form = [("kind", "enterprise"), ("tax_code", factories.tax_code()), ("method", "phone"), ("consent", "y")]
    poisons = [
        missing("tax_code", "method", "consent"),
        set_to("tax_code", TAX_CODES, "bad tax code"),
        set_to("kind", KINDS, "bad kind"),
        *choice("method", ["email", "PHONE", "phone ", "0", "in person"]),
        set_to("consent", [""], "no consent"),
        set_to("enterprise", ["0", "999999", "-1", "abc", "1.0", " ", "9" * 40], "no such firm"),
    ]
    return [Page("/staff/entry", form, poisons)]


def _send_link(w: World) -> list[Page]:
    template = "/staff/responses/{id}/send-link"
    return [Page(template.format(id=w.submitted.id), [], [_id_paths(template, w.submitted.id)])]


def _bulk_verify(w: World) -> list[Page]:
    r = w.submitted
    seen = f"{r.id}:{r.version_id}"
    not_pairs = ["abc", str(r.id), f"{r.id}:x", "0:1", f"{r.id}:1.0", "9" * 40 + ":1", f":{r.version_id}", ""]
    poisons = [
        set_to("response", not_pairs, "not id:version"),
        missing("response"),
        set_to("response", [[seen, f"{r.id}:{r.version_id + 1}"]], "two versions of one response"),
        set_to("response", [[f"{i}:1" for i in range(1, 202)]], "more than 200"),
        set_to("response", ["999999:1"], "no such response"),
        # Changed since the confirmation page: the page again (409), saying so; nothing verified.
        set_to("response", [f"{r.id}:999"], "stale version"),
    ]
    return [Page("/staff/responses/verify", [("response", seen)], poisons)]


def _correction(w: World) -> list[Page]:
    r = w.submitted
    values = {f: getattr(r, f) for f in CORRECTABLE}
    values.update(firm_name="Công ty đã sửa", employees=r.employees + 1, ownership=r.ownership.value)
    form = [(f, "" if v is None else str(v)) for f, v in values.items()]
    form += [("reason", "Confirmed by phone"), ("version_id", str(r.version_id))]
    poisons = [
        *required_text("firm_name", 300),
        *required_text("reason", 500),
        *choice("unit_id", ["999999", "0", "abc", "1.0", "9" * 40]),
        *choice("sector_code", ["ZZ", "c", "C "]),
        *choice("ownership", ["public", "PRIVATE", "private "]),
        set_to("employees", ["-1", "1000001", *NOT_NUMBERS], "bad number"),
        set_to(
            "revenue_vnd", ["-1", "1.500", "1" + "0" * 40, "99999999999999999999", *AMOUNTS], "bad number"
        ),
        set_to("capital_vnd", ["-5", "2.000", "1" + "0" * 19, *AMOUNTS], "bad number"),
        *_stale_version(w),
        _id_paths("/staff/responses/{id}/correct", r.id),
    ]
    return [Page(f"/staff/responses/{r.id}/correct", form, poisons, steady=frozenset({"version_id"}))]


def _issue(w: World) -> list[Page]:
    poisons = [
        set_to("unit", ["zz", "11311 ", "000000", "Phường"], "unknown filter"),
        set_to("area", ["Atlantis", "hồng bàng"], "unknown filter"),
        set_to("sector", ["ZZ", "c", "C "], "unknown filter"),
        set_to("include_submitted", ["yes", "0", "on", " 1", "1 "], "not 1 or absent"),
        set_to("count", ["-1", "1.0", "abc", "9" * 12, "²"], "not a count"),
        # Not the count the confirmation page would show now: asked again, nothing created.
        set_to("count", ["99999"], "a count that changed"),
        _id_paths("/staff/invitations/{id}/issue", w.wave.id),
    ]
    # Firms that already responded too: the world's other firms all have a link.
    return [Page(f"/staff/invitations/{w.wave.id}/issue", [("include_submitted", "1")], poisons)]


def _invitation_action(action: str) -> Callable[[World], list[Page]]:
    def pages(w: World) -> list[Page]:
        template = "/staff/invitations/link/{id}/" + action
        return [Page(template.format(id=w.invitation.id), [], [_id_paths(template, w.invitation.id)])]

    return pages


def _register_upload(w: World) -> list[Page]:
    good = [("file", "reg.xlsx", workbook([row()]).getvalue())]
    return [Page("/staff/register", [], [file_poisons()], files=good, multipart=True)]


def _register_confirm(w: World) -> list[Page]:
    template = "/staff/register/{upload}/confirm"
    poisons = [
        wrong_path(template, {"upload": w.upload}, upload=UPLOADS),
        st.text("0123456789abcdef", min_size=32, max_size=32).map(
            lambda u: Poison("an upload that is not there", path=template.format(upload=u))
        ),
    ]
    return [Page(template.format(upload=w.upload), [], poisons)]


def _export(w: World) -> list[Page]:
    form = [("kind", "summary"), ("wave", str(w.wave.id)), ("labels", "codes"), ("lang", "vi")]
    poisons = [
        *choice("kind", ["all", "responses ", "SUMMARY", "../summary"]),
        missing("wave"),
        set_to("wave", ["", "0", "999999", "-1", "1.5", "abc", "²", "9" * 40, "1e3"], "unknown wave"),
        set_to("unit", ["zz", "11311 "], "unknown filter"),
        set_to("former_area", ["Atlantis"], "unknown filter"),
        set_to("sector", ["ZZ", "c"], "unknown filter"),
        set_to("economic_pillar", ["space", "OTHER"], "unknown filter"),
        set_to("size_class", ["giant", "0"], "unknown filter"),
        set_to("ownership", ["public"], "unknown filter"),
        set_to("labels", ["", "both", "Codes"], "unknown option"),
        set_to("lang", ["", "fr", "VI"], "unknown option"),
    ]
    return [Page("/staff/exports", form, poisons)]


def _instrument_upload(w: World) -> list[Page]:
    from tests.staff.test_instrument_drafts import _edited

    good = [("file", "dbi.v3.xlsx", _edited("dbi-2021-sme", 1, 3))]
    return [Page("/staff/instruments", [], [file_poisons()], files=good, multipart=True)]


def _instrument_action(action: str) -> Callable[[World], list[Page]]:
    def pages(w: World) -> list[Page]:
        template = "/staff/instruments/drafts/{id}/" + action
        return [Page(template.format(id=w.instrument_draft), [], [_id_paths(template, w.instrument_draft)])]

    return pages


def _instrument_preview(w: World) -> list[Page]:
    base = f"/staff/instruments/drafts/{w.instrument_draft}/preview"
    page = _pillar_page(1, FRAMEWORK.pillars[0], len(FRAMEWORK.pillars) + 1, base=base)
    wrong_draft = _id_paths("/staff/instruments/drafts/{id}/preview/1", w.instrument_draft)
    return [Page(page.path, page.form, [*page.poisons, wrong_draft])]


# fmt: off
LINKS = ["javascript:alert(1)", "data:text/html,x", "ftp://x.example.vn", "http://", "https://[::1",
         "hotro.example.vn", "//hotro.example.vn", "https://a b.vn", "https://x.vn/" + "x" * 500]
DATES = ["2026-13-01", "2026-02-30", "tomorrow", "1e308", "0001-01-01", "9999-12-31", "1999-12-31",
         "2101-01-01", "2026-01-01T08:00", "٢٠٢٦-٠١-٠١"]
# fmt: on


def _programme(db) -> int:
    from survey.models import SupportProgramme

    p = SupportProgramme(
        name="Chương trình junk",
        provider="Sở",
        offers="Hỗ trợ",
        pillars=[],
        levels=[],
        sizes=[],
        kinds=[],
        needs=[],
        active=True,
    )
    db.session.add(p)
    db.session.commit()
    return p.id


def _programme_form(name: str) -> list[tuple[str, Value]]:
    return [
        ("name", name),
        ("provider", "Sở Khoa học và Công nghệ"),
        ("offers", "Hỗ trợ một phần chi phí tư vấn chuyển đổi số."),
        ("link", "https://hotro.example.vn/nd80"),
        ("contact", "cds@example.vn"),
        ("pillars", "strategy"),
        ("levels", "0"),
        ("levels", "1"),
        ("sizes", "micro"),
        ("kinds", "enterprise"),
        ("needs", "cloud"),
        ("starts_on", "2026-01-01"),
        ("ends_on", "2026-12-31"),
    ]


def _programme_poisons() -> list[st.SearchStrategy[Poison]]:
    return [
        *required_text("name", 300),
        *required_text("provider", 300),
        *required_text("offers", 4000),
        set_to("link", LINKS, "not a web address"),
        set_to("contact", overlong(300), "overlong"),
        set_to("pillars", ["marketing", "STRATEGY", "strategy ", ""], "unknown option"),
        set_to("levels", ["6", "-1", "1.0", " 1", "١", "one", ""], "unknown option"),
        set_to("sizes", ["giant", "Micro", "micro ", ""], "unknown option"),
        set_to("kinds", ["state", "company", "enterprise\u200b", ""], "unknown option"),
        set_to("needs", ["yachts", "Cloud", ""], "unknown option"),
        set_to("starts_on", DATES, "bad date"),
        set_to("ends_on", DATES, "bad date"),
        st.just(Poison("ends before it starts", {"starts_on": ["2026-05-01"], "ends_on": ["2026-04-30"]})),
    ]


def _new_programme(w: World) -> list[Page]:
    return [Page("/staff/support/new", _programme_form("Chương trình mới"), _programme_poisons())]


def _edit_programme(w: World) -> list[Page]:
    path = f"/staff/support/{w.programme_id}/edit"
    return [
        Page(
            path,
            _programme_form("Chương trình junk (sửa)"),
            [*_programme_poisons(), _id_paths("/staff/support/{id}/edit", w.programme_id)],
        )
    ]


def _programme_state(w: World) -> list[Page]:
    good = {"id": w.programme_id, "change": "withdraw"}
    poison = wrong_path(
        "/staff/support/{id}/{change}",
        good,
        id=WRONG_IDS,
        change=["delete", "WITHDRAW", "withdrawn", "withdraw%00", "withdraw/x"],
    )
    return [Page(f"/staff/support/{w.programme_id}/withdraw", [], [poison])]


def _api_token_form() -> list[tuple[str, Value]]:
    from survey.timezone import LOCAL

    day = (utcnow().astimezone(LOCAL).date() + timedelta(days=30)).isoformat()
    return [("client", "Cổng dữ liệu mở thành phố"), ("scope", "viewer"), ("expires_on", day)]


def _api_token_poisons() -> list[st.SearchStrategy[Poison]]:
    return [
        *required_text("client", 120),
        *choice("scope", ["admin", "VIEWER", "viewer ", "analyst\u200b", "0"]),
        set_to("expires_on", [*DATES, "2020-01-01"], "bad date"),
        missing("expires_on"),
    ]


def _new_api_token(w: World) -> list[Page]:
    return [Page("/staff/api-tokens", _api_token_form(), _api_token_poisons())]


def _api_token(db) -> int:
    from survey.models import ApiScope, ApiToken

    token = ApiToken(
        client="Kho dữ liệu",
        scope=ApiScope.VIEWER,
        token_hash=tokens.new_token()[1],
        expires_at=utcnow() + timedelta(days=30),
        use_count=0,
    )
    db.session.add(token)
    db.session.commit()
    return token.id


def _revoke_api_token(w: World) -> list[Page]:
    template = "/staff/api-tokens/{id}/revoke"
    return [Page(template.format(id=w.api_token_id), [], [_id_paths(template, w.api_token_id)])]


def _save_firm(w: World) -> list[Page]:
    from survey.registry.firm_form import initial

    firm = w.invitation.enterprise
    values = {**initial(_db.session, firm), "name": "Công ty đã sửa trong danh bạ"}
    form = list(values.items())
    template = "/staff/firms/{id}/edit"
    poisons = [
        *required_text("name", 300),
        # The register's own rules read these, and they trim and upper-case a cell as the
        # import does ("11311 " is unit 11311, "c " is section C): junk must be unknown after that.
        set_to("unit", ["99999", "zz", "113 11", "Atlantis"], "unknown unit"),
        set_to("sector", ["ZZ", "c c", "CC", "X" * 100], "unknown sector"),
        set_to("kind", ["company", "HOUSEHOLD", "enterprise " * 5], "unknown kind"),
        set_to("tax_code", TAX_CODES, "bad tax code"),
        set_to("employees", NOT_NUMBERS, "bad number"),
        set_to("revenue_bn_vnd", ["1.500", "-1", "abc", "1e308", "NaN"], "bad amount"),
        set_to("capital_bn_vnd", ["2.000", "-5", "inf"], "bad amount"),
        set_to("contact_email", [e for e in EMAILS if e.strip()], "bad e-mail"),
        set_to("contact_phone", ["1" * 31], "overlong"),
        set_to("address", overlong(300), "overlong"),
        # Someone saved the firm since the page was opened: the page again (409), saying so.
        set_to("version", ["", "0" * 32, "abc"], "stale version"),
        _id_paths(template, firm.id),
    ]
    return [Page(template.format(id=firm.id), form, poisons, steady=frozenset({"version"}))]


PURPOSES = ["newsletter", "INVITATION", "invitation ", "reminder\u200b", "0", "invitation%00"]
#: Placeholders no template knows, written as an admin might.
UNKNOWN_PLACEHOLDERS = [
    "{name}",
    "{ link }",
    "{Link}",
    "{0}",
    "{}",
    "{firm.__class__}",
    "{link!r}",
    "{closes:%Y}",
]


def _mail_template(w: World) -> list[Page]:
    form = [
        ("subject_vi", "Mời {firm} tham gia khảo sát"),
        ("body_vi", "Kính gửi {firm}, mời trả lời tại {link} trước {closes}."),
        ("signature_vi", "Sở Khoa học và Công nghệ"),
        ("subject_en", "{firm}: the survey"),
        ("body_en", "Dear {firm}, please answer at {link}. Unsubscribe: {unsubscribe}"),
        ("signature_en", "The Department of Science and Technology"),
    ]
    limits = {"subject": 200, "body": 10_000, "signature": 2_000}
    poisons = [poison for name, _v in form for poison in required_text(name, limits[name.split("_")[0]])]
    poisons += [
        st.tuples(st.sampled_from([n for n, _v in form]), st.sampled_from(UNKNOWN_PLACEHOLDERS)).map(
            lambda p: Poison(f"unknown placeholder {p[1]} in {p[0]}", {p[0]: [f"{dict(form)[p[0]]} {p[1]}"]})
        ),
        set_to(
            "body_vi",
            ["Kính gửi {firm}, mời trả lời.", "{LINK}", "{ link}", "link"],
            "no {link}",
        ),
        set_to("body_en", ["Dear {firm}.", "{link"], "no {link}"),
        wrong_path("/staff/invitations/templates/{purpose}", {"purpose": "invitation"}, purpose=PURPOSES),
    ]
    return [Page("/staff/invitations/templates/invitation", form, poisons)]


def _queue_mailout(w: World) -> list[Page]:
    from survey.invitations import mailouts
    from survey.models import MailPurpose

    count = mailouts.choose(_db.session, w.wave, MailPurpose.INVITATION, {}).count
    assert count > 0
    poisons = [
        *choice("purpose", PURPOSES),
        missing("count"),
        set_to("count", ["", "-1", "1.0", " 1", "9" * 12, "0x1", *NOT_NUMBERS], "not a count"),
        # Not the count the confirmation page would show now: asked again (409), nothing queued.
        set_to("count", [str(count + 1), "0", "99999"], "a count that changed"),
        set_to("unit", ["zz", "11311 ", "000000", "Phường"], "unknown filter"),
        set_to("area", ["Atlantis", "hồng bàng"], "unknown filter"),
        set_to("sector", ["ZZ", "c", "C "], "unknown filter"),
        _id_paths("/staff/invitations/{id}/mail", w.wave.id),
    ]
    form = [("purpose", "invitation"), ("count", str(count))]
    return [Page(f"/staff/invitations/{w.wave.id}/mail", form, poisons)]


def _mailed_message(db, w: World) -> str:
    """A sent invitation mail of the world's firm; its unsubscribe link's secret."""
    from survey.models import MailMessage, MailOut, MailPurpose, MailStatus

    mailout = MailOut(wave_id=w.wave.id, purpose=MailPurpose.INVITATION, count=1)
    db.session.add(mailout)
    db.session.flush()
    token, digest = tokens.new_token()
    db.session.add(
        MailMessage(
            mailout_id=mailout.id,
            enterprise_id=w.invitation.enterprise_id,
            status=MailStatus.SENT,
            unsubscribe_hash=digest,
        )
    )
    db.session.commit()
    return token


def _unsubscribe(w: World) -> list[Page]:
    template = "/unsubscribe/{token}"
    good = w.unsubscribe_token
    wrong = ["x" * 101, "%00", "%FF%FE", good[:-1], good.swapcase(), good + "x", "0" * 43, w.invitation_token]
    return [Page(template.format(token=good), [], [wrong_path(template, {"token": good}, token=wrong)])]


_change_role = _user_action("role", [("role", "viewer")], choice("role", ROLES))

CASES = [
    Case("main.set_language", "respondent", _language, 302, writes=False),
    Case("respondent.start", "respondent", _start, 302, writes=False),
    Case("respondent.firm", "respondent", _firm, 302, writes=True),
    Case("respondent.recover", "visitor", _recover, 200, writes=False),
    Case("respondent.invitation", "visitor", _take_over, 302, writes=True),
    Case("respondent.assessment", "respondent", _assessment, 302, writes=True),
    Case("respondent.submit", "respondent", lambda w: [Page("/submit", [])], 303, writes=True),
    Case("auth.login", "visitor", _login, 302, writes=True),
    Case("auth.change_password", "staff", _password, 302, writes=True),
    Case("auth.logout", "staff", lambda w: [Page("/staff/logout", [])], 302, writes=True),
    Case("staff.create_user", "staff", _new_user, 200, writes=True),
    Case("staff.change_role", "staff", _change_role, 302, writes=True),
    Case("staff.toggle_active", "staff", _user_action("active", [], []), 302, writes=True),
    Case("staff.reset_password", "staff", _user_action("reset", [], []), 200, writes=True),
    Case("staff.new_wave", "staff", _new_wave, 302, writes=True),
    Case("staff.edit_wave", "staff", _edit_wave, 302, writes=True),
    Case("staff.change_wave_state", "staff", _wave_state, 302, writes=True),
    Case("staff.rescore_wave", "staff", _rescore, 303, writes=True),
    Case("staff.review_response", "staff", _review, 303, writes=True),
    Case("staff.add_note", "staff", _note, 303, writes=True),
    Case("staff.correct_response", "staff", _correction, 303, writes=True),
    Case("staff.enter_response", "staff", _entry, 302, writes=False),
    Case("staff.send_link", "staff", _send_link, 303, writes=False),
    Case("staff.bulk_verify", "staff", _bulk_verify, 303, writes=True),
    Case("staff.issue_invitations", "staff", _issue, 200, writes=True),
    Case("staff.revoke_invitation", "staff", _invitation_action("revoke"), 200, writes=True),
    Case("staff.reissue_invitation", "staff", _invitation_action("reissue"), 200, writes=True),
    # The check and the import are tasks: the form is accepted with a task row and a 303.
    Case("staff.register_upload", "staff", _register_upload, 303, writes=True),
    Case("staff.register_confirm", "staff", _register_confirm, 303, writes=True),
    Case("staff.request_export", "staff", _export, 303, writes=True),
    Case("staff.instrument_upload", "staff", _instrument_upload, 302, writes=True),
    Case("staff.instrument_publish", "staff", _instrument_action("publish"), 302, writes=True),
    Case("staff.instrument_delete", "staff", _instrument_action("delete"), 302, writes=True),
    Case("staff.instrument_preview", "staff", _instrument_preview, 302, writes=False),
    Case("staff.new_support_programme", "staff", _new_programme, 302, writes=True),
    Case("staff.edit_support_programme", "staff", _edit_programme, 302, writes=True),
    Case("staff.change_support_programme", "staff", _programme_state, 302, writes=True),
    Case("staff.create_api_token", "staff", _new_api_token, 200, writes=True),
    Case("staff.revoke_api_token", "staff", _revoke_api_token, 302, writes=True),
    Case("staff.save_firm", "staff", _save_firm, 303, writes=True),
    Case("staff.save_mail_template", "staff", _mail_template, 302, writes=True),
    Case("staff.queue_mailout", "staff", _queue_mailout, 302, writes=True),
    Case("respondent.confirm_unsubscribe", "visitor", _unsubscribe, 200, writes=True),
]
CASES_BY_ENDPOINT = {case.endpoint: case for case in CASES}


# --- an example: a poisoned, scrambled form --------------------------------------------------------


def families(case: Case, w: World, page: Page) -> list[st.SearchStrategy[Poison]]:
    """The page's own poisons, then those every form shares."""
    shared = [token_poisons(w, case.who), text_poisons(page)]
    return [*page.poisons, *shared, *([file_poisons()] if page.multipart else [])]


@st.composite
def junk(draw, case: Case, w: World, page: Page, family: st.SearchStrategy[Poison]) -> Attempt:
    """A form of ``page`` poisoned by ``family``, then scrambled."""
    poison = draw(family)
    attempt = Attempt(
        path=poison.path or page.path,
        fields=[("csrf_token", w.tokens[case.who]), *page.form],
        multipart=page.multipart,
        body=poison.body,
        files=list(page.files if poison.files is None else poison.files),
        poison=poison.label,
        redirect_ok=poison.redirect_ok,
    )
    for name, values in poison.changes.items():
        attempt.set(name, values)
    scramble(draw, attempt, untouchable={"csrf_token", *poison.changes, *page.steady})
    return attempt


SCRAMBLES = ["keep"] * 6 + ["junk", "drop", "repeat"]


def scramble(draw, attempt: Attempt, untouchable: set[str]) -> None:
    """More junk around the poison: fields replaced, dropped or repeated, unknown fields added.

    The poisoned fields and the CSRF token stay as the poison left them, so the example
    remains junk whatever the scrambling does.
    """
    fields = []
    for name, value in attempt.fields:
        what = "keep" if name in untouchable else draw(st.sampled_from(SCRAMBLES))
        if what == "keep":
            fields.append((name, value))
        elif what == "junk":
            fields.append((name, draw(junk_text)))
        elif what == "repeat":
            fields += [(name, value), (name, draw(junk_text))]
    extra = draw(st.lists(st.tuples(unknown_names, junk_text), max_size=3))
    attempt.fields = fields + [(n, v) for n, v in extra if n not in untouchable]


# --- what the answer must be -------------------------------------------------------------------------


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and digest of every table: a write anywhere changes it.

    Failed log-ins are audited by design; they are left out here and counted apart.
    """
    digests = {}
    for table in _db.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        if table.name == "staff_sessions":
            # Any request of a logged-in user may bring its session's "last seen" forward.
            query = select(*(c for c in table.c if c.name != "last_seen_at")).order_by(table.c.id)
        if table.name == AuditEvent.__tablename__:
            query = query.where(table.c.action != "login.failed")
        rows = _db.session.execute(query).all()
        digests[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return digests


@contextmanager
def isolated():
    """A savepoint on the test's connection (see the ``db`` fixture), rolled back after."""
    savepoint = _db.engines[None].begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()
        _db.session.expire_all()


def failed_logins() -> int:
    return _db.session.scalar(select(func.count()).select_from(AuditEvent).filter_by(action="login.failed"))


#: A message next to a field, above a form, in an error or warning flash, or an error page's detail.
MESSAGE = re.compile(
    r'<(ul|p|div)\b[^>]*class="(?:field-errors|error-summary|flash flash-(?:error|warning)|error-detail)"'
    r"[^>]*>(.*?)</\1>",
    re.S,
)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def refusal_pages(app) -> list[tuple[str, str]]:
    """(title, text) of the error pages and the respondent's refusal pages, in every language."""
    pages = []
    with app.test_request_context():
        for lang in app.config["LANGUAGES"]:
            with force_locale(lang):
                pages += [make() for make in errors.MESSAGES.values()]
                pages.append((_("This enterprise has already begun"), ""))
                pages.append((_("The survey is closed"), ""))
                pages.append((_("The assessment is submitted"), ""))
                pages.append((_("This link is not valid"), ""))
    return pages


def message_of(page: str, known: list[tuple[str, str]]) -> str:
    """The message a refusal shows a person, or "" if it shows none."""
    found = " ".join(_text(m.group(2)) for m in MESSAGE.finditer(page)).strip()
    if found:
        return found
    text = _text(page)
    return next((f"{title} {body}" for title, body in known if title in text and body in text), "")


def check_refused(client, attempt: Attempt, response, known) -> None:
    status = response.status_code
    page = response.get_data(as_text=True)
    assert status < 500, f"{status} for {attempt.describe()}"
    if status in (302, 303) and attempt.redirect_ok:
        # An edit conflict's designed answer: back to the page, which says what happened.
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "flash-error" in page, f"no message after the redirect for {attempt.describe()}"
    else:
        assert 400 <= status < 500, f"{status}, not refused: {attempt.describe()}\n{page[:1500]}"
    assert message_of(page, known), f"{status} without a message: {attempt.describe()}\n{page[:3000]}"


# --- the tests ------------------------------------------------------------------------------------------


def test_every_post_route_has_a_junk_case(app):
    """A new form endpoint cannot slip past this module: the cases must match app.url_map."""
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods} - NOT_FORMS
    assert posts == set(CASES_BY_ENDPOINT), {
        "POST routes without a junk case": posts - set(CASES_BY_ENDPOINT),
        "junk cases without a route": set(CASES_BY_ENDPOINT) - posts,
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.endpoint)
def test_the_untouched_form_is_accepted(case, make_world):
    """Each page's baseline is accepted (and writes if it should), so refusals are the junk's doing."""
    w = make_world(case)
    page = case.pages(w)[0]
    before = fingerprint()
    fields = [("csrf_token", w.tokens[case.who]), *page.form]
    attempt = Attempt(page.path, fields, multipart=page.multipart, files=list(page.files))
    response = send(w.clients[case.who], attempt)
    assert response.status_code == case.accepted, response.get_data(as_text=True)[:3000]
    assert (fingerprint() != before) == case.writes


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.endpoint)
def test_junk_is_refused_with_a_message_and_nothing_written(case, make_world, app):
    """The requirement itself, for every POST endpoint (see the module's docstring).

    Every poison family of every page gets its share of the examples (at least
    ``PER_FAMILY``), so a rare kind of junk is tried on every run, not only on lucky ones.
    Each example runs in a savepoint rolled back afterwards: should one be accepted and
    write, it alone fails and is the one Hypothesis shrinks.
    """
    w = make_world(case)
    client = w.clients[case.who]
    known = refusal_pages(app)
    before = fingerprint()
    runs = [(page, family) for page in case.pages(w) for family in families(case, w, page)]
    for page, family in runs:
        examples = max(PER_FAMILY, EXAMPLES // len(runs))
        try_junk(case, client, junk(case, w, page, family), examples, before, known)


def try_junk(case: Case, client, attempts, examples: int, before: dict, known: list) -> None:
    """Post ``examples`` of ``attempts``: each refused with a message, the database as ``before``."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(attempts)
    def refused(attempt: Attempt):
        TRIED[case.endpoint] += 1
        note(attempt.describe())
        limiter.reset()  # a rate limit would answer instead of the validation
        with isolated():
            logins = failed_logins()
            response = send(client, attempt)
            check_refused(client, attempt, response, known)
            after = fingerprint()
            changed = sorted(name for name in after if after[name] != before[name])
            assert not changed, f"{attempt.describe()} wrote to {changed}"
            # A wrong password or unknown account is audited: exactly one entry, nothing else.
            audited = case.endpoint == "auth.login" and response.status_code == 401
            assert failed_logins() == logins + audited, attempt.describe()

    refused()


def test_a_nul_or_bytes_that_are_not_utf8_are_refused_before_any_view(make_world):
    """The classic 500 on PostgreSQL, a NUL in otherwise good text, as a fixed example.

    Refused with the message in the user's language (Vietnamese by default), nothing written.
    """
    case = CASES_BY_ENDPOINT["staff.new_wave"]
    w = make_world(case)
    page = case.pages(w)[0]
    before = fingerprint()
    for body, value in [("urlencoded", "Đợt\x00mới"), ("urlencoded", b"\xff\xfe"), ("raw", b"\xc3\x28")]:
        attempt = Attempt(page.path, [("csrf_token", w.tokens["staff"]), *page.form], body=body)
        attempt.set("name", [value])
        TRIED[case.endpoint] += 1
        response = send(w.clients["staff"], attempt)
        assert response.status_code == 400, attempt.describe()
        assert "Biểu mẫu có ký tự không phải là văn bản" in html.unescape(response.get_data(as_text=True))
    assert fingerprint() == before


class Regression(NamedTuple):
    """Junk that once got a 500, a write or a redirect instead of a refusal."""

    endpoint: str
    what: str
    changes: dict[str, list[Value] | None]
    path: str | None = None
    conflict: bool = False  # refused as an edit conflict: the designed redirect


REGRESSIONS = [
    Regression("respondent.firm", "a signalling NaN amount (500)", {"revenue_bn": ["sNaN"]}),
    Regression("respondent.firm", "400 digits of employees (500)", {"employees": ["9" * 400]}),
    Regression(
        "respondent.firm",
        "a phone longer than its column (500 on PostgreSQL)",
        {"contact_phone": [PHONES[6]]},
    ),
    Regression("respondent.firm", "a name of spaces (stored empty)", {"firm_name": ["   "]}),
    Regression("staff.correct_response", "revenue of 41 digits (500)", {"revenue_vnd": ["1" + "0" * 40]}),
    Regression(
        "staff.correct_response", "no version (overwrote newer data)", {"version_id": None}, conflict=True
    ),
    Regression("staff.add_note", "a note of spaces (stored empty)", {"text": ["  "]}),
    Regression("staff.new_wave", "year 1 (500)", {"opens_at": ["0001-01-01T00:00"]}),
    Regression("staff.new_wave", "a NUL in the name (500 on PostgreSQL)", {"name": ["Đợt\x00mới"]}),
    Regression("staff.edit_wave", "a name in use (redirect)", {"name": ["Khảo sát junk 2025"]}),
    Regression("staff.create_user", "no e-mail (redirect)", {"email": None}),
    Regression("staff.register_upload", "no file (redirect)", {}),
    Regression("staff.request_export", "a superscript wave id (500)", {"wave": ["²"]}),
    Regression("staff.change_role", "an id beyond 64 bits (500 on SQLite)", {}, f"/staff/users/{2**63}/role"),
]


@pytest.mark.parametrize("junk_case", REGRESSIONS, ids=[r.what for r in REGRESSIONS])
def test_junk_that_once_got_through_is_refused(junk_case: Regression, make_world, app):
    """Refused with a message and nothing written, like any junk, but tried on every run."""
    case = CASES_BY_ENDPOINT[junk_case.endpoint]
    w = make_world(case)
    page = case.pages(w)[0]
    fields = [("csrf_token", w.tokens[case.who]), *page.form]
    attempt = Attempt(junk_case.path or page.path, fields, multipart=page.multipart, poison=junk_case.what)
    attempt.redirect_ok = junk_case.conflict
    for name, values in junk_case.changes.items():
        attempt.set(name, values)
    before = fingerprint()
    TRIED[case.endpoint] += 1
    check_refused(w.clients[case.who], attempt, send(w.clients[case.who], attempt), refusal_pages(app))
    assert fingerprint() == before, f"{junk_case.what} was written"


query_values = st.one_of(
    junk_text,
    st.sampled_from(CONTROL).map(lambda c: f"a{c}b"),
    st.sampled_from([str(2**31), str(2**63), "9" * 20, "9" * 400, "0", "-5"]),
)


def test_junk_in_a_query_string_is_answered_without_a_500_or_a_write(make_world, app):
    """The staff lists' filters, searches and pages, and the public summary: junk in the
    query string is refused with a message or ignored, never a 500, never a write."""
    case = CASES_BY_ENDPOINT["staff.request_export"]  # any staff case: an administrator's client
    w = make_world(case)
    client = w.clients["staff"]
    known = refusal_pages(app)
    before = fingerprint()

    @settings(max_examples=EXAMPLES, deadline=None, database=None)
    @given(
        page=st.sampled_from(QUERY_PAGES),
        params=st.lists(st.tuples(st.sampled_from(QUERY_NAMES), query_values), min_size=1, max_size=4),
    )
    # Once a 500: a page past any offset the database takes, a NUL on PostgreSQL.
    @example(page="/staff/audit", params=[("page", "9" * 20)])
    @example(page="/staff/invitations", params=[("page", "9" * 20)])
    @example(page="/staff/responses", params=[("q", "a\x00b")])
    @example(page="/staff/audit", params=[("actor", "\x00")])
    @example(page=REGISTER_EXPORT, params=[("sector", "C")])  # the audited export, taken
    def answered(page: str, params: list[tuple[str, str]]):
        TRIED["GET query strings"] += 1
        query = _urlencoded([("wave", str(w.wave.id)), *params], raw=False).decode()
        with isolated():
            response = client.get(f"{page}?{query}")
            assert response.status_code < 500, f"{response.status_code} for {page}?{query[:300]}"
            if response.status_code >= 400:
                assert message_of(response.get_data(as_text=True), known), (
                    f"no message for {page}?{query[:300]}"
                )
            after = fingerprint()
            if page == REGISTER_EXPORT and response.status_code == 200:
                # A register export is audited by design: one entry saying who took which
                # part of it, and nothing else written.
                audits = AuditEvent.__tablename__
                assert after.pop(audits)[0] == before[audits][0] + 1, f"{page}?{query[:300]}"
                newest = _db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
                assert newest.action == "register.exported"
                assert after == {n: d for n, d in before.items() if n != audits}, (
                    f"{page}?{query[:300]} wrote"
                )
            else:
                assert after == before, f"{page}?{query[:300]} wrote"

    answered()


link_tokens = st.one_of(
    st.text(printable, min_size=1, max_size=200).filter(lambda t: "/" not in t and t not in (".", "..")),
    st.builds(lambda: secrets.token_urlsafe(32)),
    st.sampled_from(["x" * 101, "%00", "%FF%FE", "%ED%A0%80", "..%2F..%2Fstaff", "revoked"]),
)


def test_a_wrong_resume_or_invitation_link_is_refused(app, client, db):
    """Wrong secrets in personal links, a revoked one too: a 404 saying so, nothing written."""
    wave = factories.wave(name="Khảo sát liên kết")
    revoked, digest = tokens.new_token()
    db.session.add(
        Invitation(wave=wave, enterprise=factories.enterprise(), token_hash=digest, revoked_at=utcnow())
    )
    db.session.commit()
    known = refusal_pages(app)
    before = fingerprint()

    @settings(max_examples=EXAMPLES, deadline=None, database=None)
    @given(kind=st.sampled_from(["resume", "i", "recover"]), token=link_tokens)
    def refused(kind: str, token: str):
        TRIED["personal links"] += 1
        limiter.reset()  # wrong tokens are rate-limited; the limit is tested elsewhere
        token = revoked if token == "revoked" else token
        response = client.get(f"/{kind}/{quote_from_bytes(_bytes(token), safe='%')}")
        assert response.status_code == 404, response.get_data(as_text=True)[:2000]
        assert message_of(response.get_data(as_text=True), known)
        assert fingerprint() == before

    refused()


@pytest.fixture(scope="module", autouse=True)
def report_hostile_inputs(request):
    """Say how many hostile inputs the run tried, even when output is captured."""
    yield
    if TRIED:
        forms = sum(n for name, n in TRIED.items() if name in CASES_BY_ENDPOINT)
        endpoints = len(set(TRIED) & set(CASES_BY_ENDPOINT))
        capture = request.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print(
                f"\n{sum(TRIED.values())} hostile inputs tried: {forms} posted to {endpoints} form "
                f"endpoints, {TRIED['GET query strings']} query strings, {TRIED['personal links']} links"
            )
