package zk

import (
	"context"
	"errors"
	"sync"

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
// once; under load one ZooKeeper round trip carries many registrations.
type batcher struct {
	mu      sync.Mutex
	queue   []*write
	running bool
	exists  sync.Map // path → true when the znode is believed to exist (chooses set or create)
}

// maxBatch bounds a multi-op well under ZooKeeper's 1 MB request limit (records are small).
const maxBatch = 256

var errLead = errors.New("lead")

// do queues w and returns once it committed or failed.
func (b *batcher) do(w *write, commit func([]*write)) error {
	w.done = make(chan error, 1)
	b.mu.Lock()
	b.queue = append(b.queue, w)
	if b.running {
		b.mu.Unlock()
		if err := <-w.done; !errors.Is(err, errLead) {
			return err
		}
		b.mu.Lock()
	}
	b.running = true
	n := min(len(b.queue), maxBatch)
	batch := b.queue[:n:n]
	b.queue = b.queue[n:]
	b.mu.Unlock()

	commit(batch) // answers every write of the batch but w
	err := <-w.done
	b.mu.Lock()
	if len(b.queue) > 0 {
		b.queue[0].done <- errLead
	} else {
		b.running = false
	}
	b.mu.Unlock()
	return err
}

// commit sends a batch as one multi; if the multi fails for a reason other than the
// connection (a znode that did not exist as believed), each write is retried alone.
func (s *Store) commit(batch []*write) {
	sess, err := s.current()
	if err != nil {
		for _, w := range batch {
			w.done <- err
		}
		return
	}
	if len(batch) > 1 {
		ops := make([]any, 0, len(batch))
		for _, w := range batch {
			ops = append(ops, s.op(w))
		}
		if _, err := sess.conn.Multi(ops...); err == nil || isConnErr(err) {
			for _, w := range batch {
				s.settle(w, err)
			}
			return
		}
	}
	for _, w := range batch {
		s.settle(w, s.single(sess, w))
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
