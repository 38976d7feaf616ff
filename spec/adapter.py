"""The reference conformance adapter: `spec` behind the JSON-lines adapter protocol.

Run as `python -m spec.adapter`. One request per stdin line, one response per stdout line
(docs/conformance.md): `{"cmd":"load","state":S}` -> `{"ok":true}`; `{"cmd":"genesis","fork":F,
"config":C}` -> `{"ok":true}`; `{"cmd":"apply","op":O}` -> `{"ok":true,"events":[...]}` or
`{"ok":false,"error_code":C}`; `{"cmd":"state"}` -> `{"state":S}` (the fork's view: the design's
full state, a deployed fork's on-chain projection). Canonical forms of `spec.codec` and the forks'.

Bad input never ends the session: a line that is not bounded JSON (`spec.jsonsafe`), a request
of the wrong shape, a state that is not canonical or well formed (`spec.wellformed`) or an
operation that does not decode each get `{"ok": false, ...}`, and the state is left as it was.
"""
from __future__ import annotations

import json
import sys
from typing import Callable, TextIO

from spec import jsonsafe
from spec.codec import decode_config, decode_op, encode_event, encode_state
from spec.containers import State, genesis
from spec.env import DEFAULT_ENV, Env
from spec.errors import BadInput, SpecError
from spec.transition import apply
from spec.wellformed import load_state

MAX_LINE = 64 * 2**20


def _forks():
    """The fork registry, imported on first use: a design session never loads the other forks."""
    import spec.forks

    return spec.forks


class Session:
    """One adapter session: the current state and the transition function it is driven by."""

    def __init__(self, env: Env = DEFAULT_ENV, transition: Callable = apply):
        self.state: State = genesis()
        self.env = env
        self.transition = transition

    def handle(self, request) -> dict:
        """The response to one request; a request the protocol does not know gets `{"ok": false,
        "error": ...}`. An exception no rule names (a bug) is answered too, without an error
        code, so a runner reports it as a protocol failure and the session goes on."""
        try:
            return self._handle(request)
        except Exception as exc:  # noqa: BLE001 - the session outlives any one request
            return {"ok": False, "error": f"internal error: {type(exc).__name__}: {str(exc)[:200]}"}

    def _handle(self, request) -> dict:
        if not isinstance(request, dict) or request.get("cmd") not in ("load", "genesis", "apply", "state"):
            return {"ok": False, "error": "a request is an object with cmd in load|genesis|apply|state"}
        if request["cmd"] == "load":
            return self.load(request.get("state"))
        if request["cmd"] == "genesis":
            return self.genesis(request.get("fork", "design"), request.get("config"))
        if request["cmd"] == "apply":
            return self.apply(request.get("op"))
        if isinstance(self.state, State):
            return {"state": encode_state(self.state)}
        return {"state": _forks().fork_of(self.state).view(self.state)}

    def genesis(self, fork_name, config) -> dict:
        """Start over from `fork_name`'s genesis under `config` (absent: the defaults)."""
        try:
            if fork_name == "design":
                self.state = genesis() if config is None else genesis(decode_config(config))
            else:
                fork = _forks().get_fork(fork_name)
                self.state = fork.genesis(fork.decode_config(config))
        except (KeyError, TypeError, ValueError, AttributeError, SpecError) as exc:
            return {"ok": False, "error": f"cannot start genesis: {type(exc).__name__}: {exc}"}
        return {"ok": True}

    def load(self, data) -> dict:
        try:
            self.state = load_state(data, self.env)
        except BadInput as exc:
            return {"ok": False, "error": f"cannot load state: {exc}"}
        return {"ok": True}

    def apply(self, data) -> dict:
        try:
            if isinstance(self.state, State):
                self.state, events = self.transition(self.state, decode_op(data), self.env)
            else:
                fork = _forks().fork_of(self.state)
                self.state, events = fork.apply(self.state, fork.decode_op(data), self.env)
        except SpecError as error:
            return {"ok": False, "error_code": error.code}
        return {"ok": True, "events": [encode_event(e) for e in events]}


def serve(stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, session: Session | None = None) -> None:
    """Answer requests line by line until stdin closes."""
    session = session or Session()
    while True:
        line = stdin.readline(MAX_LINE + 1)
        if not line:
            break
        if len(line) > MAX_LINE and not line.endswith("\n"):
            while line and not line.endswith("\n"):
                line = stdin.readline(MAX_LINE + 1)
            response = {"ok": False, "error": f"request longer than {MAX_LINE} characters"}
        elif not line.strip():
            continue
        else:
            try:
                request = jsonsafe.loads(line, "request", max_bytes=MAX_LINE, surrogates=True)
            except BadInput as exc:
                response = {"ok": False, "error": f"request is not JSON this adapter reads: {exc}"}
            else:
                try:
                    response = session.handle(request)
                except Exception as exc:  # noqa: BLE001 - a session subclass's bug must not end the session
                    response = {"ok": False, "error": f"internal error: {type(exc).__name__}: {str(exc)[:200]}"}
        stdout.write(json.dumps(response, sort_keys=True) + "\n")
        stdout.flush()


if __name__ == "__main__":
    serve()
