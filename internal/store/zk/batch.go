package zk

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"

	"floe/internal/store"
)

// write is one unfenced change to a record znode: data nil deletes it.
type write struct {
	path string
	data []byte
	done chan error
}

// batcher group-commits concurrent unfenced writes (registrations, objects) into one multi-op:
// the caller that finds no commit in progress leads and sends everything queued as one
// request, then hands the lead to the first write queued meanwhile. A lone write goes out at
// once. Under concurrent load the leader lingers a little (an eighth of the last commit's
// latency, at most maxLinger) for one write more than recent batches carried: ZooKeeper's
// cost is per transaction, so fuller batches are what raise the rate, for a small price in
// latency.
type batcher struct {
	mu      sync.Mutex
	queue   []*write
	running bool
	more    chan struct{} // a write was queued while the leader lingers
	recent  [8]int        // sizes of the last batches
	next    int           // where the next size goes in recent
	latency time.Duration // of the last commit
	exists  sync.Map      // path → true when the znode is believed to exist (chooses set or create)
}

// maxBatch bounds a multi-op well under ZooKeeper's 1 MB request limit (records are small);
// maxLinger bounds how long a leader waits for more writes.
const (
	maxBatch  = 256
	maxLinger = 2 * time.Millisecond
)

var errLead = errors.New("lead")

// do queues w and returns once it committed or failed.
func (b *batcher) do(w *write, commit func([]*write)) error {
	w.done = make(chan error, 1)
	b.mu.Lock()
	if b.more == nil {
		b.more = make(chan struct{}, 1)
	}
	b.queue = append(b.queue, w)
	if b.running {
		select {
		case b.more <- struct{}{}:
		default:
		}
		b.mu.Unlock()
		if err := <-w.done; !errors.Is(err, errLead) {
			return err
		}
		b.mu.Lock()
	}
	b.running = true
	b.linger()
	n := min(len(b.queue), maxBatch)
	batch := b.queue[:n:n]
	b.queue = b.queue[n:]
	b.recent[b.next] = n
	b.next = (b.next + 1) % len(b.recent)
	b.mu.Unlock()

	start := time.Now()
	commit(batch) // answers every write of the batch but w
	err := <-w.done
	b.mu.Lock()
	b.latency = time.Since(start)
	if len(b.queue) > 0 {
		b.queue[0].done <- errLead
	} else {
		b.running = false
	}
	b.mu.Unlock()
	return err
}

// linger waits, with b.mu held on entry and exit, for more writes when recent batches show
// concurrent writers.
func (b *batcher) linger() {
	most := 0
	for _, n := range b.recent {
		most = max(most, n)
	}
	if most < 2 {
		return
	}
	want := min(most+1, maxBatch)
	deadline := time.Now().Add(min(b.latency/8, maxLinger))
	for len(b.queue) < want {
		d := time.Until(deadline)
		if d <= 0 {
			return
		}
		select { // drop a stale signal
		case <-b.more:
		default:
		}
		b.mu.Unlock()
		t := time.NewTimer(d)
		select {
		case <-b.more:
		case <-t.C:
		}
		t.Stop()
		b.mu.Lock()
	}
}

// commit sends a batch as one multi-op with the change-log entry that carries it. If the
// multi fails for a reason other than the connection (a znode that did not exist as believed,
// a delete of a missing one), each write is retried alone, with its own entry.
func (s *Store) commit(batch []*write) {
	sess, err := s.current()
	if err != nil {
		for _, w := range batch {
			w.done <- err
		}
		return
	}
	err = s.commitMulti(sess, batch)
	if err == nil || isConnErr(err) || len(batch) == 1 && !retryAlone(err) {
		for _, w := range batch {
			s.settle(w, err)
		}
		return
	}
	for _, w := range batch {
		s.settle(w, s.commitAlone(sess, w))
	}
}

// retryAlone reports whether a failed multi may succeed with other operations.
func retryAlone(err error) bool {
	return errors.Is(err, zk.ErrNoNode) || errors.Is(err, zk.ErrNodeExists)
}

// commitMulti applies batch and its log entry in one multi-op: the writes, the entry's
// creation, and a set of the entry's content, whose stat tells the zxid of the transaction.
func (s *Store) commitMulti(sess *session, batch []*write) error {
	content := s.entryContent(batch)
	ops := make([]any, len(batch), len(batch)+2)
	for i, w := range batch {
		ops[i] = s.op(w)
	}
	var err error
	for range 2 {
		var n int64
		if n, err = s.reserve(sess); err != nil {
			return err
		}
		entry := s.entryPath(n)
		var res []zk.MultiResponse
		res, err = sess.conn.Multi(append(ops, &zk.CreateRequest{Path: entry, Acl: s.acl},
			&zk.SetDataRequest{Path: entry, Data: content, Version: 0})...)
		s.created(sess, n, err)
		if err == nil {
			var zxid int64
			if last := res[len(res)-1]; len(res) == len(ops)+2 && last.Stat != nil {
				zxid = last.Stat.Mzxid
			}
			for _, w := range batch {
				s.applied.seen(w.path, zxid)
			}
			if w := s.watch.Load(); w != nil {
				w.wrote(batch)
			}
			return nil
		}
		if isConnErr(err) || !s.entryTaken(sess, n) {
			return err
		}
	}
	return err
}

// commitAlone applies one write with its log entry, creating or overwriting as needed: a
// delete of a missing record succeeds at once.
func (s *Store) commitAlone(sess *session, w *write) error {
	var err error
	for range 3 {
		err = s.commitMulti(sess, []*write{w})
		switch {
		case err == nil || isConnErr(err):
			return err
		case errors.Is(err, zk.ErrNoNode):
			// The record, or the log directory, is missing.
			missing, lerr := s.ensureLog(sess)
			switch {
			case lerr != nil:
				return lerr
			case w.data == nil && !missing:
				return nil // a delete of a record that is not there
			case w.data != nil:
				s.batch.exists.Delete(w.path)
			}
		case errors.Is(err, zk.ErrNodeExists):
			s.batch.exists.Store(w.path, true)
		default:
			return err
		}
	}
	return err
}

// ensureLog recreates this writer's log directory if it is gone (an operator removed it), with
// a low-water mark at the next entry, where readers that discover it anew start; missing
// reports whether it was gone.
func (s *Store) ensureLog(sess *session) (missing bool, err error) {
	ok, _, err := sess.conn.Exists(s.paths.myLog)
	if err != nil || ok {
		return false, err
	}
	s.clog.mu.Lock()
	next := s.clog.next
	s.clog.mu.Unlock()
	_, err = sess.conn.Create(s.paths.myLog, []byte(strconv.FormatInt(next, 10)), 0, s.acl)
	if errors.Is(err, zk.ErrNodeExists) {
		err = nil // recreated meanwhile
	}
	return true, err
}

// entryTaken reports whether entry n exists after all — created by a multi whose outcome the
// connection lost, committed after reserve asked — and if so moves the counter past it.
func (s *Store) entryTaken(sess *session, n int64) bool {
	if ok, _, err := sess.conn.Exists(s.entryPath(n)); err != nil || !ok {
		return false
	}
	return s.loadOwnLog(sess) == nil
}

// op builds the multi operation for w.
func (s *Store) op(w *write) any {
	if w.data == nil {
		return &zk.DeleteRequest{Path: w.path, Version: -1}
	}
	if _, ok := s.batch.exists.Load(w.path); ok {
		return &zk.SetDataRequest{Path: w.path, Data: w.data, Version: -1}
	}
	return &zk.CreateRequest{Path: w.path, Data: w.data, Acl: s.acl}
}

// settle records the outcome of w and answers its caller.
func (s *Store) settle(w *write, err error) {
	if err == nil {
		if w.data == nil {
			s.batch.exists.Delete(w.path)
		} else {
			s.batch.exists.Store(w.path, true)
		}
	}
	w.done <- unavailable("write "+w.path, err)
}

func isConnErr(err error) bool {
	return errors.Is(err, zk.ErrNoServer) || errors.Is(err, zk.ErrConnectionClosed) ||
		errors.Is(err, zk.ErrSessionExpired) || errors.Is(err, zk.ErrClosing)
}

// put creates or overwrites a record (no fencing: any replica may).
func (s *Store) put(ctx context.Context, k store.Kind, key string, data []byte) error {
	if len(data) > store.MaxApplicationSize {
		return errors.New("zk: record over the size limit")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := s.current(); err != nil {
		return err
	}
	return s.batch.do(&write{path: s.paths.node(k, key), data: data}, s.commit)
}

// del deletes a record; a missing one is not an error.
func (s *Store) del(ctx context.Context, k store.Kind, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := s.current(); err != nil {
		return err
	}
	return s.batch.do(&write{path: s.paths.node(k, key)}, s.commit)
}
