// Package ha_test runs real Floe replicas in ZooKeeper mode against a real three-server
// ZooKeeper ensemble (internal/zktest) and injects faults: kill -9 and SIGSTOP of the master,
// loss of the ZooKeeper leader and of the quorum, a replica cut from ZooKeeper by TCP proxies,
// and a restart while ZooKeeper is down. Every test checks that no acknowledged write is lost
// and that lookups keep being answered (reference/zookeeper.md §6.6). TestPaperExperiment
// replays the published design's failover experiment, and TestFailoverWithPythonClient has a
// real Python Ice 3.7 client resolve an adapter through a three-endpoint locator proxy while
// the master is killed.
//
// The floe binary is built once in TestMain. Every process is started by the tests on
// loopback ports and stopped by its PID; a missing java, ZooKeeper or Python Ice skips a test,
// or fails it when CI is set. HA_LOGS=1 prints every replica's log at the end of each test,
// HA_LOGS=debug with Floe.Log.Debug=1.
package ha_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// sessionTimeout is every replica's Floe.ZooKeeper.SessionTimeout.
const sessionTimeout = 2 * time.Second

// failoverBound is how long a new master may take after the old one died: the session timeout,
// the one second the design allows, and slack for a loaded CI machine.
const failoverBound = sessionTimeout + 3*time.Second

var floeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "floe-ha-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	floeBin = filepath.Join(dir, "floe")
	build := exec.CommandContext(context.Background(), "go", "build", "-o", floeBin, "floe/cmd/floe") // TestMain is the root: no context above it
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build floe:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// lowestPort is the bottom of the range replica ports are picked from; the top is the kernel's
// ephemeral range, so a port a replica gets back on restart cannot be held by an outgoing
// connection meanwhile.
const lowestPort = 20000

var (
	portsMu   sync.Mutex
	portsUsed = map[int]bool{}
)

// freePort returns a loopback TCP port that was free a moment ago and was not handed out
// before in this process.
func freePort(t *testing.T) int {
	t.Helper()
	portsMu.Lock()
	defer portsMu.Unlock()
	hi := ephemeralLow()
	var lc net.ListenConfig
	for range 1000 {
		p := lowestPort + rand.IntN(hi-lowestPort)
		if portsUsed[p] {
			continue
		}
		ln, err := lc.Listen(t.Context(), "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		ln.Close()
		portsUsed[p] = true
		return p
	}
	t.Fatalf("no free port in [%d,%d)", lowestPort, hi)
	return 0
}

// ephemeralLow is the bottom of Linux's ephemeral port range (32768 if unknown).
func ephemeralLow() int {
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if lo, err := strconv.Atoi(f[0]); err == nil && lo > lowestPort+1000 {
				return lo
			}
		}
	}
	return 32768
}
