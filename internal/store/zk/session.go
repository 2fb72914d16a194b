package zk

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"

	"floe/internal/store"
)

// session is one ZooKeeper session on its own connection. It is dead once expired or closed;
// nothing writes through a dead session's connection.
type session struct {
	conn      *zk.Conn
	id        int64
	events    chan zk.Event // filled by the event callback, never blocking
	overflow  atomic.Bool   // events were dropped: resync
	connected atomic.Bool
	lastRead  *atomic.Int64
	dead      chan struct{}
	closeOnce sync.Once
}

func (s *session) close() {
	s.closeOnce.Do(func() {
		s.connected.Store(false)
		close(s.dead)
		s.conn.Close()
	})
}

// eventQueue is large: the callback runs on go-zookeeper's I/O goroutine and must not block; an
// overflow only costs a resync.
const eventQueue = 8192

// connect opens a connection and waits for its first session, bounded by ctx.
func (s *Store) connect(ctx context.Context) (*session, error) {
	sess := &session{events: make(chan zk.Event, eventQueue), dead: make(chan struct{}), lastRead: new(atomic.Int64)}
	cb := func(e zk.Event) {
		select {
		case sess.events <- e:
		default:
			sess.overflow.Store(true)
		}
	}
	// The clamp bounds the handshake (go-zookeeper waits 10 × 2T/3 for a frozen server) but
	// must not shorten the steady-state read deadline, 2T/3: pings go out every T/3 on a fixed
	// ticker, so a T/3 read deadline raced every ping answer and idle connections were dropped
	// every second or two (test/ha).
	conn, _, err := zk.Connect(s.cfg.Servers, s.cfg.SessionTimeout,
		zk.WithDialer(clampDialer(s.cfg.SessionTimeout*2/3, sess.lastRead)),
		zk.WithHostProvider(&fastHosts{}),
		zk.WithEventCallback(cb),
		zk.WithLogger(zkLogger{s.log}),
		zk.WithMaxBufferSize(2<<20))
	if err != nil {
		return nil, fmt.Errorf("zk: connect: %w", err)
	}
	sess.conn = conn
	for {
		select {
		case e := <-sess.events:
			if e.Type == zk.EventSession && e.State == zk.StateHasSession {
				sess.id = conn.SessionID()
				sess.connected.Store(true)
				return sess, nil
			}
		case <-ctx.Done():
			conn.Close()
			return nil, fmt.Errorf("zk: no session: %w: %w", store.ErrUnavailable, ctx.Err())
		}
	}
}

type zkLogger struct {
	log interface{ Debug(string, ...any) }
}

func (l zkLogger) Printf(format string, args ...any) { l.log.Debug(fmt.Sprintf(format, args...)) }

// Run keeps a session and everything that depends on it until ctx ends: membership, election,
// watches and resyncs, reporting changes to h. It returns after every goroutine it started.
func (s *Store) Run(ctx context.Context, h store.SyncHandler) error {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil && !s.isClosed() {
		cctx, cancel := context.WithTimeout(ctx, 2*s.cfg.SessionTimeout)
		sess, err := s.connect(cctx)
		cancel()
		if err != nil {
			s.setState("unreachable")
			s.log.WarnContext(ctx, "ZooKeeper unreachable", "err", err)
			sleep(ctx, backoff)
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		// The persistent znodes exist before the session is published: a write never
		// races the bootstrap.
		if err := s.bootstrap(sess); err != nil {
			sess.close()
			s.log.WarnContext(ctx, "ZooKeeper bootstrap failed", "err", err)
			sleep(ctx, backoff)
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		s.mu.Lock()
		s.sess, s.state = sess, "connected"
		closed := s.closed
		s.mu.Unlock()
		if closed {
			sess.close()
			break
		}
		s.log.InfoContext(ctx, "ZooKeeper session established", "session", fmt.Sprintf("0x%x", sess.id))
		s.serve(ctx, sess, h)
		sess.close()
		s.mu.Lock()
		if s.sess == sess {
			s.sess = nil
		}
		s.mu.Unlock()
		s.stepDown("session ended")
	}
	return nil
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Store) setState(st string) {
	s.mu.Lock()
	s.state = st
	s.mu.Unlock()
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// serve runs one session until it dies: membership, then the event loop, a sync
// worker and the election, all stopped when the session ends.
func (s *Store) serve(ctx context.Context, sess *session, h store.SyncHandler) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-sess.dead:
		case <-sctx.Done():
		}
		cancel()
	}()
	if err := s.register(sctx, sess); err != nil {
		s.log.ErrorContext(sctx, "cannot register this replica", "err", err)
		return
	}
	w := newWatcher(s, sess, h)
	s.watch.Store(w)
	var wg sync.WaitGroup
	wg.Go(func() { w.run(sctx) })
	wg.Go(func() { s.campaign(sctx, sess) })
	wg.Go(func() { s.leaseCheck(sctx, sess) })
	s.events(sctx, sess, w)
	cancel()
	wg.Wait()
}

// events dispatches the session's events until it dies.
func (s *Store) events(ctx context.Context, sess *session, w *watcher) {
	for {
		if sess.overflow.Swap(false) {
			w.resync()
		}
		select {
		case <-ctx.Done():
			return
		case e := <-sess.events:
			if !s.event(sess, w, e) {
				return
			}
		}
	}
}

// event handles one event; false means the session is dead.
func (s *Store) event(sess *session, w *watcher, e zk.Event) bool {
	switch e.Type {
	case zk.EventSession:
		switch e.State {
		case zk.StateExpired:
			s.log.Warn("ZooKeeper session expired", "session", fmt.Sprintf("0x%x", sess.id))
			return false
		case zk.StateDisconnected:
			sess.connected.Store(false)
			s.setState("disconnected")
			s.notify()
		case zk.StateHasSession:
			if sess.conn.SessionID() != sess.id {
				s.log.Warn("ZooKeeper opened a new session on an expired connection; replacing it")
				return false
			}
			sess.connected.Store(true)
			s.setState("connected")
			s.notify()
			w.resync() // watches may have been lost while disconnected
		default: // connecting, connected (before the session is confirmed): nothing to do
		}
	case zk.EventNotWatching:
		if errors.Is(e.Err, zk.ErrSessionExpired) {
			return false
		}
		w.resync()
	case zk.EventNodeChildrenChanged:
		w.children(e.Path)
	case zk.EventNodeDataChanged, zk.EventNodeDeleted, zk.EventNodeCreated:
		if e.Path == s.paths.master {
			w.masterChanged()
		} else {
			w.node(e.Path)
		}
	}
	return true
}

// bootstrap creates the persistent znodes (idempotently).
func (s *Store) bootstrap(sess *session) error {
	p := s.paths
	var all []string
	for i := 1; i < len(p.root); i++ {
		if p.root[i] == '/' {
			all = append(all, p.root[:i]) // parents of a nested root
		}
	}
	all = append(all, p.root, p.registrys, p.election, p.config, p.apps, p.adapters, p.objects, p.epoch, p.changes, p.myLog)
	for _, path := range all {
		data := []byte(nil)
		if path == p.epoch {
			data = []byte("0")
		}
		if _, err := sess.conn.Create(path, data, 0, s.acl); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("create %s: %w", path, err)
		}
	}
	return s.loadOwnLog(sess)
}
