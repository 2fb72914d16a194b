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
	hold    sync.Mutex // held by a test to stall Changed
	mu      sync.Mutex
	changed []string
	resyncs int
	last    *store.Snapshot
}

func (h *handler) Changed(k store.Kind, key string) error {
	h.hold.Lock()
	h.hold.Unlock() //nolint:staticcheck // waits while a test holds it
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
	s, stop := startReplica(t, cfg, h)
	t.Cleanup(stop)
	return s
}

// startReplica runs a zk.Store configured by cfg until stop is called.
func startReplica(t *testing.T, cfg zk.Config, h store.SyncHandler) (*zk.Store, func()) {
	t.Helper()
	s, err := zk.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx, h); close(done) }()
	stop := sync.OnceFunc(func() { _ = s.Close(); cancel(); <-done })
	waitFor(t, 20*time.Second, func() bool { return s.Status().ZooKeeper == "connected" })
	return s, stop
}

// clearLog deletes every entry of the log directory log, as an operator would, then applies
// then, in one multi-op.
func clearLog(t *testing.T, conn *gozk.Conn, log string, then any) {
	t.Helper()
	names, _, err := conn.Children(log)
	if err != nil {
		t.Fatal(err)
	}
	var ops []any
	for _, n := range names {
		ops = append(ops, &gozk.DeleteRequest{Path: log + "/" + n, Version: -1})
	}
	if _, err := conn.Multi(append(ops, then)...); err != nil {
		t.Fatal(err)
	}
}

// rawConn is a plain go-zookeeper client of ens, closed when the test ends.
func rawConn(t *testing.T, ens *zktest.Ensemble) *gozk.Conn {
	t.Helper()
	conn, _, err := gozk.Connect(ens.Addrs(), 4*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn
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
	t.Run("change log gap", func(t *testing.T) { testChangeLogGap(t, ens) })
	t.Run("change log restart", func(t *testing.T) { testChangeLogRestart(t, ens) })
	t.Run("change log order", func(t *testing.T) { testChangeLogOrder(t, ens) })
	t.Run("change log removed", func(t *testing.T) { testChangeLogRemoved(t, ens) })
}

// testChangeLogRemoved: an operator removes a running writer's log directory; its next
// delete and put still land (the directory is made again) and its peer still hears of them.
func testChangeLogRemoved(t *testing.T, ens *zktest.Ensemble) { //nolint:thelper // a subtest body, not a helper
	root := newRoot()
	h2 := &handler{}
	s1 := replicaWith(t, noNet(ens, root, "d1"), &handler{})
	replicaWith(t, noNet(ens, root, "d2"), h2)
	putAdapters(t, s1, "Kept", 2)
	waitFor(t, 30*time.Second, func() bool { return knows(h2, "Kept0") && knows(h2, "Kept1") })
	conn := rawConn(t, ens)
	log := root + "/Changes/d1"
	clearLog(t, conn, log, &gozk.DeleteRequest{Path: log, Version: -1})
	before := count(h2, "adapter/Kept0")
	if err := s1.DeleteAdapter(context.Background(), "Kept0"); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := conn.Exists(root + "/Adapters/Kept0"); err != nil || ok {
		t.Fatalf("Kept0 still in ZooKeeper after its delete was acknowledged (%v)", err)
	}
	putAdapters(t, s1, "After", 1)
	if ok, _, err := conn.Exists(root + "/Adapters/After0"); err != nil || !ok {
		t.Fatalf("After0 not in ZooKeeper after its put was acknowledged (%v)", err)
	}
	waitFor(t, 30*time.Second, func() bool { return count(h2, "adapter/Kept0") > before && knows(h2, "After0") })
}

// applier applies what a Store reports as the registry does: it reads each changed record
// with Get, one at a time, and keeps the adapters' proxies.
type applier struct {
	s       atomic.Pointer[zk.Store]
	mu      sync.Mutex
	proxies map[string]string
}

func (a *applier) Changed(k store.Kind, key string) error {
	s := a.s.Load()
	if s == nil || k != store.KindAdapter {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	v, err := s.Get(context.Background(), k, key)
	if err != nil {
		return err
	}
	if ad, ok := v.(*store.Adapter); ok {
		a.proxies[key] = ad.Proxy.String()
	} else {
		delete(a.proxies, key)
	}
	return nil
}

func (a *applier) Resync(snap *store.Snapshot) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.proxies = map[string]string{}
	for _, ad := range snap.Adapters {
		a.proxies[ad.ID] = ad.Proxy.String()
	}
}

func (a *applier) proxy(key string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.proxies[key]
}

// testChangeLogOrder: two replicas take turns writing one adapter (and others); a third, which
// reads their logs one after the other, and each writer end with the last version written,
// never an older one read late from the other log.
func testChangeLogOrder(t *testing.T, ens *zktest.Ensemble) { //nolint:thelper // a subtest body, not a helper
	root := newRoot()
	var stores []*zk.Store
	var appliers []*applier
	for _, name := range []string{"o1", "o2", "o3"} {
		a := &applier{proxies: map[string]string{}}
		cfg := noNet(ens, root, name)
		cfg.SafetyNet = 5 * time.Millisecond // the writers also re-list /Adapters while they write
		s := replicaWith(t, cfg, a)
		a.s.Store(s)
		stores, appliers = append(stores, s), append(appliers, a)
	}
	proxy := func(i int) *store.Adapter {
		return &store.Adapter{ID: "Same", Proxy: storetest.MustParse(t, fmt.Sprintf("dummy:tcp -h 127.0.0.1 -p %d", 1000+i))}
	}
	const n = 200
	for i := range n {
		if err := stores[i%2].PutAdapter(context.Background(), proxy(i)); err != nil {
			t.Fatal(err)
		}
		putAdapters(t, stores[i%2], fmt.Sprintf("O%d-", i), 2) // new names for the listings
	}
	want := proxy(n - 1).Proxy.String()
	for _, i := range []int{0, 2} { // o1 did not write the last version; o3 wrote none
		waitFor(t, 30*time.Second, func() bool { return appliers[i].proxy("Same") == want })
	}
	time.Sleep(500 * time.Millisecond) // an older version applied late would show now
	for _, i := range []int{0, 2} {
		if got := appliers[i].proxy("Same"); got != want {
			t.Errorf("replica o%d ended with %q, want the last version %q", i+1, got, want)
		}
	}
}

// noNet configures a replica whose safety net (re-listing /Adapters) is off for a long while:
// only the change log can tell it of registrations.
func noNet(ens *zktest.Ensemble, root, name string) zk.Config {
	return zk.Config{Servers: strings.Split(ens.Servers(), ","), Root: root, SessionTimeout: 2 * time.Second,
		Member: zk.Member{Name: name, HTTP: "127.0.0.1:1"}, SafetyNet: time.Hour}
}

// putAdapters registers adapters prefix0..prefix(n-1) through s, concurrently.
func putAdapters(t *testing.T, s *zk.Store, prefix string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			a := &store.Adapter{ID: fmt.Sprintf("%s%d", prefix, i), Proxy: storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 1")}
			if err := s.PutAdapter(context.Background(), a); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// knows reports whether h was told of adapter id, by a change or its last resync.
func knows(h *handler, id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last != nil && slices.ContainsFunc(h.last.Adapters, func(a *store.Adapter) bool { return a.ID == id }) {
		return true
	}
	return slices.Contains(h.changed, "adapter/"+id)
}

// testChangeLogGap: a reader stalled while its peer writes and trims far past it finds out
// from the low-water mark and resyncs, so it misses nothing.
func testChangeLogGap(t *testing.T, ens *zktest.Ensemble) { //nolint:thelper // a subtest body, not a helper
	root := newRoot()
	h1, h2 := &handler{}, &handler{}
	s1 := replicaWith(t, noNet(ens, root, "g1"), h1)
	s2 := replicaWith(t, noNet(ens, root, "g2"), h2)
	waitFor(t, 30*time.Second, func() bool { h2.mu.Lock(); defer h2.mu.Unlock(); return h2.resyncs > 0 })
	putAdapters(t, s1, "Before", 1)
	waitFor(t, 30*time.Second, func() bool { return knows(h2, "Before0") })
	h2.mu.Lock()
	resyncs := h2.resyncs
	h2.mu.Unlock()
	h2.hold.Lock() // g2 stalls on the next change it is told of
	release := sync.OnceFunc(h2.hold.Unlock)
	defer release() // before the replicas' cleanup, which waits for g2's watcher
	putAdapters(t, s1, "Stall", 1)
	const n = 2100 // g1 trims its log (past 2 × 1000 entries) while g2 is stalled
	for i := range n {
		putAdapters(t, s1, fmt.Sprintf("G%d-", i), 1) // one at a time: an entry each
	}
	conn := rawConn(t, ens)
	waitFor(t, 30*time.Second, func() bool {
		data, _, err := conn.Get(root + "/Changes/g1")
		return err == nil && len(data) > 0 && string(data) != "0"
	})
	release()
	waitFor(t, 30*time.Second, func() bool {
		for i := range n {
			if !knows(h2, fmt.Sprintf("G%d-0", i)) {
				return false
			}
		}
		return knows(h2, "Stall0")
	})
	h2.mu.Lock()
	defer h2.mu.Unlock()
	if h2.resyncs == resyncs {
		t.Error("g2 fell behind the trimmed log without resyncing")
	}
	if st := s2.LogStats(); st.Resyncs < 2 {
		t.Errorf("g2 LogStats = %+v, want its resync after the gap counted", st)
	}
}

// testChangeLogRestart: a restarted writer goes on numbering its entries after those of its
// earlier run (never reusing one, never skipping one), and its peer keeps following it.
func testChangeLogRestart(t *testing.T, ens *zktest.Ensemble) { //nolint:thelper // a subtest body, not a helper
	root := newRoot()
	h2 := &handler{}
	cfg := noNet(ens, root, "x1")
	s1, stop := startReplica(t, cfg, &handler{})
	replicaWith(t, noNet(ens, root, "x2"), h2)
	for i := range 3 {
		putAdapters(t, s1, fmt.Sprintf("First%d-", i), 1)
	}
	stop()
	s1, stop = startReplica(t, cfg, &handler{})
	putAdapters(t, s1, "Second", 1)
	waitFor(t, 30*time.Second, func() bool { return knows(h2, "Second0") && knows(h2, "First2-0") })
	conn := rawConn(t, ens)
	log := root + "/Changes/x1"
	names, _, err := conn.Children(log)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	want := []string{"e-0000000000", "e-0000000001", "e-0000000002", "e-0000000003"}
	if !slices.Equal(names, want) {
		t.Errorf("x1's log = %v, want %v", names, want)
	}
	// Every entry is gone (an operator removed them, or a trim kept none), the low-water mark
	// stays: the next run numbers on from it, where x2 waits.
	stop()
	clearLog(t, conn, log, &gozk.SetDataRequest{Path: log, Data: []byte("4"), Version: -1})
	s1 = replicaWith(t, cfg, &handler{})
	putAdapters(t, s1, "Third", 1)
	waitFor(t, 30*time.Second, func() bool { return knows(h2, "Third0") })
}

// testChangeLog: registrations through one replica reach another through the change log
// (writes, deletes, and past the writer's trimming), and a record created outside Floe is
// still found by the directory watch.
func testChangeLog(t *testing.T, ens *zktest.Ensemble) { //nolint:thelper // a subtest body, not a helper
	root := newRoot()
	h1, h2 := &handler{}, &handler{}
	// The safety net (re-listing /Adapters) is off for a long while: only the log can tell w2.
	s1 := replicaWith(t, noNet(ens, root, "w1"), h1)
	s2 := replicaWith(t, noNet(ens, root, "w2"), h2)
	ctx := context.Background()
	// w1's very first entry (numbered 0) reaches w2.
	waitFor(t, 30*time.Second, func() bool { h2.mu.Lock(); defer h2.mu.Unlock(); return h2.resyncs > 0 })
	first := &store.Adapter{ID: "First", Proxy: storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 1")}
	if err := s1.PutAdapter(ctx, first); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { return h2.saw("adapter/First") })
	h2.mu.Lock()
	resyncs := h2.resyncs
	h2.mu.Unlock()
	const n = 1200 // a burst, group-committed
	putAdapters(t, s1, "L", n)
	// Then more entries than 2 × logKeep, one by one: w1 trims its log while w2 follows it,
	// never far enough behind to have to resync.
	const m = 2100
	for i := range m {
		putAdapters(t, s1, fmt.Sprintf("S%d-", i), 1)
	}
	waitFor(t, 30*time.Second, func() bool { return knows(h2, fmt.Sprintf("S%d-0", m-1)) })
	for i := range m {
		if !knows(h2, fmt.Sprintf("S%d-0", i)) {
			t.Fatalf("w2 was not told of S%d-0", i)
		}
	}
	h2.mu.Lock()
	if h2.resyncs != resyncs {
		t.Errorf("w2 resynced %d times while following w1's log", h2.resyncs-resyncs)
	}
	h2.mu.Unlock()
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
	conn := rawConn(t, ens)
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
	s3 := replica(t, ens.Servers(), root, "w3", h3)
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
	// The counters tell it: w1 wrote entries that w2 read, w3 found one record no log reported.
	if st := s1.LogStats(); st.Written < 2 {
		t.Errorf("w1 LogStats = %+v, want entries written", st)
	}
	if st := s2.LogStats(); st.Read < 2 || st.Written != 0 {
		t.Errorf("w2 LogStats = %+v, want entries read and none written", st)
	}
	waitFor(t, 30*time.Second, func() bool { return s3.LogStats().Found >= 1 })
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
	waitFor(t, 30*time.Second, func() bool { return knows(h1, "A/with slash") })
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
	// r2 learns of it from a watch, or from its first resync if that came late.
	waitFor(t, 30*time.Second, func() bool {
		h2.mu.Lock()
		defer h2.mu.Unlock()
		return slices.Contains(h2.changed, "application/App") ||
			h2.last != nil && slices.ContainsFunc(h2.last.Applications, func(a *store.Application) bool { return a.Name == "App" })
	})
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
	conn := rawConn(t, ens)
	// Another master is elected behind f1's back: /Epoch moves on.
	if _, err := conn.Set(root+"/Epoch", []byte("7"), -1); err != nil {
		t.Fatal(err)
	}
	err := s1.PutApplication(context.Background(), &store.Application{Name: "Late", Revision: 1, Descriptor: []byte("<x/>")})
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
