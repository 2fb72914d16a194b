#!/usr/bin/python3
"""On-demand activation latency: Floe vs the real IceGrid 3.7.8, side by side, in one run.

Both grids are started from the ice-demos Python IceGrid "simple" demo (its config.grid, with
IceGrid.Node.CollocateRegistry=1), each in its own copy of the demo directory:
  - IceGrid: /usr/bin/icegridnode (collocated registry + node);
  - Floe:    bin/floe registry (collocated node).
Each grid gets two applications, deployed the same way on both:
  - "Simple": the demo's application.xml, unchanged (server SimpleServer, exe="python" server.py,
    activation="on-demand", well-known object `hello`);
  - "GoHello": the Go hello server (examples/hello/server) with the same adapter/object layout
    (server GoServer, activation="on-demand", well-known object `hellogo`: a registry holds one
    object per identity, so the two servers cannot both be `hello`).
`python` resolves to /usr/bin/python3 through a symlink directory placed first on the grids' PATH.
Both grids run as root with the same environment. icegridnode then starts servers as `nobody`
(its default for a root node, as in the anchor measurements); Floe does not switch users, so its
servers run as root.

One trial = one cold activation. Before it, the server is stopped the same way on both grids
("server stop": IceGrid Admin.stopServer, Floe POST /api/v1/servers/<id>/stop, both of which
call the server's Ice::Process.shutdown and wait for the process to exit), the script waits until
the grid reports the server Inactive, then sleeps --settle. The client (this process) creates a
fresh communicator with Ice.Default.Locator set to the grid, opens the locator connection, and
only then starts the clock: stringToProxy(identity) + sayHello(), i.e. findObjectById +
findAdapterById (which activates the server and waits for its adapter to register) + connect to
the server + the call, until the reply. Communicator start-up and destruction are outside the
timing. The trial order alternates grids and server kinds round by round; --warmup untimed rounds
run first.

With --trace (default on) a helper process records the grids' loopback traffic (AF_PACKET on lo,
kernel timestamps, BPF-filtered to the grids' own ports, so it wakes only for their packets) and
the script decodes the Ice requests in it (findObjectById, findAdapterById, the server's
getRegistry / setAdapterDirectProxy / setServerProcessProxy, ...). Together with the node's own
"server started" (Floe) / "activating server" (IceGrid trace) log lines, that gives a per-step
breakdown of every trial.

The verdict is the one the target states: Floe's p50 <= IceGrid's p50 for the same server. The
report adds a paired view (per-round Floe - IceGrid differences, which cancel slow drifts in the
load of a shared machine) as a robustness check.

Output: a summary on stdout and in OUT/activation.md; OUT/trials.csv (every trial), OUT/icegrid.log,
OUT/floe.log, OUT/packets.txt. Only loopback is used; only the processes started here are stopped,
by PID.
"""

import argparse
import bisect
import csv
import datetime
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_DEMO = os.path.normpath(os.path.join(ROOT, "..", "shared", "testdata", "ice-demos-python-icegrid-simple"))

ANCHOR = {"py": 63.6, "go": 14.4}  # IceGrid 3.7.8 medians from MORE-ANCHORS.md (go: their C++ server)
KINDS = {
    "py": {"label": "Python server.py (demo)", "server": "SimpleServer", "identity": "hello"},
    "go": {"label": "Go hello server", "server": "GoServer", "identity": "hellogo"},
}
SYSTEMS = {"icegrid": "IceGrid 3.7.8", "floe": "Floe"}


def log(msg):
    print("[activation %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def die(msg):
    log("error: " + msg)
    sys.exit(2)


# ----------------------------------------------------------------------------- packet capture

PACKET_HOST = 0
SO_TIMESTAMPNS = 35
SO_ATTACH_FILTER = 26


def bpf_port_range(lo, hi):
    """Classic BPF for an AF_PACKET SOCK_DGRAM socket (data starts at the IPv4 header): accept
    unfragmented TCP whose source or destination port is within [lo, hi]."""
    ins = [
        (0x30, 0, 0, 9),        # 0: A = ip proto
        (0x15, 0, 11, 6),       # 1: tcp? else drop (13)
        (0x28, 0, 0, 6),        # 2: A = frag field
        (0x45, 9, 0, 0x1FFF),   # 3: fragment? drop (13)
        (0xB1, 0, 0, 0),        # 4: X = ip header length
        (0x48, 0, 0, 0),        # 5: A = sport
        (0x35, 0, 2, lo),       # 6: A >= lo ? 7 : 9
        (0x25, 1, 0, hi),       # 7: A > hi ? 9 : 8
        (0x06, 0, 0, 0x40000),  # 8: accept
        (0x48, 0, 0, 2),        # 9: A = dport
        (0x35, 0, 2, lo),       # 10: A >= lo ? 11 : 13
        (0x25, 1, 0, hi),       # 11: A > hi ? 13 : 12
        (0x06, 0, 0, 0x40000),  # 12: accept
        (0x06, 0, 0, 0),        # 13: drop
    ]
    return b"".join(struct.pack("HBBI", *i) for i in ins), len(ins)


def sniff_main(out_path, lo, hi, max_seconds):
    """Helper process: write one line per captured packet (kernel timestamp, ports, TCP flags, the
    first 512 payload bytes in hex) until SIGTERM or max_seconds."""
    import ctypes
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    signal.signal(signal.SIGINT, lambda *_: stop.__setitem__(0, True))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    prog, n = bpf_port_range(lo, hi)
    buf = ctypes.create_string_buffer(prog)
    fprog = struct.pack("HL", n, ctypes.addressof(buf))
    s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind(("lo", 0x0800))
    s.settimeout(0.2)
    deadline = time.monotonic() + max_seconds
    with open(out_path, "w") as out:
        print("ready", flush=True)
        while not stop[0] and time.monotonic() < deadline:
            try:
                data, anc, _flags, addr = s.recvmsg(65535, 256)
            except socket.timeout:
                continue
            except InterruptedError:
                continue
            if addr[2] != PACKET_HOST:
                continue
            ts = None
            for level, typ, cdata in anc:
                if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", cdata[:16])
                    ts = sec + nsec / 1e9
            if ts is None:
                ts = time.time()
            if len(data) < 20 or data[9] != 6:
                continue
            ihl = (data[0] & 0xF) * 4
            total = struct.unpack("!H", data[2:4])[0]
            tcp = data[ihl:total]
            if len(tcp) < 20:
                continue
            sport, dport = struct.unpack("!HH", tcp[:4])
            doff = (tcp[12] >> 4) * 4
            flags = tcp[13]
            payload = tcp[doff:]
            if not payload and not (flags & 0x02):
                continue  # pure ACKs
            out.write("%.6f %d %d %d %s\n" % (ts, sport, dport, flags, payload[:512].hex()))
    s.close()


def read_size(b, off):
    n = b[off]
    off += 1
    if n == 255:
        n = struct.unpack_from("<i", b, off)[0]
        off += 4
    return n, off


def read_string(b, off):
    n, off = read_size(b, off)
    return b[off:off + n].decode("utf-8", "replace"), off + n


def parse_ice(payload):
    """Ice protocol messages at the start of a TCP segment: [(type, request id, op or status)]."""
    msgs, off = [], 0
    while off + 14 <= len(payload) and payload[off:off + 4] == b"IceP":
        mtype = payload[off + 8]
        size = struct.unpack_from("<i", payload, off + 10)[0]
        body = payload[off + 14:off + max(size, 14)]
        try:
            if mtype == 0:
                rid = struct.unpack_from("<i", body, 0)[0]
                p = 4
                _name, p = read_string(body, p)
                _cat, p = read_string(body, p)
                nf, p = read_size(body, p)
                for _ in range(nf):
                    _f, p = read_string(body, p)
                op, p = read_string(body, p)
                msgs.append(("req", rid, op))
            elif mtype == 2:
                rid = struct.unpack_from("<i", body, 0)[0]
                msgs.append(("rep", rid, body[4] if len(body) > 4 else -1))
        except (struct.error, IndexError):
            pass  # truncated capture (first 512 bytes only)
        if size < 14:
            break
        off += size
    return msgs


class Packets:
    """Decoded capture: SYNs and Ice requests/replies, with request→reply matching."""

    def __init__(self, path):
        self.syns = []   # (ts, sport, dport)
        self.reqs = []   # dicts: ts, sport, dport, rid, op, reply_ts
        pending = {}
        if not os.path.exists(path):
            return
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 4 or parts[0] == "ready":
                    continue
                ts, sport, dport, flags = float(parts[0]), int(parts[1]), int(parts[2]), int(parts[3])
                if flags & 0x02 and not flags & 0x10:
                    self.syns.append((ts, sport, dport))
                if len(parts) < 5:
                    continue
                for kind, rid, val in parse_ice(bytes.fromhex(parts[4])):
                    if kind == "req":
                        r = {"ts": ts, "sport": sport, "dport": dport, "rid": rid, "op": val, "reply_ts": None}
                        self.reqs.append(r)
                        if rid != 0:
                            pending[(sport, dport, rid)] = r
                    else:
                        r = pending.pop((dport, sport, rid), None)
                        if r is not None:
                            r["reply_ts"] = ts
        self.syns.sort()
        self.reqs.sort(key=lambda r: r["ts"])
        self.req_ts = [r["ts"] for r in self.reqs]

    def window(self, a, b):
        i = bisect.bisect_left(self.req_ts, a)
        j = bisect.bisect_right(self.req_ts, b)
        return self.reqs[i:j]


# ----------------------------------------------------------------------------- helpers

def pctl(xs, q):
    """Percentile with linear interpolation between closest ranks (numpy's default)."""
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q
    f = math.floor(k)
    c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)


def port_free(p):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        s.close()


def cpu_times():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def proc_cpu_ticks(pid):
    """utime+stime of a process and its waited-for children (includes reaped servers)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            v = f.read().rsplit(")", 1)[1].split()
        return int(v[11]) + int(v[12]) + int(v[13]) + int(v[14])
    except OSError:
        return 0


def cpu_pressure():
    """/proc/pressure/cpu "some avg10": % of the last 10 s in which some task waited for a CPU."""
    try:
        with open("/proc/pressure/cpu") as f:
            return f.readline().split()[1].split("=")[1]
    except (OSError, IndexError):
        return ""


def busy_pct(seconds):
    a = cpu_times()
    time.sleep(seconds)
    b = cpu_times()
    t = b[0] - a[0]
    return 100.0 * (t - (b[1] - a[1])) / t if t > 0 else 0.0


# ----------------------------------------------------------------------------- grids

class Grid:
    def __init__(self, kind, workdir, env, logpath):
        self.kind, self.dir, self.env, self.logpath = kind, workdir, env, logpath
        self.proc = None
        self.logf = None

    def start(self, argv):
        self.logf = open(self.logpath, "w")
        self.proc = subprocess.Popen(argv, cwd=self.dir, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        log("%s started, pid %d: %s" % (SYSTEMS[self.kind], self.proc.pid, " ".join(argv)))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                log("%s did not exit within 20 s of SIGTERM; SIGKILL pid %d" % (SYSTEMS[self.kind], self.proc.pid))
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
        if self.logf:
            self.logf.close()
            self.logf = None


class IceGridGrid(Grid):
    def __init__(self, workdir, env, logpath, base):
        super().__init__("icegrid", workdir, env, logpath)
        self.client_port = base
        self.ports = [base, base + 1, base + 2, base + 3]
        self.locator = "DemoIceGrid/Locator:tcp -h 127.0.0.1 -p %d" % base
        self.comm = None
        self.admin = None
        self.session = None

    def launch(self):
        os.makedirs(os.path.join(self.dir, "db", "registry"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "db", "node"), exist_ok=True)
        b = self.client_port
        self.start(["icegridnode", "--Ice.Config=config.grid",
                    "--IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p %d" % b,
                    "--IceGrid.Registry.Server.Endpoints=tcp -h 127.0.0.1 -p %d" % (b + 1),
                    "--IceGrid.Registry.Internal.Endpoints=tcp -h 127.0.0.1 -p %d" % (b + 2),
                    "--IceGrid.Node.Endpoints=tcp -h 127.0.0.1 -p %d" % (b + 3),
                    "--Ice.Default.Locator=" + self.locator,
                    "--IceGrid.Registry.Discovery.Enabled=0"])

    def wait_ready(self, Ice, IceGrid, timeout=30):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if not self.alive():
                die("icegridnode exited; see " + self.logpath)
            try:
                if self.comm is None:
                    self.comm = Ice.initialize(["--Ice.Default.Locator=" + self.locator])
                reg = IceGrid.RegistryPrx.checkedCast(self.comm.stringToProxy("DemoIceGrid/Registry:tcp -h 127.0.0.1 -p %d" % self.client_port))
                self.session = reg.createAdminSession("foo", "bar")
                acm = reg.getACMTimeout()
                if acm > 0:
                    self.session.ice_getConnection().setACM(acm, Ice.Unset, Ice.ACMHeartbeat.HeartbeatAlways)
                self.admin = self.session.getAdmin()
                self.admin.pingNode("node1")
                return
            except Ice.Exception as e:  # not up yet
                last = e
                time.sleep(0.1)
        die("IceGrid not ready within %ds: %s" % (timeout, last))

    def deploy(self, xml):
        cmd = ["icegridadmin", "--Ice.Config=config.grid", "--Ice.Default.Locator=" + self.locator,
               "-e", "application add --no-patch " + xml]
        r = subprocess.run(cmd, cwd=self.dir, env=self.env, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            die("icegridadmin application add %s: %s%s" % (xml, r.stdout, r.stderr))

    def state(self, IceGrid, sid):
        st = self.admin.getServerState(sid)
        return "Inactive" if st == IceGrid.ServerState.Inactive else str(st)

    def pid(self, sid):
        return self.admin.getServerPid(sid)

    def stop_server(self, IceGrid, sid):
        if self.state(IceGrid, sid) != "Inactive":
            self.admin.stopServer(sid)

    def close_admin(self):
        try:
            if self.session is not None:
                self.session.destroy()
        except Exception:
            pass
        if self.comm is not None:
            self.comm.destroy()
            self.comm = None


class FloeGrid(Grid):
    def __init__(self, workdir, env, logpath, base, floe_bin):
        super().__init__("floe", workdir, env, logpath)
        self.floe = floe_bin
        self.client_port = base + 10
        self.ports = [base + 10, base + 11, base + 19]
        self.locator = "DemoIceGrid/Locator:tcp -h 127.0.0.1 -p %d" % self.client_port
        self.http = "http://127.0.0.1:%d" % (base + 19)

    def launch(self):
        self.start([self.floe, "registry", "--Ice.Config=config.grid",
                    "--IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p %d" % self.client_port,
                    "--IceGrid.Registry.Server.Endpoints=tcp -h 127.0.0.1 -p %d" % (self.client_port + 1),
                    "--Ice.Default.Locator=" + self.locator,
                    "--Floe.HTTP.Endpoint=127.0.0.1:%d" % (self.client_port + 9)])

    def _req(self, method, path, timeout=30):
        req = urllib.request.Request(self.http + path, method=method)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read() or b"null")

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                die("floe exited; see " + self.logpath)
            try:
                with urllib.request.urlopen(self.http + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        die("Floe not ready within %ds" % timeout)

    def deploy(self, xml):
        r = subprocess.run([self.floe, "admin", "--registry", self.http, "-e", "application add " + xml],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            die("floe admin application add %s: %s%s" % (xml, r.stdout, r.stderr))

    def state(self, _IceGrid, sid):
        return self._req("GET", "/api/v1/servers/" + sid)["state"]

    def pid(self, sid):
        return self._req("GET", "/api/v1/servers/" + sid).get("pid", 0)

    def stop_server(self, IceGrid, sid):
        if self.state(IceGrid, sid) != "Inactive":
            self._req("POST", "/api/v1/servers/%s/stop" % sid)

    def close_admin(self):
        pass


# ----------------------------------------------------------------------------- log parsing

FLOE_STARTED = re.compile(r'^time=(\S+) .*msg="server started".* server=(\S+) pid=(\d+)')
IG_ACTIVATING = re.compile(r"^-- (\d\d/\d\d/\d\d \d\d:\d\d:\d\d\.\d{3}) icegridnode: Activator: activating server [`'](\S+?)'")


def spawn_times(kind, path):
    """[(wall-clock ts, server id)] at which the node logged the server's start (ms resolution)."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path, errors="replace") as f:
        for line in f:
            if kind == "floe":
                m = FLOE_STARTED.match(line)
                if m:
                    out.append((datetime.datetime.fromisoformat(m.group(1)).timestamp(), m.group(2)))
            else:
                m = IG_ACTIVATING.match(line)
                if m:
                    t = datetime.datetime.strptime(m.group(1), "%m/%d/%y %H:%M:%S.%f")
                    out.append((t.timestamp(), m.group(2)))
    return out


# ----------------------------------------------------------------------------- the client

def one_trial(Ice, Demo, locator, identity, timeout_ms):
    """Fresh communicator, locator connection opened, then time stringToProxy + sayHello."""
    init = Ice.InitializationData()
    init.properties = Ice.createProperties()
    init.properties.setProperty("Ice.Default.Locator", locator)
    comm = Ice.initialize(init)
    try:
        lconn = comm.getDefaultLocator().ice_getConnection()
        lport = lconn.getInfo().localPort
        t0w = time.time()
        t0 = time.perf_counter()
        prx = Demo.HelloPrx.uncheckedCast(comm.stringToProxy(identity)).ice_invocationTimeout(timeout_ms)
        prx.sayHello()
        t1 = time.perf_counter()
        t1w = t0w + (t1 - t0)
        sport = prx.ice_getCachedConnection().getInfo().remotePort
        return {"ms": (t1 - t0) * 1e3, "t0w": t0w, "t1w": t1w, "lport": lport, "server_port": sport, "error": ""}
    finally:
        comm.destroy()


# ----------------------------------------------------------------------------- breakdown

def breakdown(trial, grid_ports, pk, spawns):
    """Per-trial timeline, in ms since the client's t0 (None when not observed)."""
    t0, t1, lp = trial["t0w"], trial["t1w"], trial["lport"]
    ev = {"total": trial["ms"]}
    win = pk.window(t0 - 0.002, t1 + 0.002)
    fo = next((r for r in win if r["op"] == "findObjectById" and r["sport"] == lp), None)
    fa = next((r for r in win if r["op"] == "findAdapterById" and r["sport"] == lp), None)
    rel = lambda ts: None if ts is None else (ts - t0) * 1e3
    if fo:
        ev["findObjectById sent"] = rel(fo["ts"])
        ev["findObjectById reply"] = rel(fo["reply_ts"])
    if fa:
        ev["findAdapterById sent"] = rel(fa["ts"])
        ev["findAdapterById reply"] = rel(fa["reply_ts"])
    sp = [ts for ts, sid in spawns if sid == trial["server"] and t0 - 0.002 <= ts <= t1 + 0.002]
    if sp:
        ev["node logged spawn (ms res.)"] = rel(sp[0])
    lo_edge = fa["ts"] if fa else t0
    # The server's own connections: those opened to the grid's ports, by anything but the client,
    # after the client's findAdapterById (the admin session used between trials is older).
    syns = [s for s in pk.syns if lo_edge <= s[0] <= t1 and s[2] in grid_ports and s[1] != lp]
    if syns:
        ev["server's first connect (SYN)"] = rel(syns[0][0])
    sports = {s[1] for s in syns}
    for r in win:
        if r["sport"] not in sports or r["ts"] < lo_edge:
            continue
        key = r["op"]
        if key + " sent" not in ev:
            ev[key + " sent"] = rel(r["ts"])
            ev[key + " reply"] = rel(r["reply_ts"])
    return ev


ORDER = ["findObjectById sent", "findObjectById reply", "findAdapterById sent",
         "node logged spawn (ms res.)", "server's first connect (SYN)"]


def timeline_rows(evs):
    """Median of each event over trials, in time order."""
    keys = {}
    for e in evs:
        for k, v in e.items():
            if k != "total" and v is not None:
                keys.setdefault(k, []).append(v)
    rows = [(k, statistics.median(v), len(v)) for k, v in keys.items()]
    rows.sort(key=lambda r: r[1])
    return rows


def seg(evs, a, b):
    xs = [e[b] - e[a] for e in evs if e.get(a) is not None and e.get(b) is not None]
    return (statistics.median(xs), min(xs), max(xs), len(xs)) if xs else None


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=30, help="timed cold activations per grid and server kind")
    ap.add_argument("--warmup", type=int, default=1, help="untimed rounds first")
    ap.add_argument("--settle", type=float, default=0.3, help="seconds to wait after the server is Inactive")
    ap.add_argument("--base-port", type=int, default=25161, help="IceGrid BASE..BASE+3, Floe BASE+10, +11, HTTP +19")
    ap.add_argument("--demo", default=DEFAULT_DEMO)
    ap.add_argument("--floe", default=os.path.join(ROOT, "bin", "floe"))
    ap.add_argument("--go-server", required=False, help="built examples/hello/server binary")
    ap.add_argument("--out", default=None, help="result directory (default bench/results/<timestamp>)")
    ap.add_argument("--trace", type=int, default=1, help="1: capture the grids' loopback traffic for the breakdown")
    ap.add_argument("--wait-idle", type=int, default=0, help="wait up to N s for the machine to be < 50%% busy first")
    ap.add_argument("--keep", action="store_true", help="keep the temporary grid directories")
    ap.add_argument("--sniff", help=argparse.SUPPRESS)
    ap.add_argument("--sniff-range", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.sniff:
        lo, hi = (int(x) for x in args.sniff_range.split(","))
        sniff_main(args.sniff, lo, hi, 4 * 3600)
        return

    def on_term(signum, _frame):
        raise SystemExit(128 + signum)  # runs the finally blocks: grids and servers are stopped
    signal.signal(signal.SIGTERM, on_term)

    if args.trials < 1 or args.warmup < 0:
        die("--trials must be >= 1 and --warmup >= 0")
    if args.trials < 10:
        log("warning: %d trials per cell is a smoke run; use >= 10 for a verdict" % args.trials)
    for b in ("icegridnode", "icegridadmin"):
        if shutil.which(b) is None:
            die("missing %s: apt-get install -y zeroc-icegrid zeroc-ice-utils" % b)
    if not os.access(args.floe, os.X_OK):
        die("missing %s: run make build" % args.floe)
    if not args.go_server or not os.access(args.go_server, os.X_OK):
        die("--go-server: build it with go build -o DIR/server ./examples/hello/server")
    if not os.path.exists(os.path.join(args.demo, "config.grid")):
        die("demo directory not found: " + args.demo)
    try:
        import Ice
        import IceGrid
    except ImportError as e:
        die("run with /usr/bin/python3 (python3-zeroc-ice): %s" % e)
    Ice.loadSlice(os.path.join(args.demo, "Hello.ice"))
    import Demo

    base = args.base_port
    ports = [base, base + 1, base + 2, base + 3, base + 10, base + 11, base + 19]
    busy = [p for p in ports if not port_free(p)]
    if busy:
        die("ports in use: %s (choose another --base-port / BASE_PORT)" % busy)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = args.out or os.path.join(ROOT, "bench", "results", stamp)
    os.makedirs(out, exist_ok=True)
    state = tempfile.mkdtemp(prefix="floe-actbench.")
    os.chmod(state, 0o755)  # icegridnode (as root) runs servers as nobody: they must reach their files
    bindir = os.path.join(state, "bin")
    os.makedirs(bindir)
    os.symlink("/usr/bin/python3", os.path.join(bindir, "python"))
    env = dict(os.environ)
    env["PATH"] = bindir + ":" + env.get("PATH", "/usr/bin:/bin")

    if args.wait_idle > 0:
        deadline = time.monotonic() + args.wait_idle
        while time.monotonic() < deadline:
            b = busy_pct(2)
            if b < 50:
                break
            log("machine %.0f%% busy (load %s); waiting" % (b, loadavg()))

    grids = {}
    sniffer = None
    results = []
    try:
        for kind in ("icegrid", "floe"):
            d = os.path.join(state, kind)
            shutil.copytree(args.demo, d)
            os.chmod(d, 0o755)
            xml = ('<icegrid><application name="GoHello"><node name="node1">\n'
                   '  <server id="GoServer" exe="%s" activation="on-demand">\n'
                   '    <adapter name="Hello" endpoints="tcp -h localhost">\n'
                   '      <object identity="hellogo" type="::Demo::Hello" property="Identity"/>\n'
                   '    </adapter>\n'
                   '  </server></node></application></icegrid>\n' % os.path.abspath(args.go_server))
            with open(os.path.join(d, "go.xml"), "w") as f:
                f.write(xml)
        grids["icegrid"] = IceGridGrid(os.path.join(state, "icegrid"), env, os.path.join(out, "icegrid.log"), base)
        grids["floe"] = FloeGrid(os.path.join(state, "floe"), env, os.path.join(out, "floe.log"), base, args.floe)
        for g in grids.values():
            g.launch()
        grids["icegrid"].wait_ready(Ice, IceGrid)
        grids["floe"].wait_ready()
        for g in grids.values():
            g.deploy(os.path.join(g.dir, "application.xml"))
            g.deploy(os.path.join(g.dir, "go.xml"))
        log("both grids up, applications Simple and GoHello deployed")

        if args.trace:
            pkfile = os.path.join(out, "packets.txt")
            sniffer = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--sniff", pkfile,
                                        "--sniff-range", "%d,%d" % (base, base + 19)],
                                       stdout=subprocess.PIPE, text=True)
            line = sniffer.stdout.readline().strip()
            if line != "ready":
                log("packet capture unavailable; continuing without the breakdown")
                sniffer.wait(10)
                sniffer = None

        def ensure_inactive(g, sid):
            g.stop_server(IceGrid, sid)
            deadline = time.monotonic() + 30
            while g.state(IceGrid, sid) != "Inactive":
                if time.monotonic() > deadline:
                    raise RuntimeError("%s: server %s not Inactive after 30 s" % (g.kind, sid))
                time.sleep(0.01)

        total_rounds = args.warmup + args.trials
        cpu0 = cpu_times()
        load_start = loadavg()
        failures = 0
        t_start = time.time()
        for rnd in range(total_rounds):
            warm = rnd < args.warmup
            kinds = ["py", "go"] if rnd % 2 == 0 else ["go", "py"]
            for k in kinds:
                systems = ["icegrid", "floe"] if (rnd + (k == "go")) % 2 == 0 else ["floe", "icegrid"]
                for sname in systems:
                    g = grids[sname]
                    sid, ident = KINDS[k]["server"], KINDS[k]["identity"]
                    if not g.alive():
                        raise RuntimeError("%s exited; see %s" % (SYSTEMS[sname], g.logpath))
                    ensure_inactive(g, sid)
                    time.sleep(args.settle)
                    la = loadavg().split()[0]
                    psi = cpu_pressure()
                    try:
                        r = one_trial(Ice, Demo, g.locator, ident, 30000)
                        r["pid"] = g.pid(sid)
                    except Exception as e:  # a failed activation is recorded, not fatal
                        failures += 1
                        r = {"ms": float("nan"), "t0w": 0, "t1w": 0, "lport": 0, "server_port": 0, "pid": 0,
                             "error": "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")}
                        log("%s %s round %d failed: %s" % (sname, k, rnd, r["error"]))
                        if failures > max(3, total_rounds):
                            raise RuntimeError("too many failed trials")
                    r.update({"system": sname, "kind": k, "server": sid, "round": rnd, "warmup": int(warm), "load1": la,
                              "psi": psi})
                    results.append(r)
                    if not warm and not r["error"]:
                        log("round %2d %-7s %-2s %7.2f ms (pid %s)" % (rnd, sname, k, r["ms"], r["pid"]))
            # leave nothing running between rounds
        for sname, g in grids.items():
            for k in KINDS:
                ensure_inactive(g, KINDS[k]["server"])
        t_end = time.time()
        cpu1 = cpu_times()
        load_end = loadavg()
    finally:
        if sniffer is not None:
            sniffer.send_signal(signal.SIGTERM)
            try:
                sniffer.wait(10)
            except subprocess.TimeoutExpired:
                sniffer.kill()
                sniffer.wait(5)
        for g in grids.values():
            if isinstance(g, IceGridGrid):
                g.close_admin()
            g.stop()
        if not args.keep:
            shutil.rmtree(state, ignore_errors=True)
        else:
            log("kept " + state)

    # ------------------------------------------------------------------ report
    with open(os.path.join(out, "trials.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["round", "warmup", "system", "kind", "server", "ms", "pid", "load1", "cpu_psi_avg10", "t0_wall",
                    "client_locator_port", "server_port", "error"])
        for r in results:
            w.writerow([r["round"], r["warmup"], r["system"], r["kind"], r["server"],
                        "%.3f" % r["ms"], r["pid"], r["load1"], r["psi"], "%.6f" % r["t0w"],
                        r["lport"], r["server_port"], r["error"]])

    timed = [r for r in results if not r["warmup"] and not r["error"]]
    ms = {(s, k): [r["ms"] for r in timed if r["system"] == s and r["kind"] == k] for s in SYSTEMS for k in KINDS}
    errs = {(s, k): sum(1 for r in results if not r["warmup"] and r["error"] and r["system"] == s and r["kind"] == k)
            for s in SYSTEMS for k in KINDS}
    pids_ok = all(len({r["pid"] for r in timed if r["system"] == s and r["kind"] == k}) == len(ms[(s, k)])
                  for s in SYSTEMS for k in KINDS)
    psis = [float(r["psi"]) for r in results if not r["warmup"] and r.get("psi")]
    t = cpu1[0] - cpu0[0]
    busy = 100.0 * (t - (cpu1[1] - cpu0[1])) / t if t > 0 else float("nan")

    L = []
    L.append("# On-demand activation latency: Floe vs IceGrid 3.7.8 (%s)" % stamp)
    L.append("")
    L.append("First call on an inactive on-demand server → reply, measured by a Python client (fresh communicator per "
             "trial, locator connection already open; timed from stringToProxy(`hello`) + sayHello() to the reply: "
             "findObjectById, findAdapterById with activation, connect, call). Both grids are collocated "
             "registry+node from the demo's config.grid, on 127.0.0.1, in the same run, alternating. Between trials "
             "the server is stopped with `server stop` on both (Process.shutdown, wait for exit), then the script "
             "waits for Inactive + %.0f ms. %d timed trials per cell, %d warm-up round(s)." % (args.settle * 1e3, args.trials, args.warmup))
    L.append("")
    L.append("Machine: %d CPUs; load average %s at start, %s at end; the whole machine was %.0f%% busy during the "
             "trials (other users included)." % (os.cpu_count(), load_start, load_end, busy)
             + (" CPU pressure (/proc/pressure/cpu some avg10, sampled before each trial): median %.0f%%, "
                "range %.0f–%.0f%%." % (statistics.median(psis), min(psis), max(psis)) if psis else ""))
    L.append("")
    L.append("| server | grid | n | p50 ms | p99 ms | min | max | mean | failed |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for k in KINDS:
        for s in SYSTEMS:
            x = ms[(s, k)]
            if x:
                L.append("| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %d |" % (
                    KINDS[k]["label"], SYSTEMS[s], len(x), pctl(x, .5), pctl(x, .99), min(x), max(x), statistics.mean(x), errs[(s, k)]))
            else:
                L.append("| %s | %s | 0 | - | - | - | - | - | %d |" % (KINDS[k]["label"], SYSTEMS[s], errs[(s, k)]))
    L.append("")
    L.append("| server | IceGrid p50 | Floe p50 | Floe/IceGrid p50 | IceGrid p99 | Floe p99 | Floe/IceGrid p99 | target: Floe p50 ≤ IceGrid p50 |")
    L.append("|---|---|---|---|---|---|---|---|")
    verdicts = {}
    for k in KINDS:
        a, b = ms[("icegrid", k)], ms[("floe", k)]
        if not a or not b:
            verdicts[k] = "FAIL"
            L.append("| %s | - | - | - | - | - | - | FAIL (missing trials) |" % KINDS[k]["label"])
            continue
        a50, b50, a99, b99 = pctl(a, .5), pctl(b, .5), pctl(a, .99), pctl(b, .99)
        ok = b50 <= a50 and errs[("floe", k)] == 0
        verdicts[k] = "PASS" if ok else "FAIL"
        L.append("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | **%s** (p99 %s) |" % (
            KINDS[k]["label"], a50, b50, b50 / a50, a99, b99, b99 / a99, verdicts[k],
            "≤" if b99 <= a99 else ">"))
    L.append("")
    L.append("Paired view (each round runs IceGrid and Floe back to back on the same server kind, so a per-round "
             "difference cancels slow changes in the machine's load; not the verdict, a robustness check):")
    L.append("")
    L.append("| server | rounds | median of (Floe − IceGrid) ms | median of Floe/IceGrid | rounds Floe was faster |")
    L.append("|---|---|---|---|---|")
    for k in KINDS:
        pairs = {}
        for r in timed:
            if r["kind"] == k:
                pairs.setdefault(r["round"], {})[r["system"]] = r["ms"]
        both = [v for v in pairs.values() if len(v) == 2]
        if both:
            d = [v["floe"] - v["icegrid"] for v in both]
            q = [v["floe"] / v["icegrid"] for v in both]
            L.append("| %s | %d | %+.2f | %.2f | %d/%d |" % (KINDS[k]["label"], len(both), statistics.median(d),
                                                        statistics.median(q), sum(1 for x in d if x < 0), len(both)))
    L.append("")
    L.append("p50 = median, p99 by linear interpolation (with n=%d it lies between the two largest values). "
             "The reference anchors (MORE-ANCHORS.md, IceGrid alone on a quieter box) are %.1f ms for the Python "
             "server and %.1f ms for a C++ server; this run's own IceGrid figures are the yardstick." % (args.trials, ANCHOR["py"], ANCHOR["go"]))
    if not pids_ok:
        L.append("")
        L.append("WARNING: some trials reported a server PID seen before (an activation may have been skipped).")

    pk = Packets(os.path.join(out, "packets.txt")) if args.trace else None
    if pk is not None and pk.reqs:
        L.append("")
        L.append("## Where the time goes (per-trial timelines, medians over the timed trials)")
        L.append("")
        L.append("From the loopback capture (kernel timestamps) and the node's log line for the spawn "
                 "(Floe `server started`, logged right after fork/exec returned; IceGrid `Activator: activating "
                 "server`, logged just before its fork; both millisecond resolution). Times are ms since the "
                 "client's t0. Requests listed after findAdapterById are the ones the server process sends to the "
                 "grid's ports while it starts.")
        for k in KINDS:
            for s in SYSTEMS:
                g = grids[s]
                spawns = spawn_times(s, g.logpath)
                evs = [breakdown(r, set(g.ports), pk, spawns)
                       for r in timed if r["system"] == s and r["kind"] == k]
                if not evs:
                    continue
                L.append("")
                L.append("### %s on %s (n=%d)" % (KINDS[k]["label"], SYSTEMS[s], len(evs)))
                L.append("")
                L.append("| event | median ms since t0 | trials seen |")
                L.append("|---|---|---|")
                for name, med, n in timeline_rows(evs):
                    L.append("| %s | %.2f | %d |" % (name, med, n))
                L.append("| reply to sayHello at the client (total) | %.2f | %d |" % (statistics.median([e["total"] for e in evs]), len(evs)))
                for e in evs:
                    e["t1"] = e["total"]
                L.append("")
                L.append("| segment | median ms | min–max | n |")
                L.append("|---|---|---|---|")
                segs = [
                    ("t0 → findObjectById sent (client)", "findObjectById sent", None, True),
                    ("findObjectById round trip", "findObjectById sent", "findObjectById reply", False),
                    ("findAdapterById received → node logged the spawn", "findAdapterById sent", "node logged spawn (ms res.)", False),
                    ("findAdapterById received → server's first connection to the grid (spawn + process start-up + Ice init)", "findAdapterById sent", "server's first connect (SYN)", False),
                    ("spawn logged → server's first connection to the grid (process start-up + Ice init)", "node logged spawn (ms res.)", "server's first connect (SYN)", False),
                    ("server's first connection → setAdapterDirectProxy sent", "server's first connect (SYN)", "setAdapterDirectProxy sent", False),
                    ("setAdapterDirectProxy round trip", "setAdapterDirectProxy sent", "setAdapterDirectProxy reply", False),
                    ("setAdapterDirectProxy sent → findAdapterById reply", "setAdapterDirectProxy sent", "findAdapterById reply", False),
                    ("setServerProcessProxy sent → findAdapterById reply", "setServerProcessProxy sent", "findAdapterById reply", False),
                    ("findAdapterById round trip (whole activation as the registry serves it)", "findAdapterById sent", "findAdapterById reply", False),
                    ("findAdapterById reply → reply to sayHello (connect + call, client side)", "findAdapterById reply", "t1", False),
                ]
                for label, a, b, from0 in segs:
                    if from0:
                        xs = [e[a] for e in evs if e.get(a) is not None]
                        v = (statistics.median(xs), min(xs), max(xs), len(xs)) if xs else None
                    else:
                        v = seg(evs, a, b)
                    if v:
                        L.append("| %s | %.2f | %.2f–%.2f | %d |" % (label, v[0], v[1], v[2], v[3]))

    text = "\n".join(L) + "\n"
    with open(os.path.join(out, "activation.md"), "w") as f:
        f.write(text)
    print(text)
    log("results in " + out)
    return 0 if all(v == "PASS" for v in verdicts.values()) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception:  # a measurement error is not a FAIL verdict: exit 2
        import traceback
        traceback.print_exc()
        sys.exit(2)
