// Package node activates and supervises the servers that applications deploy on a node: it
// writes each server's generated configuration files under <IceGrid.Node.Data>/servers/<id>/,
// starts the process in its own process group, restarts `always` servers with exponential
// back-off, and stops servers as icegridnode does — Ice::Process.shutdown, then SIGTERM, then
// SIGKILL to the whole group after the deactivation timeout; for an update without restart it
// pushes changed properties into running servers through their admin object (live.go). It runs
// inside a registry (IceGrid.Node.CollocateRegistry=1), where package nodes hands it its
// servers, or in `floe node`, where package nodesession does; what to deploy comes from package
// descriptor. It knows nothing of registries and keeps working without one.
package node

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"floe/ice"
	"floe/ice/reference"
	"floe/internal/descriptor"
)

// Config configures a Node.
type Config struct {
	Name      string // IceGrid.Node.Name
	DataDir   string // IceGrid.Node.Data (absolute)
	Locator   string // Ice.Default.Locator given to servers
	OutputDir string // IceGrid.Node.Output; "" inherits the node's stdout/stderr
	// RedirectErrToOut is IceGrid.Node.RedirectErrToOut: stderr goes to <id>.out too.
	RedirectErrToOut bool
	// WaitTime is IceGrid.Node.WaitTime: the activation timeout of servers whose descriptor
	// sets none; 0 means DefaultWaitTime.
	WaitTime time.Duration
	// DisableOnFailure is IceGrid.Node.DisableOnFailure: after a server fails (non-zero exit
	// it was not asked for), 0 keeps it enabled, < 0 disables it until enabled by hand, > 0
	// disables it for that long.
	DisableOnFailure time.Duration
	// DeactivationTimeout is how long a server that has no deactivation-timeout in its
	// descriptor gets to stop before SIGKILL; 0 means 10 s.
	DeactivationTimeout time.Duration
	Comm                *ice.Communicator
	Log                 *slog.Logger
}

// Node supervises the servers deployed on it. It is safe for concurrent use.
type Node struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	servers  map[string]*server
	sessions map[string]string // server id → the user id of the client session that owns it (session.go)
	closed   bool
	wg       sync.WaitGroup // supervision goroutines

	load loadSampler
}

// New returns a node; it starts nothing until servers are deployed.
func New(cfg Config) (*Node, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("node: data directory: %w", err)
	}
	return &Node{cfg: cfg, log: cfg.Log.With("component", "node", "node", cfg.Name), servers: map[string]*server{},
		sessions: map[string]string{}}, nil
}

// Info returns the values of the ${node.*} variables for this node.
func (n *Node) Info(name string) descriptor.Node {
	p := platform()
	return descriptor.Node{Name: name, OS: p.OS, Hostname: p.Hostname, Release: p.Release, Version: p.Version,
		Machine: p.Machine, DataDir: n.cfg.DataDir, Locator: n.cfg.Locator, OutputDir: n.cfg.OutputDir,
		RedirectErrToOut: n.cfg.RedirectErrToOut}
}

// Deploy implements registry.Deployer: it adds the servers placed on this node, restarts the
// running ones whose configuration changed, and stops and forgets the ones no longer deployed.
func (n *Node) Deploy(all []*descriptor.Server) {
	want := map[string]*descriptor.Server{}
	for _, s := range all {
		if s.Node == n.cfg.Name {
			want[s.ID] = s
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	for id, s := range n.servers {
		if _, ok := want[id]; !ok {
			delete(n.servers, id)
			n.wg.Go(s.destroy)
		}
	}
	for id, spec := range want {
		spec = n.forSession(spec, n.sessions[id])
		s := n.servers[id]
		changed := false
		if s == nil {
			s = newServer(n, spec, n.sessions[id])
			n.servers[id] = s
		} else {
			changed = s.update(spec)
		}
		// As IceGrid's node: a running server whose descriptor changed is stopped; only an
		// `always` server comes back at once (on-demand and session servers on their next
		// activation, manual ones when started).
		switch {
		case s.activation() == "always":
			if changed {
				n.wg.Go(func() { s.restart("its descriptor changed") })
			}
			s.supervise()
		case changed:
			n.wg.Go(func() { s.stop(context.Background(), "its descriptor changed") })
		}
	}
}

// Activate implements registry.Deployer.
func (n *Node) Activate(ctx context.Context, id string) error {
	s := n.server(id)
	if s == nil {
		return fmt.Errorf("node: server %q is not deployed on %s", id, n.cfg.Name)
	}
	return s.start(ctx)
}

// SetProcess implements registry.Deployer.
func (n *Node) SetProcess(id string, proxy *reference.Reference) error {
	s := n.server(id)
	if s == nil {
		return fmt.Errorf("node: server %q is not deployed on %s", id, n.cfg.Name)
	}
	s.setProcess(proxy)
	return nil
}

func (n *Node) server(id string) *server {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.servers[id]
}

// ServerStatus describes one server for the API.
type ServerStatus struct {
	ID         string `json:"id"`
	Node       string `json:"node"`
	State      State  `json:"state"`
	PID        int    `json:"pid,omitempty"`
	Activation string `json:"activation"`
	Exe        string `json:"exe"`
	Enabled    bool   `json:"enabled"`
}

// SetEnabled enables or disables a server (admin "server enable|disable"); a disabled server
// is not activated, on demand or by hand.
func (n *Node) SetEnabled(id string, on bool) error {
	s := n.server(id)
	if s == nil {
		return fmt.Errorf("node: server %q is not deployed on %s", id, n.cfg.Name)
	}
	s.setEnabled(on)
	return nil
}

// Enabled implements registry.Deployer. A server this node does not run counts as enabled.
func (n *Node) Enabled(id string) bool {
	s := n.server(id)
	if s == nil {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.isDisabledLocked()
}

// DeactivationTimeout is how long a server gets to stop when its descriptor does not say.
func (n *Node) DeactivationTimeout() time.Duration {
	if n.cfg.DeactivationTimeout > 0 {
		return n.cfg.DeactivationTimeout
	}
	return 10 * time.Second
}

// Name returns the node's name.
func (n *Node) Name() string { return n.cfg.Name }

// Status returns every server's status, sorted by id.
func (n *Node) Status() []ServerStatus {
	n.mu.Lock()
	list := make([]*server, 0, len(n.servers))
	for _, s := range n.servers {
		list = append(list, s)
	}
	n.mu.Unlock()
	out := make([]ServerStatus, 0, len(list))
	for _, s := range list {
		out = append(out, s.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Start activates a server whatever its activation mode and waits until it is Active (admin
// "server start"); errors of a start that failed wrap ErrStart.
func (n *Node) Start(ctx context.Context, id string) error {
	s := n.server(id)
	if s == nil {
		return fmt.Errorf("node: server %q is not deployed on %s", id, n.cfg.Name)
	}
	return s.startAndWait(ctx)
}

// Servers returns the state of every server, by id.
func (n *Node) Servers() map[string]State {
	n.mu.Lock()
	list := make([]*server, 0, len(n.servers))
	for _, s := range n.servers {
		list = append(list, s)
	}
	n.mu.Unlock()
	out := map[string]State{}
	for _, s := range list {
		out[s.id] = s.status()
	}
	return out
}

// Stop deactivates one server.
func (n *Node) Stop(ctx context.Context, id string) error {
	s := n.server(id)
	if s == nil {
		return fmt.Errorf("node: server %q is not deployed on %s", id, n.cfg.Name)
	}
	s.stop(ctx, "stopped by request")
	return nil
}

// Shutdown stops every server (even with no registry reachable) and waits for the node's
// goroutines, bounded by ctx.
func (n *Node) Shutdown(ctx context.Context) {
	n.mu.Lock()
	n.closed = true
	list := make([]*server, 0, len(n.servers))
	for _, s := range n.servers {
		list = append(list, s)
	}
	n.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range list {
		wg.Go(func() { s.stop(ctx, "node shutting down") })
	}
	wg.Wait()
	done := make(chan struct{})
	go func() { n.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
	}
}
