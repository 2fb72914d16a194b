// Package nodesession is the node's side of package nodeproto: it connects a `floe node`
// process to every registry replica and serves the registries' requests.
//
// The node registers with each replica it knows — the endpoints of its Ice.Default.Locator,
// plus the replicas the registries name — and keeps each session alive; it does not need a
// master. It runs the deployment of one replica at a time (the one whose session is oldest), so
// that replicas that are briefly out of step do not make it stop and start servers. Each
// deployment it runs is also written to <IceGrid.Node.Data>/deployment.json: a node that
// starts while no registry answers runs that last known deployment, so `always` servers start
// (IceGrid does not, GH#5368). Supervising the servers is package node's job.
package nodesession

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"floe/ice"
	"floe/internal/descriptor"
	"floe/internal/node"
	"floe/internal/nodeproto"
)

// Config configures an Agent.
type Config struct {
	Node *node.Node
	Comm *ice.Communicator
	// Locator is the node's Ice.Default.Locator: its category is the instance name and each of
	// its endpoints is a registry replica.
	Locator *ice.Proxy
	// Self is the proxy of this node's object (ObjectIdentity), which registries call.
	Self *ice.Proxy
	// BootWait bounds how long Run waits at start for a registry's deployment before it runs
	// the last known one; 0 means 5 s.
	BootWait time.Duration
	// Shutdown is called, once the node answered, when a registry asks the node to shut down
	// (admin "node shutdown"): `floe node` cancels what Run runs under, as SIGTERM does. Nil:
	// the node refuses.
	Shutdown func()
	Log      *slog.Logger
}

// Agent is a node's sessions with its registries. It is safe for concurrent use.
type Agent struct {
	cfg     Config
	log     *slog.Logger
	token   string // this run of the node process
	added   chan string
	applyMu sync.Mutex // serialises apply; taken before mu

	mu       sync.Mutex                       // guards the fields below
	sessions map[string]*session              // by target endpoints
	latest   map[string]*nodeproto.Deployment // newest deployment per replica name
	applied  string                           // hash of the deployment the node runs
	running  bool                             // a deployment (from a registry or the file) was applied
}

// ObjectIdentity is the identity of node name's object in grid instance.
func ObjectIdentity(instance, name string) ice.Identity {
	return ice.Identity{Category: instance, Name: nodeproto.NodeObjectPrefix + name}
}

// New returns an agent; it starts nothing until Run.
func New(cfg Config) *Agent {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.BootWait <= 0 {
		cfg.BootWait = 5 * time.Second
	}
	return &Agent{cfg: cfg, log: cfg.Log.With("component", "nodesession"), token: rand.Text(),
		added: make(chan string, 64), sessions: map[string]*session{}, latest: map[string]*nodeproto.Deployment{}}
}

func (a *Agent) name() string { return a.cfg.Node.Name() }

// Run keeps a session with every registry replica until ctx ends, then unregisters from them
// (best effort, 1 s) and returns once its goroutines have. It does not stop the servers:
// the caller shuts the node down after Run returns.
func (a *Agent) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	first := make(chan bool, 64)
	started := map[string]bool{}
	start := func(target string) {
		if started[target] || len(started) >= 64 {
			return
		}
		started[target] = true
		wg.Go(func() { a.keepSession(ctx, target, first) })
	}
	for _, ep := range a.cfg.Locator.Endpoints() {
		start(ep.String())
	}
	a.boot(ctx, first, len(started))
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case t := <-a.added:
			start(t)
		}
	}
}

// boot waits until a registry's deployment runs, every registry failed once, or BootWait
// passed; then, if nothing runs yet, it runs the last known deployment.
func (a *Agent) boot(ctx context.Context, first <-chan bool, targets int) {
	timer := time.NewTimer(a.cfg.BootWait)
	defer timer.Stop()
	for failed := 0; failed < targets; {
		select {
		case ok := <-first:
			if ok {
				return // a session registered and applied its deployment
			}
			failed++
		case <-timer.C:
			failed = targets
		case <-ctx.Done():
			return
		}
	}
	a.runLastKnown()
}

// registration is what this node sends to register.
func (a *Agent) registration() nodeproto.Registration {
	return nodeproto.Registration{Name: a.name(), Token: a.token, Proxy: a.cfg.Self.String(),
		Info: nodeproto.InfoOf(a.cfg.Node.Info(a.name()))}
}

// learn starts sessions with replicas a registry told about.
func (a *Agent) learn(replicas []string) {
	for _, r := range replicas {
		p, err := a.registryProxy(r)
		if err != nil {
			continue
		}
		t := normalize(p)
		a.mu.Lock()
		_, known := a.sessions[t]
		a.mu.Unlock()
		if known {
			continue
		}
		select {
		case a.added <- t:
		default:
		}
	}
}

// registryProxy returns the FloeNodeRegistry object at the given endpoints.
func (a *Agent) registryProxy(endpoints string) (*ice.Proxy, error) {
	p, err := a.cfg.Comm.StringToProxy("x:" + endpoints)
	if err != nil {
		return nil, fmt.Errorf("nodesession: registry endpoints %q: %w", endpoints, err)
	}
	id := ice.Identity{Category: a.cfg.Locator.Identity().Category, Name: nodeproto.RegistryObject}
	return p.WithIdentity(id).WithLocator(nil), nil
}

// descriptorNode returns this node's ${node.*} values.
func (a *Agent) descriptorNode() descriptor.Node { return a.cfg.Node.Info(a.name()) }
