"""Edges of the adapter's line protocol and the package's lazy names, at a small line bound so
that the exact limits can be tested: a request of exactly MAX_LINE characters is read whole, one
character more is refused and skipped to its end, a last request without a newline is answered.
Written for generated mutants of `spec.adapter` and `spec/__init__` that the vectors cannot
reach (the vectors drive a session, not its line reader)."""
import io
import json
import threading

import pytest

import spec
import spec.adapter
from spec.adapter import Session, serve

STATE = '{"cmd":"state"}'  # 15 characters


def _answers(monkeypatch, text: str, bound: int = len(STATE)) -> list:
    monkeypatch.setattr(spec.adapter, "MAX_LINE", bound)
    out, done = io.StringIO(), []
    worker = threading.Thread(target=lambda: done.append(serve(io.StringIO(text), out)), daemon=True)
    worker.start()
    worker.join(10)
    assert done, "serve did not return at the end of its input"
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_request_of_exactly_max_line_characters_is_read_whole(monkeypatch):
    """The bound counts the newline: STATE + newline is 16 characters."""
    answers = _answers(monkeypatch, STATE + "\n", bound=16)
    assert len(answers) == 1 and "state" in answers[0]


def test_a_last_request_without_newline_is_answered(monkeypatch):
    assert ["state" in a for a in _answers(monkeypatch, STATE, bound=15)] == [True]
    assert ["state" in a for a in _answers(monkeypatch, STATE, bound=16)] == [True]


def test_a_request_one_over_is_one_refusal_and_the_next_is_read(monkeypatch):
    answers = _answers(monkeypatch, '{"cmd": "state"}\n' + STATE + "\n", bound=16)  # 17 characters, then 16
    assert [a.get("ok") for a in answers] == [False, None] and "state" in answers[1]


def test_a_long_line_is_refused_once_and_skipped_to_its_end(monkeypatch):
    answers = _answers(monkeypatch, "x" * 100 + "\n" + STATE + "\n", bound=16)
    assert len(answers) == 2 and answers[0]["ok"] is False and "longer than 16" in answers[0]["error"]
    assert "state" in answers[1]
    answers = _answers(monkeypatch, "x" * 100, bound=16)
    assert len(answers) == 1 and answers[0]["ok"] is False


@pytest.mark.parametrize("fee", [None, 7])
def test_design_genesis_with_and_without_a_config(fee):
    import attrs

    from spec.codec import decode_config, encode, encode_state
    from spec.containers import Config, genesis

    config = None if fee is None else encode(attrs.evolve(Config(), market_creation_fee=fee))

    session = Session()
    session.state = None
    request = {"cmd": "genesis", "fork": "design"} | ({"config": config} if config is not None else {})
    assert session.handle(request) == {"ok": True}
    expected = genesis(Config() if config is None else decode_config(config))
    assert session.handle({"cmd": "state"}) == {"state": encode_state(expected)}


def test_an_unknown_name_of_the_package_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'no_such_module'"):
        getattr(spec, "no_such_module")
    assert spec.containers.State is spec.State


def test_canonical_integers_stop_short_of_2_256_on_both_sides():
    from spec.codec import _int

    assert _int(str(2**256 - 1)) == 2**256 - 1 and _int(str(-(2**256) + 1)) == -(2**256) + 1
    for text in (str(2**256), str(-(2**256))):
        with pytest.raises(ValueError):
            _int(text)


def test_committed_vectors_are_in_the_canonical_text_form():
    """`spec.codec.dumps` is the one text form of a vector file (sorted keys, two-space indent,
    trailing newline): the committed files are its output, byte for byte."""
    from pathlib import Path

    from spec.codec import dumps

    root = Path(__file__).resolve().parents[2] / "vectors" / "design"
    for path in sorted(root.glob("tasks/*/*.json"))[:5]:
        text = path.read_text()
        assert dumps(json.loads(text)) == text, path
