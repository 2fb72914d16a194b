// Package zktest starts real Apache ZooKeeper ensembles for integration tests and injects
// faults into them: it kills, stops, restarts and freezes (SIGSTOP) server processes, finds
// the current leader, and partitions a client from the ensemble with a TCP Proxy.
//
// Each server is a JVM running org.apache.zookeeper.server.quorum.QuorumPeerMain from the
// Debian zookeeper package (/usr/share/java/zookeeper.jar, logging through slf4j-simple when
// that jar is present) with its own temporary data directory, zoo.cfg and loopback ports.
// When java or the jars are missing, Start skips the test, or fails it when the environment
// variable CI is non-empty; with -short it always skips.
//
// zktest does not speak the ZooKeeper client protocol: tests bring their own client
// (github.com/go-zookeeper/zk) and give it Ensemble.Addrs or Proxies.Addrs. It only uses the
// four-letter words (srvr) to find out which servers serve and which one leads
// (reference/zookeeper.md §3).
//
// Environment: ZKTEST_CLASSPATH replaces the classpath; ZKTEST_CDS=off disables the
// class-data-sharing archive that Start keeps in the user cache directory to cut JVM
// start-up (see cds.go).
//
// It is a test-helper package: Start and NewProxy take a testing.TB, and Ensemble methods
// report failures with Fatal on the TB given to Start, so they must be called from that
// test's goroutine, not from subtests or other goroutines. Proxy methods never fail and are
// safe for concurrent use.
package zktest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// StartTimeout bounds how long Start waits for a new ensemble to serve.
const StartTimeout = 60 * time.Second

// leaderTimeout bounds Ensemble.Leader.
const leaderTimeout = 30 * time.Second

// Ensemble is a set of ZooKeeper server processes started by Start. Server indexes are
// 0-based; server i has myid i+1.
type Ensemble struct {
	t       testing.TB
	cfg     config
	servers []*server
}

// Start launches n ZooKeeper servers (1 runs standalone; 3 or 5 form a quorum), waits up to
// StartTimeout until every server serves and one leads, and registers a t.Cleanup that stops
// them and removes their directories. On failure it calls t.Fatal with the servers' logs.
func Start(tb testing.TB, n int, opts ...Option) *Ensemble {
	tb.Helper()
	if n < 1 {
		tb.Fatalf("zktest: Start(%d servers): need at least one", n)
	}
	if testing.Short() {
		tb.Skip("zktest: real ZooKeeper ensemble skipped in -short mode")
	}
	cfg := newConfig(opts)
	java, err := findJava(cfg)
	if err != nil {
		skipOrFail(tb, err)
	}
	ports, err := freePorts(3 * n)
	if err != nil {
		tb.Fatalf("zktest: %v", err)
	}
	e := &Ensemble{t: tb, cfg: cfg}
	root := tb.TempDir()
	archive := newClassArchive(java, cfg)
	for i := range n {
		s := &server{
			id:           i + 1,
			dir:          filepath.Join(root, fmt.Sprintf("s%d", i+1)),
			clientPort:   ports[3*i],
			quorumPort:   ports[3*i+1],
			electionPort: ports[3*i+2],
			archive:      archive,
		}
		e.servers = append(e.servers, s)
	}
	for _, s := range e.servers {
		if err := s.prepare(cfg, e.servers); err != nil {
			tb.Fatalf("zktest: %v", err)
		}
		s.argv = javaArgs(java, cfg, s)
	}
	// Registered after tb.TempDir, so it runs before the directories are removed.
	tb.Cleanup(e.stopAll)

	begin := time.Now()
	for _, s := range e.servers {
		if err := s.start(); err != nil {
			tb.Fatalf("zktest: %v\n%s", err, e.Logs())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	if err := e.WaitServing(ctx); err != nil {
		tb.Fatalf("zktest: %d servers not serving after %v: %v\n%s",
			n, time.Since(begin).Round(time.Millisecond), err, e.Logs())
	}
	tb.Logf("zktest: %d ZooKeeper server(s) serving at %s after %v",
		n, e.Servers(), time.Since(begin).Round(time.Millisecond))
	return e
}

// skipOrFail reports a missing Java or ZooKeeper: a skip locally, a failure in CI.
func skipOrFail(tb testing.TB, err error) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("zktest: %v (CI is set, so a missing ZooKeeper fails the run)", err)
	}
	tb.Skipf("zktest: %v", err)
}

// findJava checks that java and every classpath entry exist and returns java's path.
func findJava(cfg config) (string, error) {
	java, err := exec.LookPath(cfg.java)
	if err != nil {
		return "", fmt.Errorf("java not found: %w", err)
	}
	for _, p := range filepath.SplitList(cfg.classpath) {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("ZooKeeper classpath: %w", err)
		}
	}
	return java, nil
}

// N returns the number of servers.
func (e *Ensemble) N() int { return len(e.servers) }

// Addrs returns the client address ("127.0.0.1:port") of every server, in index order.
// The caller owns the returned slice.
func (e *Ensemble) Addrs() []string {
	addrs := make([]string, len(e.servers))
	for i, s := range e.servers {
		addrs[i] = s.addr()
	}
	return addrs
}

// Servers returns the client addresses comma-joined, the form of Floe.ZooKeeper.Hosts.
func (e *Ensemble) Servers() string { return strings.Join(e.Addrs(), ",") }

// Kill sends SIGKILL to server i, which must be running (paused is fine), and waits for it
// to exit.
func (e *Ensemble) Kill(i int) {
	e.t.Helper()
	if err := e.server(i).kill(); err != nil {
		e.t.Fatalf("zktest: Kill(%d): %v", i, err)
	}
}

// Stop sends SIGTERM to server i (resuming it first if paused) and waits for it to exit,
// falling back to SIGKILL after 10 s. Stopping a server that is not running does nothing.
func (e *Ensemble) Stop(i int) {
	e.t.Helper()
	if err := e.server(i).stop(); err != nil {
		e.t.Fatalf("zktest: Stop(%d): %v", i, err)
	}
}

// Start restarts server i, which must have been killed or stopped, with the same data
// directory and ports. It does not wait: call WaitServing.
func (e *Ensemble) Start(i int) {
	e.t.Helper()
	if err := e.server(i).start(); err != nil {
		e.t.Fatalf("zktest: Start(%d): %v\n%s", i, err, e.Logs())
	}
}

// Pause freezes server i with SIGSTOP: its sockets stay open but nothing answers, like a
// hung VM or a long GC pause.
func (e *Ensemble) Pause(i int) {
	e.t.Helper()
	if err := e.server(i).pause(); err != nil {
		e.t.Fatalf("zktest: Pause(%d): %v", i, err)
	}
}

// Resume continues server i after Pause with SIGCONT.
func (e *Ensemble) Resume(i int) {
	e.t.Helper()
	if err := e.server(i).resume(); err != nil {
		e.t.Fatalf("zktest: Resume(%d): %v", i, err)
	}
}

func (e *Ensemble) server(i int) *server {
	e.t.Helper()
	if i < 0 || i >= len(e.servers) {
		e.t.Fatalf("zktest: server index %d out of range [0,%d)", i, len(e.servers))
	}
	return e.servers[i]
}

// stopAll stops every server concurrently; it is the t.Cleanup of Start.
func (e *Ensemble) stopAll() {
	var wg sync.WaitGroup
	errs := make([]error, len(e.servers))
	for i, s := range e.servers {
		wg.Go(func() { errs[i] = s.stop() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			e.t.Errorf("zktest: stop server %d: %v", i, err)
		}
	}
}

// Logs returns the tail of every server's log, labelled, for failure messages.
func (e *Ensemble) Logs() string {
	var b strings.Builder
	for i, s := range e.servers {
		fmt.Fprintf(&b, "--- zktest server %d (myid %d, %s) log tail ---\n%s\n", i, s.id, s.addr(), s.logTail(logTailBytes))
	}
	return b.String()
}
