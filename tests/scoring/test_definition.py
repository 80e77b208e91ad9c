"""Framework files: the shipped DBI file, the loader's checks and the export contract."""

from __future__ import annotations

import copy
import datetime
import json
import re

import pytest
import yaml

from survey.frameworks import load
from survey.scoring import FrameworkError, from_dict, load_file
from survey.scoring.export import framework_contract
from tests.scoring._support import DBI_PATH, raw_dbi, synthetic_definition

EXPECTED_PILLARS = [
    # code, criteria, max points
    ("customer", 13, 65),
    ("strategy", 1, 25),
    ("infrastructure", 16, 80),
    ("operations", 13, 65),
    ("culture", 10, 50),
    ("data", 7, 35),
]
MULTI_CRITERIA = {"CX02", "CX03", "CX05", "IT03", "IT08", "IT10", "CU03", "DA01", "DA05"}


# The C emitter, when present, only to keep the suite fast.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@pytest.fixture
def raw() -> dict:
    """A fresh copy of the shipped definition, to break in one place."""
    return raw_dbi()


def criterion(raw: dict, code: str) -> dict:
    return next(c for p in raw["pillars"] for c in p["criteria"] if c["code"] == code)


# -------------------------------------------------------------- the shipped file


def test_dbi_file_has_the_decision_structure():
    framework = load("dbi-2021-sme", 1)
    assert (framework.code, framework.version) == ("dbi-2021-sme", 1)
    assert [(p.code, len(p.criteria), p.max_points) for p in framework.pillars] == EXPECTED_PILLARS
    assert framework.max_points == 320
    assert len(framework.criteria()) == 60
    assert len({c.code for _, c in framework.criteria()}) == 60
    assert {c.code for _, c in framework.criteria() if c.kind.value == "multi"} == MULTI_CRITERIA
    (st01,) = framework.pillars[1].criteria
    assert st01.code == "ST01"
    assert [o.points for o in st01.options] == [0, 5, 10, 15, 20, 25]


def test_dbi_file_states_the_decision_rules():
    framework = load("dbi-2021-sme", 1)
    assert [lv.level for lv in framework.levels] == [0, 1, 2, 3, 4, 5]
    assert [(b.level, b.percent) for b in framework.pillar_bands] == [
        (1, 10),
        (2, 20),
        (3, 40),
        (4, 60),
        (5, 80),
    ]
    assert [(r.level, r.total_above, r.min_pillars, r.pillar_level) for r in framework.overall_rules] == [
        (1, 20, 4, 1),
        (2, 64, 4, 2),
        (3, 128, 4, 3),
        (4, 192, 5, 4),
        (5, 256, 6, 5),
    ]
    assert [(t.code, t.min_level) for t in framework.tiers] == [
        ("engaged", 3),
        ("preparing", 2),
        ("outside", 0),
    ]
    for pillar in framework.pillars:
        assert sorted(pillar.recommendations) == [0, 1, 2, 3, 4, 5], pillar.code


def test_scales_are_expanded_into_each_criterion(raw):
    framework = load("dbi-2021-sme", 1)
    cx04 = next(c for _, c in framework.criteria() if c.code == "CX04")
    assert criterion(raw, "CX04")["scale"] == "share"
    assert [(o.code, o.points, o.label.en) for o in cx04.options] == [
        (o["code"], o["points"], o["label"]["en"]) for o in raw["scales"]["share"]
    ]


def test_packaged_loader_defaults_to_newest_and_refuses_unknown():
    assert load("dbi-2021-sme").version == 2
    with pytest.raises(FrameworkError, match="no-such-framework"):
        load("no-such-framework")
    with pytest.raises(FrameworkError, match="version 99"):
        load("dbi-2021-sme", 99)


def test_content_hash_is_sha256_hex_and_stable(raw, tmp_path):
    first, _ = load_file(DBI_PATH)
    second, _ = load_file(DBI_PATH)
    assert re.fullmatch(r"[0-9a-f]{64}", first.content_hash)
    assert first.content_hash == second.content_hash == load("dbi-2021-sme", 1).content_hash

    # The hash is of the content, not the layout: the same data written differently agrees ...
    relaid = tmp_path / "relaid.yaml"
    relaid.write_text(
        yaml.dump(
            dict(reversed(list(raw.items()))), Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=60
        ),
        encoding="utf-8",
    )
    assert load_file(relaid)[0].content_hash == first.content_hash

    # ... and any change to the content changes it.
    criterion(raw, "CX01")["text"]["en"] += "?"
    assert from_dict(raw, "edited").content_hash != first.content_hash


def test_from_dict_leaves_the_callers_data_untouched(raw):
    before = copy.deepcopy(raw)
    from_dict(raw, "mine")
    assert raw == before
    assert "scales" in raw
    assert "options" not in criterion(raw, "CX04")


def test_load_file_returns_the_raw_definition(raw):
    _, data = load_file(DBI_PATH)
    assert data == raw


# ------------------------------------------------------------- broken definitions
#
# Files are written with a small synthetic definition (the loader's YAML parser is slow
# on the full DBI file); breakages of the real definition go through from_dict.


@pytest.fixture
def small() -> dict:
    """A small valid definition using a reusable scale, to break in one place."""
    data = synthetic_definition(top=5)
    data["scales"] = {
        "five": [{"code": str(n), "points": n, "label": {"vi": f"{n} vi", "en": f"{n} en"}} for n in range(6)]
    }
    data["pillars"][1]["criteria"].append({"code": "BE02", "text": {"vi": "b2", "en": "b2"}, "scale": "five"})
    data["pillars"][1]["max_points"] = 10
    return data


def write(tmp_path, data, name="broken.yaml"):
    path = tmp_path / name
    path.write_text(yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_error(path) -> str:
    with pytest.raises(FrameworkError) as caught:
        load_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:"), message
    return message


def dict_error(data, origin="the-origin") -> str:
    with pytest.raises(FrameworkError) as caught:
        from_dict(data, origin)
    message = str(caught.value)
    assert message.startswith(f"{origin}:"), message
    return message


def test_small_definition_is_valid(small, tmp_path):
    framework, _ = load_file(write(tmp_path, small, "fine.yaml"))
    assert framework.max_points == 6 * 5 + 5
    assert [o.points for o in framework.pillars[1].criteria[1].options] == [0, 1, 2, 3, 4, 5]


def test_missing_english_text_is_named_by_its_path(small, tmp_path):
    del small["pillars"][1]["criteria"][0]["text"]["en"]
    message = load_error(write(tmp_path, small))
    assert "pillars.1.criteria.0.text.en" in message
    assert "required" in message.lower()


def test_missing_english_text_in_the_real_definition(raw):
    del raw["pillars"][2]["criteria"][4]["text"]["en"]
    assert "pillars.2.criteria.4.text.en" in dict_error(raw)


def test_empty_text_is_refused(raw):
    raw["pillars"][0]["criteria"][0]["text"]["vi"] = ""
    assert "pillars.0.criteria.0.text.vi" in dict_error(raw)


def test_pillar_max_points_must_match_its_criteria(small, tmp_path):
    small["pillars"][2]["max_points"] = 7
    message = load_error(write(tmp_path, small))
    assert "gamma" in message
    assert "max_points" in message
    assert "7" in message and "5" in message


def test_pillar_max_points_in_the_real_definition(raw):
    raw["pillars"][4]["max_points"] = 51
    message = dict_error(raw)
    assert "culture" in message and "max_points" in message


def test_single_choice_max_points_must_match_best_option(raw):
    criterion(raw, "ST01")["max_points"] = 30
    raw["pillars"][1]["max_points"] = 30
    message = dict_error(raw)
    assert "ST01" in message
    assert "max_points" in message


def test_unknown_scale_is_named(small, tmp_path):
    small["pillars"][1]["criteria"][1]["scale"] = "no_such_scale"
    message = load_error(write(tmp_path, small))
    assert "BE02" in message
    assert "no_such_scale" in message


def test_scale_and_options_together_are_refused(raw):
    criterion(raw, "CX04")["options"] = copy.deepcopy(criterion(raw, "CX01")["options"])
    assert "CX04" in dict_error(raw)


def test_duplicate_criterion_codes_are_named(small, tmp_path):
    small["pillars"][4]["criteria"][0]["code"] = "AL01"
    message = load_error(write(tmp_path, small))
    assert "AL01" in message
    assert "EP01" not in message


def test_duplicate_criterion_codes_in_the_real_definition(raw):
    criterion(raw, "DA07")["code"] = "CX01"
    message = dict_error(raw)
    assert "CX01" in message
    assert "DA07" not in message


def test_duplicate_option_codes_are_named(raw):
    criterion(raw, "CX01")["options"][2]["code"] = "none"
    message = dict_error(raw)
    assert "pillars.0.criteria.0" in message
    assert "none" in message


def test_options_out_of_point_order_are_refused(raw):
    options = criterion(raw, "CX07")["options"]
    options[1], options[2] = options[2], options[1]
    assert "CX07" in dict_error(raw)


def test_multi_choice_without_max_points_is_refused(raw):
    del criterion(raw, "CX02")["max_points"]
    message = dict_error(raw)
    assert "pillars.0.criteria.1" in message
    assert "max_points" in message


def test_missing_recommendation_level_is_named(raw):
    del raw["pillars"][5]["recommendations"][3]
    message = dict_error(raw)
    assert "pillar data" in message
    assert "recommendations" in message


def test_unknown_field_is_refused(small, tmp_path):
    small["pillar_band"] = small["pillar_bands"]  # a typo must not be ignored
    assert "pillar_band" in load_error(write(tmp_path, small))


def test_bands_out_of_order_are_refused(raw):
    raw["pillar_bands"][1]["min_percent"] = 5
    assert "pillar_bands" in dict_error(raw)


def test_bad_criterion_code_is_named_by_its_path(raw):
    criterion(raw, "CU01")["code"] = "cu01"
    assert "pillars.4.criteria.0.code" in dict_error(raw)


def test_not_yaml_is_a_framework_error(tmp_path):
    path = tmp_path / "garbage.yaml"
    path.write_text("code: [unclosed\n  version: {: :\n\t- ]]]\n", encoding="utf-8")
    message = load_error(path)
    assert "YAML" in message


def test_top_level_must_be_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    assert "mapping" in load_error(path)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert "mapping" in load_error(empty)


def test_missing_file_is_a_framework_error(tmp_path):
    load_error(tmp_path / "not-there.yaml")


@pytest.mark.parametrize(
    "breakage",
    [
        # An unquoted date in a YAML text field (``en: 2021-12-13``) arrives as datetime.date.
        pytest.param(
            lambda data: data["pillars"][0]["criteria"][0]["text"].update(en=datetime.date(2021, 12, 13)),
            id="date-in-text",
        ),
        # A pillar written as a bare name instead of a mapping.
        pytest.param(lambda data: data["pillars"].__setitem__(1, "beta"), id="pillar-not-a-mapping"),
        # ``scale: [five]`` instead of ``scale: five``.
        pytest.param(
            lambda data: data["pillars"][1]["criteria"][1].update(scale=["five"]), id="scale-as-list"
        ),
        # A recommendation keyed by a name instead of a level number.
        pytest.param(
            lambda data: data["pillars"][0]["recommendations"].update(top={"vi": "x", "en": "x"}),
            id="recommendation-key-not-a-level",
        ),
    ],
)
def test_malformed_shapes_are_framework_errors_not_crashes(small, tmp_path, breakage):
    """Every broken definition must be reported as a FrameworkError naming the file,
    never escape as a TypeError or AttributeError from inside the loader."""
    breakage(small)
    load_error(write(tmp_path, small))


# ------------------------------------------------------------------ export contract

TEXT_KEYS = {"vi", "en"}


def test_framework_contract_shape(raw):
    contract = framework_contract(load("dbi-2021-sme", 1))
    json.dumps(contract)  # plain JSON all the way down

    assert {"code", "version", "levels", "pillars"} <= set(contract)
    assert contract["code"] == "dbi-2021-sme"
    assert contract["version"] == 1

    assert [set(level) for level in contract["levels"]] == [{"level", "name"}] * 6
    assert [level["level"] for level in contract["levels"]] == [0, 1, 2, 3, 4, 5]
    assert [level["name"] for level in contract["levels"]] == [
        {"vi": lv["name"]["vi"], "en": lv["name"]["en"]} for lv in raw["levels"]
    ]

    assert [p["code"] for p in contract["pillars"]] == [code for code, _, _ in EXPECTED_PILLARS]
    for pillar, raw_pillar in zip(contract["pillars"], raw["pillars"], strict=True):
        assert set(pillar) == {"code", "name", "max_points", "criteria", "components", "applies_to"}
        assert set(pillar["name"]) == TEXT_KEYS
        assert pillar["name"]["en"] == raw_pillar["name"]["en"]
        assert [c["code"] for c in pillar["criteria"]] == [c["code"] for c in raw_pillar["criteria"]]
        for item in pillar["criteria"]:
            assert set(item) == {"code", "text", "kind", "required", "max_points", "options"}
            assert set(item["text"]) == TEXT_KEYS
            assert item["kind"] in {"single", "multi"}
            assert isinstance(item["max_points"], int)
            for option in item["options"]:
                assert set(option) == {"code", "label", "points"}
                assert set(option["label"]) == TEXT_KEYS
                assert isinstance(option["code"], str) and isinstance(option["points"], int)


def test_framework_contract_points_add_up(raw):
    contract = framework_contract(load("dbi-2021-sme", 1))
    expected_max = {code: points for code, _, points in EXPECTED_PILLARS}
    kinds = {}
    for pillar in contract["pillars"]:
        for item in pillar["criteria"]:
            kinds[item["code"]] = item["kind"]
            best = max(o["points"] for o in item["options"])
            if item["kind"] == "single":
                assert item["max_points"] == best, item["code"]
            else:
                # A multi choice is capped at its declared max_points (5 in this file).
                assert item["max_points"] == criterion(raw, item["code"])["max_points"] == 5
                assert sum(o["points"] for o in item["options"]) >= item["max_points"]
        assert pillar["max_points"] == sum(c["max_points"] for c in pillar["criteria"]), pillar["code"]
        assert pillar["max_points"] == expected_max[pillar["code"]]
    assert {code for code, kind in kinds.items() if kind == "multi"} == MULTI_CRITERIA
    assert sum(p["max_points"] for p in contract["pillars"]) == 320
    # Scales are expanded in the export too: CX04 answers on the ``share`` scale.
    cx04 = next(c for p in contract["pillars"] for c in p["criteria"] if c["code"] == "CX04")
    assert [(o["code"], o["points"]) for o in cx04["options"]] == [
        (o["code"], o["points"]) for o in raw["scales"]["share"]
    ]
