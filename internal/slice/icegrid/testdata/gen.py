#!/usr/bin/python3
# Produces golden vectors with the real Ice 3.7.8 (run: /usr/bin/python3 gen.py; writes *.hex here).
#
# serverInfo and applicationInfo rebuild the two values of ice-protocol.md Appendix A (captured from
# icegridregistry 3.7.8); their 1.1 compact bytes are checked against appendix_a_*.hex. richApplicationInfo and
# update use every descriptor type, shared instances and a null class member. A servant returns the
# values; a client fetches the raw reply encapsulation with ice_invoke in encoding 1.0, and in 1.1
# from a compact and a sliced server. In 1.0 Ice orders a pending batch by pointer address, so
# files with several instances in one batch may differ between runs.
import os
import Ice

here = os.path.dirname(os.path.abspath(__file__))
Ice.loadSlice("-I" + Ice.getSliceDir() + " " + os.path.join(here, "Gen.ice"))
import IceGrid, FloeTest


def props(*pairs):
    return [IceGrid.PropertyDescriptor(n, v) for n, v in pairs]


def psd(refs=(), *pairs):
    return IceGrid.PropertySetDescriptor(list(refs), props(*pairs))


def server(id, exe, pwd="", options=(), envs=(), activation="manual", adapters=(), ps=None, cls=IceGrid.ServerDescriptor, **kw):
    return cls(adapters=list(adapters), propertySet=ps or psd(), dbEnvs=[], logs=[], description="",
               id=id, exe=exe, iceVersion="", pwd=pwd, options=list(options), envs=list(envs),
               activation=activation, activationTimeout="", deactivationTimeout="",
               applicationDistrib=True, distrib=IceGrid.DistributionDescriptor("", []),
               allocatable=False, user="", **kw)


def adapter(name, id, rg="", lifetime=True, objects=()):
    return IceGrid.AdapterDescriptor(name, "", id, rg, "", False, lifetime, list(objects), [])


def server_info():
    d = server("Srv1", "/usr/bin/python3", pwd="/tmp", options=["srv.py"], envs=["A=B"], activation="on-demand",
               adapters=[adapter("Hello", "Srv1.Hello", rg="RG"),
                         adapter("Other", "Srv1.Other", objects=[IceGrid.ObjectDescriptor(
                             Ice.Identity("hello", ""), "::Demo::Hello", "-e 1.1")])],
               ps=psd((), ("Hello.Endpoints", "tcp -h 127.0.0.1"), ("Other.Endpoints", "tcp -h 127.0.0.1"),
                      ("Foo", "Bar")))
    return IceGrid.ServerInfo("Demo", "1DACE913-4E58-4BA9-BB30-10EC2AF0990C", 1, "node1", d, "")


def application_info():
    a = server("A", "/bin/a", adapters=[adapter("AA", "${server}.AA")], ps=psd((), ("AA.Endpoints", "tcp")))
    b = server("B", "/bin/b")
    svc = IceGrid.ServiceDescriptor([], psd(), [], [], "", "S1", "lib:create")
    box = server("Box", "icebox", cls=IceGrid.IceBoxDescriptor,
                 services=[IceGrid.ServiceInstanceDescriptor("", {}, svc, psd())])
    node = IceGrid.NodeDescriptor({}, [], [a, b, box], "", "", {})
    desc = IceGrid.ApplicationDescriptor("Demo2", {}, [], {}, {}, {"node1": node},
                                         IceGrid.DistributionDescriptor("", []), "", {})
    t = 1795388153914
    return IceGrid.ApplicationInfo("5F9832EF-8733-4F1F-B62A-0C1EFA7B990C", t, "admin", t, "admin", 1, desc)


def rich_application_info():
    tmpl = server("${name}", "/bin/${name}", adapters=[adapter("A", "${server}.A", rg="RG1")])
    svc = IceGrid.ServiceDescriptor([], psd(("ps",)), [IceGrid.DbEnvDescriptor("db", "d", "home", props(("k", "v")))],
                                    ["log"], "svc", "S", "lib:entry")
    box = server("Box", "icebox", cls=IceGrid.IceBoxDescriptor,
                 services=[IceGrid.ServiceInstanceDescriptor("", {}, svc, psd()),
                           IceGrid.ServiceInstanceDescriptor("ST", {"n": "1"}, None, psd((), ("x", "y")))])
    rgs = [IceGrid.ReplicaGroupDescriptor("RG1", IceGrid.RoundRobinLoadBalancingPolicy("1"), "-t",
                                          [IceGrid.ObjectDescriptor(Ice.Identity("o", "c"), "::T", "")], "rg", "f"),
           IceGrid.ReplicaGroupDescriptor("RG2", IceGrid.AdaptiveLoadBalancingPolicy("2", "5"), "", [], "", ""),
           IceGrid.ReplicaGroupDescriptor("RG3", IceGrid.RandomLoadBalancingPolicy("0"), "", [], "", ""),
           IceGrid.ReplicaGroupDescriptor("RG4", IceGrid.OrderedLoadBalancingPolicy("3"), "", [], "", ""),
           IceGrid.ReplicaGroupDescriptor("RG5", None, "", [], "", "")]
    node = IceGrid.NodeDescriptor({"v": "1"},
                                  [IceGrid.ServerInstanceDescriptor("T", {"name": "x"}, psd(), {"S": psd((), ("a", "b"))})],
                                  [box, box], "1.5", "node", {"ps": psd((), ("p", "q"))})
    desc = IceGrid.ApplicationDescriptor(
        "Rich", {"var": "val"}, rgs,
        {"T": IceGrid.TemplateDescriptor(tmpl, ["name"], {"name": "def"})},
        {"ST": IceGrid.TemplateDescriptor(svc, [], {})},
        {"n1": node, "n2": IceGrid.NodeDescriptor({}, [], [], "", "", {})},
        IceGrid.DistributionDescriptor("icepatch", ["dir"]), "rich", {"ps": psd(("r",), ("p", "q"))})
    return IceGrid.ApplicationInfo("uuid", 1, "c", 2, "u", 3, desc)


def update():
    return IceGrid.ApplicationUpdateDescriptor(
        "Demo", IceGrid.BoxedString("new"), IceGrid.BoxedDistributionDescriptor(IceGrid.DistributionDescriptor("p", ["d"])),
        {"a": "b"}, ["rv"], {"ps": psd()}, ["rps"], [], ["rrg"], {}, ["rst"], {}, ["rsvt"],
        [IceGrid.NodeUpdateDescriptor("n1", None, {}, [], {}, [], [], [server("S", "/bin/s")], ["old"],
                                      IceGrid.BoxedString("2"))],
        ["rn"])


def read_hex(path):
    with open(path) as f:
        return bytes.fromhex("".join(l for l in f if not l.startswith("#")))


class GenI(FloeTest.Gen):
    def serverInfo(self, current):
        return server_info()

    def applicationInfo(self, current):
        return application_info()

    def richApplicationInfo(self, current):
        return rich_application_info()

    def update(self, current):
        return update()


def main():
    client = Ice.initialize()
    for fmt in ("compact", "sliced"):
        init = Ice.InitializationData()
        init.properties = Ice.createProperties()
        init.properties.setProperty("Ice.Default.SlicedFormat", "1" if fmt == "sliced" else "0")
        com = Ice.initialize(init)
        adapter = com.createObjectAdapterWithEndpoints("Gen", "tcp -h 127.0.0.1")
        prx = adapter.add(GenI(), Ice.stringToIdentity("gen"))
        adapter.activate()
        for enc, encname in ((Ice.Encoding_1_0, "10"), (Ice.Encoding_1_1, "11_" + fmt)):
            if encname == "10" and fmt == "sliced":
                continue
            p = client.stringToProxy(com.proxyToString(prx)).ice_encodingVersion(enc)
            for op, file in (("serverInfo", "server_info"), ("applicationInfo", "application_info"),
                             ("richApplicationInfo", "rich_application_info"), ("update", "update")):
                ok, out = p.ice_invoke(op, Ice.OperationMode.Normal, b"")
                assert ok
                appendix = os.path.join(here, "appendix_a_%s.hex" % file)
                if encname == "11_compact" and os.path.exists(appendix):
                    assert out == read_hex(appendix), op + " differs from " + appendix
                    continue
                with open(os.path.join(here, "%s_%s.hex" % (file, encname)), "w") as f:
                    f.write("# Ice 3.7.8 reply encapsulation of FloeTest::Gen::%s, encoding %s%s\n"
                            % (op, "1.0" if encname == "10" else "1.1", "" if encname == "10" else ", " + fmt + " format"))
                    for i in range(0, len(out), 24):
                        f.write(" ".join("%02x" % x for x in out[i:i + 24]) + "\n")
        com.destroy()
    client.destroy()


main()
