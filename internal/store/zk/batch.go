package zk

import (
	"context"
	"errors"
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

// commit sends a batch as one multi, with the change-log entry that names its records; if the
// multi fails for a reason other than the connection (a znode that did not exist as believed),
// each write is retried alone, followed by its own log entry.
func (s *Store) commit(batch []*write) {
	sess, err := s.current()
	if err != nil {
		for _, w := range batch {
			w.done <- err
		}
		return
	}
	ops := make([]any, 0, len(batch)+1)
	for _, w := range batch {
		ops = append(ops, s.op(w))
	}
	ops = append(ops, s.logOp(batch))
	res, err := sess.conn.Multi(ops...)
	if err == nil || isConnErr(err) {
		if err == nil && len(res) == len(ops) {
			s.logged(sess, res[len(res)-1].String)
		}
		for _, w := range batch {
			s.settle(w, err)
		}
		return
	}
	for _, w := range batch {
		err := s.single(sess, w)
		if err == nil {
			// Not atomic with the write: if this entry is lost, the directory and data
			// watches still tell the other replicas, only later.
			prefix, data := s.entryPath([]*write{w})
			if path, lerr := sess.conn.Create(prefix, data, zk.FlagSequence, s.acl); lerr == nil {
				s.logged(sess, path)
			}
		}
		s.settle(w, err)
	}
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

// single applies one write on its own, creating or overwriting as needed.
func (s *Store) single(sess *session, w *write) error {
	if w.data == nil {
		err := sess.conn.Delete(w.path, -1)
		if errors.Is(err, zk.ErrNoNode) {
			return nil
		}
		return err
	}
	var err error
	for range 3 {
		if _, err = sess.conn.Set(w.path, w.data, -1); !errors.Is(err, zk.ErrNoNode) {
			return err
		}
		if _, err = sess.conn.Create(w.path, w.data, 0, s.acl); !errors.Is(err, zk.ErrNodeExists) {
			return err
		}
	}
	return err
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
