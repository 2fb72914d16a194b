package ha

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// lbResult is one locbench process's RESULT line.
type lbResult struct {
	ops, p50us, p99us float64
	cpu               float64 // CPU seconds locbench used
	ok, errors        int64
	err               error
}

// runLocbench runs one closed-loop setAdapterDirectProxy locbench pinned to one registry.
func runLocbench(ctx context.Context, bin, loc, reg, prefix string, threads, seconds int) lbResult {
	argv := []string{bin, "-l", loc, "-r", reg, "-o", "setAdapterDirectProxy", "-i", prefix,
		"-t", strconv.Itoa(threads), "-d", strconv.Itoa(seconds), "-w", "1"}
	cmd := exec.CommandContext(ctxWithin(ctx, time.Duration(seconds+60)*time.Second), argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	res := lbResult{}
	if cmd.ProcessState != nil {
		res.cpu = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	}
	for l := range strings.SplitSeq(string(out), "\n") {
		if !strings.HasPrefix(l, "RESULT ") {
			continue
		}
		for kv := range strings.FieldsSeq(l) {
			k, v, _ := strings.Cut(kv, "=")
			f, _ := strconv.ParseFloat(v, 64)
			switch k {
			case "ops_per_s":
				res.ops = f
			case "p50_us":
				res.p50us = f
			case "p99_us":
				res.p99us = f
			case "ok":
				res.ok = int64(f)
			case "errors":
				res.errors = int64(f)
			}
		}
		return res
	}
	tail := string(out)
	if len(tail) > 300 {
		tail = tail[len(tail)-300:]
	}
	res.err = fmt.Errorf("locbench %s: no RESULT line (%w): %s", prefix, err, strings.TrimSpace(tail))
	return res
}

// regRun is one system's run: three locbench processes at once, one per replica.
type regRun struct {
	total  float64 // ops/s summed over the three processes
	ok     int64   // calls completed in the measured windows
	errors int64
	p50us  []float64
	p99us  []float64
	cpuUs  map[string]float64 // CPU µs per completed call, per process group and "locbench"
	busy   float64            // machine busy % during the run
	others float64            // … of which processes outside the groups and locbench
}

// registrationTarget is what a run drives: one locator and its LocatorRegistry per replica.
type registrationTarget struct {
	name      string
	locators  []string
	registrys []string
}

// run starts one locbench per replica at once, waits for all, and sums their results; CPU per
// call is accounted per process group from the end of the warm-up.
func (t registrationTarget) run(ctx context.Context, rep *report, groups cpuGroups, lb, prefix string, threads, seconds int) regRun {
	res := make([]lbResult, len(t.locators))
	var wg sync.WaitGroup
	for i := range t.locators {
		wg.Go(func() {
			res[i] = runLocbench(ctx, lb, t.locators[i], t.registrys[i], fmt.Sprintf("%s-p%d", prefix, i), threads, seconds)
		})
	}
	// CPU is counted from the end of locbench's 1 s warm-up to its exit, like its calls.
	sleep(ctx, time.Second)
	before := groups.sample()
	wg.Wait()
	after := groups.sample()
	r := regRun{cpuUs: map[string]float64{}}
	lbCPU := 0.0
	for i, x := range res {
		if x.err != nil {
			rep.note("%s: %v", t.name, x.err)
			r.errors++
			continue
		}
		r.total += x.ops
		r.ok += x.ok
		r.errors += x.errors
		r.p50us = append(r.p50us, x.p50us)
		r.p99us = append(r.p99us, x.p99us)
		lbCPU += x.cpu * float64(seconds) / float64(seconds+1) // its warm-up excluded, roughly
		rep.rawf("registrations system=%s run=%s replica=%d ops_per_s=%.0f ok=%d errors=%d p50_us=%.0f p99_us=%.0f load=%s",
			t.name, prefix, i, x.ops, x.ok, x.errors, x.p50us, x.p99us, loadavg())
	}
	if r.ok == 0 {
		return r
	}
	accounted := lbCPU
	for name := range groups {
		d := after.groups[name] - before.groups[name]
		r.cpuUs[name] = d * 1e6 / float64(r.ok)
		accounted += d
	}
	r.cpuUs["locbench"] = lbCPU * 1e6 / float64(r.ok)
	if dt := after.total - before.total; dt > 0 {
		r.busy = 100 * (after.busy - before.busy) / dt
		// Clamped: /proc/stat and per-process times are sampled a moment apart.
		r.others = max(0, 100*(after.busy-before.busy-accounted)/dt)
	}
	rep.rawf("registrations system=%s run=%s total_ops_per_s=%.0f cpu_us_per_call=%v machine_busy_pct=%.0f others_pct=%.0f",
		t.name, prefix, r.total, r.cpuUs, r.busy, r.others)
	return r
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], ",")
}
