package node

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A node that dies without stopping its servers (SIGKILL, a crash) leaves them running. Each
// running server therefore has a pid file, servers/<id>/pid, written when it starts and removed
// when it exits. At start the node stops what a previous run left (ReapOrphans) and starts its
// servers afresh: it does not adopt them, because a process that is not its child cannot be
// waited for, and its output files and Process proxy would be unknown.
//
// A pid file holds the pid (also the process group id: servers run in their own group), the
// process's start time in clock ticks since boot (/proc/<pid>/stat field 22) and the boot id
// (/proc/sys/kernel/random/boot_id). The group is ours if the leader still runs with the same
// start time; if the leader is gone, any process left in the group is ours too, because Linux
// does not reuse a pid while a process group of that id exists.

// pidFile is the content of servers/<id>/pid.
type pidFile struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start"`
	Boot  string `json:"boot"`
}

const pidFileName = "pid"

// writePidFile records a started server.
func (s *server) writePidFile(pid int) {
	st, err := readStat(pid)
	if err != nil {
		s.n.log.Warn("cannot record the server's pid", "server", s.id, "err", err)
		return
	}
	b, _ := json.Marshal(pidFile{PID: pid, Start: st.start, Boot: bootID()})
	if err := WriteFileAtomic(filepath.Join(s.dir(), pidFileName), b); err != nil {
		s.n.log.Warn("cannot record the server's pid", "server", s.id, "err", err)
	}
}

// removePidFile forgets an exited server, unless the file names another process.
func (s *server) removePidFile(pid int) {
	path := filepath.Join(s.dir(), pidFileName)
	if pf, err := readPidFile(path); err == nil && pf.PID != pid {
		return
	}
	_ = os.Remove(path)
}

func readPidFile(path string) (pidFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return pidFile{}, err
	}
	pf, err := parsePidFile(b)
	if err != nil {
		return pidFile{}, fmt.Errorf("node: %s: %w", path, err)
	}
	return pf, nil
}

// parsePidFile reads the content of a pid file. The pid must be one a process group can have:
// above 1 (not init), and within pid_t, since ReapOrphans signals -pid (a pid that wrapped
// around to 1 would signal every process).
func parsePidFile(b []byte) (pidFile, error) {
	var pf pidFile
	if err := json.Unmarshal(b, &pf); err != nil || pf.PID <= 1 || pf.PID > math.MaxInt32 {
		return pidFile{}, errors.New("not a pid file")
	}
	return pf, nil
}

// ReapOrphans stops the servers a previous run of this node left running, as recorded by their
// pid files: SIGTERM to each process group, SIGKILL after timeout, bounded by ctx. It returns
// how many groups it found. Call it before deploying anything.
func (n *Node) ReapOrphans(ctx context.Context, timeout time.Duration) int {
	files, _ := filepath.Glob(filepath.Join(n.cfg.DataDir, "servers", "*", pidFileName))
	var wg sync.WaitGroup
	found := 0
	for _, path := range files {
		pf, err := readPidFile(path)
		if err != nil || pf.Boot != bootID() || !leftOver(pf) {
			_ = os.Remove(path)
			continue
		}
		found++
		id := filepath.Base(filepath.Dir(path))
		wg.Go(func() {
			n.log.WarnContext(ctx, "stopping a server left running by a previous run of the node", "server", id, "pid", pf.PID)
			if !killGroup(ctx, pf.PID, timeout) {
				n.log.ErrorContext(ctx, "a server left by a previous run of the node survived SIGKILL", "server", id, "pid", pf.PID)
				return
			}
			_ = os.Remove(path)
		})
	}
	wg.Wait()
	return found
}

// leftOver reports whether the process group recorded in pf still has live processes of ours.
// A leader that is a zombie (its parent, now init, has not reaped it yet) counts as gone.
func leftOver(pf pidFile) bool {
	if st, err := readStat(pf.PID); err == nil {
		if st.start != pf.Start {
			return false // the pid was reused: the recorded group ended before
		}
		if st.state != 'Z' {
			return st.pgrp == pf.PID
		}
	}
	return len(groupMembers(pf.PID)) > 0
}

// killGroup sends SIGTERM to process group pgid, waits for it to empty, then SIGKILL. It
// reports whether the group is gone.
func killGroup(ctx context.Context, pgid int, timeout time.Duration) bool {
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	if waitGroupGone(ctx, pgid, timeout) {
		return true
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	return waitGroupGone(context.Background(), pgid, 5*time.Second)
}

func waitGroupGone(ctx context.Context, pgid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for len(groupMembers(pgid)) > 0 {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// groupMembers lists the live (not zombie) processes of process group pgid.
func groupMembers(pgid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := readStat(pid); err == nil && st.pgrp == pgid && st.state != 'Z' {
			out = append(out, pid)
		}
	}
	return out
}

// procStat is what Floe reads from /proc/<pid>/stat.
type procStat struct {
	state byte
	pgrp  int
	start uint64
}

func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	return parseStat(b)
}

// parseStat parses /proc/<pid>/stat: "pid (comm) state ppid pgrp … starttime …"; comm may
// hold spaces and parentheses, so the fields start after the last ')'.
func parseStat(b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, errors.New("node: malformed /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 || len(f[0]) != 1 {
		return procStat{}, errors.New("node: malformed /proc stat")
	}
	pgrp, err1 := strconv.Atoi(f[2])
	start, err2 := strconv.ParseUint(f[19], 10, 64)
	if err1 != nil || err2 != nil {
		return procStat{}, errors.New("node: malformed /proc stat")
	}
	return procStat{state: f[0][0], pgrp: pgrp, start: start}, nil
}

var bootOnce = sync.OnceValue(func() string {
	b, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return strings.TrimSpace(string(b))
})

func bootID() string { return bootOnce() }

// WriteFileAtomic writes a file through a temporary file and a rename, synced, so that a crash
// leaves the old content or the new one.
func WriteFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
