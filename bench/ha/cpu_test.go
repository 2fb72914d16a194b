package ha

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of /proc CPU times (100 on Linux).
const clockTick = 100

// procCPU returns the CPU seconds (user + system) pid has used, or 0 when it is gone.
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may contain spaces
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	k, _ := strconv.ParseFloat(f[12], 64)
	return (u + k) / clockTick
}

// hostCPU returns the machine's busy and total CPU seconds (all CPUs) from /proc/stat.
func hostCPU() (busy, total float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:] {
		x, _ := strconv.ParseFloat(v, 64)
		total += x
		if i != 3 && i != 4 { // idle, iowait
			busy += x
		}
	}
	return busy / clockTick, total / clockTick
}

// childPIDs returns this process's direct children whose command line contains substr (the
// ZooKeeper JVMs that zktest started).
func childPIDs(substr string) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", os.Getpid()))
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for f := range strings.FieldsSeq(string(b)) {
			pid, err := strconv.Atoi(f)
			if err != nil {
				continue
			}
			cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if strings.Contains(string(cmd), substr) {
				out = append(out, pid)
			}
		}
	}
	return out
}

// cpuGroups names the processes whose CPU a registration run accounts for.
type cpuGroups map[string]func() []int

// cpuSample is the CPU seconds of every group and of the machine at one instant.
type cpuSample struct {
	groups      map[string]float64
	busy, total float64
}

func (g cpuGroups) sample() cpuSample {
	s := cpuSample{groups: map[string]float64{}}
	for name, pids := range g {
		for _, pid := range pids() {
			s.groups[name] += procCPU(pid)
		}
	}
	s.busy, s.total = hostCPU()
	return s
}

// waitQuiet waits until the named groups use less than limit CPUs together over a 500 ms
// window, for at most bound. It returns how long that took and whether they went quiet.
func waitQuiet(ctx context.Context, groups cpuGroups, names []string, limit float64, bound time.Duration) (time.Duration, bool) {
	start := time.Now()
	const window = 500 * time.Millisecond
	for time.Since(start) < bound && ctx.Err() == nil {
		a := groups.sample()
		sleep(ctx, window)
		b := groups.sample()
		used := 0.0
		for _, n := range names {
			used += b.groups[n] - a.groups[n]
		}
		if used/window.Seconds() < limit {
			return time.Since(start), true
		}
	}
	return time.Since(start), false
}
