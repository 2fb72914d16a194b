package session

import (
	"context"
	"sync"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/allocation"
)

// Session is one client session (IceGrid's SessionI).
type Session struct {
	m     *Manager
	id    ice.Identity
	conn  *ice.Connection // the connection that created it, the only one it answers
	owner *allocation.Owner

	mu           sync.Mutex // guards the fields below
	seen         time.Time  // last keepAlive or heartbeat
	allocTimeout int32      // ms; -1 waits for ever (IceGrid's default), 0 not at all
	destroyed    bool
}

// Identity returns the session's identity, <instance>/<UUID>.
func (s *Session) Identity() ice.Identity { return s.id }

// Conn returns the connection the session was created on; it answers no other.
func (s *Session) Conn() *ice.Connection { return s.conn }

// User returns the session's user id.
func (s *Session) User() string { return s.owner.User }

// KeepAlive is Session.keepAlive.
func (s *Session) KeepAlive() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.destroyed {
		return ErrDestroyed
	}
	s.seen = time.Now()
	return nil
}

func (s *Session) touch() { _ = s.KeepAlive() }

func (s *Session) expired(timeout time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return timeout > 0 && !s.destroyed && time.Since(s.seen) > timeout
}

// SetAllocationTimeout is Session.setAllocationTimeout, in milliseconds.
func (s *Session) SetAllocationTimeout(ms int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.allocTimeout = ms
}

// AllocateByID is Session.allocateObjectById.
func (s *Session) AllocateByID(ctx context.Context, id encoding.Identity) (*reference.Reference, error) {
	timeout := s.timeout()
	return s.wait(ctx, s.m.cfg.Table.AllocateByID(s.owner, id, timeout != 0), timeout)
}

// AllocateByType is Session.allocateObjectByType.
func (s *Session) AllocateByType(ctx context.Context, typ string) (*reference.Reference, error) {
	timeout := s.timeout()
	return s.wait(ctx, s.m.cfg.Table.AllocateByType(s.owner, typ, timeout != 0), timeout)
}

// timeout is the allocation timeout a request takes when it is made (IceGrid caches it too).
func (s *Session) timeout() int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.allocTimeout
}

// wait waits for r's answer, for at most timeout ms when it is positive, and, when an object
// was allocated, has its server's node told before answering.
func (s *Session) wait(ctx context.Context, r *allocation.Request, timeout int32) (*reference.Reference, error) {
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Millisecond)
		defer t.Stop()
		expired = t.C
	}
	var res allocation.Result
	select {
	case res = <-r.Done():
	case <-expired:
		s.m.cfg.Table.Cancel(r, allocation.ErrTimeout)
		res = <-r.Done() // the cancellation's answer, or the grant that came first
	case <-ctx.Done():
		s.m.cfg.Table.Cancel(r, ctx.Err())
		res = <-r.Done()
	}
	if res.Err == nil {
		s.m.apply(ctx)
	}
	return res.Proxy, res.Err
}

// Release is Session.releaseObject; a server the session no longer holds is stopped before it
// returns, when it has the session activation mode.
func (s *Session) Release(ctx context.Context, id encoding.Identity) error {
	if err := s.m.cfg.Table.Release(s.owner, id); err != nil {
		return err
	}
	s.m.apply(ctx)
	return nil
}

// Destroy is Glacier2::Session.destroy: what the session holds is released (session servers
// stopped) before it returns.
func (s *Session) Destroy(ctx context.Context) error {
	if !s.end() {
		return ErrDestroyed
	}
	s.m.log.InfoContext(ctx, "client session destroyed", "user", s.owner.User, "session", s.id.Name)
	s.m.apply(ctx)
	return nil
}

// end destroys the session unless it was already: its servant goes, its waiting requests fail
// and what it holds is released. It reports whether it did.
func (s *Session) end() bool {
	s.mu.Lock()
	if s.destroyed {
		s.mu.Unlock()
		return false
	}
	s.destroyed = true
	s.mu.Unlock()
	s.m.remove(s)
	s.m.cfg.Table.ReleaseAll(s.owner)
	return true
}
