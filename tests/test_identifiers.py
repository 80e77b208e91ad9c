"""The identifier each kind of business uses: every rule on its own, and normalisation."""

from __future__ import annotations

from datetime import date

import pytest

from survey.models import BusinessKind, IdType
from survey.registry import identifiers, personal_id

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("031080123456", "031080123456"),
        (" 031 080 123 456 ", "031080123456"),
        ("031.080.123.456", "031080123456"),
        ("001305000001", "001305000001"),  # a woman born in 2005, in Hà Nội
        ("030199999999", "030199999999"),  # a woman born in 1999, in Hải Dương
    ],
)
def test_a_personal_id_is_twelve_digits_kept_as_text(typed, expected):
    assert personal_id.normalise(typed, TODAY) == expected
    assert identifiers.normalise(BusinessKind.HOUSEHOLD, typed, TODAY) == (IdType.CCCD12, expected)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("03108012345x", "format"),
        ("٠٣١٠٨٠١٢٣٤٥٦", "format"),  # Arabic-Indic digits are digits to Python, not to us
        ("03108012345", "length"),
        ("0310801234567", "length"),
        ("003080123456", "province"),  # 003 is no province code
        ("999080123456", "province"),
        ("031480123456", "century"),  # the 22nd century
        ("031980123456", "century"),
        ("031212123456", "birth_year"),  # born 2012: 14 in 2026
        ("031399123456", "birth_year"),  # born 2099
    ],
)
def test_each_rule_of_a_personal_id_has_its_own_reason(typed, reason):
    with pytest.raises(personal_id.PersonalIdError) as refused:
        personal_id.normalise(typed, TODAY)
    assert refused.value.reason == reason


def test_the_youngest_plausible_representative_is_fifteen():
    assert personal_id.normalise("031211000000", TODAY)  # born 2011: 15 in 2026
    with pytest.raises(personal_id.PersonalIdError):
        personal_id.normalise("031211000000", date(2025, 12, 31))


@pytest.mark.parametrize(
    ("kind", "typed", "expected"),
    [
        (BusinessKind.ENTERPRISE, "0100109106", (IdType.MST10, "0100109106")),
        (BusinessKind.COOPERATIVE, "0311638525", (IdType.MST10, "0311638525")),
        (BusinessKind.BRANCH, "0100233488-001", (IdType.MST13, "0100233488-001")),
        (BusinessKind.BRANCH, "0100233488001", (IdType.MST13, "0100233488-001")),
        (BusinessKind.BRANCH, "0100233488 - 001", (IdType.MST13, "0100233488-001")),
    ],
)
def test_tax_codes_are_normalised_by_kind(kind, typed, expected):
    assert identifiers.normalise(kind, typed, TODAY) == expected


@pytest.mark.parametrize(
    ("kind", "typed", "reason"),
    [
        (BusinessKind.ENTERPRISE, "031080123456", "personal_for_enterprise"),
        (BusinessKind.COOPERATIVE, "031080123456", "personal_for_enterprise"),
        (BusinessKind.BRANCH, "031080123456", "personal_for_enterprise"),
        (BusinessKind.ENTERPRISE, "0100233488-001", "branch_for_enterprise"),
        (BusinessKind.BRANCH, "0100233488", "enterprise_for_branch"),
        (BusinessKind.HOUSEHOLD, "0100109106", "tax_code_for_person"),
        (BusinessKind.INDIVIDUAL, "0100233488-001", "tax_code_for_person"),
        (BusinessKind.ENTERPRISE, "0100109107", "checksum"),
        (BusinessKind.BRANCH, "0100233488-000", "branch"),
        (BusinessKind.ENTERPRISE, "01001091", "length"),
    ],
)
def test_a_number_of_the_wrong_kind_says_what_it_looks_like(kind, typed, reason):
    with pytest.raises(identifiers.IdentifierError) as refused:
        identifiers.normalise(kind, typed, TODAY)
    assert refused.value.reason == reason


def test_only_personal_ids_are_masked():
    assert identifiers.mask(IdType.CCCD12, "031080123456") == "031•••••••56"
    assert identifiers.mask(IdType.MST10, "0100109106") == "0100109106"
    assert identifiers.mask(IdType.CCCD12, None) == ""
