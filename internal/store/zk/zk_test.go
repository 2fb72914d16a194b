package zk_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gozk "github.com/go-zookeeper/zk"

	"floe/internal/store"
	"floe/internal/store/storetest"
	"floe/internal/store/zk"
	"floe/internal/zktest"
)

var rootSeq atomic.Int64

// newRoot returns a fresh znode root so that tests sharing an ensemble do not meet.
func newRoot() string { return fmt.Sprintf("/t%d_%d", time.Now().UnixNano()%1e9, rootSeq.Add(1)) }

// handler records what a Store reports.
type handler struct {
	mu      sync.Mutex
	changed []string
	resyncs int
	last    *store.Snapshot
}

func (h *handler) Changed(k store.Kind, key string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.changed = append(h.changed, string(k)+"/"+key)
	return nil
}

func (h *handler) Resync(s *store.Snapshot) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.resyncs++
	h.last = s
}

func (h *handler) saw(what string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Contains(h.changed, what)
}

// replica runs a zk.Store with its session until the test ends.
func replica(t *testing.T, servers, root, name string, h store.SyncHandler) *zk.Store {
	t.Helper()
	return replicaWith(t, zk.Config{Servers: strings.Split(servers, ","), Root: root, SessionTimeout: 2 * time.Second,
		Member: zk.Member{Name: name, HTTP: "127.0.0.1:1"}}, h)
}

// replicaWith runs a zk.Store configured by cfg until the test ends.
func replicaWith(t *testing.T, cfg zk.Config, h store.SyncHandler) *zk.Store {
	t.Helper()
	s, err := zk.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx, h); close(done) }()
	t.Cleanup(func() { _ = s.Close(); cancel(); <-done })
	waitFor(t, 20*time.Second, func() bool { return s.Status().ZooKeeper == "connected" })
	return s
}

func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestZooKeeperStore(t *testing.T) {
	ens := zktest.Start(t, 3)
	t.Run("conformance", func(t *testing.T) {
		root := newRoot()
		n := 0
		open := func(t *testing.T) store.Store {
			t.Helper()
			n++
			s := replica(t, ens.Servers(), root, fmt.Sprintf("c%d", n), &handler{})
			waitFor(t, 30*time.Second, func() bool { return s.Status().Role == "master" })
			return s
		}
		storetest.Run(t, open, open)
	})
	t.Run("replication and election", func(t *testing.T) { testReplication(t, ens) })
	t.Run("fencing", func(t *testing.T) { testFencing(t, ens) })
	t.Run("change log", func(t *testing.T) { testChangeLog(t, ens) })
}

// testChangeLog: registrations through one replica reach another through the change log
// (writes, deletes, and past the writer's trimming), and a record created outside Floe is
// still found by the directory watch.
func testChangeLog(t *testing.T, ens *zktest.Ensemble) { //nolint:thelper // a subtest body, not a helper
	root := newRoot()
	h1, h2 := &handler{}, &handler{}
	// The safety net (re-listing /Adapters) is off for a long while: only the log can tell w2.
	noNet := func(name string) zk.Config {
		return zk.Config{Servers: strings.Split(ens.Servers(), ","), Root: root, SessionTimeout: 2 * time.Second,
			Member: zk.Member{Name: name, HTTP: "127.0.0.1:1"}, SafetyNet: time.Hour}
	}
	s1 := replicaWith(t, noNet("w1"), h1)
	replicaWith(t, noNet("w2"), h2)
	ctx := context.Background()
	// w1's very first entry (ZooKeeper numbers it 0) reaches w2.
	waitFor(t, 30*time.Second, func() bool { h2.mu.Lock(); defer h2.mu.Unlock(); return h2.resyncs > 0 })
	first := &store.Adapter{ID: "First", Proxy: storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 1")}
	if err := s1.PutAdapter(ctx, first); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { return h2.saw("adapter/First") })
	const n = 1200 // past 2 × logKeep: w1 trims its log while w2 follows it
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			a := &store.Adapter{ID: fmt.Sprintf("L%d", i), Proxy: storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 1")}
			if err := s1.PutAdapter(ctx, a); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	missing := func() []string {
		h2.mu.Lock()
		seen := map[string]bool{}
		for _, c := range h2.changed {
			seen[c] = true
		}
		if h2.last != nil { // w2's first resync may have read some
			for _, a := range h2.last.Adapters {
				seen["adapter/"+a.ID] = true
			}
		}
		h2.mu.Unlock()
		var out []string
		for i := range n {
			if k := fmt.Sprintf("adapter/L%d", i); !seen[k] {
				out = append(out, k)
			}
		}
		return out
	}
	deadline := time.Now().Add(30 * time.Second)
	for m := missing(); len(m) > 0; m = missing() {
		if time.Now().After(deadline) {
			t.Fatalf("w2 was not told of %d of %d adapters, e.g. %v (resyncs: %d)", len(m), n, m[:min(5, len(m))], h2.resyncs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	conn, _, err := gozk.Connect(ens.Addrs(), 4*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	waitFor(t, 30*time.Second, func() bool {
		names, _, err := conn.Children(root + "/Changes/w1")
		return err == nil && len(names) < n
	})
	before := count(h2, "adapter/L7")
	if err := s1.DeleteAdapter(ctx, "L7"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { return count(h2, "adapter/L7") > before })
	// An operator creates an adapter with zkCli: no log entry, the safety net (default 1 s)
	// finds it.
	h3 := &handler{}
	replica(t, ens.Servers(), root, "w3", h3)
	waitFor(t, 30*time.Second, func() bool { h3.mu.Lock(); defer h3.mu.Unlock(); return h3.resyncs > 0 })
	a := &store.Adapter{ID: "Outside", Proxy: storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 2")}
	data, err := store.MarshalAdapter(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Create(root+"/Adapters/Outside", data, 0, gozk.WorldACL(gozk.PermAll)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { return h3.saw("adapter/Outside") })
}

// count returns how many times h was told about what.
func count(h *handler, what string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.changed {
		if c == what {
			n++
		}
	}
	return n
}

func testReplication(t *testing.T, ens *zktest.Ensemble) { //nolint:thelper // a subtest body, not a helper
	root := newRoot()
	h1, h2 := &handler{}, &handler{}
	s1 := replica(t, ens.Servers(), root, "r1", h1)
	waitFor(t, 30*time.Second, func() bool { return s1.Status().Role == "master" })
	s2 := replica(t, ens.Servers(), root, "r2", h2)
	waitFor(t, 30*time.Second, func() bool { return s2.Status().Master.Name == "r1" })
	if st := s2.Status(); st.Role != "slave" || st.Epoch != 1 {
		t.Errorf("r2 status = %+v, want slave at epoch 1", st)
	}
	ctx := context.Background()
	a := &store.Adapter{ID: "A/with slash", Proxy: storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 1")}
	if err := s2.PutAdapter(ctx, a); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { return h1.saw("adapter/A/with slash") })
	v, err := s1.Get(ctx, store.KindAdapter, "A/with slash")
	if got, ok := v.(*store.Adapter); err != nil || !ok || got.Proxy.String() != a.Proxy.String() {
		t.Errorf("r1 Get = %v, %v", v, err)
	}
	// Only the master writes applications; a slave is told who is.
	app := &store.Application{Name: "App", Revision: 1, Descriptor: []byte("<icegrid/>")}
	if err := s2.PutApplication(ctx, app); err == nil {
		t.Error("slave PutApplication succeeded")
	}
	if err := s1.PutApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { return h2.saw("application/App") })
	// The master resigns: r2 takes over with a higher epoch.
	_ = s1.Close()
	waitFor(t, 30*time.Second, func() bool { return s2.Status().Role == "master" })
	if st := s2.Status(); st.Epoch != 2 {
		t.Errorf("new master epoch = %d, want 2", st.Epoch)
	}
}

// testFencing: a write checked against a stale epoch version fails and lands nothing, as a
// deposed master's would.
func testFencing(t *testing.T, ens *zktest.Ensemble) { //nolint:thelper // a subtest body, not a helper
	root := newRoot()
	s1 := replica(t, ens.Servers(), root, "f1", &handler{})
	waitFor(t, 30*time.Second, func() bool { return s1.Status().Role == "master" })
	conn, _, err := gozk.Connect(ens.Addrs(), 4*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Another master is elected behind f1's back: /Epoch moves on.
	if _, err := conn.Set(root+"/Epoch", []byte("7"), -1); err != nil {
		t.Fatal(err)
	}
	err = s1.PutApplication(context.Background(), &store.Application{Name: "Late", Revision: 1, Descriptor: []byte("<x/>")})
	if err == nil {
		t.Fatal("a fenced write with a stale epoch succeeded")
	}
	if ok, _, _ := conn.Exists(root + "/Configuration/Applications/Late"); ok {
		t.Error("the stale write landed")
	}
	// f1 stepped down; it may be elected again at once (its candidate is still first), but only
	// with a new epoch, never the stale one.
	if st := s1.Status(); st.Role == "master" && st.Epoch <= 7 {
		t.Errorf("after a refused fenced write f1 is still master at a stale epoch: %+v", st)
	}
}
