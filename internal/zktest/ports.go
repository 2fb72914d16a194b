package zktest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Ports are picked below the kernel's ephemeral range, so that an outgoing connection (a
// client, or a peer dialling the election port) cannot be holding a server's port when the
// server is restarted, and never twice in one test binary.
const lowestPort = 10000

var (
	portsMu   sync.Mutex
	portsUsed = map[int]bool{} // handed out by freePorts in this process
)

// freePorts returns n distinct loopback TCP ports that were free a moment ago. Other
// processes (parallel test binaries) can still race for them; a server that cannot bind
// fails to start and its log says so.
func freePorts(n int) ([]int, error) {
	portsMu.Lock()
	defer portsMu.Unlock()
	hi := ephemeralLow()
	var lc net.ListenConfig
	var ports []int
	var held []net.Listener // kept open until all n are found, so none is picked twice
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for attempt := 0; len(ports) < n; attempt++ {
		if attempt >= 100*n {
			return nil, fmt.Errorf("no %d free loopback ports in [%d,%d)", n, lowestPort, hi)
		}
		p := lowestPort + rand.IntN(hi-lowestPort)
		if portsUsed[p] {
			continue
		}
		l, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		held = append(held, l)
		portsUsed[p] = true
		ports = append(ports, p)
	}
	return ports, nil
}

// ephemeralLow is the bottom of Linux's ephemeral port range (32768 if unknown).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if lo, err := strconv.Atoi(f[0]); err == nil && lo > lowestPort+1000 {
				return lo
			}
		}
	}
	return 32768
}
