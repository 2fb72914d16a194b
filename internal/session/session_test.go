package session

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/properties"
	"floe/ice/reference"
	"floe/internal/allocation"
)

// fakeAdapter records the servants the manager adds and removes.
type fakeAdapter struct {
	mu       sync.Mutex
	servants map[ice.Identity]bool
}

func (a *fakeAdapter) Add(_ ice.Object, id ice.Identity) (*ice.Proxy, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.servants[id] = true
	return nil, nil
}

func (a *fakeAdapter) Remove(id ice.Identity) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.servants, id)
}

func (a *fakeAdapter) has(id ice.Identity) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.servants[id]
}

// fakeNodes records SetSession calls as "server:user".
type fakeNodes struct {
	mu    sync.Mutex
	calls []string
}

func (n *fakeNodes) SetSession(_ context.Context, server, user string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls = append(n.calls, server+":"+user)
	return nil
}

func (n *fakeNodes) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.calls
	n.calls = nil
	return out
}

type verifierFunc func(user, password string) (bool, string, error)

func (f verifierFunc) CheckPermissions(_ context.Context, user, password string) (bool, string, error) {
	return f(user, password)
}

// fixture is a manager over a table with one `session` server holding "tester".
type fixture struct {
	m       *Manager
	table   *allocation.Table
	adapter *fakeAdapter
	nodes   *fakeNodes
	created []*Session
}

func newFixture(t *testing.T, mod func(*Config)) *fixture {
	t.Helper()
	f := &fixture{table: allocation.New(nil), adapter: &fakeAdapter{servants: map[ice.Identity]bool{}}, nodes: &fakeNodes{}}
	p, err := reference.Parse("tester @ SessionAdapter", reference.Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	f.table.Sync([]allocation.Object{{ID: encoding.Identity{Name: "tester"}, Type: "::Test::Tester", Proxy: p, Server: "SessionServer"}},
		[]allocation.Server{{ID: "SessionServer", Allocatable: true, Session: true}})
	cfg := Config{InstanceName: "Grid", Table: f.table, Nodes: f.nodes, Verifier: NullVerifier{}, Timeout: 30 * time.Second,
		Adapter: f.adapter, Servant: func(s *Session) ice.Object { f.created = append(f.created, s); return nil }}
	if mod != nil {
		mod(&cfg)
	}
	f.m = New(cfg)
	return f
}

func (f *fixture) create(t *testing.T, user string) *Session {
	t.Helper()
	if _, err := f.m.Create(context.Background(), nil, user, "pw"); err != nil {
		t.Fatalf("Create(%s): %v", user, err)
	}
	return f.created[len(f.created)-1]
}

var tester = encoding.Identity{Name: "tester"}

// TestCreateRefusals: the reasons of IceGrid 3.7.8's RegistryI::createSession, in its order.
func TestCreateRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, user string
		mod        func(*Config)
		want       string
	}{
		{"no verifier", "u", func(c *Config) { c.Verifier = nil },
			"no permissions verifier configured, use the property\n`IceGrid.Registry.PermissionsVerifier' to configure\na permissions verifier."},
		{"slave", "u", func(c *Config) { c.Master = func() bool { return false } },
			"client session creation is only allowed with the master registry."},
		{"empty user", "", nil, "empty user id"},
		{"refused", "u", func(c *Config) {
			c.Verifier = verifierFunc(func(string, string) (bool, string, error) { return false, "wrong password", nil })
		}, "wrong password"},
		{"verifier's PermissionDeniedException", "u", func(c *Config) {
			c.Verifier = verifierFunc(func(string, string) (bool, string, error) {
				return false, "", &PermissionDeniedError{Reason: "locked"}
			})
		}, "locked"},
		{"verifier unreachable", "u", func(c *Config) {
			c.Verifier = verifierFunc(func(string, string) (bool, string, error) { return false, "", ice.ErrConnectionLost })
		}, "internal server error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.mod)
			_, err := f.m.Create(context.Background(), nil, tc.user, "pw")
			var denied *PermissionDeniedError
			if !errors.As(err, &denied) || denied.Reason != tc.want {
				t.Errorf("Create = %v, want PermissionDeniedError %q", err, tc.want)
			}
			if len(f.created) != 0 {
				t.Error("a refused session was created")
			}
		})
	}
	f := newFixture(t, nil)
	var denied *PermissionDeniedError
	if err := f.m.CreateFromSecureConnection(); !errors.As(err, &denied) || !strings.HasPrefix(denied.Reason, "no ssl permissions verifier configured") {
		t.Errorf("CreateFromSecureConnection without a verifier = %v", err)
	}
	f = newFixture(t, func(c *Config) { c.SSLVerifier = true })
	if err := f.m.CreateFromSecureConnection(); !errors.As(err, &denied) || denied.Reason != "not ssl connection" {
		t.Errorf("CreateFromSecureConnection over tcp = %v, want \"not ssl connection\"", err)
	}
}

func TestNewVerifier(t *testing.T) {
	comm, err := ice.New(properties.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer comm.Destroy()
	for _, tc := range []struct {
		value, crypt string
		want         string // the verifier's type
		warns        bool
	}{
		{"", "", "<nil>", false},
		{"Grid/NullPermissionsVerifier", "", "session.NullVerifier", false},
		{"Grid/NullPermissionsVerifier", "passwords", "session.NullVerifier", false},
		{"Grid/NullSSLPermissionsVerifier", "", "<nil>", true},
		{"Other/NullPermissionsVerifier", "", "session.RemoteVerifier", false}, // another instance's: a plain proxy
		{"verifier:tcp -h 127.0.0.1 -p 1", "", "session.RemoteVerifier", false},
		{"", "passwords", "session.deny", true},
		{"bad proxy \"", "", "<nil>", true},
	} {
		v, warning := NewVerifier(comm, "Grid", tc.value, tc.crypt, nil)
		if got := typeName(v); got != tc.want || (warning != "") != tc.warns {
			t.Errorf("NewVerifier(%q, %q) = %s, warning %q; want %s, warning %v", tc.value, tc.crypt, got, warning, tc.want, tc.warns)
		}
	}
}

func typeName(v Verifier) string {
	switch v.(type) {
	case nil:
		return "<nil>"
	case NullVerifier:
		return "session.NullVerifier"
	case RemoteVerifier:
		return "session.RemoteVerifier"
	case deny:
		return "session.deny"
	}
	return "?"
}

// TestRemoteVerifier: a Glacier2::PermissionsVerifier served by a Go Ice server accepts, refuses
// with a reason, or raises Glacier2::PermissionDeniedException.
func TestRemoteVerifier(t *testing.T) {
	comm, err := ice.New(properties.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer comm.Destroy()
	a, err := comm.CreateObjectAdapterWithEndpoints("Verifier", "tcp -h 127.0.0.1 -p 0")
	if err != nil {
		t.Fatal(err)
	}
	servant := ice.ObjectFunc(func(_ context.Context, cur *ice.Current, in *encoding.Decoder, out *encoding.Encoder) error {
		if cur.Operation != "checkPermissions" {
			return ice.ErrOperationNotExist
		}
		user, password := in.ReadString(), in.ReadString()
		switch {
		case user == "mallory":
			return &Glacier2PermissionDeniedException{Reason: "locked out"}
		case password != "secret":
			out.WriteString("wrong password")
			out.WriteBool(false)
		default:
			out.WriteString("")
			out.WriteBool(true)
		}
		return nil
	})
	p, err := a.Add(servant, ice.Identity{Name: "verifier"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Activate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, warning := NewVerifier(comm, "Grid", p.String(), "", nil)
	if warning != "" {
		t.Fatal(warning)
	}
	f := newFixture(t, func(c *Config) { c.Verifier = v })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := f.m.Create(ctx, nil, "alice", "secret"); err != nil {
		t.Errorf("Create with the right password = %v", err)
	}
	for user, want := range map[string]string{"bob": "wrong password", "mallory": "locked out"} {
		var denied *PermissionDeniedError
		if _, err := f.m.Create(ctx, nil, user, "guess"); !errors.As(err, &denied) || denied.Reason != want {
			t.Errorf("Create(%s) = %v, want PermissionDeniedError %q", user, err, want)
		}
	}
}

// TestAllocationTimeouts: -1 waits until the object is released, 0 does not wait, a positive
// timeout waits that long; a session server's node hears of each change of owner before the
// allocation or release is answered.
func TestAllocationTimeouts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, nil)
		a, b := f.create(t, "alice"), f.create(t, "bob")
		ctx := context.Background()
		if p, err := a.AllocateByID(ctx, tester); err != nil || p.Identity != tester {
			t.Fatalf("AllocateByID = %v, %v", p, err)
		}
		if got := f.nodes.take(); len(got) != 1 || got[0] != "SessionServer:alice" {
			t.Errorf("node calls after the allocation = %v", got)
		}
		b.SetAllocationTimeout(0)
		if _, err := b.AllocateByID(ctx, tester); !errors.Is(err, allocation.ErrTimeout) {
			t.Errorf("AllocateByID with timeout 0 = %v, want ErrTimeout", err)
		}
		b.SetAllocationTimeout(300)
		start := time.Now()
		if _, err := b.AllocateByID(ctx, tester); !errors.Is(err, allocation.ErrTimeout) || time.Since(start) != 300*time.Millisecond {
			t.Errorf("AllocateByID with timeout 300 = %v after %v, want ErrTimeout after 300ms", err, time.Since(start))
		}
		b.SetAllocationTimeout(-1)
		got := make(chan error, 1)
		go func() { _, err := b.AllocateByID(ctx, tester); got <- err }()
		time.Sleep(time.Hour)
		synctest.Wait()
		select {
		case err := <-got:
			t.Fatalf("AllocateByID with timeout -1 answered %v while alice holds the object", err)
		default:
		}
		if err := a.Release(ctx, tester); err != nil {
			t.Fatal(err)
		}
		if err := <-got; err != nil {
			t.Errorf("AllocateByID waiting for the release = %v", err)
		}
		if got := f.nodes.take(); len(got) != 2 || got[0] != "SessionServer:" || got[1] != "SessionServer:bob" {
			t.Errorf("node calls after the hand-over = %v, want released then bob", got)
		}
		if err := b.Destroy(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.nodes.take(); len(got) != 1 || got[0] != "SessionServer:" {
			t.Errorf("node calls after destroy = %v, want released", got)
		}
		if err := b.Destroy(ctx); !errors.Is(err, ErrDestroyed) {
			t.Errorf("second Destroy = %v, want ErrDestroyed", err)
		}
	})
}

// TestDestroyCancelsWaits: a session destroyed while it waits for an object gets IceGrid's
// "session destroyed".
func TestDestroyCancelsWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, nil)
		a, b := f.create(t, "alice"), f.create(t, "bob")
		ctx := context.Background()
		if _, err := a.AllocateByID(ctx, tester); err != nil {
			t.Fatal(err)
		}
		got := make(chan error, 1)
		go func() { _, err := b.AllocateByID(ctx, tester); got <- err }()
		synctest.Wait()
		if err := b.Destroy(ctx); err != nil {
			t.Fatal(err)
		}
		var refused *allocation.Error
		if err := <-got; !errors.As(err, &refused) || refused.Reason != "session destroyed" {
			t.Errorf("the waiting allocation = %v, want AllocationException \"session destroyed\"", err)
		}
	})
}

// TestReaper: a session that is not kept alive for the session timeout is destroyed and what
// it holds released; keepAlive keeps it.
func TestReaper(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- f.m.Run(ctx) }()
		kept, idle := f.create(t, "kept"), f.create(t, "idle")
		if _, err := idle.AllocateByID(ctx, tester); err != nil {
			t.Fatal(err)
		}
		for range 4 {
			time.Sleep(10 * time.Second)
			if err := kept.KeepAlive(); err != nil {
				t.Fatalf("KeepAlive: %v", err)
			}
		}
		synctest.Wait()
		if err := idle.KeepAlive(); !errors.Is(err, ErrDestroyed) {
			t.Errorf("KeepAlive of a session idle for 40 s = %v, want ErrDestroyed", err)
		}
		if f.adapter.has(idle.Identity()) || !f.adapter.has(kept.Identity()) {
			t.Error("the reaped session's servant is still there, or the kept one's is gone")
		}
		if f.table.Holder(tester) != nil {
			t.Error("the reaped session still holds its object")
		}
		if got := f.nodes.take(); len(got) != 2 || got[1] != "SessionServer:" {
			t.Errorf("node calls = %v, want the server released after the reaping", got)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
		if err := kept.KeepAlive(); !errors.Is(err, ErrDestroyed) {
			t.Errorf("KeepAlive after Run returned = %v, want ErrDestroyed", err)
		}
	})
}

// TestConnectionBinding: a heartbeat on a session's connection keeps it alive, and the
// sessions of a connection that closes are destroyed, what they held released.
func TestConnectionBinding(t *testing.T) {
	comm, err := ice.New(properties.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer comm.Destroy()
	a, err := comm.CreateObjectAdapterWithEndpoints("Client", "tcp -h 127.0.0.1 -p 0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan *ice.Connection, 1)
	p, err := a.Add(ice.ObjectFunc(func(_ context.Context, cur *ice.Current, _ *encoding.Decoder, _ *encoding.Encoder) error {
		conns <- cur.Conn
		return nil
	}), ice.Identity{Name: "probe"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Activate(context.Background()); err != nil {
		t.Fatal(err)
	}
	client, err := ice.New(properties.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	probe, err := client.StringToProxy(p.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := probe.Invoke(ctx, &ice.Request{Operation: "probe"}); err != nil {
		t.Fatal(err)
	}
	conn := <-conns

	f := newFixture(t, nil)
	done := make(chan error)
	rctx, stop := context.WithCancel(context.Background())
	go func() { done <- f.m.Run(rctx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	}()
	if _, err := f.m.Create(ctx, conn, "alice", "pw"); err != nil {
		t.Fatal(err)
	}
	s := f.created[0]
	if _, err := s.AllocateByID(ctx, tester); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.seen = time.Now().Add(-time.Hour)
	s.mu.Unlock()
	f.m.heartbeat(conn)
	if s.expired(time.Minute) {
		t.Error("a heartbeat on the session's connection did not keep it alive")
	}

	c, err := probe.Connection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.Close(ctx, true)
	deadline := time.Now().Add(10 * time.Second)
	for s.KeepAlive() == nil || f.table.Holder(tester) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the session, or its hold on its object, outlived its connection by 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
