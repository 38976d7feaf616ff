"""Edges of `spec.jsonsafe`, the loader of untrusted JSON: each bound at its value (depth, bytes,
characters, file size) read, one past it refused; the depth count exact on brackets of both kinds;
duplicate keys, non-finite floats and lone surrogates by the rules of the module docstring; the
refusal names its field. The bounds are passed small (the documented 64 MiB are pinned at the byte
by test_edges_bounds.py). Written for the generated mutants of `spec.jsonsafe`."""
import pytest

from spec import jsonsafe
from spec.errors import BadFile, MalformedJSON
from spec.jsonsafe import load_path, loads, nesting_depth, read_bytes


@pytest.mark.parametrize("text, depth", [
    ("1", 0), ("[]", 1), ("{}", 1), ("[[]]", 2), ("{{}}", 2), ("[{}]", 2), ("{[]}", 2),
    ("[][[]]", 2), ("{}{{}}", 2), ('"[{"', 0), ('["[[[", {"a": "{{"}]', 2), ('["]]]"]', 1),
])
def test_nesting_depth_counts_brackets_of_both_kinds_outside_strings(text, depth):
    assert nesting_depth(text) == depth


def test_the_default_depth_bound_is_64():
    expected = []
    for _ in range(63):
        expected = [expected]
    assert loads("[" * 64 + "]" * 64) == expected
    with pytest.raises(MalformedJSON) as info:
        loads("[" * 65 + "]" * 65)
    assert info.value.field == "$" and "65 deep" in info.value.rule


def test_a_depth_bound_reads_its_depth_and_refuses_one_more():
    assert loads('{"a": [1]}', max_depth=2) == {"a": [1]}
    with pytest.raises(MalformedJSON) as info:
        loads('{"a": [1]}', "in", max_depth=1)
    assert info.value.field == "in"


@pytest.mark.parametrize("kind", [str, str.encode])
def test_a_size_bound_reads_its_size_and_refuses_one_more(kind):
    assert loads(kind("[1] "), max_bytes=4) == [1]
    with pytest.raises(MalformedJSON) as info:
        loads(kind("[1]  "), "in", max_bytes=4)
    assert info.value.field == "in" and "over the limit of 4" in info.value.rule


def test_only_json_text_is_parsed():
    assert loads("[1]") == [1] and loads(b"[1]") == [1]
    with pytest.raises(MalformedJSON):
        loads(1)


def test_finite_floats_are_read_and_overflowing_ones_refused():
    assert loads("[1.5, -2e300]") == [1.5, -2e300]
    for text in ("1e400", "-1e400"):
        with pytest.raises(MalformedJSON) as info:
            loads(text)
        assert "overflows a float" in info.value.rule


def test_a_duplicate_key_is_refused_and_named():
    assert loads('{"a": 1, "b": 2}') == {"a": 1, "b": 2}
    with pytest.raises(MalformedJSON) as info:
        loads('{"a": 1, "b": 2, "b": 3}')
    assert info.value.rule == "duplicate key 'b'"


def test_a_long_refusal_is_cut_to_200_characters():
    with pytest.raises(MalformedJSON) as info:
        loads('{"%s": 1, "%s": 2}' % ("k" * 300, "k" * 300))
    assert info.value.rule == ("duplicate key '" + "k" * 300)[:200]


def test_a_lone_surrogate_is_refused_unless_carried_as_data():
    escaped = '["\\ud800"]'
    with pytest.raises(MalformedJSON) as info:
        loads(escaped)
    assert "lone surrogate" in info.value.rule
    assert loads(escaped, surrogates=True) == ["\ud800"]
    assert loads('["\\ud83d\\ude00"]') == ["\U0001F600"]  # a surrogate pair is one scalar value


def test_read_bytes_reads_a_file_of_the_bound_and_refuses_one_byte_more(tmp_path):
    path = tmp_path / "f.json"
    path.write_bytes(b"[1] ")
    assert read_bytes(path, max_bytes=4) == b"[1] " and load_path(path, max_bytes=4) == [1]
    path.write_bytes(b"[1]  ")
    with pytest.raises(BadFile) as info:
        read_bytes(path, max_bytes=4)
    assert info.value.field == str(path) and "larger than the limit of 4" in info.value.rule


def test_file_errors_name_the_path_unless_a_field_is_given(tmp_path):
    with pytest.raises(BadFile) as info:
        read_bytes(tmp_path / "missing.json")
    assert (info.value.field, info.value.rule) == (str(tmp_path / "missing.json"), "no such file")
    with pytest.raises(BadFile) as info:
        read_bytes(tmp_path, "the-dir")
    assert (info.value.field, info.value.rule) == ("the-dir", "not a regular file")
    bad = tmp_path / "bad.json"
    bad.write_text("[1,")
    with pytest.raises(MalformedJSON) as info:
        load_path(bad)
    assert info.value.field == str(bad)


def test_the_documented_bounds():
    """64 levels and 64 MiB (the module docstring and docs); the byte edge itself is in test_edges_bounds.py."""
    assert (jsonsafe.MAX_DEPTH, jsonsafe.MAX_BYTES) == (64, 67108864)
