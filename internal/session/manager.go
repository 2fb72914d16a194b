// Package session serves IceGrid's client sessions, as IceGrid 3.7's registry does
// (RegistryI::createSession, SessionI, ReapThread): Create checks the user's password with the
// configured permissions verifier and makes a session bound to the connection that asked for
// it; a session lives until it is destroyed, its connection closes, or it is not kept alive
// (keepAlive, or a heartbeat on its connection) for the session timeout. A session
// allocates objects from package allocation, waiting up to its allocation timeout, and what it
// holds is released when it ends. The changes of owner of `session` servers are taken to their
// nodes (Nodes.SetSession) before the allocation, release or destruction that caused them is
// answered, as IceGrid's registry reloads the server on its node first.
//
// The Ice servant that decodes a session's requests is package locator's SessionServant; the
// allocation rules are package allocation's.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"floe/ice"
	"floe/internal/allocation"
)

// Errors of sessions; package locator maps them to Ice exceptions.
var (
	// ErrDestroyed is a request to a session that was destroyed (ObjectNotExistException).
	ErrDestroyed = errors.New("session: destroyed")
)

// PermissionDeniedError is IceGrid's PermissionDeniedException: a session that was not created,
// with IceGrid's reason.
type PermissionDeniedError struct{ Reason string }

func (e *PermissionDeniedError) Error() string { return "session: permission denied: " + e.Reason }

// Nodes gives `session` servers to client sessions on their nodes (package nodes).
type Nodes interface {
	// SetSession gives server to the session of user id session ("" takes it back, stopping
	// it); it returns once the node did.
	SetSession(ctx context.Context, server, session string) error
}

// Config configures a Manager.
type Config struct {
	InstanceName string // the category of the sessions' identities
	Table        *allocation.Table
	Nodes        Nodes // nil: no nodes
	// Verifier checks passwords (IceGrid.Registry.PermissionsVerifier); nil denies every
	// session, as IceGrid does without a verifier.
	Verifier Verifier
	// SSLVerifier tells whether IceGrid.Registry.SSLPermissionsVerifier is set; Floe serves no
	// ssl connection, so a session from a secure connection is never created either way.
	SSLVerifier bool
	// Timeout is IceGrid.Registry.SessionTimeout: a session not kept alive for this long is
	// destroyed; 0 never, less than 10 s counts as 10 s (IceGrid's minimum).
	Timeout time.Duration
	// Master tells whether this registry is the master; nil: it is. Only the master creates
	// sessions, as in IceGrid.
	Master func() bool
	// Adapter hosts the sessions' servants (the registry's Client adapter), made by Servant
	// (package locator's SessionServant).
	Adapter Adapter
	Servant func(*Session) ice.Object
	Log     *slog.Logger
}

// Adapter is the part of *ice.ObjectAdapter that hosts the sessions' servants.
type Adapter interface {
	Add(obj ice.Object, id ice.Identity) (*ice.Proxy, error)
	Remove(id ice.Identity)
}

// applyTimeout bounds taking a change of owner to a node (which may stop the server).
const applyTimeout = 2 * time.Minute

// Manager holds the client sessions of a registry. It is safe for concurrent use.
type Manager struct {
	cfg     Config
	log     *slog.Logger
	applyMu sync.Mutex // serialises apply, so that the nodes get the changes in order
	wake    chan struct{}

	mu       sync.Mutex // guards the fields below
	sessions map[ice.Identity]*Session
	byConn   map[*ice.Connection]map[*Session]bool // the sessions of each connection (ReapThread's _connections)
	doomed   []*Session                            // whose connection closed, for Run to destroy
}

// New returns a manager; nothing is reaped until Run.
func New(cfg Config) *Manager {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout > 0 && cfg.Timeout < 10*time.Second {
		cfg.Timeout = 10 * time.Second
	}
	return &Manager{cfg: cfg, log: cfg.Log.With("component", "session"), wake: make(chan struct{}, 1),
		sessions: map[ice.Identity]*Session{}, byConn: map[*ice.Connection]map[*Session]bool{}}
}

// Create is Registry.createSession: it checks, in IceGrid's order, that this registry is the
// master, that a verifier is configured, that user is not empty and that the verifier accepts
// the password, then creates a session bound to conn. Refusals are *PermissionDeniedError.
func (m *Manager) Create(ctx context.Context, conn *ice.Connection, user, password string) (*ice.Proxy, error) {
	if err := m.checkMaster(); err != nil {
		return nil, err
	}
	if m.cfg.Verifier == nil {
		return nil, &PermissionDeniedError{Reason: "no permissions verifier configured, use the property\n" +
			"`IceGrid.Registry.PermissionsVerifier' to configure\na permissions verifier."}
	}
	if user == "" {
		return nil, &PermissionDeniedError{Reason: "empty user id"}
	}
	ok, reason, err := m.cfg.Verifier.CheckPermissions(ctx, user, password)
	var denied *PermissionDeniedError
	switch {
	case errors.As(err, &denied):
		return nil, denied
	case err != nil:
		m.log.WarnContext(ctx, "permissions verifier failed", "user", user, "err", err)
		return nil, &PermissionDeniedError{Reason: "internal server error"}
	case !ok:
		return nil, &PermissionDeniedError{Reason: reason}
	}
	return m.add(user, conn)
}

// CreateFromSecureConnection is Registry.createSessionFromSecureConnection. Floe serves no ssl
// connection, so it is refused with IceGrid's reason for the case: no verifier configured, or
// "not ssl connection".
func (m *Manager) CreateFromSecureConnection() error {
	if err := m.checkMaster(); err != nil {
		return err
	}
	if !m.cfg.SSLVerifier {
		return &PermissionDeniedError{Reason: "no ssl permissions verifier configured, use the property\n" +
			"`IceGrid.Registry.SSLPermissionsVerifier' to configure\na permissions verifier."}
	}
	return &PermissionDeniedError{Reason: "not ssl connection"}
}

func (m *Manager) checkMaster() error {
	if m.cfg.Master != nil && !m.cfg.Master() {
		return &PermissionDeniedError{Reason: "client session creation is only allowed with the master registry."}
	}
	return nil
}

// add creates a session of user bound to conn and returns its proxy: identity
// <instance>/<UUID> on the Client endpoints, as IceGrid's SessionServantManager.
func (m *Manager) add(user string, conn *ice.Connection) (*ice.Proxy, error) {
	s := &Session{m: m, id: ice.Identity{Category: m.cfg.InstanceName, Name: ice.NewUUID()}, conn: conn,
		owner: &allocation.Owner{User: user}, seen: time.Now(), allocTimeout: -1}
	proxy, err := m.cfg.Adapter.Add(m.cfg.Servant(s), s.id)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	m.mu.Lock()
	m.sessions[s.id] = s
	watch := conn != nil && m.byConn[conn] == nil
	if conn != nil {
		if watch {
			m.byConn[conn] = map[*Session]bool{}
		}
		m.byConn[conn][s] = true
	}
	m.mu.Unlock()
	if watch {
		conn.OnHeartbeat(m.heartbeat)
		conn.OnClose(m.closed)
	}
	m.log.Info("client session created", "user", user, "session", s.id.Name)
	return proxy, nil
}

// heartbeat keeps the sessions of a connection alive when the peer sends a heartbeat (IceGrid's
// ReapThread::connectionHeartbeat). It runs on the connection's goroutine.
func (m *Manager) heartbeat(conn *ice.Connection) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s := range m.byConn[conn] {
		s.touch()
	}
}

// closed hands the sessions of a connection that closed to Run, which destroys them (IceGrid's
// ReapThread::connectionClosed). It runs on the connection's goroutine and must not block.
func (m *Manager) closed(conn *ice.Connection) {
	m.mu.Lock()
	for s := range m.byConn[conn] {
		m.doomed = append(m.doomed, s)
	}
	delete(m.byConn, conn)
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Run destroys the sessions whose connection closed or that expired, and takes the changes of
// owner that deployments made to the nodes, until ctx ends; it then destroys every session
// without telling the nodes (they stop their servers themselves) and returns.
func (m *Manager) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			m.shutdown()
			return nil
		case <-m.wake:
		case <-tick.C:
		}
		m.mu.Lock()
		doomed := m.doomed
		m.doomed = nil
		for _, s := range m.sessions {
			if s.expired(m.cfg.Timeout) {
				doomed = append(doomed, s)
			}
		}
		m.mu.Unlock()
		for _, s := range doomed {
			if s.end() {
				m.log.InfoContext(ctx, "client session reaped", "user", s.owner.User, "session", s.id.Name)
			}
		}
		m.apply(ctx)
	}
}

// shutdown destroys every session; their allocations go, but no node is told.
func (m *Manager) shutdown() {
	m.mu.Lock()
	all := make([]*Session, 0, len(m.sessions))
	for _, s := range m.sessions {
		all = append(all, s)
	}
	m.mu.Unlock()
	for _, s := range all {
		s.end()
	}
	m.cfg.Table.TakeChanges()
}

// remove forgets a destroyed session and its servant.
func (m *Manager) remove(s *Session) {
	m.mu.Lock()
	delete(m.sessions, s.id)
	delete(m.byConn[s.conn], s)
	m.mu.Unlock()
	m.cfg.Adapter.Remove(s.id)
}

// apply takes the allocation table's changes of owner to the servers' nodes, in order.
func (m *Manager) apply(ctx context.Context) {
	m.applyMu.Lock()
	defer m.applyMu.Unlock()
	changes := m.cfg.Table.TakeChanges()
	if len(changes) == 0 || m.cfg.Nodes == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), applyTimeout)
	defer cancel()
	for _, c := range changes {
		user := ""
		if c.Owner != nil {
			user = c.Owner.User
		}
		if err := m.cfg.Nodes.SetSession(ctx, c.Server, user); err != nil {
			m.log.WarnContext(ctx, "cannot give a session server to its session on its node", "server", c.Server,
				"session", user, "err", err)
		}
	}
}
