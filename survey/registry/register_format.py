"""The register file's format: its columns, their names, the words it accepts, row errors.

Shared by the importer (survey.registry.importer) and its workbooks
(survey.registry.register_workbooks).

The names and words here are a file format, not page text: a template handed out this
year must still import next year, so they are fixed here rather than taken from the
message catalogue, where a reworded translation would silently stop old files from
reading. The Vietnamese words are the catalogue's own (survey/labels.py in Vietnamese),
so a person sees the same word on the page and in the file. A header, a kind or an
ownership is recognised by its code, its Vietnamese or its English name, with or without
diacritics, in any case (``key``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from survey.models.business import BusinessKind
from survey.models.enterprise import Ownership
from survey.responses.folding import fold

#: The register sheet's columns, in template order.
COLUMNS = (
    "tax_code",
    "name",
    "unit",
    "sector",
    "ownership",
    "employees",
    "revenue_bn_vnd",
    "capital_bn_vnd",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address",
    "kind",
)
REQUIRED = ("tax_code", "name", "unit", "sector")
#: The Enterprise attribute each column fills (same order as COLUMNS).
FIELDS = (
    "tax_code",
    "name",
    "unit_id",
    "sector_code",
    "ownership",
    "employees",
    "revenue_vnd",
    "capital_vnd",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address",
    "kind",
)
FIELD_OF = dict(zip(COLUMNS, FIELDS, strict=True))
#: The columns holding an amount of money, all in one unit: billion đồng (tỷ đồng).
MONEY_COLUMNS = ("revenue_bn_vnd", "capital_bn_vnd")

#: Each column's header in the template (Vietnamese, row 1) and its English name (in the
#: header's note, and accepted as a header too).
HEADERS: dict[str, tuple[str, str]] = {
    "tax_code": ("Mã số thuế hoặc số định danh", "Tax code or personal ID"),
    "name": ("Tên cơ sở kinh doanh", "Name of the business"),
    "unit": ("Phường/xã/đặc khu", "Ward, commune or special zone"),
    "sector": ("Ngành kinh tế (VSIC)", "Sector (VSIC section)"),
    "ownership": ("Loại hình sở hữu", "Ownership"),
    "employees": ("Số lao động", "Employees"),
    "revenue_bn_vnd": ("Doanh thu (tỷ đồng)", "Revenue (billion VND)"),
    "capital_bn_vnd": ("Tổng nguồn vốn (tỷ đồng)", "Total capital (billion VND)"),
    "contact_name": ("Người liên hệ", "Contact person"),
    "contact_email": ("Thư điện tử liên hệ", "Contact e-mail"),
    "contact_phone": ("Điện thoại liên hệ", "Contact phone"),
    "address": ("Địa chỉ trụ sở", "Head-office address"),
    "kind": ("Loại hình kinh doanh", "Kind of business"),
}
#: Other names a header may give a column (files made before the template had
#: Vietnamese headers, and common variants).
HEADER_ALIASES = {
    "kind of business": "kind",
    "business kind": "kind",
    "loại hình": "kind",
    "mã số thuế": "tax_code",
    "tên doanh nghiệp": "name",
    "tên": "name",
    "ngành": "sector",
    "lao động": "employees",
    "doanh thu": "revenue_bn_vnd",
    "nguồn vốn": "capital_bn_vnd",
    "thư điện tử": "contact_email",
    "email": "contact_email",
    "điện thoại": "contact_phone",
    "địa chỉ": "address",
}

#: How the template names each kind (Vietnamese, English).
KIND_LABELS = {
    BusinessKind.ENTERPRISE: ("Doanh nghiệp", "Enterprise"),
    BusinessKind.BRANCH: ("Chi nhánh, đơn vị phụ thuộc", "Branch or dependent unit"),
    BusinessKind.COOPERATIVE: ("Hợp tác xã", "Cooperative"),
    BusinessKind.HOUSEHOLD: ("Hộ kinh doanh", "Household business"),
    BusinessKind.INDIVIDUAL: ("Cá nhân kinh doanh", "Individual business"),
}
_KIND_ALIASES = {
    "chi nhánh": BusinessKind.BRANCH,
    "đơn vị phụ thuộc": BusinessKind.BRANCH,
    "branch": BusinessKind.BRANCH,
    "household": BusinessKind.HOUSEHOLD,
    "individual": BusinessKind.INDIVIDUAL,
}
#: How the template names each ownership (Vietnamese, English).
OWNERSHIP_LABELS = {
    Ownership.PRIVATE: ("Ngoài nhà nước", "Private domestic"),
    Ownership.STATE: ("Nhà nước", "State-owned"),
    Ownership.FOREIGN: ("Có vốn đầu tư nước ngoài", "Foreign-invested"),
    Ownership.COOPERATIVE: ("Hợp tác xã", "Cooperative"),
    Ownership.HOUSEHOLD: ("Hộ kinh doanh", "Household business"),
}
_OWNERSHIP_ALIASES = {
    "tư nhân": Ownership.PRIVATE,
    "tư nhân trong nước": Ownership.PRIVATE,
    "private": Ownership.PRIVATE,
    "state": Ownership.STATE,
    "nhà nước": Ownership.STATE,
    "foreign": Ownership.FOREIGN,
    "fdi": Ownership.FOREIGN,
}

#: The template's example row; a file that still holds it is refused on that row. Its
#: values are what the drop-downs offer, and the amount is written the Vietnamese way.
EXAMPLE = {
    "tax_code": "0201234569",
    "kind": "Doanh nghiệp",
    "name": "Công ty TNHH Ví Dụ Hải Phòng",
    "unit": "Phường Hồng Bàng",
    "sector": "C – Công nghiệp chế biến, chế tạo",
    "ownership": "Ngoài nhà nước",
    "employees": 25,
    "revenue_bn_vnd": "12,5",
    "capital_bn_vnd": "3",
    "contact_name": "Nguyễn Văn An",
    "contact_email": "lienhe@vidu.example.vn",
    "contact_phone": "0225 3842 123",
    "address": "Số 1 đường Ví Dụ, Phường Hồng Bàng, Hải Phòng",
}

#: The template's languages, and the place of each in the (Vietnamese, English) pairs.
LANGUAGES = {"vi": 0, "en": 1}
#: The example row as each language's template has it: the same business (so either is
#: refused as the example), its listed values as that template's drop-downs offer them.
EXAMPLES = {
    "vi": EXAMPLE,
    "en": {
        **EXAMPLE,
        "kind": KIND_LABELS[BusinessKind.ENTERPRISE][1],
        "sector": "C – Manufacturing",
        "ownership": OWNERSHIP_LABELS[Ownership.PRIVATE][1],
    },
}

_SPACES = re.compile(r"[\s_\u00a0\u202f]+")


def key(text: str) -> str:
    """How a header or a word is compared: NFC, no diacritics, no case, spaces collapsed
    (an underscore counts as a space, so ``tax_code`` and ``Tax code`` are one header)."""
    plain = fold(unicodedata.normalize("NFC", text)) or ""
    return _SPACES.sub(" ", plain.casefold()).strip(" *")


def _index(entries: dict, labels: dict, aliases: dict) -> dict:
    index: dict[str, object] = {}
    for value, names in labels.items():
        for name in (getattr(value, "value", value), *names):
            index.setdefault(key(name), value)
    for name, value in aliases.items():
        index.setdefault(key(name), value)
    return index | entries


#: Header (``key``) → column.
HEADER_INDEX: dict[str, str] = _index({}, {c: (c, *HEADERS[c]) for c in COLUMNS}, HEADER_ALIASES)
#: The kind column's accepted values (``key``) → BusinessKind.
KIND_VALUES: dict[str, BusinessKind] = _index({}, KIND_LABELS, _KIND_ALIASES)
#: The ownership column's accepted values (``key``) → Ownership.
OWNERSHIP_VALUES: dict[str, Ownership] = _index({}, OWNERSHIP_LABELS, _OWNERSHIP_ALIASES)


def english(message: str, params: dict) -> str:
    """``message`` with ``params``, as the logs and the command line read it."""
    shown = {k: f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v for k, v in params.items()}
    return message % shown if params else message


class RegisterFileError(ValueError):
    """A file that cannot be read as a register at all; the message says why.

    ``str()`` is English (logs, the command line); ``translated()`` is the message in the
    current request's language, for the page. ``message`` is the catalogue's msgid.
    """

    def __init__(self, message: str, **params: int | str):
        self.message = message
        self.params = params
        super().__init__(english(message, params))

    def translated(self) -> str:
        from flask_babel import format_decimal, gettext

        local = {
            k: format_decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in self.params.items()
        }
        return gettext(self.message, **local)


@dataclass(frozen=True, slots=True)
class RowError:
    """Everything wrong with one row: ``row_number`` is Excel's (the header is row 1).

    ``values`` are the row's own cells as the file has them, every column of the file
    in its order, so that the error report shows the row beside the reason.
    """

    row_number: int
    tax_code: str
    message: str
    values: tuple = ()

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.message}"
