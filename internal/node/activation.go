package node

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// DefaultWaitTime is IceGrid.Node.WaitTime's default: the activation timeout of a server whose
// descriptor sets none.
const DefaultWaitTime = 60 * time.Second

// ErrStart is wrapped by the errors of an administrative start that failed (IceGrid's
// ServerStartException).
var ErrStart = errors.New("node: server could not be started")

// transitionLocked applies f to the lifecycle and wakes whoever waits for a state change when
// the state changed. s.mu must be held.
func (s *server) transitionLocked(f func(*lifecycle)) {
	before := s.lc.state
	f(&s.lc)
	if s.lc.state == before {
		return
	}
	close(s.changed)
	s.changed = make(chan struct{})
	s.n.log.Debug("server state changed", "server", s.id, "from", before, "to", s.lc.state)
}

// startedLocked moves a freshly launched process to Activating (or straight to Active when it
// has nothing to register) and arms the activation timeout. s.mu must be held.
func (s *server) startedLocked(cmd *exec.Cmd) {
	var lifetime []string
	for _, a := range s.spec.Config.Adapters {
		if a.ServerLifetime {
			lifetime = append(lifetime, a.ID)
		}
	}
	process := s.spec.Config.ProcessRegistered
	s.transitionLocked(func(l *lifecycle) { l.started(lifetime, process) })
	if s.lc.state == Activating {
		s.timer = time.AfterFunc(s.activationTimeout(), func() { s.activationTimedOut(cmd) })
	}
}

// activationTimeout is the descriptor's activation-timeout in seconds; when it is not set, not
// a number or 0, IceGrid.Node.WaitTime (ServerI::update).
func (s *server) activationTimeout() time.Duration {
	at := strings.TrimSpace(s.spec.Config.Descriptor.Server().ActivationTimeout)
	if n, err := strconv.Atoi(at); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if s.n.cfg.WaitTime > 0 {
		return s.n.cfg.WaitTime
	}
	return DefaultWaitTime
}

// activationTimedOut fires when the activation of process cmd took too long.
func (s *server) activationTimedOut(cmd *exec.Cmd) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != cmd {
		return // that process is gone
	}
	timedOut := false
	s.transitionLocked(func(l *lifecycle) { timedOut = l.activationTimedOut() })
	if timedOut {
		s.n.log.Warn("server activation timed out", "server", s.id, "after", s.activationTimeout())
	}
}

// adapterActivated records that one of the server's adapters registered its endpoints.
func (s *server) adapterActivated(adapterID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transitionLocked(func(l *lifecycle) { l.adapterActivated(adapterID) })
}

// startAndWait is an administrative start (Admin::startServer): it fails for a server that is
// Active or whose activation timed out, waits for a server being stopped to be gone, starts it
// and waits until it is Active. It fails when the activation times out or the process exits
// first, and returns ctx's error when ctx ends first.
func (s *server) startAndWait(ctx context.Context) error {
	s.mu.Lock()
	st, exited := s.lc.state, s.exited
	s.mu.Unlock()
	switch st {
	case Active:
		return fmt.Errorf("%w: %s: the server is already active", ErrStart, s.id)
	case ActivationTimedOut:
		return fmt.Errorf("%w: %s: the server activation timed out", ErrStart, s.id)
	case Deactivating:
		select {
		case <-exited:
		case <-ctx.Done():
			return ctx.Err()
		}
	case Destroying, Destroyed:
		return fmt.Errorf("%w: %s: the server is being destroyed", ErrStart, s.id)
	case Activating:
		return s.waitActive(ctx)
	case Inactive:
	}
	if err := s.start(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrStart, err)
	}
	return s.waitActive(ctx)
}

// waitActive waits until the server leaves Activating: nil once Active, an error when the
// activation timed out or the process exited.
func (s *server) waitActive(ctx context.Context) error {
	for {
		s.mu.Lock()
		st, changed := s.lc.state, s.changed
		s.mu.Unlock()
		switch st {
		case Active:
			return nil
		case ActivationTimedOut:
			return fmt.Errorf("%w: %s: the server activation timed out", ErrStart, s.id)
		case Activating:
		default:
			return fmt.Errorf("%w: %s: the server terminated (state %s)", ErrStart, s.id, st)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// destroy is the server leaving the deployment: it is stopped, never started again, and ends
// Destroyed.
func (s *server) destroy() {
	s.mu.Lock()
	s.removed = true
	s.transitionLocked((*lifecycle).removed)
	s.mu.Unlock()
	s.stop(context.Background(), "removed from the deployment")
	s.mu.Lock()
	s.transitionLocked((*lifecycle).destroyed)
	s.mu.Unlock()
}

// AdapterActivated records that adapter adapterID of server serverID registered its endpoints
// (registry.AdapterObserver): the registration that may complete the server's activation.
func (n *Node) AdapterActivated(serverID, adapterID string) {
	if s := n.server(serverID); s != nil {
		s.adapterActivated(adapterID)
	}
}
