package zk

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"

	"floe/internal/store"
)

// watcher turns one session's watch events into SyncHandler calls. Events only mark work; a
// single goroutine (run) re-reads what they name, so the event loop never waits on ZooKeeper.
// Every read re-arms its watch, and every reconnection triggers a full resync, so an update
// between two one-shot watches is never missed.
type watcher struct {
	s    *Store
	sess *session
	h    store.SyncHandler
	kick chan struct{}

	mu         sync.Mutex // guards the work below
	dirty      map[string]bool
	dirs       map[string]bool
	needResync bool
	needMaster bool
	known      map[store.Kind]map[string]bool // children names last listed, per kind
	lastList   time.Time                      // when run last re-listed directories
}

// relistGap is the shortest time between two listings of the record directories.
const relistGap = 5 * time.Millisecond

func newWatcher(s *Store, sess *session, h store.SyncHandler) *watcher {
	return &watcher{s: s, sess: sess, h: h, kick: make(chan struct{}, 1), dirty: map[string]bool{},
		dirs: map[string]bool{}, needResync: true, needMaster: true, known: map[store.Kind]map[string]bool{}}
}

func (w *watcher) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *watcher) resync()        { w.mark(func() { w.needResync = true; w.needMaster = true }) }
func (w *watcher) masterChanged() { w.mark(func() { w.needMaster = true }) }
func (w *watcher) node(path string) {
	w.mark(func() { w.dirty[path] = true })
}
func (w *watcher) children(path string) { w.mark(func() { w.dirs[path] = true }) }

func (w *watcher) mark(f func()) {
	w.mu.Lock()
	f()
	w.mu.Unlock()
	w.poke()
}

// run does the marked work until ctx ends.
func (w *watcher) run(ctx context.Context) {
	w.poke()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		}
		w.mu.Lock()
		resync, master, dirs, dirty := w.needResync, w.needMaster, w.dirs, w.dirty
		w.needResync, w.needMaster, w.dirs, w.dirty = false, false, map[string]bool{}, map[string]bool{}
		w.mu.Unlock()
		if master {
			w.readMaster()
		}
		if resync {
			w.doResync(ctx)
			continue // a resync covers dirs and dirty
		}
		if len(dirs) > 0 {
			// Listing a directory costs as much as it has children: while changes stream in,
			// wait a little so that one listing covers many of them.
			if since := time.Since(w.lastList); since < relistGap {
				time.Sleep(relistGap - since)
			}
			w.lastList = time.Now()
		}
		for dir := range dirs {
			w.relist(dir)
		}
		w.each(dirty, func(path string) {
			if kind, key, ok := w.s.paths.parse(path); ok {
				w.changed(kind, key)
			}
		})
	}
}

func (w *watcher) doResync(ctx context.Context) {
	snap, err := w.s.readAll(ctx, w.sess)
	if err != nil {
		w.s.log.Warn("resync from ZooKeeper failed; will retry", "err", err)
		if ctx.Err() == nil && !errors.Is(err, zk.ErrClosing) {
			w.mark(func() { w.needResync = true })
		}
		return
	}
	known := map[store.Kind]map[string]bool{store.KindAdapter: {}, store.KindObject: {}, store.KindApplication: {}}
	for _, a := range snap.Adapters {
		known[store.KindAdapter][a.ID] = true
	}
	for _, o := range snap.Objects {
		known[store.KindObject][store.ObjectKey(o.Identity)] = true
	}
	for _, a := range snap.Applications {
		known[store.KindApplication][a.Name] = true
	}
	w.mu.Lock()
	w.known = known
	w.mu.Unlock()
	w.h.Resync(snap)
}

// relist re-reads a directory's children and reports names that appeared or disappeared.
func (w *watcher) relist(dir string) {
	kind := store.Kind("")
	for _, k := range []store.Kind{store.KindAdapter, store.KindObject, store.KindApplication} {
		if w.s.paths.dir(k) == dir {
			kind = k
		}
	}
	if kind == "" {
		return
	}
	names, _, _, err := w.sess.conn.ChildrenW(dir)
	if err != nil {
		w.resync()
		return
	}
	now := map[string]bool{}
	for _, n := range names {
		if key, err := url.PathUnescape(n); err == nil {
			now[key] = true
		}
	}
	w.mu.Lock()
	old := w.known[kind]
	w.known[kind] = now
	w.mu.Unlock()
	diff := map[string]bool{}
	for key := range now {
		if !old[key] {
			diff[key] = true
		}
	}
	for key := range old {
		if !now[key] {
			diff[key] = true
		}
	}
	w.each(diff, func(key string) { w.changed(kind, key) })
}

// rereads bounds the records re-read at once: each re-read is one ZooKeeper round trip, and a
// burst of changes should not queue behind one another (the registry orders writes per key).
const rereads = 16

// each calls f for every path of set, rereads at a time, and returns when all are done.
func (w *watcher) each(set map[string]bool, f func(path string)) {
	sem := make(chan struct{}, rereads)
	var wg sync.WaitGroup
	for path := range set {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(path)
		})
	}
	wg.Wait()
}

// changed hands one change to the handler; a record that could not be read is not forgotten:
// a resync (after a short pause, to ride out a reconnection) reads everything again.
func (w *watcher) changed(kind store.Kind, key string) {
	if err := w.h.Changed(kind, key); err != nil {
		w.s.log.Debug("re-read failed; resyncing", "kind", kind, "key", key, "err", err)
		time.AfterFunc(100*time.Millisecond, w.resync)
	}
}

// readMaster reads /Master (watching it) and publishes who is master.
func (w *watcher) readMaster() {
	data, _, _, err := w.sess.conn.GetW(w.s.paths.master)
	var m MasterInfo
	switch {
	case errors.Is(err, zk.ErrNoNode):
		if ok, _, _, err := w.sess.conn.ExistsW(w.s.paths.master); err == nil && ok {
			w.masterChanged() // created meanwhile
			return
		}
	case err != nil:
		w.resync()
		return
	default:
		if json.Unmarshal(data, &m) != nil {
			w.s.log.Warn("unreadable /Master znode", "data", string(data))
		}
	}
	w.s.setMaster(m)
}

// readAll lists every record directory (watching it) and reads each record (watching it).
func (s *Store) readAll(ctx context.Context, sess *session) (*store.Snapshot, error) {
	snap := &store.Snapshot{Invalid: map[string]error{}}
	for _, k := range []store.Kind{store.KindAdapter, store.KindObject, store.KindApplication} {
		names, _, _, err := sess.conn.ChildrenW(s.paths.dir(k))
		if err != nil {
			return nil, unavailable("list "+s.paths.dir(k), err)
		}
		if err := s.readRecords(ctx, sess, k, names, snap); err != nil {
			return nil, err
		}
	}
	return snap, nil
}

// readRecords reads many records with a few concurrent requests (go-zookeeper pipelines them).
func (s *Store) readRecords(ctx context.Context, sess *session, k store.Kind, names []string, snap *store.Snapshot) error {
	type result struct {
		key string
		v   any
		err error
	}
	work := make(chan string)
	results := make(chan result)
	var wg sync.WaitGroup
	for range min(32, len(names)) {
		wg.Go(func() {
			for n := range work {
				key, err := url.PathUnescape(n)
				if err != nil {
					results <- result{key: n, err: err}
					continue
				}
				p := s.paths.dir(k) + "/" + n
				data, stat, _, err := sess.conn.GetW(p)
				if errors.Is(err, zk.ErrNoNode) {
					continue
				}
				if err == nil {
					s.batch.exists.Store(p, true)
				}
				if err != nil {
					results <- result{key: key, err: unavailable("read", err)}
					continue
				}
				v, err := decode(k, key, data, stat)
				results <- result{key: key, v: v, err: err}
			}
		})
	}
	go func() {
		defer close(work)
		for _, n := range names {
			select {
			case work <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var firstErr error
	for r := range results {
		switch {
		case errors.Is(r.err, store.ErrInvalidRecord):
			snap.Invalid[string(k)+"/"+r.key] = r.err
		case r.err != nil:
			if firstErr == nil {
				firstErr = r.err
			}
		case k == store.KindAdapter:
			snap.Adapters = append(snap.Adapters, r.v.(*store.Adapter))
		case k == store.KindObject:
			snap.Objects = append(snap.Objects, r.v.(*store.Object))
		default:
			snap.Applications = append(snap.Applications, r.v.(*store.Application))
		}
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}
