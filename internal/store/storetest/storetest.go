// Package storetest holds what tests of store.Store implementations and their users share: a
// conformance suite that every implementation must pass (Run), and an in-memory Store for unit
// tests of pure logic (Memory).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/store"
)

// Memory is an in-memory store.Store. Fail, when set, makes every write fail with it.
type Memory struct {
	mu       sync.Mutex
	adapters map[string]*store.Adapter
	objects  map[encoding.Identity]*store.Object
	apps     map[string]*store.Application
	Fail     error
	Writes   int
}

// NewMemory returns an empty Memory store.
func NewMemory() *Memory {
	return &Memory{adapters: map[string]*store.Adapter{}, objects: map[encoding.Identity]*store.Object{},
		apps: map[string]*store.Application{}}
}

// Load implements store.Store.
func (m *Memory) Load(context.Context) (*store.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &store.Snapshot{}
	for _, a := range m.adapters {
		s.Adapters = append(s.Adapters, a)
	}
	for _, o := range m.objects {
		s.Objects = append(s.Objects, o)
	}
	for _, a := range m.apps {
		s.Applications = append(s.Applications, a)
	}
	return s, nil
}

func (m *Memory) write(f func()) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	m.Writes++
	f()
	return nil
}

// PutAdapter implements store.Store.
func (m *Memory) PutAdapter(_ context.Context, a *store.Adapter) error {
	return m.write(func() { m.adapters[a.ID] = a })
}

// DeleteAdapter implements store.Store.
func (m *Memory) DeleteAdapter(_ context.Context, id string) error {
	return m.write(func() { delete(m.adapters, id) })
}

// PutObject implements store.Store.
func (m *Memory) PutObject(_ context.Context, o *store.Object) error {
	return m.write(func() { m.objects[o.Identity] = o })
}

// DeleteObject implements store.Store.
func (m *Memory) DeleteObject(_ context.Context, id encoding.Identity) error {
	return m.write(func() { delete(m.objects, id) })
}

// PutApplication implements store.Store.
func (m *Memory) PutApplication(_ context.Context, a *store.Application) error {
	return m.write(func() { m.apps[a.Name] = a })
}

// DeleteApplication implements store.Store.
func (m *Memory) DeleteApplication(_ context.Context, name string) error {
	return m.write(func() { delete(m.apps, name) })
}

// Get implements store.Replicated.
func (m *Memory) Get(_ context.Context, kind store.Kind, key string) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch kind {
	case store.KindAdapter:
		if a := m.adapters[key]; a != nil {
			return a, nil
		}
	case store.KindObject:
		for id, o := range m.objects {
			if store.ObjectKey(id) == key {
				return o, nil
			}
		}
	case store.KindApplication:
		if a := m.apps[key]; a != nil {
			return a, nil
		}
	}
	return nil, nil
}

// Close implements store.Store.
func (m *Memory) Close() error { return nil }

// MustParse parses a proxy string or fails the test.
func MustParse(tb testing.TB, s string) *reference.Reference {
	tb.Helper()
	r, err := reference.Parse(s, reference.Defaults{Timeout: 60000, Encoding: encoding.Encoding11, Protocol: "tcp"})
	if err != nil || r == nil {
		tb.Fatalf("reference.Parse(%q) = %v, %v", s, r, err)
	}
	return r
}

// Run is the conformance suite. open must return a fresh, empty store; reopen must return a new
// Store over the same data after the previous one was closed.
func Run(t *testing.T, open func(t *testing.T) store.Store, reopen func(t *testing.T) store.Store) { //nolint:thelper // a suite, not a helper: failures point at its own lines
	ctx := context.Background()
	s := open(t)
	a1 := &store.Adapter{ID: "A1", Proxy: MustParse(t, "dummy -t -e 1.1:tcp -h 127.0.0.1 -p 10001 -t 60000")}
	a2 := &store.Adapter{ID: "A2", ReplicaGroup: "RG", Proxy: MustParse(t, "dummy -t -e 1.1:tcp -h 127.0.0.1 -p 10002 -t 60000")}
	o1 := &store.Object{Identity: encoding.Identity{Name: "hello", Category: "c"}, Type: "::Demo::Hello",
		Proxy: MustParse(t, "c/hello -t -e 1.1 @ A1")}
	app := &store.Application{Name: "Demo", Revision: 1, Descriptor: []byte("<icegrid><application name=\"Demo\"/></icegrid>")}
	for _, err := range []error{s.PutAdapter(ctx, a1), s.PutAdapter(ctx, a2), s.PutObject(ctx, o1), s.PutApplication(ctx, app),
		s.DeleteAdapter(ctx, "missing"), s.DeleteObject(ctx, encoding.Identity{Name: "missing"})} {
		if err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	want := summarize(&store.Snapshot{Adapters: []*store.Adapter{a1, a2}, Objects: []*store.Object{o1},
		Applications: []*store.Application{app}})
	check := func(s store.Store, want map[string]string) {
		t.Helper()
		snap, err := s.Load(ctx)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if diff := cmp.Diff(want, summarize(snap)); diff != "" {
			t.Errorf("Load() mismatch (-want +got):\n%s", diff)
		}
	}
	check(s, want)
	if err := s.DeleteAdapter(ctx, "A2"); err != nil {
		t.Fatal(err)
	}
	delete(want, "adapter A2")
	check(s, want)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = reopen(t)
	defer s.Close()
	check(s, want)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.PutAdapter(ctx, a1); err == nil || !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("PutAdapter after Close = %v, want ErrUnavailable", err)
	}
}

// summarize flattens a snapshot into comparable strings.
func summarize(s *store.Snapshot) map[string]string {
	m := map[string]string{}
	for _, a := range s.Adapters {
		m["adapter "+a.ID] = a.ReplicaGroup + " " + a.Proxy.String()
	}
	for _, o := range s.Objects {
		m["object "+store.ObjectKey(o.Identity)] = o.Type + " " + o.Proxy.String()
	}
	for _, a := range s.Applications {
		m["application "+a.Name] = fmt.Sprint(a.Revision, " ", string(a.Descriptor))
	}
	return m
}
