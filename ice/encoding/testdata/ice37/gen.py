#!/usr/bin/python3
# Produces golden vectors with the real Ice 3.7.8 (run: /usr/bin/python3 gen.py; writes *.hex here).
# Note: in 1.0 Ice orders the instances of one pending batch by pointer address, so files with
# several instances in a batch (t_getShared_10, u_getShared_10) may differ between runs.
# A servant implementing Test.ice answers every operation; a client fetches the raw reply
# encapsulation with ice_invoke, in encoding 1.0 and 1.1, from a compact and a sliced server.
import os, sys
import Ice

here = os.path.dirname(os.path.abspath(__file__))
Ice.loadSlice(os.path.join(here, "Test.ice"))
import T, U


class GenI(T.Gen):
    def getDerived(self, current):
        return T.Derived(b="der", d=42, other=T.Base(b="base1"), tag="tg")

    def getShared(self, current):
        b = T.Base(b="x")
        return [b, b, T.Derived(b="y", d=1, other=b), None]

    def getSelfCycle(self, current):
        n = T.Node(name="a")
        n.next = n
        return n

    def getTwoCycle(self, current):
        a, b = T.Node(name="a"), T.Node(name="b")
        a.next, b.next = b, a
        return a

    def getOpt(self, current):
        return T.Opt(s="s", o=T.Base(b="o"))

    def throwE2(self, current):
        raise T.E2(r="why", code=7, extra=9)

    def throwE3(self, current):
        raise T.E3(b=T.Base(b="inner"))


class UGenI(U.Gen):
    def getShared(self, current):
        b = U.Base(b="x")
        return [b, b, U.Derived(b="y", other=b), None]


def serve(sliced):
    props = Ice.createProperties()
    props.setProperty("Ice.Default.SlicedFormat", "1" if sliced else "0")
    props.setProperty("Ice.Warn.Dispatch", "0")
    init = Ice.InitializationData()
    init.properties = props
    com = Ice.initialize(init)
    adapter = com.createObjectAdapterWithEndpoints("Gen", "tcp -h 127.0.0.1")
    adapter.add(GenI(), Ice.stringToIdentity("t"))
    adapter.add(UGenI(), Ice.stringToIdentity("u"))
    adapter.activate()
    return com, adapter


def main():
    client = Ice.initialize()
    for fmt in ("compact", "sliced"):
        com, adapter = serve(fmt == "sliced")
        for enc, encname in ((Ice.Encoding_1_0, "10"), (Ice.Encoding_1_1, "11")):
            if encname == "10" and fmt == "sliced":
                continue  # 1.0 has a single format
            for ident, ops in (("t", ["getDerived", "getShared", "getSelfCycle", "getTwoCycle", "getOpt", "throwE2", "throwE3"]),
                               ("u", ["getShared"])):
                prx = adapter.createProxy(Ice.stringToIdentity(ident))
                prx = client.stringToProxy(com.proxyToString(prx)).ice_encodingVersion(enc)
                for op in ops:
                    ok, out = prx.ice_invoke(op, Ice.OperationMode.Normal, b"")
                    name = "%s_%s_%s.hex" % (ident, op, encname if encname == "10" else "11_" + fmt)
                    with open(os.path.join(here, name), "w") as f:
                        f.write("# Ice 3.7.8 reply to %s/%s, encoding %s%s, %s\n"
                                % (ident, op, encname[0] + "." + encname[1],
                                   "" if encname == "10" else ", " + fmt + " format",
                                   "ok" if ok else "user exception"))
                        f.write(" ".join("%02x" % x for x in out) + "\n")
        com.destroy()
    client.destroy()


main()
