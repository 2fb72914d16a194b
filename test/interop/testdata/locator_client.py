#!/usr/bin/python3
# Resolves the Tester through a locator and calls echo("via-locator").
#
#   /usr/bin/python3 locator_client.py --locator "<locator proxy>" --adapter-id X [Ice args]
#       resolves "tester@X" (Locator.findAdapterById)
#   /usr/bin/python3 locator_client.py --locator "<locator proxy>" --well-known [Ice args]
#       resolves the well-known proxy "tester" (Locator.findObjectById, then findAdapterById if the
#       registry answers with an indirect proxy)
#   --identity NAME       object identity to use instead of "tester"
#   --register-well-known (with --adapter-id X; real IceGrid only) first registers "tester@X" as a
#       well-known object through an IceGrid admin session (the registry must run with
#       IceGrid.Registry.AdminPermissionsVerifier=IceGrid/NullPermissionsVerifier). A dynamically
#       registered adapter does not make its objects well-known in IceGrid.
#
# Prints "ok" and exits 0 on success; prints "FAIL: <detail>" and exits 1 otherwise.
import argparse
import os
import sys

import Ice

HERE = os.path.dirname(os.path.abspath(__file__))
Ice.loadSlice("-I/usr/share/ice/slice " + os.path.join(HERE, "TestBaseOnly.ice"))
import Test  # noqa: E402


def register_well_known(communicator, identity, adapter_id):
    import IceGrid
    registry = IceGrid.RegistryPrx.checkedCast(
        communicator.stringToProxy("IceGrid/Registry").ice_locator(communicator.getDefaultLocator()))
    if registry is None:
        raise RuntimeError("IceGrid/Registry not found through the locator")
    session = registry.createAdminSession("interop", "interop")
    try:
        admin = session.getAdmin()
        prx = communicator.stringToProxy("%s@%s" % (identity, adapter_id))
        try:
            admin.addObjectWithType(prx, "::Test::Tester")
        except IceGrid.ObjectExistsException:
            admin.updateObject(prx)
    finally:
        session.destroy()


def main():
    args = list(sys.argv)
    ap = argparse.ArgumentParser(description="resolve Tester through a locator")
    ap.add_argument("--locator", required=True)
    ap.add_argument("--adapter-id")
    ap.add_argument("--well-known", action="store_true")
    ap.add_argument("--identity", default="tester")
    ap.add_argument("--register-well-known", action="store_true")

    initData = Ice.InitializationData()
    initData.properties = Ice.createProperties(args)   # removes --Ice.* etc. from args
    opts = ap.parse_args(args[1:])
    initData.properties.setProperty("Ice.Default.Locator", opts.locator)
    if not opts.well_known and not opts.adapter_id:
        ap.error("need --adapter-id X or --well-known")

    communicator = Ice.initialize(initData)
    try:
        if opts.register_well_known:
            if not opts.adapter_id:
                ap.error("--register-well-known needs --adapter-id")
            register_well_known(communicator, opts.identity, opts.adapter_id)
        if opts.well_known:
            s = opts.identity
        else:
            s = "%s@%s" % (opts.identity, opts.adapter_id)
        prx = Test.TesterPrx.uncheckedCast(communicator.stringToProxy(s))
        got = prx.echo("via-locator")
        if got != "via-locator":
            print("FAIL: echo returned %r" % got)
            return 1
        print("ok")
        return 0
    except Exception as e:
        detail = e.ice_id() if isinstance(e, Ice.Exception) else type(e).__name__
        print("FAIL: %s %s" % (detail, str(e).strip().replace("\n", " ")[:300]))
        return 1
    finally:
        communicator.destroy()


if __name__ == "__main__":
    sys.exit(main())
