"""A misbehaving adapter for the runner's robustness tests: the reference session, except that on
the second `load` it crashes, hangs or prints garbage, or it answers wrong error codes or
answers of the wrong shape (argv[1])."""
import json
import os
import sys
import time

from spec.adapter import Session

mode = sys.argv[1]
session = Session()
loads = 0
for line in sys.stdin:
    request = json.loads(line)
    loads += request.get("cmd") == "load"
    if loads == 2 and request.get("cmd") == "load":
        if mode == "crash":
            print("fake adapter: crashing on purpose", file=sys.stderr, flush=True)
            os._exit(3)
        if mode == "hang":
            time.sleep(3600)
        if mode == "garbage":
            print("<html>not json</html>", flush=True)
            continue
    response = session.handle(request)
    if mode == "shape" and request.get("cmd") == "apply":
        response = {"result": "fine"}
    if mode == "wrong" and response.get("ok") is False:
        response["error_code"] = "SOMETHING_ELSE"
    print(json.dumps(response), flush=True)
