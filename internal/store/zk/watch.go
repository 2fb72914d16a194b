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
	logs       map[string]*peerLog            // peers' change-log directories
	logDirty   map[string]bool                // peers' logs with an entry to read
	lowDirty   map[string]bool                // peers' logs whose low-water mark changed
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
		logs: map[string]*peerLog{}, logDirty: map[string]bool{}, lowDirty: map[string]bool{}, lastList: map[string]time.Time{}, deferred: map[string]bool{}}
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
	if rest, ok := strings.CutPrefix(path, w.s.paths.changes+"/"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 { // an entry was created (or trimmed)
			dir := path[:len(path)-len(rest)+i]
			w.mark(func() { w.logDirty[dir] = true })
		} else { // a log directory's low-water mark moved
			w.mark(func() { w.lowDirty[path] = true })
		}
		return
	}
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
		resync, master, dirs, dirty, logs, lows := w.needResync, w.needMaster, w.dirs, w.dirty, w.logDirty, w.lowDirty
		w.needResync, w.needMaster, w.dirs, w.dirty = false, false, map[string]bool{}, map[string]bool{}
		w.logDirty, w.lowDirty = map[string]bool{}, map[string]bool{}
		w.mu.Unlock()
		if master {
			w.readMaster()
		}
		if resync {
			w.doResync(ctx)
			continue // a resync covers dirs and dirty
		}
		for dir := range dirs {
			switch dir {
			case w.s.paths.changes:
				w.listWriters()
			case w.s.paths.apps:
				w.relistAfter(dir, relistGap)
			default:
				w.relistAfter(dir, w.s.cfg.SafetyNet)
			}
		}
		for dir := range lows {
			w.readLow(dir)
			logs[dir] = true // the mark may have moved past the next entry
		}
		for dir := range logs {
			w.readLog(dir)
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
	w.s.applied.clear()
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
	for dir := range logs {
		w.logDirty[dir] = true // read what came after the listing, then watch the next entry
	}
	now := time.Now() // the resync listed every directory
	for _, k := range []store.Kind{store.KindAdapter, store.KindObject, store.KindApplication} {
		w.lastList[w.s.paths.dir(k)] = now
	}
	w.mu.Unlock()
	w.s.stats.resyncs.Add(1)
	w.h.Resync(snap)
	w.poke()
}

// peerLog is where a reader is in a peer's change log.
type peerLog struct {
	next int64 // counter of the next entry to read
	low  int64 // the writer's low-water mark: entries below it are trimmed
}

// listLogs lists the peers' change-log directories (watching /Changes for new writers, and
// each directory's low-water mark) and returns where to go on reading each: after its last
// entry.
func (w *watcher) listLogs() (map[string]*peerLog, error) {
	writers, _, _, err := w.sess.conn.ChildrenW(w.s.paths.changes)
	if err != nil {
		return nil, unavailable("list "+w.s.paths.changes, err)
	}
	logs := map[string]*peerLog{}
	for _, name := range writers {
		dir := w.s.paths.changes + "/" + name
		if dir == w.s.paths.myLog {
			continue
		}
		data, _, _, err := w.sess.conn.GetW(dir)
		if errors.Is(err, zk.ErrNoNode) {
			continue
		}
		if err != nil {
			return nil, unavailable("read "+dir, err)
		}
		names, _, err := w.sess.conn.Children(dir)
		if errors.Is(err, zk.ErrNoNode) {
			continue
		}
		if err != nil {
			return nil, unavailable("list "+dir, err)
		}
		pl := &peerLog{low: parseLow(data)}
		pl.next = pl.low
		if es := entries(names); len(es) > 0 {
			pl.next = es[len(es)-1] + 1
		}
		logs[dir] = pl
	}
	return logs, nil
}

// listWriters re-lists /Changes: it follows the logs of writers not seen before from their
// first entry (they appeared after the last resync) and forgets those that are gone.
func (w *watcher) listWriters() {
	writers, _, _, err := w.sess.conn.ChildrenW(w.s.paths.changes)
	if err != nil {
		w.resync()
		return
	}
	now := map[string]bool{}
	for _, name := range writers {
		dir := w.s.paths.changes + "/" + name
		now[dir] = true
		w.mu.Lock()
		_, seen := w.logs[dir]
		w.mu.Unlock()
		if seen || dir == w.s.paths.myLog {
			continue
		}
		data, _, _, err := w.sess.conn.GetW(dir)
		if errors.Is(err, zk.ErrNoNode) {
			continue
		}
		if err != nil {
			w.resync()
			return
		}
		low := parseLow(data)
		w.mu.Lock()
		if _, seen := w.logs[dir]; !seen {
			w.logs[dir] = &peerLog{next: low, low: low}
		}
		w.mu.Unlock()
		w.readLog(dir)
	}
	w.mu.Lock()
	for dir := range w.logs {
		if !now[dir] {
			delete(w.logs, dir)
		}
	}
	w.mu.Unlock()
}

// readLow re-reads a peer log's low-water mark, watching it.
func (w *watcher) readLow(dir string) {
	data, _, _, err := w.sess.conn.GetW(dir)
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case errors.Is(err, zk.ErrNoNode):
		delete(w.logs, dir)
	case err != nil:
		w.needResync = true
		w.poke()
	default:
		if pl, ok := w.logs[dir]; ok {
			pl.low = parseLow(data)
		}
	}
}

// logRound bounds the entries read from one log before other work gets its turn; logWindow
// is how many entries a reader that is behind reads at once (go-zookeeper pipelines them).
const (
	logRound  = 1024
	logWindow = 32
)

// readLog reads a peer's entries from the next one on, re-reads the records they name, and
// leaves an exists watch on the first entry that does not exist yet. An event says an entry
// is there, so it reads first; after one entry it expects to be caught up and probes the next
// with the watch; a probe that finds the entry shows a backlog, read a few entries at a time,
// twice as many each time all were there, up to logWindow.
func (w *watcher) readLog(dir string) {
	var all []logChange
	k := 1 // entries to read at once; 1 also means "not known to be behind"
	for read := 0; ; {
		w.mu.Lock()
		pl, ok := w.logs[dir]
		var next, low int64
		if ok {
			next, low = pl.next, pl.low
		}
		w.mu.Unlock()
		if !ok {
			break // not a peer's log (ours), or forgotten
		}
		if read >= logRound {
			w.mark(func() { w.logDirty[dir] = true })
			break
		}
		cs, got, err := w.takeEntries(dir, pl, next, k)
		all, read = append(all, cs...), read+got
		if err != nil {
			w.resync()
			break
		}
		if got == k && k > 1 {
			k = min(2*k, logWindow)
			continue
		}
		ok, _, _, err = w.sess.conn.ExistsW(dir + "/" + entryName(next+int64(got)))
		if err != nil {
			w.resync()
			break
		}
		if ok {
			k = 2
			continue
		}
		if next+int64(got) < low {
			w.s.log.Info("change log trimmed past what this replica read; resyncing", "log", dir)
			w.resync()
		}
		break
	}
	w.apply(all)
}

// takeEntries reads up to k entries of a log from entry next on and moves pl past those
// read. It returns the changes newer than any version seen of their keys, how many entries
// it read (it stops at the first missing one), and an error other than a missing entry.
func (w *watcher) takeEntries(dir string, pl *peerLog, next int64, k int) ([]logChange, int, error) {
	datas, stats, errs := w.getEntries(dir, next, k)
	var out []logChange
	got := 0
	for got < k && errs[got] == nil {
		cs, err := w.s.parseEntry(datas[got])
		if err != nil {
			w.s.log.Debug("skipping what follows a malformed change-log entry", "entry", dir+"/"+entryName(next+int64(got)), "err", err)
		}
		for _, c := range cs {
			// Only adapters and objects are logged; anything else in an entry is foreign.
			kind, key, ok := w.s.paths.parse(c.path)
			if !ok || kind == store.KindApplication {
				continue
			}
			c.path = w.s.paths.node(kind, key) // as Get names it
			if w.s.applied.offer(c, stats[got].Mzxid) {
				out = append(out, c)
			}
		}
		got++
	}
	w.s.stats.read.Add(int64(got))
	w.mu.Lock()
	if pl.next == next {
		pl.next += int64(got)
	}
	w.mu.Unlock()
	if got < k && !errors.Is(errs[got], zk.ErrNoNode) {
		return out, got, errs[got]
	}
	return out, got, nil
}

// apply records changes read from logs as known and hands them to the handler.
func (w *watcher) apply(all []logChange) {
	changes := map[string]bool{}
	w.mu.Lock()
	for _, c := range all {
		changes[c.path] = true
		w.setKnown(c.path, c.deleted)
	}
	w.mu.Unlock()
	w.each(changes, func(path string) {
		if kind, key, ok := w.s.paths.parse(path); ok {
			w.changed(kind, key)
		}
	})
}

// getEntries reads k entries of a log from entry next on, concurrently.
func (w *watcher) getEntries(dir string, next int64, k int) ([][]byte, []*zk.Stat, []error) {
	datas, stats, errs := make([][]byte, k), make([]*zk.Stat, k), make([]error, k)
	if k == 1 {
		datas[0], stats[0], errs[0] = w.sess.conn.Get(dir + "/" + entryName(next))
		return datas, stats, errs
	}
	var wg sync.WaitGroup
	for i := range k {
		wg.Go(func() { datas[i], stats[i], errs[i] = w.sess.conn.Get(dir + "/" + entryName(next+int64(i))) })
	}
	wg.Wait()
	return datas, stats, errs
}

// wrote records this replica's own writes as known, so that the safety net's next listing
// does not take them for records made outside Floe and read them again.
func (w *watcher) wrote(batch []*write) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, wr := range batch {
		w.setKnown(wr.path, wr.data == nil)
	}
}

// setKnown records that the record at path exists (or not, deleted), as the next listing of
// its directory should find it; w.mu must be held.
func (w *watcher) setKnown(path string, deleted bool) {
	kind, key, ok := w.s.paths.parse(path)
	switch {
	case !ok:
	case deleted:
		delete(w.known[kind], key)
	case w.known[kind] != nil:
		w.known[kind][key] = true
	}
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
	diff := map[string]bool{}
	w.mu.Lock() // wrote changes known from the writers' goroutines
	old := w.known[kind]
	for key := range now {
		if !old[key] {
			diff[key] = true
			if kind != store.KindApplication { // applications have no log
				w.s.stats.found.Add(1)
			}
		}
	}
	for key := range old {
		if !now[key] {
			diff[key] = true
		}
	}
	w.known[kind] = now
	w.mu.Unlock()
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
	s.applied.seen(p, stat.Mzxid)
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
