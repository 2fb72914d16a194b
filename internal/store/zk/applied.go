package zk

import "sync"

// applied orders the record versions a replica learns from several sources — its own writes,
// its peers' change logs, reads of the records themselves — by the zxid of the transaction that
// wrote each, so that a reader that reads one writer's log before another's never goes back to
// an older version of a key both wrote. A version from a log is pending until the registry
// takes it through Get (which it calls under its per-key lock); a newer version arriving first
// drops it.
type applied struct {
	mu      sync.Mutex
	zxid    map[string]int64     // record znode → zxid of the newest version seen
	pending map[string]versioned // record znode → a version from a log the registry has not taken
	max     int64                // the newest zxid seen: a record read as missing is at least this new
}

// versioned is a change with the zxid that made it.
type versioned struct {
	logChange
	zxid int64
}

// offer records a version from a peer's log; true means it is newer than every version seen
// of its key, and pending.
func (a *applied) offer(c logChange, zxid int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.max = max(a.max, zxid)
	if zxid <= a.zxid[c.path] {
		return false
	}
	if a.zxid == nil {
		a.zxid, a.pending = map[string]int64{}, map[string]versioned{}
	}
	a.zxid[c.path] = zxid
	a.pending[c.path] = versioned{c, zxid}
	return true
}

// seen records a version applied by other means — this replica's own write, or a read of the
// record (zxid 0: it did not exist, as of a.max at least) — and drops a pending version no
// newer.
func (a *applied) seen(path string, zxid int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if zxid == 0 {
		zxid = a.max
	}
	a.max = max(a.max, zxid)
	if a.zxid == nil {
		a.zxid, a.pending = map[string]int64{}, map[string]versioned{}
	}
	a.zxid[path] = max(a.zxid[path], zxid)
	if p, ok := a.pending[path]; ok && p.zxid <= zxid {
		delete(a.pending, path)
	}
}

// take returns and forgets the pending version of path.
func (a *applied) take(path string) (versioned, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.pending[path]
	delete(a.pending, path)
	return p, ok
}

// clear forgets every pending version: a resync reads every record again.
func (a *applied) clear() {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.pending)
}
