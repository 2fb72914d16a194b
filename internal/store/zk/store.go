// Package zk is the replicated store of a registry in ZooKeeper mode (SPEC.md §5): dynamic
// adapters and well-known objects that any replica may write, applications that only the master
// writes, with fenced multi-ops that check /IceGrid/Epoch; replica membership
// (/IceGrid/Registrys), master election (/IceGrid/Election, /IceGrid/Master) and watches that
// tell the registry about every change, whoever made it (an operator with zkCli.sh included).
//
// One goroutine (Run) owns the ZooKeeper session: it reconnects, detects expiry — go-zookeeper
// silently opens a new session on the same connection, so the session id is checked on every
// event and an expired session's connection is closed and replaced — re-registers, re-campaigns
// and resyncs. Reads by the registry never block on ZooKeeper; writes fail fast with
// store.ErrUnavailable while there is no session.
package zk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"

	"floe/ice/encoding"
	"floe/internal/store"
)

// Config configures a Store.
type Config struct {
	Servers        []string
	Root           string // default /IceGrid
	SessionTimeout time.Duration
	Member         Member // this replica, written to /Registrys/<Name>
	// SafetyNet is the shortest time between two listings of /Adapters or /Objects, whose
	// changes the change log reports (default 1 s): only records made outside Floe wait for it.
	SafetyNet time.Duration
	Log       *slog.Logger
}

// Member is the content of /Registrys/<name>.
type Member struct {
	Name      string    `json:"name"`
	Client    string    `json:"client"` // locator endpoints
	Server    string    `json:"server"` // LocatorRegistry endpoints
	HTTP      string    `json:"http"`   // HTTP API address
	StartedAt time.Time `json:"startedAt"`
	BootID    string    `json:"bootId"`
}

// MasterInfo is the content of /Master.
type MasterInfo struct {
	Name  string `json:"name"`
	Epoch int64  `json:"epoch"`
	HTTP  string `json:"http"`
}

// Store is a store.Replicated on ZooKeeper.
type Store struct {
	cfg   Config
	log   *slog.Logger
	paths paths
	acl   []zk.ACL

	mu      sync.Mutex // guards the fields below
	sess    *session
	term    *term      // set while this replica is master
	master  MasterInfo // last /Master seen; Name "" = none
	state   string     // ZooKeeper connection state, for status
	closed  bool
	changed chan struct{} // closed and replaced on every role or master change

	batch   batcher                 // unfenced writes, group-committed
	clog    changeLog               // this writer's change log entries
	applied applied                 // the zxid of every record version seen, and versions pending from logs
	watch   atomic.Pointer[watcher] // the current session's
	stats   struct{ written, read, found, resyncs atomic.Int64 }
}

var _ store.Replicated = (*Store)(nil)

// New returns a Store; it connects when Run is called.
func New(cfg Config) (*Store, error) {
	if len(cfg.Servers) == 0 {
		return nil, errors.New("zk: no servers")
	}
	if cfg.Root == "" {
		cfg.Root = "/IceGrid"
	}
	if !strings.HasPrefix(cfg.Root, "/") || strings.HasSuffix(cfg.Root, "/") {
		return nil, fmt.Errorf("zk: root %q must start and not end with /", cfg.Root)
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 4 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.SafetyNet <= 0 {
		cfg.SafetyNet = time.Second
	}
	if !store.ValidKey(cfg.Member.Name) {
		return nil, fmt.Errorf("zk: invalid replica name %q", cfg.Member.Name)
	}
	p := newPaths(cfg.Root)
	p.myLog = p.changes + "/" + url.PathEscape(cfg.Member.Name)
	return &Store{cfg: cfg, log: cfg.Log.With("component", "zk"), paths: p,
		acl: zk.WorldACL(zk.PermAll), state: "connecting", changed: make(chan struct{})}, nil
}

// LogStats counts what the change log and the watches did since the Store was created.
type LogStats struct {
	Written int64 // entries this replica appended to its log
	Read    int64 // entries it read from its peers' logs
	// Found counts adapters and objects that a listing of /Adapters or /Objects found new
	// before any log reported them: made outside Floe, listed just ahead of their entry, or in a
	// peer's log that is not being followed.
	Found   int64
	Resyncs int64 // full re-reads of ZooKeeper (after a reconnection, or a log trimmed unread)
}

// LogStats returns the counters of the change log.
func (s *Store) LogStats() LogStats {
	return LogStats{Written: s.stats.written.Load(), Read: s.stats.read.Load(), Found: s.stats.found.Load(),
		Resyncs: s.stats.resyncs.Load()}
}

// paths are the znodes of SPEC.md §5 under one root.
type paths struct {
	root, registrys, election, master, epoch, config, apps, adapters, objects string
	changes                                                                   string // the change log's root: one directory per writer
	myLog                                                                     string // this replica's log directory, under changes
}

func newPaths(root string) paths {
	return paths{root: root, registrys: root + "/Registrys", election: root + "/Election", master: root + "/Master",
		epoch: root + "/Epoch", config: root + "/Configuration", apps: root + "/Configuration/Applications",
		adapters: root + "/Adapters", objects: root + "/Objects", changes: root + "/Changes"}
}

// dir returns the directory of a kind of record.
func (p paths) dir(k store.Kind) string {
	switch k {
	case store.KindAdapter:
		return p.adapters
	case store.KindObject:
		return p.objects
	default:
		return p.apps
	}
}

// node returns the znode of a record: keys are escaped so that any adapter id or identity is a
// valid znode name ('/' and '%' become %2F and %25).
func (p paths) node(k store.Kind, key string) string { return p.dir(k) + "/" + url.PathEscape(key) }

// parse maps a znode path back to a record, ok false for other paths.
func (p paths) parse(path string) (store.Kind, string, bool) {
	for _, k := range []store.Kind{store.KindAdapter, store.KindObject, store.KindApplication} {
		if name, ok := strings.CutPrefix(path, p.dir(k)+"/"); ok && !strings.Contains(name, "/") {
			key, err := url.PathUnescape(name)
			if err != nil {
				return "", "", false
			}
			return k, key, true
		}
	}
	return "", "", false
}

// current returns the live session, or ErrUnavailable.
func (s *Store) current() (*session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess == nil || !s.sess.connected.Load() {
		return nil, fmt.Errorf("zk: no ZooKeeper session (%s): %w", s.state, store.ErrUnavailable)
	}
	return s.sess, nil
}

// unavailable wraps ZooKeeper errors that mean "try again later".
func unavailable(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, zk.ErrNoServer), errors.Is(err, zk.ErrConnectionClosed), errors.Is(err, zk.ErrSessionExpired),
		errors.Is(err, zk.ErrClosing), errors.Is(err, zk.ErrSessionMoved):
		return fmt.Errorf("zk: %s: %w: %w", op, store.ErrUnavailable, err)
	}
	return fmt.Errorf("zk: %s: %w", op, err)
}

// Load reads everything through the current session; without one it fails with
// ErrUnavailable (the caller then starts from its local cache).
func (s *Store) Load(ctx context.Context) (*store.Snapshot, error) {
	sess, err := s.current()
	if err != nil {
		return nil, err
	}
	return s.readAll(ctx, sess)
}

// PutAdapter stores a dynamically registered adapter.
func (s *Store) PutAdapter(ctx context.Context, a *store.Adapter) error {
	v, err := store.MarshalAdapter(a)
	if err != nil {
		return err
	}
	return s.put(ctx, store.KindAdapter, a.ID, v)
}

// DeleteAdapter removes an adapter.
func (s *Store) DeleteAdapter(ctx context.Context, id string) error {
	return s.del(ctx, store.KindAdapter, id)
}

// PutObject stores a well-known object.
func (s *Store) PutObject(ctx context.Context, o *store.Object) error {
	v, err := store.MarshalObject(o)
	if err != nil {
		return err
	}
	return s.put(ctx, store.KindObject, store.ObjectKey(o.Identity), v)
}

// DeleteObject removes a well-known object.
func (s *Store) DeleteObject(ctx context.Context, id encoding.Identity) error {
	return s.del(ctx, store.KindObject, store.ObjectKey(id))
}

// Get reads one record and watches it.
func (s *Store) Get(ctx context.Context, k store.Kind, key string) (any, error) {
	sess, err := s.current()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path := s.paths.node(k, key)
	if p, ok := s.applied.take(path); ok { // from a peer's log: no need to read it
		if p.deleted {
			s.batch.exists.Delete(path)
			return nil, nil
		}
		s.batch.exists.Store(path, true)
		return decode(k, key, p.data, nil)
	}
	data, stat, _, err := sess.conn.GetW(path)
	if errors.Is(err, zk.ErrNoNode) {
		s.applied.seen(path, 0)
		return nil, nil
	}
	if err != nil {
		return nil, unavailable("read", err)
	}
	s.applied.seen(path, stat.Mzxid)
	return decode(k, key, data, stat)
}

// decode turns znode content into a record; errors wrap store.ErrInvalidRecord.
func decode(k store.Kind, key string, data []byte, stat *zk.Stat) (any, error) {
	var v any
	var err error
	switch k {
	case store.KindAdapter:
		var a *store.Adapter
		if a, err = store.UnmarshalAdapter(data); err == nil && a.ID != key {
			err = fmt.Errorf("record names adapter %q", a.ID)
		}
		v = a
	case store.KindObject:
		var o *store.Object
		if o, err = store.UnmarshalObject(data); err == nil && store.ObjectKey(o.Identity) != key {
			err = fmt.Errorf("record names object %q", store.ObjectKey(o.Identity))
		}
		v = o
	default:
		v = &store.Application{Name: key, Descriptor: data, Revision: int(stat.Version) + 1}
	}
	if err != nil {
		return nil, fmt.Errorf("zk: %s %q: %w: %w", k, key, store.ErrInvalidRecord, err)
	}
	return v, nil
}

// Close ends the session: this replica's ephemeral znodes (membership, election, master)
// disappear at once, so a successor takes over without waiting for a timeout.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	sess := s.sess
	s.mu.Unlock()
	if sess != nil {
		sess.close()
	}
	return nil
}
