"""A misbehaving adapter for the runner's hostile-input tests: the reference session, except on
the second `load`, where it does what argv[1] says (argv[2], if given, is a file for its
child's pid). Modes: noread (never reads its input), hang, crash, garbage, shape, deep, bignum,
huge (an endless line), flood (endless short lines), late (answers after 3 s), child (spawns a
long-lived child first), close (closes its output, keeps running), stderr (floods stderr, then
answers correctly), surrogate (answers a lone surrogate in JSON), exit0 (exits quietly)."""
import json
import os
import subprocess
import sys
import time

from spec.adapter import Session

mode = sys.argv[1]
if mode == "noread":
    time.sleep(3600)
if mode == "child":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    with open(sys.argv[2], "w") as handle:
        handle.write(str(child.pid))
session = Session()
loads = 0
out = sys.stdout
for line in sys.stdin:
    request = json.loads(line)
    loads += request.get("cmd") == "load"
    if loads == 2 and request.get("cmd") == "load":
        if mode == "hang":
            time.sleep(3600)
        if mode == "crash":
            print("bad adapter: crashing on purpose", file=sys.stderr, flush=True)
            os._exit(3)
        if mode == "exit0":
            os._exit(0)
        if mode == "close":
            os.close(1)
            time.sleep(3600)
        if mode == "late":
            time.sleep(3)
        special = {"garbage": "<html>not json</html>", "shape": "[1, 2]", "deep": "[" * 200_000,
                   "bignum": '{"ok": true, "events": [' + "9" * 10_000 + "]}", "surrogate": '{"ok": "\\ud800"}'}
        if mode in special:
            print(special[mode], flush=True)
            continue
        if mode == "huge":
            chunk = "x" * 2**20
            while True:
                out.write(chunk)
        if mode == "flood":
            while True:
                out.write('{"ok": true}\n')
        if mode == "stderr":
            for _ in range(64):
                sys.stderr.write("e" * 2**20)
            sys.stderr.flush()
    print(json.dumps(session.handle(request)), flush=True)
