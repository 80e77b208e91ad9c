"""The register file's format: its columns, what they fill, the example row, row errors.

Shared by the importer (survey.registry.importer) and its workbooks
(survey.registry.register_workbooks).
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.models.business import BusinessKind

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
#: Other names a header may give a column (casefolded, Vietnamese or English).
HEADER_ALIASES = {
    "kind of business": "kind",
    "business kind": "kind",
    "loại hình kinh doanh": "kind",
    "loai_hinh_kinh_doanh": "kind",
    "loại hình": "kind",
}
#: The kind column's accepted values (casefolded, Vietnamese or English) -> BusinessKind.
KIND_VALUES = {
    **{kind.value: kind for kind in BusinessKind},
    "doanh nghiệp": BusinessKind.ENTERPRISE,
    "chi nhánh": BusinessKind.BRANCH,
    "đơn vị phụ thuộc": BusinessKind.BRANCH,
    "hợp tác xã": BusinessKind.COOPERATIVE,
    "hộ kinh doanh": BusinessKind.HOUSEHOLD,
    "cá nhân kinh doanh": BusinessKind.INDIVIDUAL,
    "household business": BusinessKind.HOUSEHOLD,
    "individual business": BusinessKind.INDIVIDUAL,
}
#: How the template names each kind (Vietnamese, English).
KIND_LABELS = {
    BusinessKind.ENTERPRISE: ("Doanh nghiệp", "enterprise"),
    BusinessKind.BRANCH: ("Chi nhánh", "branch"),
    BusinessKind.COOPERATIVE: ("Hợp tác xã", "cooperative"),
    BusinessKind.HOUSEHOLD: ("Hộ kinh doanh", "household"),
    BusinessKind.INDIVIDUAL: ("Cá nhân kinh doanh", "individual"),
}

#: The template's example row; a file that still holds it is refused on that row.
EXAMPLE = {
    "tax_code": "0201234569",
    "kind": "Doanh nghiệp",
    "name": "Công ty TNHH Ví Dụ Hải Phòng",
    "unit": "11311",
    "sector": "C",
    "ownership": "private",
    "employees": 25,
    "revenue_bn_vnd": "12,5",
    "capital_bn_vnd": 3,
    "contact_name": "Nguyễn Văn An",
    "contact_email": "lienhe@vidu.example.vn",
    "contact_phone": "0225 3842 123",
    "address": "Số 1 đường Ví Dụ, Phường Hồng Bàng, Hải Phòng",
}


class RegisterFileError(ValueError):
    """A file that cannot be read as a register at all; the message says why."""


@dataclass(frozen=True, slots=True)
class RowError:
    """Everything wrong with one row: ``row_number`` is Excel's (the header is row 1)."""

    row_number: int
    tax_code: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.message}"
