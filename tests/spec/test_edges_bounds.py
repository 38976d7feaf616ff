"""The documented 64 MiB bounds of the adapter's request line and of `spec.jsonsafe`, at the
byte (kept apart from test_edges_wire.py: it reads 128 MiB of padding, the fast suite runs it last)."""
import io
import json

import pytest

from spec.adapter import serve

STATE = '{"cmd":"state"}'


def test_the_documented_64_mib_bounds_hold_at_the_byte():
    """A request (the adapter) and a JSON text (`spec.jsonsafe`) of exactly 64 MiB are read; one
    character more is refused. Padding is whitespace, so the check is quick."""
    from spec import jsonsafe
    from spec.errors import BadInput

    bound = 64 * 2**20
    assert jsonsafe.loads("1" + " " * (bound - 1)) == 1
    with pytest.raises(BadInput):
        jsonsafe.loads("1" + " " * bound)
    out = io.StringIO()
    serve(io.StringIO(STATE + " " * (bound - len(STATE) - 1) + "\n" + STATE + " " * (bound - len(STATE)) + "\n"), out)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(answers) == 2 and "state" in answers[0] and answers[1]["ok"] is False
