"""Vietnamese 12-digit personal identification numbers (số định danh cá nhân).

The number has no check digit (Decree 137/2015/NĐ-CP Art. 13; Law on Identification 2023
Art. 12): six coded digits and six random ones. Only its structure can be checked
(Circular 07/2016/TT-BCA, Art. 7 and its annex):

- digits 1–3: the province (or country) where the birth was registered;
- digit 4: century and sex (20th century: male 0, female 1; 21st: male 2, female 3;
  the Circular continues 4–9 for the 22nd to 24th centuries, which no living person has);
- digits 5–6: the last two digits of the year of birth;
- digits 7–12: random.

The province prefix says where a person's birth was registered, not where the business
is, so it is never used to place a business in the city.
"""

from __future__ import annotations

from datetime import date

#: Province codes of the Circular 07/2016 annex, which are the province codes of Decision
#: 124/2004/QĐ-TTg (confirmed against published sources for 001 Hà Nội, 030 Hải Dương,
#: 031 Hải Phòng; the others are that Decision's list, our inference that the annex uses
#: it whole). The 2025 mergers keep one old code per new province, so every person's
#: number still starts with one of these. Codes for births registered abroad are not here:
#: such a person is refused with a message to write to the department.
PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

#: Digit 4 → the century's first year, for the centuries a living person was born in.
CENTURIES = {"0": 1900, "1": 1900, "2": 2000, "3": 2000}
#: The youngest a business's representative can plausibly be: the Labour Code's minimum
#: working age (Law 45/2019/QH14 Art. 143); a household business needs an adult, but an
#: individual business is not so bounded. The oldest: born in 1900.
MIN_AGE = 15
SEPARATORS = str.maketrans("", "", " .-\u00a0")


class PersonalIdError(ValueError):
    """A number that cannot be a personal ID; ``reason`` is a stable key for the message:
    empty, format, length, province, century, birth_year."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def compact(value: str) -> str:
    return (value or "").translate(SEPARATORS).strip()


def normalise(value: str, today: date | None = None) -> str:
    """The 12 digits, with spaces, dots and hyphens removed; raises PersonalIdError.

    Leading zeros are kept: the number is text, never an integer.
    """
    digits = compact(value)
    if not digits:
        raise PersonalIdError("empty")
    if not (digits.isascii() and digits.isdigit()):
        raise PersonalIdError("format")
    if len(digits) != 12:
        raise PersonalIdError("length")
    if digits[:3] not in PROVINCES:
        raise PersonalIdError("province")
    century = CENTURIES.get(digits[3])
    if century is None:
        raise PersonalIdError("century")
    year = century + int(digits[4:6])
    today = today or date.today()
    if year > today.year - MIN_AGE:
        raise PersonalIdError("birth_year")
    return digits


def mask(value: str | None) -> str:
    """``031•••••••23``: the province prefix and the last two digits, for those who need to
    tell two numbers apart but not to know them."""
    if not value:
        return ""
    return f"{value[:3]}{'•' * (len(value) - 5)}{value[-2:]}" if len(value) > 5 else "•" * len(value)
