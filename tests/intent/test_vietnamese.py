"""Vietnamese pages and workbooks speak Vietnamese: no raw code, no English left over.

A realistic world (the shared ``site`` of the header test, plus responses in every state,
export jobs, accounts of each role, audit events of many kinds, a re-scoring) is read
in Vietnamese: every GET route's sample address (tests/hardening/test_headers_cookies.py
keeps one for each route), the pages that only a POST shows (a form sent back with its
errors, a password shown once), the error pages, the respondent's journey, and every
workbook staff download. Each is checked for

- a raw code shown as text: a value of one of the enums of survey.models, a tier or
  pillar code of the framework, an audit action (``response.verified``): what a person
  must never have to decode. Only visible text is read (not attributes, URLs or
  ``<code>`` elements), and in a workbook not the columns headed as codes ("… (mã)"),
  which are there for the machines;
- English from the message catalogue left untranslated: a msgid of 12 characters or
  more (or a literal part of one, around its placeholders) found verbatim.

Every offending page is reported at once.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from openpyxl import load_workbook

import survey.models
from survey import frameworks
from survey.models import Role
from tests import factories
from tests.hardening.test_headers_cookies import sample_urls, site  # noqa: F401 (the fixture)
from tests.staff.conftest import make_staff

TRANSLATIONS = Path(survey.models.__file__).parent.parent / "translations"

# --- what is looked for -----------------------------------------------------------------------


def _enum_values() -> set[str]:
    values = set()
    for module in pkgutil.iter_modules(survey.models.__path__):
        loaded = importlib.import_module(f"survey.models.{module.name}")
        for thing in vars(loaded).values():
            if isinstance(thing, type) and issubclass(thing, enum.Enum) and thing is not enum.Enum:
                values |= {str(member.value) for member in thing}
    return values


def _framework_codes() -> set[str]:
    codes = set()
    for version in (1, 2):
        framework = frameworks.load("dbi-2021-sme", version)
        codes |= {t.code for t in framework.tiers} | {p.code for p in framework.pillars}
    return codes


def _audit_actions() -> set[str]:
    """Every action string the code records (as written in survey/), e.g. response.verified."""
    found = set()
    for path in Path(survey.models.__file__).parent.parent.rglob("*.py"):
        found |= set(re.findall(r'"((?:[a-z_]+\.)+[a-z_]+)"', path.read_text(encoding="utf-8")))
    return {a for a in found if a.split(".")[0] in _ACTION_OBJECTS}


_ACTION_OBJECTS = {"response", "wave", "user", "export", "invitation", "invitations", "instrument", "support",
                   "register", "password", "login", "retention"}  # fmt: skip

#: Codes that are also ordinary Vietnamese words: "xa" (far) is one.
NOT_CODES = {"xa"}
CODES = (_enum_values() | _framework_codes() | _audit_actions()) - NOT_CODES


def _english_fragments() -> list[str]:
    """The catalogue's English a Vietnamese page must not show: each msgid of 12 characters
    or more whose Vietnamese differs, or, around its placeholders, each literal part of 16
    or more."""
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    with (TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        vietnamese = read_po(handle)
    fragments = set()
    for message in template:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            if not msgid:
                continue
            translated = vietnamese.get(msgid)
            if translated is not None and translated.string == msgid:
                continue  # the same in both languages (a name, a code of the instrument)
            parts = re.split(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}", msgid)
            if len(parts) == 1:
                if len(msgid) >= 12:
                    fragments.add(msgid)
            else:
                fragments |= {p.strip() for p in parts if len(p.strip()) >= 16}
    return sorted(fragments, key=len, reverse=True)


ENGLISH = _english_fragments()

_SPLIT = re.compile(r"[\s/=→,;()\[\]{}|·–—\"“”«»:]+")


def tokens(text: str) -> list[str]:
    return [t.strip(".!?'‘’…") for t in _SPLIT.split(text) if t.strip(".!?'‘’…")]


def problems_in(where: str, texts: list[str]) -> list[str]:
    """What a person reading ``texts`` (visible strings) in Vietnamese should not see."""
    found = []
    codes = sorted({t for text in texts for t in tokens(text) if t in CODES})
    if codes:
        found.append(f"{where}: codes {', '.join(codes)}")
    joined = " | ".join(" ".join(t.split()) for t in texts)
    english = [fragment for fragment in ENGLISH if fragment in joined]
    if english:
        shown = "; ".join(repr(e) for e in english[:8])
        more = f" (+{len(english) - 8} more)" if len(english) > 8 else ""
        found.append(f"{where}: English {shown}{more}")
    return found


# --- what a person sees ----------------------------------------------------------------------


class _Visible(HTMLParser):
    """The text nodes a person reads: not inside script, style, code or template, nor inside
    an element marked as written in another language (``lang="en"``: the English preview
    of a mail is English on purpose)."""

    HIDDEN = frozenset({"script", "style", "code", "template", "noscript"})
    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    )

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            lang = dict(attrs).get("lang")
            self._stack.append((tag, tag in self.HIDDEN or (lang is not None and not lang.startswith("vi"))))

    def handle_endtag(self, tag):
        if any(t == tag for t, _ in self._stack):
            while self._stack and self._stack.pop()[0] != tag:
                pass

    def handle_data(self, data):
        if data.strip() and not any(skipped for _, skipped in self._stack):
            self.texts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return parser.texts


#: The header of a workbook column kept as codes for the machines, beside its label.
CODE_HEADER = re.compile(r"\((mã|code)\)\s*$", re.IGNORECASE)


def workbook_texts(data: bytes) -> dict[str, list[str]]:
    """Each sheet's name, string cells and charts' titles, but for columns of codes: under
    a header "… (mã)", down to the end of its table (the first empty row)."""
    book = load_workbook(BytesIO(data))
    found = {}
    for sheet in book.worksheets:
        texts = [sheet.title]
        codes: set[int] = set()
        for row in sheet.iter_rows(values_only=True):
            if all(v is None for v in row):
                codes = set()
                continue
            texts += [v for i, v in enumerate(row) if isinstance(v, str) and i not in codes]
            codes |= {i for i, v in enumerate(row) if isinstance(v, str) and CODE_HEADER.search(v)}
        for chart in getattr(sheet, "_charts", []):
            texts += _chart_texts(chart)
        found[sheet.title] = texts
    book.close()
    return found


def _chart_texts(chart) -> list[str]:
    title = chart.title
    if title is None:
        return []
    runs = [r.t for p in title.tx.rich.p for r in (p.r or [])] if title.tx and title.tx.rich else []
    return ["".join(runs)]


# --- the world -------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Routes that give no page for a person to read here: JSON, files, the instrument's
#: workbooks (their sheet and column names are XLSForm's), the PDF.
NOT_PAGES = {
    "main.healthz",
    "static",
    "respondent.result_pdf",
    "staff.instrument_export",
    "staff.instrument_draft_export",
}
#: Workbooks staff download, read as workbooks (the summary and the responses, in words).
WORKBOOK_ROUTES = {"staff.export_download", "staff.register_errors", "staff.register_template"}


def _vi(client) -> None:
    """Vietnamese, both ways a browser asks for it: the switch and Accept-Language."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    token = client.csrf_token("/")
    assert client.post("/language", data={"lang": "vi", "csrf_token": token, "next": "/"}).status_code == 302


@pytest.fixture
def world(app, client, db, site, framework):  # noqa: F811 (the fixture imported above)
    """The shared site, and more of what staff meet: responses in every state and review
    state, a household, accounts of each role, changes of many kinds in the audit log, a
    closed wave, a re-scoring, finished and failed exports. The client is the site's
    administrator, in Vietnamese."""
    from sqlalchemy import select

    from survey.auth import accounts
    from survey.models import ExportJob, JobState, Ownership, ReviewState, StaffUser, Wave
    from survey.responses import rescoring, review
    from tests.staff import test_rescoring

    wave = db.session.get(Wave, site["wave"])
    admin = db.session.scalars(select(StaffUser).filter_by(role=Role.ADMIN)).first()
    analyst = make_staff(db, Role.ANALYST)
    viewer = make_staff(db, Role.VIEWER)
    other = make_staff(db, Role.VIEWER, email="chuyen.vien@staff.example.org")
    ids = {"analyst": analyst.id, "viewer": viewer.id}
    answers = factories.answers_at(framework, 0.7)
    made = {}
    for name, ownership, sector, firm_name in (
        ("verified", Ownership.STATE, "H", "Công ty Cảng Đình Vũ"),
        ("flagged", Ownership.FOREIGN, "C", "Công ty Dệt may Hải An"),
        ("rejected", Ownership.PRIVATE, "I", "Nhà hàng Biển Đông"),
        ("pending", Ownership.COOPERATIVE, "G", "Hợp tác xã Thương mại Kiến An"),
    ):
        firm = factories.enterprise(name=firm_name, ownership=ownership, sector_code=sector)
        made[name] = factories.response(wave, firm=firm, answers=answers)
    made["household"] = factories.response(wave, firm=factories.household(), answers=answers)
    made["draft"] = factories.response(wave, answers={"CX01": answers["CX01"]}, submit=False)
    review.set_review_state(db.session, made["verified"], ReviewState.VERIFIED, None, admin)
    review.set_review_state(db.session, made["flagged"], ReviewState.FLAGGED, "Doanh thu lạ", admin)
    review.set_review_state(db.session, made["rejected"], ReviewState.REJECTED, "Trùng phiếu", admin)
    review.add_note(db.session, made["pending"], "Gọi lại doanh nghiệp", admin)
    pending = made["pending"]
    review.correct_profile(
        db.session,
        pending,
        {
            "firm_name": "Hợp tác xã Đã Sửa",
            "unit_id": pending.unit_id,
            "sector_code": "A",
            "ownership": Ownership.PRIVATE,
            "employees": 12,
            "revenue_vnd": pending.revenue_vnd,
            "capital_vnd": pending.capital_vnd,
        },
        "Theo giấy phép kinh doanh",
    )
    accounts.change_role(db.session, other, Role.ANALYST)
    accounts.set_active(db.session, other, False, admin)
    closed = factories.wave(name="Khảo sát 2024", year=2024)
    from survey import waves as waves_service
    from survey.models import WaveState

    waves_service.set_state(db.session, closed, WaveState.CLOSED)
    rescored, *_ = test_rescoring._wave(db)
    admin_id, wave_id = admin.id, wave.id
    run = rescoring.rescore_wave(db.session, rescored, test_rescoring._v3(db), admin_id)
    db.session.add(
        ExportJob(
            kind="responses", wave_id=wave_id, params={}, requested_by_id=admin_id, state=JobState.FAILED
        )
    )
    db.session.commit()
    ids["run"] = run.id
    _vi(client)
    token = client.csrf_token("/staff/")
    jobs = {}
    for kind, labels in (("summary", "labels"), ("responses", "labels")):
        posted = client.post(
            "/staff/exports",
            data={"csrf_token": token, "wave": str(wave_id), "kind": kind, "labels": labels, "lang": "vi"},
        )
        assert posted.status_code == 303, posted.get_data(as_text=True)[:500]
        jobs[kind] = int(posted.headers["Location"].rsplit("/", 1)[1])
    return {**site, **ids, "jobs": jobs, "token": token}


def _read(client, url: str, **kwargs) -> tuple[int, str, bytes]:
    try:
        response = client.get(url, **kwargs)
    except Exception as exc:  # another page's bug is reported with the rest, not in their stead
        return 500, "text/plain", f"{type(exc).__name__}: {exc}".encode()
    try:
        return response.status_code, response.mimetype, response.get_data()
    finally:
        response.close()


def _page_problems(where: str, status: int, mimetype: str, data: bytes) -> list[str]:
    if mimetype == XLSX:
        found = []
        for sheet, texts in workbook_texts(data).items():
            found += problems_in(f"{where} [{sheet}]", texts)
        return found
    if status >= 500:
        return [f"{where}: {status} {data[:200].decode(errors='replace')}"]
    if mimetype != "text/html":
        return []
    return problems_in(f"{where} ({status})", visible_text(data.decode()))


def _workbook_urls(world) -> dict[str, list[str]]:
    samples = sample_urls(world)
    urls = {endpoint: samples[endpoint] for endpoint in WORKBOOK_ROUTES}
    urls["staff.export_download"] = [f"/staff/exports/{job}/download" for job in world["jobs"].values()]
    return urls


def staff_pages(app, client, world, *, workbooks: bool) -> dict[str, list[str]]:
    """Problems of every GET route's sample page (``workbooks``: of every workbook staff
    download instead), read by the administrator, by endpoint."""
    if workbooks:
        samples = _workbook_urls(world)
    else:
        samples = {e: urls for e, urls in sample_urls(world).items() if e not in WORKBOOK_ROUTES}
        samples["staff.rescore_run"] = [f"/staff/rescore-runs/{world['run']}"]
        samples["staff.export_status"] += [f"/staff/exports/{job}" for job in world["jobs"].values()]
    found = {}
    for endpoint, urls in samples.items():
        if endpoint in NOT_PAGES:
            continue
        problems = []
        for url in urls:
            status, mimetype, data = _read(client, url)
            if workbooks and mimetype != XLSX:
                problems.append(f"{url}: {status} {mimetype}, not a workbook")
                continue
            problems += _page_problems(url, status, mimetype, data)
        found[endpoint] = problems
    return found


def posted_pages(app, client, world) -> dict[str, list[str]]:
    """Pages only a POST shows: forms sent back with their errors (WTForms' own messages
    among them), a password shown once, refusals. By endpoint, as ``staff_pages``."""
    token = world["token"]
    found: dict[str, list[str]] = {}

    def post(endpoint: str, url: str, data: dict, c=client) -> None:
        response = c.post(url, data={"csrf_token": token, **data})
        found.setdefault(endpoint, [])
        found[endpoint] += _page_problems(
            f"POST {url}", response.status_code, response.mimetype, response.get_data()
        )

    bad_wave = {
        "name": "",
        "year": "hai nghìn",
        "framework_version_id": "x",
        "opens_at": "mai",
        "closes_at": "",
    }
    post("staff.new_wave", "/staff/waves/new", bad_wave)
    post("staff.edit_wave", f"/staff/waves/{world['wave']}/edit", bad_wave)
    post("staff.users", "/staff/users", {"email": "không-phải-thư", "role": "chief"})
    post("staff.users", "/staff/users", {"email": "viewer@staff.example.org", "role": "viewer"})
    post("staff.users", f"/staff/users/{world['viewer']}/reset", {})
    post("auth.change_password", "/staff/password", {"current": "", "new": "ngắn", "confirm": "khác"})
    post("staff.rescore_wave", f"/staff/waves/{world['wave']}/rescore", {"version": "999999"})
    post(
        "staff.audit_log", "/staff/exports", {"wave": str(world["wave"]), "kind": "summary", "unit": "99999"}
    )
    visitor = app.test_client()
    _vi(visitor)
    visitor_token = visitor.csrf_token("/staff/login")
    for data in ({"email": "", "password": ""}, {"email": "ai@example.org", "password": "sai-mat-khau-roi"}):
        response = visitor.post("/staff/login", data={"csrf_token": visitor_token, **data})
        found.setdefault("auth.login", [])
        found["auth.login"] += _page_problems(
            "POST /staff/login", response.status_code, response.mimetype, response.get_data()
        )
    return found


def error_pages(app, client) -> list[str]:
    """The error pages a person meets: not found, not allowed, a refused filter, a form
    sent without its token."""
    problems = []
    visitor = app.test_client()
    _vi(visitor)
    for c, url in (
        (visitor, "/no/such/page"),
        (client, "/staff/audit?from=hôm-qua"),
        (client, "/staff/audit?page=một"),
        (client, "/staff/exports/999999"),
    ):
        problems += _page_problems(url, *_read(c, url))
    response = visitor.post("/language", data={"lang": "vi"})
    problems += _page_problems(
        "POST /language without a token", response.status_code, response.mimetype, response.get_data()
    )
    return problems


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(p for problems in found.values() for p in problems)


def test_every_staff_and_public_page_speaks_vietnamese(app, client, world):
    """Every GET route's page, the pages only a POST shows, and the error pages."""
    found = staff_pages(app, client, world, workbooks=False)
    for endpoint, problems in posted_pages(app, client, world).items():
        found.setdefault(endpoint, []).extend(problems)
    found["errors"] = error_pages(app, client)
    assert not any(found.values()), _report(found)


def test_every_workbook_staff_download_speaks_vietnamese(app, client, world):
    """The summary and responses workbooks (in words), the register template and a
    register error report: sheet names, headers, values and chart titles."""
    found = staff_pages(app, client, world, workbooks=True)
    read = [url for urls in _workbook_urls(world).values() for url in urls]
    assert len(read) >= 4, read
    assert not any(found.values()), _report(found)


def test_the_respondents_journey_speaks_vietnamese(app, client, db, framework):
    """A business on a Vietnamese phone: the start and firm pages sent back with their
    errors (WTForms' own messages among them), each page of the assessment, the review
    and the result."""
    from tests.respondent import helpers

    factories.wave(name="Khảo sát 2025")
    db.session.commit()
    visitor = client
    _vi(visitor)
    problems = []

    def read(url: str, response=None, refused: bool = False) -> None:
        if response is None:
            response = visitor.get(url)
        assert response.status_code in ((400, 422) if refused else (200,)), (url, response.status_code)
        if refused:  # sent back with its messages, which are read too
            assert 'class="error' in response.get_data(as_text=True) or "error-summary" in response.get_data(
                as_text=True
            ), url
        problems.extend(_page_problems(url, response.status_code, response.mimetype, response.get_data()))

    read("/start")
    token = visitor.csrf_token("/start")
    read(
        "POST /start",
        visitor.post("/start", data={"csrf_token": token, "kind": "enterprise", "tax_code": "12"}),
        True,
    )
    tax = factories.tax_code()
    token = visitor.csrf_token("/start")
    started = visitor.post(
        "/start", data={"csrf_token": token, "kind": "enterprise", "tax_code": tax, "consent": "y"}
    )
    assert started.status_code == 302
    read("/firm")
    token = visitor.csrf_token("/firm")
    bad_firm = helpers.firm_data(employees="mười", revenue_bn="nhiều", contact_email="không-phải-thư")
    read("POST /firm", visitor.post("/firm", data={**bad_firm, "csrf_token": token}), True)
    token = visitor.csrf_token("/firm")
    assert visitor.post("/firm", data={**helpers.firm_data(), "csrf_token": token}).status_code == 302
    for step, pillar in enumerate(framework.pillars, start=1):
        read(f"/assessment/{step}")
        answers = helpers.pillar_answers(pillar, 0.6, framework)
        assert helpers.answer_step(visitor, step, answers).status_code == 302
    last = len(framework.pillars) + 1
    read(f"/assessment/{last}")
    token = visitor.csrf_token(f"/assessment/{last}")
    visitor.post(
        f"/assessment/{last}", data={"csrf_token": token, "action": "next", "technologies": ["cloud"]}
    )
    read("/review")
    assert helpers.submit(visitor).status_code == 303
    read("/result")
    assert not problems, "\n".join(problems)


def test_the_checks_find_a_code_and_english_left_over():
    """The checks themselves: a raw enum value, an audit action and an untranslated
    catalogue message are each found; Vietnamese and codes inside <code> are not."""
    page = (
        "<main><p>Loại hình: private</p><p>response.verified</p>"
        "<p>Not a valid decimal value.</p><code>engaged</code><p>Đã xác minh</p></main>"
    )
    found = problems_in("page", visible_text(page))
    assert any("codes" in p and "private" in p and "response.verified" in p for p in found), found
    assert any("English" in p and "Not a valid decimal value." in p for p in found), found
    assert problems_in("page", visible_text("<p>Đã xác minh</p><code>engaged</code>")) == []
    # Text marked as English on purpose (a mail's English preview) is not the page's language.
    marked = '<p>Xem trước:</p><pre lang="en">Not a valid decimal value. private</pre>'
    assert problems_in("page", visible_text(marked)) == []
