"""A deterministic synthetic register and survey wave for demonstrations and tests.

The mix of sectors, sizes and ownership follows the shape of a Vietnamese city's
business population (mostly micro and small private firms in trade and services),
and answers are drawn so that the resulting maturity spread resembles the city's 2022
report: about three quarters of firms weakly digital, about a fifth well advanced.
The levels are never written in: every scorecard comes from the scoring module.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.vn import mst

from survey.models import (
    AdminUnit,
    Enterprise,
    FrameworkVersion,
    Ownership,
    Response,
    ResponseState,
    Sector,
    Wave,
    WaveState,
)
from survey.models.base import utcnow
from survey.models.business import ALL_KINDS, BusinessKind, IdType
from survey.models.size_class import BILLION, SizeClass
from survey.registry import demo_modules, demo_support
from survey.responses.scoring import framework_of, profile_of, store_scorecard
from survey.scoring import Framework, scorer_for
from survey.scoring.definition import Kind

DEMO_WAVE_NAME = "Khảo sát mức độ chuyển đổi số doanh nghiệp 2025 (demo)"

SECTOR_WEIGHTS = {
    "G": 34, "C": 17, "F": 11, "H": 10, "I": 7, "M": 4, "N": 3, "J": 3, "L": 2, "A": 2,
    "K": 1, "P": 1, "Q": 1, "R": 1, "S": 1, "E": 1, "D": 0.5, "B": 0.5,
}  # fmt: skip
SIZE_WEIGHTS = {SizeClass.MICRO: 64, SizeClass.SMALL: 27, SizeClass.MEDIUM: 5, SizeClass.LARGE: 4}
EMPLOYEES = {
    SizeClass.MICRO: (1, 10),
    SizeClass.SMALL: (11, 50),
    SizeClass.MEDIUM: (51, 100),
    SizeClass.LARGE: (201, 2000),
}
# Revenue ranges (billion VND) that stay inside each class for both sector groups.
REVENUE_BN = {
    SizeClass.MICRO: (0.2, 3),
    SizeClass.SMALL: (3.5, 50),
    SizeClass.MEDIUM: (55, 200),
    SizeClass.LARGE: (320, 3000),
}
OWNERSHIP_WEIGHTS = {
    Ownership.PRIVATE: 86,
    Ownership.FOREIGN: 6,
    Ownership.HOUSEHOLD: 4,
    Ownership.COOPERATIVE: 3,
    Ownership.STATE: 1,
}
NAME_PARTS = (
    ["Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân"],
    ["Hải", "Đông", "Bạch Đằng", "Cát Bi", "Tràng Kênh", "Hồng Bàng", "Sao Đỏ", "Thành Đông",
     "Lạch Tray", "Đồ Sơn", "Vĩnh Bảo", "An Phát", "Minh Khai", "Hoàng Long", "Phú Thịnh"],
    ["Thương mại", "Dịch vụ", "Sản xuất", "Logistics", "Vận tải", "Xây dựng", "Công nghệ",
     "Du lịch", "Thực phẩm", "Cơ khí", "Điện tử", "Dệt may"],
)  # fmt: skip
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = [
    "Văn An",
    "Thị Bình",
    "Minh Châu",
    "Quốc Dũng",
    "Thu Hà",
    "Đức Huy",
    "Thanh Lan",
    "Hải Nam",
]

#: Share of demo businesses that are household or individual businesses, and their mix.
PERSONAL_SHARE = 0.17
PERSONAL_KIND_WEIGHTS = {BusinessKind.HOUSEHOLD: 70, BusinessKind.INDIVIDUAL: 30}
#: Where the representative's birth was registered: mostly Hải Phòng, some Hải Dương.
BIRTH_PROVINCES = {"031": 80, "030": 20}
HOUSEHOLD_REVENUE_BN = (0.1, 3)


@dataclass
class DemoResult:
    firms: int
    responses: int
    submitted: int
    wave: Wave


def demo_present(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Wave).filter_by(name=DEMO_WAVE_NAME)) > 0


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _tax_codes(rng: random.Random, count: int, taken: set[str]):
    """Valid, unique Hải Phòng-prefixed (02) tax codes."""
    while count:
        body = "02" + f"{rng.randrange(10**7):07d}"
        check = mst.calc_check_digit(body)
        code = body + check
        if len(check) == 1 and code not in taken:
            taken.add(code)
            count -= 1
            yield code


def _personal_id(rng: random.Random, taken: set[str]) -> str:
    """A valid-looking, unique personal ID: province, century and sex, birth year 1960-2005."""
    while True:
        year = rng.randint(1960, 2005)
        century = (0 if year < 2000 else 2) + rng.randrange(2)
        code = f"{_pick(rng, BIRTH_PROVINCES)}{century}{year % 100:02d}{rng.randrange(10**6):06d}"
        if code not in taken:
            taken.add(code)
            return code


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"


def _maturity(rng: random.Random, size: SizeClass) -> float:
    """A latent 0..1 digital maturity: mostly low, a clear advanced minority."""
    draw = rng.random()
    if draw < 0.76:
        m = rng.betavariate(1, 18)
    elif draw < 0.81:
        m = 0.25 + 0.1 * rng.random()
    else:
        m = rng.betavariate(6, 2.5)
    bonus = {SizeClass.LARGE: 0.12, SizeClass.MEDIUM: 0.06}.get(size, 0.0)
    return min(1.0, m + bonus)


def draw_answers(
    rng: random.Random, framework: Framework, m: float, share: float = 1.0, staff: int = 10
) -> dict:
    """Answers of a firm of latent maturity ``m``; ``share`` < 1 leaves later ones out.

    Figures are drawn as a share near ``m`` of a whole: the firm's ``staff`` for the
    shared staff figure, a plausible count or amount otherwise.
    """
    answers: dict = {}
    criteria = framework.criteria()
    for _, criterion in criteria[: max(1, round(len(criteria) * share))]:
        q = min(1.0, max(0.0, rng.gauss(m, 0.15)))
        if criterion.kind is Kind.MULTI:
            chosen = [o.code for o in criterion.options if o.points > 0 and rng.random() < q]
            zero = [o.code for o in criterion.options if o.points == 0]
            answers[criterion.code] = chosen or zero[:1]
        elif criterion.kind is Kind.FIGURE:
            if criterion.base:
                whole = answers.setdefault(
                    criterion.base,
                    str(max(1, staff) if criterion.base == "staff_total" else rng.randint(50, 5000)),
                )
                answers[criterion.code] = {"value": str(round(int(whole) * q * q))}
            else:
                whole = rng.randint(10, 2000)
                answers[criterion.code] = {"value": str(round(whole * q * q)), "of": str(whole)}
        else:
            options = criterion.options
            answers[criterion.code] = options[round(q * (len(options) - 1))].code
    return answers


def _personal_business(
    rng: random.Random, units, sector_weights: dict, taken: set[str]
) -> tuple[Enterprise, SizeClass]:
    """A household or individual business, known by its representative's personal ID;
    it is drawn as a micro firm for its answers (its size class is ``household``)."""
    kind = _pick(rng, PERSONAL_KIND_WEIGHTS)
    person = _person(rng)
    code = _personal_id(rng, taken)
    firm = Enterprise(
        tax_code=code,
        id_type=IdType.CCCD12,
        kind=kind,
        name=f"Hộ kinh doanh {person}" if kind is BusinessKind.HOUSEHOLD else person,
        unit_id=rng.choice(units).id,
        sector_code=_pick(rng, sector_weights),
        ownership=Ownership.HOUSEHOLD,
        employees=rng.randint(0, 9),
        revenue_vnd=int(rng.uniform(*HOUSEHOLD_REVENUE_BN) * BILLION),
        capital_vnd=None,
        contact_name=person,
        contact_email=f"hkd.{code[-6:]}.{rng.randrange(10**4):04d}@example.vn",
        contact_phone=f"09{rng.randrange(10**8):08d}",
    )
    return firm, SizeClass.MICRO


def seed_demo(session: Session, firms: int, seed: int, framework_version: FrameworkVersion) -> DemoResult:
    """Create ``firms`` register firms and the demo wave with their answers; flushes."""
    if firms < 1:
        raise ValueError("--firms must be at least 1")
    rng = random.Random(seed)
    units = session.scalars(select(AdminUnit).filter_by(active=True).order_by(AdminUnit.code)).all()
    sectors = {s.code: s for s in session.scalars(select(Sector))}
    if not units or not sectors:
        raise ValueError("reference data is missing: run seed-reference first")
    framework = framework_of(framework_version)
    scorer = scorer_for(framework)
    now = utcnow()
    wave = Wave(
        name=DEMO_WAVE_NAME,
        year=2025,
        framework_version=framework_version,
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=60),
        state=WaveState.OPEN,
        # For every kind, so the household and individual businesses' answers belong to it.
        kinds=[kind.value for kind in ALL_KINDS],
    )
    session.add(wave)
    carried = demo_modules.attach(session, wave)
    module_rng = random.Random(seed + 1)
    taken = set(session.scalars(select(Enterprise.tax_code)))
    sector_weights = {code: w for code, w in SECTOR_WEIGHTS.items() if code in sectors}
    submitted = started = 0
    for tax_code in _tax_codes(rng, firms, taken):
        if rng.random() < PERSONAL_SHARE:
            firm, size = _personal_business(rng, units, sector_weights, taken)
        else:
            size = _pick(rng, SIZE_WEIGHTS)
            low, high = EMPLOYEES[size]
            revenue = int(rng.uniform(*REVENUE_BN[size]) * BILLION)
            firm = Enterprise(
                tax_code=tax_code,
                name=" ".join(rng.choice(part) for part in NAME_PARTS),
                unit_id=rng.choice(units).id,
                sector_code=_pick(rng, sector_weights),
                ownership=_pick(rng, OWNERSHIP_WEIGHTS),
                employees=rng.randint(low, high),
                revenue_vnd=revenue,
                capital_vnd=int(revenue * rng.uniform(0.2, 0.9)),
                contact_name=_person(rng),
                contact_email=f"lienhe.{tax_code}@example.vn",
                contact_phone=f"09{rng.randrange(10**8):08d}",
            )
        session.add(firm)
        if rng.random() >= 0.85:
            continue
        started += 1
        m = _maturity(rng, size)
        complete = rng.random() < 0.93
        response = Response(
            wave=wave,
            enterprise=firm,
            answers=draw_answers(
                rng, framework, m, 1.0 if complete else rng.uniform(0.1, 0.8), staff=firm.employees or 1
            ),
            technologies=[t.code for t in framework.technologies if rng.random() < m * 0.5],
            **{
                k: getattr(firm, k)
                for k in (
                    "kind",
                    "unit_id",
                    "sector_code",
                    "ownership",
                    "employees",
                    "revenue_vnd",
                    "capital_vnd",
                )
            },
        )
        session.add(response)
        if complete:
            response.state = ResponseState.SUBMITTED
            response.submitted_at = now - timedelta(minutes=rng.randrange(30 * 24 * 60))
            store_scorecard(response, scorer.score(response.answers, profile_of(response)))
            demo_modules.answer(module_rng, response, carried, m)
            submitted += 1
    demo_support.seed(session)
    session.flush()
    return DemoResult(firms=firms, responses=started, submitted=submitted, wave=wave)
