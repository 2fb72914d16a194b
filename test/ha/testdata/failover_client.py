#!/usr/bin/python3
# Calls an object through an IceGrid locator in a loop while the test kills a registry replica
# (test/ha TestFailoverWithPythonClient). Real ZeroC Ice 3.7 for Python.
#
#   /usr/bin/python3 failover_client.py --proxy "hello@Adapter" --seconds N --mark FILE [Ice args]
#
# The Ice args give Ice.Default.Locator, a locator proxy with several endpoints, and
# Ice.Default.LocatorCacheTimeout=0. The locator's endpoints are used in order, so the first
# replica listed is the one the client talks to until it dies. The proxy's connection is not
# cached, so every call asks the locator for the adapter's endpoints again (findAdapterById).
#
# Prints "READY" after the first successful call, then, after N seconds, one JSON line:
#   {"ok": calls that succeeded, "ok_after_mark": those made once FILE existed,
#    "failed": calls that raised, "errors": the first few exceptions}
# and exits 0.
import argparse
import json
import os
import sys
import time

import Ice


def main():
    with Ice.initialize(sys.argv) as communicator:  # removes the --Ice.* arguments
        parser = argparse.ArgumentParser()
        parser.add_argument("--proxy", required=True)
        parser.add_argument("--seconds", type=float, required=True)
        parser.add_argument("--mark", required=True)
        args = parser.parse_args(sys.argv[1:])

        locator = communicator.getDefaultLocator()
        if locator is None:
            print("no Ice.Default.Locator", file=sys.stderr)
            return 2
        communicator.setDefaultLocator(locator.ice_endpointSelection(Ice.EndpointSelectionType.Ordered))
        prx = communicator.stringToProxy(args.proxy).ice_connectionCached(False)

        ok = ok_after_mark = failed = 0
        errors = []
        ready = False
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            marked = os.path.exists(args.mark)
            try:
                prx.ice_ping()
                ok += 1
                if marked:
                    ok_after_mark += 1
                if not ready:
                    print("READY", flush=True)
                    ready = True
            except Ice.Exception as e:
                failed += 1
                if len(errors) < 5:
                    errors.append("%s: %s" % (type(e).__name__, e))
            time.sleep(0.005)
        print(json.dumps({"ok": ok, "ok_after_mark": ok_after_mark, "failed": failed, "errors": errors}), flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
