package node

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"floe/ice"
	"floe/ice/reference"
	"floe/internal/descriptor"
)

// server is one supervised server.
type server struct {
	n  *Node
	id string

	mu       sync.Mutex // guards the fields below
	spec     *descriptor.Server
	hash     [32]byte // of the generated configuration: a change restarts the server
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the current process exits
	lc       lifecycle
	changed  chan struct{} // closed and replaced at every state change
	timer    *time.Timer   // the current activation's timeout
	process  *reference.Reference
	removed  bool // removed from the deployment or node shut down: never started again
	failures int
	// supervised: a keepRunning loop runs for this `always` server.
	supervised bool
	// disabled servers are not activated; disabledUntil, when set, re-enables the server then
	// (IceGrid.Node.DisableOnFailure with a positive period).
	disabled      bool
	disabledUntil time.Time
	stopping      bool   // a stop was requested: the exit is not a failure
	session       string // the user id of the client session that owns a `session` server
}

func newServer(n *Node, spec *descriptor.Server, session string) *server {
	return &server{n: n, id: spec.ID, spec: spec, hash: configHash(spec), lc: lifecycle{state: Inactive},
		changed: make(chan struct{}), session: session}
}

func configHash(spec *descriptor.Server) [32]byte {
	h := sha256.New()
	d := spec.Config.Descriptor.Server()
	fmt.Fprintf(h, "%q %q %q %q %q\n", d.Exe, d.Pwd, d.Options, d.Envs, d.Activation)
	for _, f := range spec.Config.Files {
		fmt.Fprintf(h, "%s %v\n", f.Name, f.Properties)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// update installs a new descriptor; it reports whether a running server must restart.
func (s *server) update(spec *descriptor.Server) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := configHash(spec)
	changed := h != s.hash
	s.spec, s.hash = spec, h
	return changed && s.cmd != nil
}

func (s *server) activation() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spec.Config.Descriptor.Server().Activation
}

func (s *server) status() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lc.state
}

func (s *server) info() ServerStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.spec.Config.Descriptor.Server()
	st := ServerStatus{ID: s.id, Node: s.n.cfg.Name, State: s.lc.state, Activation: d.Activation, Exe: d.Exe,
		Enabled: !s.isDisabledLocked()}
	if s.cmd != nil {
		st.PID = s.cmd.Process.Pid
	}
	return st
}

// setProcess records the Ice::Process proxy the server registered; it may complete the
// activation.
func (s *server) setProcess(p *reference.Reference) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.process = p
	if p != nil {
		s.transitionLocked((*lifecycle).processRegistered)
	}
}

// dir is the server's directory under the node's data directory.
func (s *server) dir() string { return filepath.Join(s.n.cfg.DataDir, "servers", s.id) }

// start launches the server unless it runs. It returns once the process started; the server
// is then Activating until it registers what it must (activation.go).
func (s *server) start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return nil
	}
	if s.removed {
		return fmt.Errorf("node: server %q was removed", s.id)
	}
	if s.isDisabledLocked() {
		return fmt.Errorf("node: server %q is disabled", s.id)
	}
	if err := s.checkSessionLocked(); err != nil {
		return err
	}
	cmd, closeOutput, err := s.command()
	if err != nil {
		return err
	}
	err = cmd.Start()
	closeOutput() // the child has its own descriptors now
	if err != nil {
		return fmt.Errorf("node: start server %q: %w", s.id, err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	s.startedLocked(cmd)
	s.writePidFile(cmd.Process.Pid)
	s.n.log.InfoContext(ctx, "server started", "server", s.id, "pid", cmd.Process.Pid, "state", s.lc.state)
	exited := s.exited
	go s.reap(cmd, exited)
	return nil
}

// command writes the configuration files and builds the process: exe, options, then
// --Ice.Config=<dir>/config/config, in its own process group so that no child survives a stop.
// Its stdout and stderr go to the server's output files (output.go); closeOutput closes the
// node's copies once the process started.
func (s *server) command() (cmd *exec.Cmd, closeOutput func(), err error) {
	for _, d := range []string{filepath.Join(s.dir(), "data"), filepath.Join(s.dir(), "dbs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, nil, fmt.Errorf("node: server %q: %w", s.id, err)
		}
	}
	if err := s.writeConfig(); err != nil {
		return nil, nil, err
	}
	cfgDir := filepath.Join(s.dir(), "config")
	d := s.spec.Config.Descriptor.Server()
	args := append(append([]string(nil), d.Options...), "--Ice.Config="+filepath.Join(cfgDir, "config"))
	cmd = exec.Command(d.Exe, args...) //nolint:noctx // the server outlives the activation request; stop ends its process group
	cmd.Dir = d.Pwd
	cmd.Env = append(os.Environ(), d.Envs...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if closeOutput, err = s.redirectOutput(cmd); err != nil {
		return nil, nil, fmt.Errorf("node: server %q: %w", s.id, err)
	}
	return cmd, closeOutput, nil
}

// reap waits for the process and marks the server inactive.
func (s *server) reap(cmd *exec.Cmd, exited chan struct{}) {
	err := cmd.Wait()
	s.mu.Lock()
	s.removePidFile(cmd.Process.Pid)
	if s.cmd == cmd {
		s.cmd, s.process = nil, nil
		if s.timer != nil {
			s.timer.Stop()
		}
		s.transitionLocked((*lifecycle).exited)
	}
	if err != nil && !s.stopping {
		s.disableOnFailureLocked()
	}
	s.stopping = false
	s.mu.Unlock()
	close(exited)
	s.n.log.Info("server exited", "server", s.id, "status", exitText(err))
}

func exitText(err error) string {
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return ee.String()
	}
	if err != nil {
		return err.Error()
	}
	return "exit status 0"
}

// deactivationTimeout is the descriptor's deactivation-timeout, or the node's default.
func (s *server) deactivationTimeout() time.Duration {
	if n, err := strconv.Atoi(s.spec.Config.Descriptor.Server().DeactivationTimeout); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return s.n.DeactivationTimeout()
}

// stop deactivates the server: Process.shutdown if it registered one, SIGTERM otherwise (or
// when shutdown fails), then SIGKILL to its process group after the deactivation timeout.
func (s *server) stop(ctx context.Context, why string) {
	s.mu.Lock()
	cmd, exited, proc := s.cmd, s.exited, s.process
	if why == "node shutting down" {
		s.removed = true
	}
	timeout := s.deactivationTimeout()
	if cmd != nil {
		s.transitionLocked((*lifecycle).deactivating)
		s.stopping = true
	}
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	s.n.log.InfoContext(ctx, "stopping server", "server", s.id, "why", why)
	if proc == nil || s.shutdownProcess(ctx, proc) != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	select {
	case <-exited:
		return
	case <-time.After(timeout):
	case <-ctx.Done():
	}
	s.n.log.WarnContext(ctx, "server did not stop in time; killing its process group", "server", s.id)
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-exited
}

// shutdownProcess calls Ice::Process.shutdown (mode normal) on the server's admin facet.
func (s *server) shutdownProcess(ctx context.Context, ref *reference.Reference) error {
	if s.n.cfg.Comm == nil {
		return errors.New("no communicator")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	p := s.n.cfg.Comm.ProxyFromReference(ref).WithLocator(nil)
	return p.Invoke(ctx, &ice.Request{Operation: "shutdown", Mode: ice.Normal})
}

// restart stops a running server and starts it again with its new configuration.
func (s *server) restart(why string) {
	s.stop(context.Background(), why)
	if err := s.start(context.Background()); err != nil {
		s.n.log.Warn("restart failed", "server", s.id, "err", err)
	}
}

// supervise starts keepRunning for an `always` server unless it runs already.
func (s *server) supervise() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.supervised || s.removed {
		return
	}
	s.supervised = true
	s.n.wg.Go(s.keepRunning)
}

// keepRunning supervises an `always` server: restart after each exit, with exponential
// back-off (100 ms doubling to 30 s) while it keeps failing within 10 s of starting. It ends
// when the server is removed or an update changed its activation mode.
func (s *server) keepRunning() {
	for {
		s.mu.Lock()
		if s.removed || s.spec.Config.Descriptor.Server().Activation != "always" {
			s.supervised = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		start := time.Now()
		if err := s.start(context.Background()); err != nil {
			s.n.log.Warn("cannot start server", "server", s.id, "err", err)
		}
		s.mu.Lock()
		exited, removed := s.exited, s.removed
		s.mu.Unlock()
		if removed {
			return
		}
		if exited != nil {
			<-exited
		}
		s.mu.Lock()
		if s.removed {
			s.mu.Unlock()
			return
		}
		if time.Since(start) < 10*time.Second {
			s.failures++
		} else {
			s.failures = 0
		}
		delay := min(100*time.Millisecond<<min(s.failures, 9), 30*time.Second)
		s.mu.Unlock()
		time.Sleep(delay)
	}
}

// isDisabledLocked reports whether the server is disabled now; s.mu must be held.
func (s *server) isDisabledLocked() bool {
	if s.disabled && !s.disabledUntil.IsZero() && time.Now().After(s.disabledUntil) {
		s.disabled, s.disabledUntil = false, time.Time{}
	}
	return s.disabled
}

// disableOnFailureLocked applies IceGrid.Node.DisableOnFailure after a failed exit: 0 keeps
// the server enabled, a negative value disables it until enabled by hand, a positive one for
// that many seconds. s.mu must be held.
func (s *server) disableOnFailureLocked() {
	switch d := s.n.cfg.DisableOnFailure; {
	case d < 0:
		s.disabled, s.disabledUntil = true, time.Time{}
	case d > 0:
		s.disabled, s.disabledUntil = true, time.Now().Add(d)
	default:
		return
	}
	s.n.log.Warn("server disabled after a failure", "server", s.id, "for", s.n.cfg.DisableOnFailure)
}

// setEnabled enables or disables the server (admin "server enable|disable").
func (s *server) setEnabled(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.disabled, s.disabledUntil = !on, time.Time{}
}
