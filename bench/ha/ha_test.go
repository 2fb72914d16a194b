package ha

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"floe/internal/zktest"
)

// config is the benchmark's size, from the environment:
//
//	HA_TRIALS           kill -9 failover trials per session timeout (default 20)
//	HA_TIMEOUTS         Floe.ZooKeeper.SessionTimeout values in ms (default "2000 4000")
//	HA_GRACEFUL_TRIALS  SIGTERM failover trials (default 20)
//	HA_WRITES           propagation writes per kind: object, adapter, application (default 200)
//	HA_ZK_TRIALS        ZooKeeper leader kills (default 5)
//	HA_REG_RUNS         registration runs per system, alternating IceGrid and Floe (default 3),
//	                    after one untimed run of each (warm-up)
//	HA_REG_SECONDS      measured seconds per registration run (default 5)
//	HA_REG_THREADS      locbench threads per replica (default 4)
//	HA_ZK_TICK          ZooKeeper tickTime in ms (default 200, zktest's)
//	HA_ZK_SYNC          1 (default): ZooKeeper fsyncs its log before acknowledging (forceSync=yes,
//	                    as in production and as IceGrid's LMDB commits); 0: forceSync=no
//	HA_ZK_JVM           flags for ZooKeeper's JVM after zktest's start-up-friendly defaults
//	                    (default "-Xmx256m -XX:TieredStopAtLevel=4": the full JIT, as in production
//	                    and in the reference figures of ../shared/bench/MORE-ANCHORS.md)
//	HA_PHASES           any of "propagation failover graceful zkleader registrations" (default all)
//	HA_OUT              result directory (default bench/results/<time>)
//	HA_FLOE_DEBUG       1 (default): replicas run with Floe.Log.Debug=1, whose go-zookeeper
//	                    connection lines time the ZooKeeper reconnections; 0: info logs only
//	QUICK=1             smoke run: 3 trials, 30 writes, 2 ZooKeeper kills, 1 run of 2 s
type config struct {
	trials, gracefulTrials, writes, zkTrials int
	regRuns, regSeconds, regThreads          int
	timeouts                                 []time.Duration
	tick                                     time.Duration
	phases                                   map[string]bool
	out                                      string
	quick, debug                             bool
	zkSync                                   bool
	zkJVM                                    string
}

func loadConfig() (config, error) {
	c := config{quick: os.Getenv("QUICK") == "1", debug: envOr("HA_FLOE_DEBUG", "1") != "0", phases: map[string]bool{},
		zkSync: envOr("HA_ZK_SYNC", "1") != "0", zkJVM: envOr("HA_ZK_JVM", "-Xmx256m -XX:TieredStopAtLevel=4")}
	def := func(full, quick int) int {
		if c.quick {
			return quick
		}
		return full
	}
	var err error
	ints := []struct {
		dst  *int
		name string
		def  int
	}{
		{&c.trials, "HA_TRIALS", def(20, 3)}, {&c.gracefulTrials, "HA_GRACEFUL_TRIALS", def(20, 3)},
		{&c.writes, "HA_WRITES", def(200, 30)}, {&c.zkTrials, "HA_ZK_TRIALS", def(5, 2)},
		{&c.regRuns, "HA_REG_RUNS", def(3, 1)}, {&c.regSeconds, "HA_REG_SECONDS", def(5, 2)},
		{&c.regThreads, "HA_REG_THREADS", 4},
	}
	for _, v := range ints {
		if *v.dst, err = envInt(v.name, v.def, 1, 100000); err != nil {
			return c, err
		}
	}
	tick, err := envInt("HA_ZK_TICK", int(zktest.DefaultTickTime/time.Millisecond), 10, 10000)
	if err != nil {
		return c, err
	}
	c.tick = time.Duration(tick) * time.Millisecond
	for f := range strings.FieldsSeq(envOr("HA_TIMEOUTS", "2000 4000")) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 400 || n > 60000 {
			return c, fmt.Errorf("HA_TIMEOUTS: %q is not a session timeout in ms (400-60000)", f)
		}
		c.timeouts = append(c.timeouts, time.Duration(n)*time.Millisecond)
	}
	if len(c.timeouts) == 0 {
		return c, fmt.Errorf("HA_TIMEOUTS is empty")
	}
	known := "propagation failover graceful zkleader registrations"
	for p := range strings.FieldsSeq(envOr("HA_PHASES", known)) {
		if !slices.Contains(strings.Fields(known), p) {
			return c, fmt.Errorf("HA_PHASES: unknown phase %q (known: %s)", p, known)
		}
		c.phases[p] = true
	}
	stamp := time.Now().Format("20060102-150405")
	if c.quick {
		stamp += "-quick"
	}
	c.out = envOr("HA_OUT", filepath.Join("..", "results", stamp))
	return c, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def, lo, hi int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s=%q: want an integer in [%d,%d]", name, v, lo, hi)
	}
	return n, nil
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// BenchmarkHA runs every phase once (use -benchtime=1x) and prints the summary table.
func BenchmarkHA(b *testing.B) {
	if b.N > 1 {
		b.Skip("BenchmarkHA is one pass: run it with -benchtime=1x")
	}
	cfg, err := loadConfig()
	if err != nil {
		b.Fatal(err)
	}
	bin, lb := absPath("../../bin/floe"), absPath("../locbench/locbench")
	if _, err := os.Stat(bin); err != nil {
		b.Fatalf("%v: run `make build` first", err)
	}
	// Run a private copy: a rebuild of bin/floe during the run must not mix two versions.
	work := b.TempDir()
	data, err := os.ReadFile(bin)
	if err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(bin)
	sum := sha256.Sum256(data)
	binID := fmt.Sprintf("bin/floe of %s, sha256 %x…", st.ModTime().Format("15:04:05"), sum[:6])
	bin = filepath.Join(work, "floe")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		b.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(cfg.out, "ha.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logf.Close()
	rawf, err := os.Create(filepath.Join(cfg.out, "ha-raw.txt"))
	if err != nil {
		b.Fatal(err)
	}
	defer rawf.Close()
	rep := &report{out: io.MultiWriter(os.Stderr, logf), raw: rawf}
	began := time.Now()
	header := describe(cfg, bin, binID)
	rep.say("HA benchmark: results in %s\n%s", absPath(cfg.out), header)

	ens := zktest.Start(b, 3, zktest.WithTickTime(cfg.tick), zktest.WithJVMFlags(strings.Fields(cfg.zkJVM)...),
		zktest.WithConfig("forceSync="+map[bool]string{true: "yes", false: "no"}[cfg.zkSync]))
	zc, _, err := zk.Connect(ens.Addrs(), 10*time.Second, zk.WithLogger(nopLogger{}))
	if err != nil {
		b.Fatal(err)
	}
	defer zc.Close()
	ctx := b.Context()
	for idx, to := range cfg.timeouts {
		label := fmt.Sprintf("t%d", to.Milliseconds())
		if !runCluster(ctx, b, rep, cfg, ens, zc, bin, lb, filepath.Join(work, label), label, to, idx == 0) {
			break
		}
	}
	// zktest's server logs live in its temporary directories.
	for _, dir := range zkDirs() {
		copyFile(rep, filepath.Join(dir, "server.log"), filepath.Join(cfg.out, "logs", "zookeeper-"+filepath.Base(dir)+".log"))
	}
	md := rep.markdown(fmt.Sprintf("# Floe HA benchmark, %s (%.0f s)\n\n%s\n", began.Format("2006-01-02 15:04"), time.Since(began).Seconds(), header))
	if err := os.WriteFile(filepath.Join(cfg.out, "ha.md"), []byte(md), 0o644); err != nil {
		b.Error(err)
	}
	fmt.Fprintf(os.Stdout, "\n%s\nSaved: %s\n", md, filepath.Join(absPath(cfg.out), "ha.md"))
}

// describe is the header of the summary: machine, versions and knobs.
func describe(cfg config, bin, binID string) string {
	ver, _ := runBounded(ctxWithin(context.Background(), 10*time.Second), bin, "version")
	host, _ := os.Hostname()
	to := make([]string, 0, len(cfg.timeouts))
	for _, t := range cfg.timeouts {
		to = append(to, strconv.FormatInt(t.Milliseconds(), 10))
	}
	return fmt.Sprintf("Host %s: %d CPUs, load average at start %s. %s (%s).\n"+
		"ZooKeeper: 3 servers (zktest, Debian zookeeper.jar), tickTime %d ms, forceSync=%v, JVM flags added %q; Floe: 3 replicas, SessionTimeout %s ms.\n"+
		"Trials: kill -9 failover %d per timeout, SIGTERM %d, propagation %d writes per kind, ZK leader kills %d, "+
		"registration runs %d × %d s × %d threads per replica.\n"+
		"Percentiles are nearest-rank: with 20 trials p99 is the maximum.",
		host, runtime.NumCPU(), loadavg(), strings.TrimSpace(firstLine(string(ver))), binID, cfg.tick.Milliseconds(), cfg.zkSync, cfg.zkJVM, strings.Join(to, ", "),
		cfg.trials, cfg.gracefulTrials, cfg.writes, cfg.zkTrials, cfg.regRuns, cfg.regSeconds, cfg.regThreads)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func tailOf(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// copyLogs keeps the replicas' logs with the results.
func copyLogs(rep *report, c *cluster, dir, label string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	for _, r := range c.reps {
		copyFile(rep, r.logPath, filepath.Join(dir, label+"-"+r.name+".log"))
	}
}

func copyFile(rep *report, from, to string) {
	b, err := os.ReadFile(from)
	if err == nil {
		_ = os.MkdirAll(filepath.Dir(to), 0o755)
		err = os.WriteFile(to, b, 0o644)
	}
	if err != nil {
		rep.note("copy log: %v", err)
	}
}
