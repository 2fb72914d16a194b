package ha

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"
)

// adapterCounts returns how many adapters each replica serves (GET /api/v1/adapters), -1 when
// a replica does not answer.
func (c *cluster) adapterCounts(ctx context.Context) []int {
	out := make([]int, len(c.reps))
	for i, r := range c.reps {
		out[i] = -1
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		req, err := http.NewRequestWithContext(rctx, http.MethodGet, r.baseURL()+"/api/v1/adapters", nil)
		if err == nil {
			var resp *http.Response
			if resp, err = c.hc.Do(req); err == nil {
				var list []json.RawMessage
				if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&list) == nil {
					out[i] = len(list)
				}
				_ = resp.Body.Close()
			}
		}
		cancel()
	}
	return out
}

// registrationPhase drives the three Floe replicas and a real IceGrid master + 2 slaves with
// three closed-loop locbench processes each (one pinned to each replica's LocatorRegistry),
// alternating the systems run by run, and compares registrations/s and CPU per registration.
func registrationPhase(ctx context.Context, rep *report, c *cluster, zc *zk.Conn, lb string, cfg config, dir string) {
	if _, err := os.Stat(lb); err != nil {
		out, err := runBounded(ctxWithin(ctx, 5*time.Minute), "make", "-C", filepath.Dir(lb))
		if err != nil {
			rep.note("registrations skipped: building locbench failed: %v: %s", err, tailOf(string(out), 300))
			return
		}
	}
	g, err := startIceGrid(ctx, dir)
	if err != nil {
		rep.note("registrations skipped: IceGrid did not start: %v", err)
		return
	}
	defer func() {
		g.stop()
		for _, p := range g.procs {
			copyFile(rep, p.logPath, filepath.Join(cfg.out, "logs", strings.ReplaceAll(p.name, " ", "-")+".log"))
		}
	}()
	if _, _, err := c.waitReady(ctx, 60*time.Second); err != nil {
		rep.note("registrations skipped: Floe cluster not ready: %v", err)
		return
	}
	floe := registrationTarget{name: "Floe"}
	ig := registrationTarget{name: "IceGrid"}
	for i := range 3 {
		floe.locators = append(floe.locators, fmt.Sprintf("IceGrid/Locator:tcp -h 127.0.0.1 -p %d", c.reps[i].client))
		floe.registrys = append(floe.registrys, fmt.Sprintf("IceGrid/LocatorRegistry:tcp -h 127.0.0.1 -p %d", c.reps[i].server))
		ig.locators = append(ig.locators, g.locator(i))
		ig.registrys = append(ig.registrys, g.registry(i))
	}
	groups := cpuGroups{
		"floe": func() []int {
			var pids []int
			for _, r := range c.reps {
				if r.running() {
					pids = append(pids, r.pid())
				}
			}
			return pids
		},
		"zookeeper": func() []int { return childPIDs("QuorumPeerMain") },
		"icegrid": func() []int {
			var pids []int
			for _, p := range g.procs {
				if p.running() {
					pids = append(pids, p.pid())
				}
			}
			return pids
		},
	}
	adapters := func() int {
		names, _, err := zc.Children(c.root + "/Adapters")
		if err != nil {
			return -1
		}
		return len(names)
	}
	adaptersBefore := adapters()
	defer func() {
		rep.note("registrations: adapters under %s/Adapters: %d before the phase, %d after; per-run totals are in ha-raw.txt",
			c.root, adaptersBefore, adapters())
	}()
	// One untimed run of each first: ZooKeeper's JIT compiles the registration path during the
	// first seconds of load (the first measured run used to cost half as much ZooKeeper CPU
	// again as the next ones), and both registries warm their page caches.
	for _, t := range []registrationTarget{ig, floe} {
		r := t.run(ctx, rep, groups, lb, fmt.Sprintf("warm%s-%s", strconv.FormatInt(time.Now().Unix(), 36), t.name), cfg.regThreads, cfg.regSeconds)
		rep.say("registrations warm-up (not counted): %s %.0f/s", t.name, r.total)
	}
	var catchUp []float64
	diverged := 0
	var fl, icg, ratio, flP99, igP99 []float64
	var flErr, igErr int64
	cpu := map[string]map[string][]float64{"Floe": {}, "IceGrid": {}}
	var busy, others = map[string][]float64{}, map[string][]float64{}
	for run := range cfg.regRuns {
		order := []registrationTarget{ig, floe}
		if run%2 == 1 {
			order = []registrationTarget{floe, ig}
		}
		var got [2]regRun
		for _, t := range order {
			if t.name == "IceGrid" {
				// Floe's slaves catch up after a burst (one ZooKeeper read per new adapter, a
				// children list per change): let them finish so that IceGrid gets the machine.
				waited, quiet := waitQuiet(ctx, groups, []string{"floe", "zookeeper"}, 0.2, 30*time.Second)
				rep.rawf("registrations run=%d before IceGrid: Floe+ZooKeeper quiet=%v after %.1f s", run, quiet, waited.Seconds())
			}
			rep.say("registrations run %d: %s, 3 locbench × %d threads × %d s", run, t.name, cfg.regThreads, cfg.regSeconds)
			r := t.run(ctx, rep, groups, lb, fmt.Sprintf("ha%s-%s-%d", strconv.FormatInt(time.Now().Unix(), 36), t.name, run), cfg.regThreads, cfg.regSeconds)
			rep.say("registrations run %d: %s %.0f/s (errors %d); CPU µs per call %s; machine busy %.0f%%, other processes %.0f%%",
				run, t.name, r.total, r.errors, fmtCPU(r.cpuUs), r.busy, r.others)
			for k, v := range r.cpuUs {
				cpu[t.name][k] = append(cpu[t.name][k], v)
			}
			busy[t.name], others[t.name] = append(busy[t.name], r.busy), append(others[t.name], r.others)
			if t.name == "Floe" {
				got[1] = r
				waited, counts, zkCount, ok := converge(ctx, c, adapters, 30*time.Second)
				if ok {
					catchUp = append(catchUp, waited.Seconds())
				} else {
					diverged++
				}
				rep.rawf("registrations run=%d after Floe: converged=%v after %.1f s; adapters served %v, in ZooKeeper %d", run, ok, waited.Seconds(), counts, zkCount)
				rep.say("registrations run %d: replicas converged=%v after %.1f s; adapters served by r1..r3 %v, in ZooKeeper %d",
					run, ok, waited.Seconds(), counts, zkCount)
			} else {
				got[0] = r
			}
		}
		icg, fl = append(icg, got[0].total), append(fl, got[1].total)
		igErr, flErr = igErr+got[0].errors, flErr+got[1].errors
		igP99, flP99 = append(igP99, percentile(got[0].p99us, 1)/1000), append(flP99, percentile(got[1].p99us, 1)/1000)
		if got[0].total > 0 {
			ratio = append(ratio, got[1].total/got[0].total)
		}
	}
	phase := fmt.Sprintf("registrations (3 replicas × locbench %d threads, new ids)", cfg.regThreads)
	tput := func(sys, name string, xs, p99 []float64, errs int64) row {
		med := map[string]float64{}
		for k, v := range cpu[sys] {
			med[k] = median(v)
		}
		return row{phase: phase, metric: name + " setAdapterDirectProxy/s, sum of 3 processes (p50 = median run, max = best run)",
			n: len(xs), p50: fmtNum(median(xs)), p99: "-", maxVal: fmtNum(percentile(xs, 1)), target: "-", result: "info",
			note: fmt.Sprintf("errors %d; worst per-call p99 median %s ms; CPU µs per call (median) %s; machine busy %s%%, other users' processes %s%%",
				errs, fmtNum(median(p99)), fmtCPU(med), fmtNum(median(busy[sys])), fmtNum(median(others[sys])))}
	}
	rep.add(tput("IceGrid", "IceGrid 3.7 master + 2 slaves:", icg, igP99, igErr))
	rep.add(tput("Floe", "Floe 3 replicas:", fl, flP99, flErr))
	rep.add(row{phase: phase, metric: "after a Floe run: end → every replica serves every adapter in ZooKeeper (GET /api/v1/adapters every 0.5 s), s",
		n: len(catchUp), p50: fmtNum(median(catchUp)), p99: "-", maxVal: fmtNum(percentile(catchUp, 1)), target: "≤ 30 s", result: verdict(diverged == 0 && len(catchUp) > 0),
		note: fmt.Sprintf("%d run(s) not converged within 30 s (counts in ha-raw.txt)", diverged)})
	rep.add(row{phase: phase, metric: "Floe ÷ IceGrid registrations/s (median of per-run ratios)", n: len(ratio),
		p50: fmtNum(median(ratio)), p99: "-", maxVal: fmtNum(percentile(ratio, 1)), target: "≥ 5×",
		result: verdict(len(ratio) > 0 && median(ratio) >= 5 && flErr == 0), note: "runs alternate IceGrid, Floe; ids never reused"})
}

// fmtCPU prints CPU µs per call by process group, in a fixed order.
func fmtCPU(m map[string]float64) string {
	var parts []string
	for _, k := range []string{"floe", "zookeeper", "icegrid", "locbench"} {
		if v, ok := m[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %s", k, fmtNum(v)))
		}
	}
	return strings.Join(parts, ", ")
}

// converge polls every replica's adapter count until all equal ZooKeeper's, for at most bound.
func converge(ctx context.Context, c *cluster, zkCount func() int, bound time.Duration) (time.Duration, []int, int, bool) {
	start := time.Now()
	for {
		counts, want := c.adapterCounts(ctx), zkCount()
		ok := want >= 0
		for _, n := range counts {
			ok = ok && n == want
		}
		if ok || time.Since(start) > bound || ctx.Err() != nil {
			return time.Since(start), counts, want, ok
		}
		sleep(ctx, 500*time.Millisecond)
	}
}
