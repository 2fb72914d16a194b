package zk

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
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
	logs       map[string]int64               // peers' change-log directories: last entry read
	lastList   map[string]time.Time           // when each record directory was last listed
	deferred   map[string]bool                // record directories whose listing waits
}

// relistGap is the shortest time between two listings of the applications directory;
// Config.SafetyNet is that of /Adapters and /Objects, whose changes the change log reports:
// listing them costs as much as they have children, so it is only a safety net for changes
// made outside Floe (an operator with zkCli.sh).
const relistGap = 5 * time.Millisecond

func newWatcher(s *Store, sess *session, h store.SyncHandler) *watcher {
	return &watcher{s: s, sess: sess, h: h, kick: make(chan struct{}, 1), dirty: map[string]bool{},
		dirs: map[string]bool{}, needResync: true, needMaster: true, known: map[store.Kind]map[string]bool{},
		logs: map[string]int64{}, lastList: map[string]time.Time{}, deferred: map[string]bool{}}
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
		for dir := range dirs {
			switch {
			case dir == w.s.paths.changes:
				w.listWriters()
			case strings.HasPrefix(dir, w.s.paths.changes+"/"):
				w.readLog(dir)
			case dir == w.s.paths.apps:
				w.relistAfter(dir, relistGap)
			default:
				w.relistAfter(dir, w.s.cfg.SafetyNet)
			}
		}
		w.each(dirty, func(path string) {
			if kind, key, ok := w.s.paths.parse(path); ok {
				w.changed(kind, key)
			}
		})
	}
}

func (w *watcher) doResync(ctx context.Context) {
	// The peers' logs are listed before the records are read: an entry written after this
	// listing is read again later, one written before is covered by the records read.
	logs, err := w.listLogs()
	var snap *store.Snapshot
	if err == nil {
		snap, err = w.s.readAll(ctx, w.sess)
	}
	if err != nil {
		w.s.log.WarnContext(ctx, "resync from ZooKeeper failed; will retry", "err", err)
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
	w.known, w.logs = known, logs
	now := time.Now() // the resync listed every directory
	for _, k := range []store.Kind{store.KindAdapter, store.KindObject, store.KindApplication} {
		w.lastList[w.s.paths.dir(k)] = now
	}
	w.mu.Unlock()
	w.h.Resync(snap)
}

// listLogs lists the peers' change-log directories (watching each) and returns the last entry
// of each.
func (w *watcher) listLogs() (map[string]int64, error) {
	writers, _, _, err := w.sess.conn.ChildrenW(w.s.paths.changes)
	if err != nil {
		return nil, unavailable("list "+w.s.paths.changes, err)
	}
	logs := map[string]int64{}
	for _, name := range writers {
		dir := w.s.paths.changes + "/" + name
		if dir == w.s.paths.myLog {
			continue
		}
		names, _, _, err := w.sess.conn.ChildrenW(dir)
		if errors.Is(err, zk.ErrNoNode) {
			continue
		}
		if err != nil {
			return nil, unavailable("list "+dir, err)
		}
		logs[dir] = lastSeq(names)
	}
	return logs, nil
}

// listWriters re-lists /Changes and reads the logs of writers not seen before (from their
// first entry: they appeared after the last resync).
func (w *watcher) listWriters() {
	writers, _, _, err := w.sess.conn.ChildrenW(w.s.paths.changes)
	if err != nil {
		w.resync()
		return
	}
	for _, name := range writers {
		dir := w.s.paths.changes + "/" + name
		w.mu.Lock()
		_, seen := w.logs[dir]
		if !seen && dir != w.s.paths.myLog {
			w.logs[dir] = -1 // read from its first entry
		}
		w.mu.Unlock()
		if !seen && dir != w.s.paths.myLog {
			w.readLog(dir)
		}
	}
}

// readLog reads a peer's new log entries (re-arming the watch on its directory) and re-reads
// the records they name.
func (w *watcher) readLog(dir string) {
	names, _, _, err := w.sess.conn.ChildrenW(dir)
	if errors.Is(err, zk.ErrNoNode) {
		w.mu.Lock()
		delete(w.logs, dir)
		w.mu.Unlock()
		return
	}
	if err != nil {
		w.resync()
		return
	}
	w.mu.Lock()
	last, ok := w.logs[dir]
	w.mu.Unlock()
	if !ok {
		return // not a peer's log (ours), or forgotten by a resync in progress
	}
	fresh, gap := newEntries(names, last)
	if gap {
		w.s.log.Info("change log trimmed past what this replica read; resyncing", "log", dir)
		w.resync()
		return
	}
	if len(fresh) == 0 {
		return
	}
	var all []logChange
	var toRead []string
	for _, n := range fresh {
		if cs, ok := w.s.inlineChanges(n); ok {
			all = append(all, cs...)
		} else {
			toRead = append(toRead, n)
		}
	}
	entries, err := w.readEntries(dir, toRead)
	if err != nil { // trimmed meanwhile (this replica is far behind) or no connection
		w.resync()
		return
	}
	for _, data := range entries {
		all = append(all, w.s.parseEntry(data)...)
	}
	changes := map[string]bool{}
	for _, c := range all {
		kind, key, ok := w.s.paths.parse(c.path)
		if !ok || kind == store.KindApplication {
			continue
		}
		changes[c.path] = true
		w.mu.Lock()
		if c.deleted {
			delete(w.known[kind], key)
		} else if w.known[kind] != nil {
			w.known[kind][key] = true
		}
		w.mu.Unlock()
	}
	w.mu.Lock()
	if cur, ok := w.logs[dir]; ok && cur == last {
		w.logs[dir] = lastSeq(fresh)
	}
	w.mu.Unlock()
	w.each(changes, func(path string) {
		if kind, key, ok := w.s.paths.parse(path); ok {
			w.changed(kind, key)
		}
	})
}

// readEntries reads log entries, rereads at a time (go-zookeeper pipelines them).
func (w *watcher) readEntries(dir string, names []string) ([][]byte, error) {
	out := make([][]byte, len(names))
	errs := make([]error, len(names))
	sem := make(chan struct{}, rereads)
	var wg sync.WaitGroup
	for i, n := range names {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i], _, errs[i] = w.sess.conn.Get(dir + "/" + n)
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// relistAfter re-lists a record directory now, or once gap has passed since its last listing.
func (w *watcher) relistAfter(dir string, gap time.Duration) {
	w.mu.Lock()
	wait := gap - time.Since(w.lastList[dir])
	if wait > 0 {
		if !w.deferred[dir] {
			w.deferred[dir] = true
			time.AfterFunc(wait, func() {
				w.mark(func() { w.deferred[dir] = false; w.dirs[dir] = true })
			})
		}
		w.mu.Unlock()
		return
	}
	w.lastList[dir] = time.Now()
	w.mu.Unlock()
	w.relist(dir)
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
		if m, err = decodeMaster(data); err != nil {
			w.s.log.Warn("unreadable /Master znode", "data", string(data), "err", err)
		}
	}
	w.s.setMaster(m)
}

// decodeMaster reads /Master. Content that does not decode, even in part, names no master: a
// field of the wrong type would otherwise leave a name with epoch 0.
func decodeMaster(data []byte) (MasterInfo, error) {
	var m MasterInfo
	if err := json.Unmarshal(data, &m); err != nil {
		return MasterInfo{}, err
	}
	return m, nil
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

// readRecord is one record that readRecords read, or why it could not: err wraps
// store.ErrInvalidRecord for a record that does not decode.
type readRecord struct {
	key string
	v   any
	err error
}

// readRecords reads many records with a few concurrent requests (go-zookeeper pipelines them).
func (s *Store) readRecords(ctx context.Context, sess *session, k store.Kind, names []string, snap *store.Snapshot) error {
	work := make(chan string)
	results := make(chan readRecord)
	var wg sync.WaitGroup
	for range min(32, len(names)) {
		wg.Go(func() {
			for n := range work {
				if r, ok := s.readOne(sess, k, n); ok {
					results <- r
				}
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
		if err := addRecord(snap, k, r); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// readOne reads and decodes the record of kind k whose escaped name is n, and watches it; ok
// is false when it no longer exists.
func (s *Store) readOne(sess *session, k store.Kind, n string) (r readRecord, ok bool) {
	key, err := url.PathUnescape(n)
	if err != nil {
		return readRecord{key: n, err: err}, true
	}
	p := s.paths.dir(k) + "/" + n
	data, stat, _, err := sess.conn.GetW(p)
	if errors.Is(err, zk.ErrNoNode) {
		return readRecord{}, false
	}
	if err != nil {
		return readRecord{key: key, err: unavailable("read", err)}, true
	}
	s.batch.exists.Store(p, true)
	v, err := decode(k, key, data, stat)
	return readRecord{key: key, v: v, err: err}, true
}

// addRecord adds r, a record of kind k, to snap, or to snap.Invalid when it does not decode;
// it returns r.err when the record could not be read at all.
func addRecord(snap *store.Snapshot, k store.Kind, r readRecord) error {
	switch {
	case errors.Is(r.err, store.ErrInvalidRecord):
		snap.Invalid[string(k)+"/"+r.key] = r.err
	case r.err != nil:
		return r.err
	case k == store.KindAdapter:
		snap.Adapters = append(snap.Adapters, r.v.(*store.Adapter))
	case k == store.KindObject:
		snap.Objects = append(snap.Objects, r.v.(*store.Object))
	default:
		snap.Applications = append(snap.Applications, r.v.(*store.Application))
	}
	return nil
}
