"""The questionnaire part of every exported workbook is an XLSForm that the ODK project's
converter (pyxform) turns into an XForm, so the instrument also runs in ODK Collect or
KoboCollect."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from lxml import etree
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from tests.instruments.workbooks import PACKAGED, edited, exported

XFORMS = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}


def _questions(data: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(BytesIO(data), read_only=True)["survey"]
    rows = sheet.iter_rows(min_row=2, values_only=True)
    return [name for type_, name, *_ in rows if type_ not in ("begin_group", "end_group")]


@pytest.mark.parametrize(("code", "version"), PACKAGED)
def test_pyxform_converts_the_exported_workbook(code, version):
    data = exported(code, version)
    warnings: list[str] = []
    xform = etree.fromstring(convert(data, warnings=warnings, file_type=".xlsx").xform.encode())

    assert warnings == []
    instance = xform.find(".//x:instance/*", XFORMS)
    assert (instance.get("id"), instance.get("version")) == (code, str(version))
    languages = [t.get("lang") for t in xform.iterfind(".//x:translation", XFORMS)]
    assert languages == ["Tiếng Việt (vi)", "English (en)"]
    bound = {b.get("nodeset").rsplit("/", 1)[-1] for b in xform.iterfind(".//x:bind", XFORMS)}
    assert set(_questions(data)) <= bound


def test_pyxform_refuses_a_select_without_its_list():
    """The check above has teeth: pyxform does read the choices sheet."""
    broken, _row = edited(exported("readiness", 1), "survey", {"name": "lead_vision"}, type="select_one nope")
    with pytest.raises(PyXFormError, match="nope"):
        convert(broken, file_type=".xlsx")
