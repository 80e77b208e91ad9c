"""Every packaged framework and module version, exported to a workbook and read back, is
the very definition its YAML file holds, with the same content hash."""

from __future__ import annotations

import pytest

from survey import frameworks, instruments, modules
from survey.instruments import FRAMEWORK, MODULE
from survey.scoring.definition import canonical_hash
from tests.instruments.workbooks import PACKAGED, edited, exported


def test_every_packaged_file_is_covered():
    # The round trips below are parametrised by the package's own files: a discovery that
    # found none (or only frameworks) would make them pass vacuously.
    kinds = {instruments.packaged(code, version)[0] for code, version in PACKAGED}
    assert kinds == {FRAMEWORK, MODULE}
    assert ("dbi-2021-sme", 1) in PACKAGED and ("dbi-2021-sme", 2) in PACKAGED


@pytest.mark.parametrize(("code", "version"), PACKAGED)
def test_round_trip_gives_the_identical_definition_and_hash(code, version):
    kind, definition = instruments.packaged(code, version)
    imported = instruments.read_workbook(exported(code, version))
    loaded = (frameworks if kind == FRAMEWORK else modules).load(code, version)

    assert imported.kind == kind
    assert imported.definition == definition
    assert imported.content_hash == canonical_hash(definition) == loaded.content_hash
    assert imported.instrument == loaded
    assert imported.label == f"{code} v{version}"


@pytest.mark.parametrize(("code", "version"), PACKAGED)
def test_a_reworded_label_reads_back_with_another_hash(code, version):
    """The hash is of what the workbook says, not of the packaged file it came from."""
    data = exported(code, version)
    changed, _row = edited(data, "about", {"field": "title"}, **{"text::English (en)": "Another title"})
    imported = instruments.read_workbook(changed)
    assert imported.definition["title"]["en"] == "Another title"
    assert imported.content_hash != instruments.read_workbook(data).content_hash


def test_the_newest_version_is_the_default():
    assert instruments.packaged("dbi-2021-sme") == instruments.packaged("dbi-2021-sme", 2)
    with pytest.raises(instruments.NotPackaged):
        instruments.packaged("dbi-2021-sme", 9)
