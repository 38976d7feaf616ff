"""schema.json is a valid draft 2020-12 schema, every committed case validates against it, is in
canonical form and replays on the spec; malformed cases are rejected by the schema."""
import copy
import json

import jsonschema
import pytest

from reference.conformance.cases import SCHEMA_FILE, VECTORS_DIR
from reference.conformance.check import check_vectors, schema_problem, schema_validator


@pytest.fixture(scope="module")
def report():
    return check_vectors(VECTORS_DIR)


@pytest.fixture(scope="module")
def validator():
    return schema_validator(VECTORS_DIR)


def test_schema_is_valid_draft_2020_12():
    schema = json.loads((VECTORS_DIR / SCHEMA_FILE).read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_case_validates(report):
    assert report.cases >= 300
    assert report.schema_errors == ()


def test_every_case_is_canonical_json(report):
    assert report.noncanonical == ()


def test_every_case_replays_on_the_spec(report):
    assert report.replay.total == report.cases
    assert report.replay.failures == []


def _case():
    return json.loads((VECTORS_DIR / "tasks" / "assign_task" / "ok.json").read_text())


def _break(edit):
    case = _case()
    edit(case)
    return case


@pytest.mark.parametrize("edit", [
    lambda c: c["pre_state"].__setitem__("time", 1000),
    lambda c: c["post_state"]["provers"]["p0"].__setitem__("stake", {"POND": "5.0"}),
    lambda c: c["operations"][0]["expect"].__setitem__("error_code", "NO_SUCH_CODE"),
    lambda c: c["operations"][0].__setitem__("op", "assign_everything"),
    lambda c: c["operations"][0]["args"].__setitem__("signature", "de27"),
    lambda c: c["operations"][0]["args"].__setitem__("bonus", "1"),
    lambda c: c["operations"].clear(),
    lambda c: c.pop("post_state"),
    lambda c: c.__setitem__("format_version", 2),
    lambda c: c["post_state"]["asks"]["0"].__setitem__("state", "FINISHED"),
], ids=["int-as-number", "non-decimal-amount", "unknown-error-code", "unknown-op-accepted", "bytes-without-0x",
        "extra-argument", "no-operations", "no-post-state", "future-format", "unknown-ask-state"])
def test_schema_rejects_malformed_cases(validator, edit):
    assert schema_problem(validator, _case()) is None
    assert schema_problem(validator, _break(edit)) is not None


def test_schema_admits_decoding_error_cases(validator):
    case = copy.deepcopy(_case())
    case["operations"][0] = {"op": "assign_everything", "args": {"x": 1}, "expect": {"ok": False, "error_code": "UNKNOWN_OPERATION"}}
    assert schema_problem(validator, case) is None
