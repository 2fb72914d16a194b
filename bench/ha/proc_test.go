package ha

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"floe/internal/floetest"
)

// proc is one child process started by the benchmark: a floe registry, an icegridregistry or a
// locbench. Its command line and log file stay the same across restarts. Only this process is
// ever signalled, by its PID; it gets SIGKILL from the kernel if the benchmark dies (Pdeathsig).
type proc struct {
	name    string
	argv    []string
	logPath string

	mu  sync.Mutex
	cur *floetest.Proc // the current incarnation; nil before the first start
}

// start launches the process with stdout and stderr appended to logPath. floetest.Start starts
// and reaps it on a goroutine locked to its OS thread, so that Pdeathsig (tied to the starting
// thread) lasts as long as the child.
func (p *proc) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.runningLocked() {
		return fmt.Errorf("%s is already running (pid %d)", p.name, p.cur.Cmd.Process.Pid)
	}
	logf, err := os.OpenFile(p.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close() // the child holds its own descriptor
	fmt.Fprintf(logf, "=== ha: %s starting %s\n", time.Now().Format("15:04:05.000"), p.name)
	// Not bound to a context: the process lives until stop, kill or the benchmark's end.
	cmd := exec.CommandContext(context.Background(), p.argv[0], p.argv[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cur, err := floetest.Start(p.name, cmd)
	if err != nil {
		return err
	}
	p.cur = cur
	return nil
}

// runningLocked reports whether the process was started and not yet reaped. p.mu is held.
func (p *proc) runningLocked() bool { return p.cur != nil && !p.cur.Exited() }

func (p *proc) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.runningLocked()
}

// pid is the PID of the current incarnation.
func (p *proc) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur.Cmd.Process.Pid
}

// signal sends sig to the running process.
func (p *proc) signal(sig syscall.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.runningLocked() {
		return fmt.Errorf("%s is not running", p.name)
	}
	return p.cur.Cmd.Process.Signal(sig)
}

// current is the current incarnation, or nil.
func (p *proc) current() *floetest.Proc {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// exitedAt returns a channel that receives the time the running process exits (nothing if it
// is not running).
func (p *proc) exitedAt() <-chan time.Time {
	out := make(chan time.Time, 1)
	if cur := p.current(); cur != nil {
		go func() {
			select {
			case <-cur.Done():
				out <- time.Now()
			case <-time.After(time.Minute):
			}
		}()
	}
	return out
}

var errStillRunning = errors.New("still running")

// waitExit waits up to d for the process to be reaped.
func (p *proc) waitExit(d time.Duration) error {
	cur := p.current()
	if cur == nil {
		return nil
	}
	if _, err := cur.Wait(d); err != nil {
		return fmt.Errorf("%s: %w after %v", p.name, errStillRunning, d)
	}
	return nil
}

// kill sends SIGKILL and waits for the exit.
func (p *proc) kill() error {
	if err := p.signal(syscall.SIGKILL); err != nil {
		return err
	}
	return p.waitExit(10 * time.Second)
}

// stop sends SIGTERM, waits up to 10 s, then kills. Stopping a stopped process does nothing.
func (p *proc) stop() error {
	if !p.running() {
		return nil
	}
	if err := p.signal(syscall.SIGTERM); err != nil {
		return nil // exited meanwhile
	}
	if err := p.waitExit(10 * time.Second); err == nil {
		return nil
	}
	_ = p.kill()
	return fmt.Errorf("%s ignored SIGTERM for 10 s; killed", p.name)
}

// runBounded runs argv to completion within ctx (killed by PID when ctx ends) and returns its
// combined output.
func runBounded(ctx context.Context, argv ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 5 * time.Second
	return cmd.CombinedOutput()
}

// Ports are picked below Linux's ephemeral range and away from the ranges that bench/registry.sh
// (24061+) and test/e2e (20000-32000) use, and never twice in one run.
const portLow, portHigh = 12000, 19900

var portsUsed = struct {
	sync.Mutex
	m map[int]bool
}{m: map[int]bool{}}

// freePorts returns n consecutive loopback ports that are free now (n = 1 for a single port).
func freePorts(n int) (int, error) {
	portsUsed.Lock()
	defer portsUsed.Unlock()
	for range 2000 {
		base := portLow + rand.IntN(portHigh-portLow-n)
		ok := true
		var held []net.Listener
		for p := base; p < base+n && ok; p++ {
			if portsUsed.m[p] {
				ok = false
				break
			}
			var lc net.ListenConfig
			l, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				ok = false
				break
			}
			held = append(held, l)
		}
		for _, l := range held {
			_ = l.Close()
		}
		if ok {
			for p := base; p < base+n; p++ {
				portsUsed.m[p] = true
			}
			return base, nil
		}
	}
	return 0, fmt.Errorf("no %d free consecutive ports on 127.0.0.1 in [%d,%d)", n, portLow, portHigh)
}
