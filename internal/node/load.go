package node

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Load is a node's load averages over 1, 5 and 15 minutes (IceGrid::LoadInfo): on Linux the
// kernel's, as getloadavg(3) returns them, not divided by the number of processors (the
// registry applies the load factor). A negative value means unknown.
type Load struct {
	Avg1  float32 `json:"avg1"`
	Avg5  float32 `json:"avg5"`
	Avg15 float32 `json:"avg15"`
}

// unknownLoad is what a node that cannot read its load reports (PlatformInfo::getLoadInfo).
var unknownLoad = Load{-1, -1, -1}

// loadSampleEvery is how long a load sample is reused: IceGrid nodes report theirs with each
// session keep-alive; the collocated node reads it when asked, at most this often.
const loadSampleEvery = time.Second

// loadSampler reads the load averages when asked, at most once per loadSampleEvery. Its zero
// value reads /proc/loadavg.
type loadSampler struct {
	read func() ([]byte, error) // nil: read /proc/loadavg

	mu   sync.Mutex // guards at and last
	at   time.Time
	last Load
}

// sample returns the load at now, read again when the last sample is too old.
func (l *loadSampler) sample(now time.Time) Load {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.at.IsZero() && now.Sub(l.at) < loadSampleEvery && now.Sub(l.at) >= 0 {
		return l.last
	}
	read := l.read
	if read == nil {
		read = func() ([]byte, error) { return os.ReadFile("/proc/loadavg") }
	}
	l.last = unknownLoad
	if data, err := read(); err == nil {
		if load, err := parseLoadavg(string(data)); err == nil {
			l.last = load
		}
	}
	l.at = now
	return l.last
}

// parseLoadavg parses /proc/loadavg: "0.52 0.58 0.59 1/467 12345".
func parseLoadavg(s string) (Load, error) {
	f := strings.Fields(s)
	if len(f) < 3 {
		return unknownLoad, fmt.Errorf("node: load averages %q: want three numbers", s)
	}
	var avg [3]float32
	for i := range avg {
		v, err := strconv.ParseFloat(f[i], 32)
		if err != nil || !(v >= 0) || math.IsInf(v, 1) { // NaN and Inf do not encode in JSON
			return unknownLoad, fmt.Errorf("node: load averages %q: %q is not a load", s, f[i])
		}
		avg[i] = float32(v)
	}
	return Load{avg[0], avg[1], avg[2]}, nil
}

// Load returns the node's current load averages (admin "node load"; adaptive load balancing).
func (n *Node) Load() Load { return n.load.sample(time.Now()) }
