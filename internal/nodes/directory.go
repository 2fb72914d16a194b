// Package nodes is a registry's side of its nodes: the collocated node, in the registry's own
// process (IceGrid.Node.CollocateRegistry=1), and `floe node` processes, which register with
// every replica over package nodeproto. A Directory implements registry.Deployer — it hands
// each node the applications that place servers on it and sends an activation to the server's
// node — and registry.LiveUpdater (updates without restart, live.go), and serves the HTTP API's
// node and server operations wherever the server runs. It forgets a remote node that misses its
// keep-alives for the session timeout; that node's servers then report the state Unknown until
// it registers again.
//
// Supervising processes is package node's job; the node's end of the protocol is package
// nodesession's.
package nodes

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"floe/ice"
	"floe/internal/descriptor"
	"floe/internal/node"
	"floe/internal/nodeproto"
	"floe/internal/registry"
)

// Errors of the directory; package httpapi maps them to status codes.
var (
	ErrNodeUnreachable = errors.New("nodes: node unreachable")
	ErrNodeActive      = errors.New("nodes: node already active")
	ErrNodeNotFound    = errors.New("no such node")
)

// Unknown is the state reported for a server whose node is not reachable.
const Unknown node.State = "Unknown"

// Config configures a Directory.
type Config struct {
	Replica string            // this replica's name (IceGrid.Registry.ReplicaName)
	Comm    *ice.Communicator // calls to remote nodes
	Local   *node.Node        // the collocated node, or nil
	// Timeout is IceGrid.Registry.NodeSessionTimeout: a remote node that has not kept its
	// session alive for this long is forgotten.
	Timeout time.Duration
	// Replicas returns the client endpoints of every live replica, which nodes learn at
	// registration; nil gives an empty list (a node then uses its Ice.Default.Locator only).
	Replicas func(ctx context.Context) ([]string, error)
	// ShutdownLocal ends the process of the registry and its collocated node, as icegridnode
	// 3.7.8 exits whole when admin "node shutdown" names its collocated node; nil: Shutdown
	// refuses for the collocated node.
	ShutdownLocal func()
	Log           *slog.Logger
}

// Directory is the registry's view of its nodes. It is safe for concurrent use.
type Directory struct {
	cfg  Config
	log  *slog.Logger
	boot string // identifies this run of the registry in deployments
	kick chan struct{}
	// deployMu orders Deploy calls, so that the collocated node gets deployments in order;
	// taken before mu.
	deployMu sync.Mutex

	mu       sync.Mutex // guards the fields below
	dep      *registry.Deployment
	placed   map[string]string // server id → node name
	remote   map[string]*remote
	replicas []string
}

// remote is a registered `floe node` process.
type remote struct {
	name, token string
	proxy       *ice.Proxy
	info        nodeproto.NodeInfo
	load        *node.Load // from the last keep-alive, nil before the first
	nproc       int
	seen        time.Time
	sent        uint64 // generation of the deployment last delivered
	sentHash    string // and what it held
	pushing     bool
}

// New returns a directory; it starts nothing until Run.
func New(cfg Config) *Directory {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Directory{cfg: cfg, log: cfg.Log.With("component", "nodes"), boot: rand.Text(), kick: make(chan struct{}, 1),
		dep: &registry.Deployment{}, placed: map[string]string{}, remote: map[string]*remote{}}
}

// Run delivers deployments to remote nodes, forgets silent ones and refreshes the replica list,
// until ctx ends; it returns once its goroutines have.
func (d *Directory) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	d.refreshReplicas(ctx)
	for ticks := 0; ; {
		select {
		case <-ctx.Done():
			return nil
		case <-d.kick:
		case <-tick.C:
			d.expire()
			if ticks++; ticks%2 == 0 {
				d.refreshReplicas(ctx) // every 2 s
			}
		}
		for _, p := range d.duePushes() {
			wg.Go(func() { d.push(ctx, p) })
		}
	}
}

func (d *Directory) wake() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Info returns the ${node.*} values of a node, for expanding descriptors: what a registered
// remote node told, else the collocated node's (as before remote nodes existed), else only
// the name.
func (d *Directory) Info(name string) descriptor.Node {
	d.mu.Lock()
	r := d.remote[name]
	d.mu.Unlock()
	switch {
	case r != nil:
		return r.info.Node(name)
	case d.cfg.Local != nil:
		return d.cfg.Local.Info(name)
	}
	return descriptor.Node{Name: name}
}

// Deploy implements registry.Deployer: it keeps the newest deployment, gives the collocated
// node its servers and has Run deliver the rest.
func (d *Directory) Deploy(dep *registry.Deployment) {
	d.deployMu.Lock()
	defer d.deployMu.Unlock()
	d.mu.Lock()
	if dep.Generation < d.dep.Generation {
		d.mu.Unlock()
		return
	}
	d.dep = dep
	d.placed = make(map[string]string, len(dep.Servers))
	for _, s := range dep.Servers {
		d.placed[s.ID] = s.Node
	}
	d.mu.Unlock()
	if d.cfg.Local != nil {
		d.cfg.Local.Deploy(dep.Servers)
	}
	d.wake()
}

// deploymentLocked returns what node name runs, with its hash. d.mu must be held.
func (d *Directory) deploymentLocked(name string) (nodeproto.Deployment, string) {
	apps := map[string]bool{}
	for _, s := range d.dep.Servers {
		if s.Node == name {
			apps[s.Application] = true
		}
	}
	out := nodeproto.Deployment{Replica: d.cfg.Replica, Boot: d.boot, Generation: d.dep.Generation,
		Applications: []nodeproto.Application{}}
	for _, name := range sortedKeys(apps) {
		if a, ok := d.dep.Applications[name]; ok {
			out.Applications = append(out.Applications,
				nodeproto.Application{Name: a.Name, Revision: a.Revision, Descriptor: string(a.Descriptor)})
		}
	}
	return out, out.Hash()
}

// pending is one deployment to deliver.
type pending struct {
	r   *remote
	dep nodeproto.Deployment
	h   string
}

// duePushes marks and returns the remote nodes whose deployment changed since they last got one.
func (d *Directory) duePushes() []pending {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []pending
	for _, r := range d.remote {
		if r.pushing || r.sent >= d.dep.Generation {
			continue
		}
		dep, h := d.deploymentLocked(r.name)
		if h == r.sentHash {
			r.sent = dep.Generation
			continue
		}
		r.pushing = true
		out = append(out, pending{r, dep, h})
	}
	return out
}

// push delivers one deployment; a failure is retried at the next tick.
func (d *Directory) push(ctx context.Context, p pending) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := nodeproto.Invoke(cctx, p.r.proxy, nodeproto.OpDeploy, p.dep, nil)
	cancel()
	d.mu.Lock()
	p.r.pushing = false
	if err == nil {
		p.r.sent, p.r.sentHash = p.dep.Generation, p.h
	}
	d.mu.Unlock()
	if err != nil {
		d.log.WarnContext(ctx, "cannot deliver the deployment to a node", "node", p.r.name, "err", err)
		return
	}
	d.log.InfoContext(ctx, "deployment delivered to a node", "node", p.r.name, "applications", len(p.dep.Applications))
	d.wake() // it may have changed meanwhile
}

// expire forgets the remote nodes that missed their keep-alives.
func (d *Directory) expire() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for name, r := range d.remote {
		if time.Since(r.seen) > d.cfg.Timeout {
			delete(d.remote, name)
			d.log.Warn("node lost: no keep-alive within the session timeout", "node", name, "timeout", d.cfg.Timeout)
		}
	}
}

func (d *Directory) refreshReplicas(ctx context.Context) {
	if d.cfg.Replicas == nil {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	eps, err := d.cfg.Replicas(cctx)
	if err != nil {
		return // keep the last list
	}
	d.mu.Lock()
	d.replicas = eps
	d.mu.Unlock()
}

// nodeOf returns the node a server is placed on.
func (d *Directory) nodeOf(id string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, ok := d.placed[id]
	if !ok {
		return "", fmt.Errorf("%w: %q", registry.ErrServerNotFound, id)
	}
	return n, nil
}

// target returns where server id runs: the collocated node, or a remote node's proxy.
func (d *Directory) target(id string) (*node.Node, *ice.Proxy, error) {
	name, err := d.nodeOf(id)
	if err != nil {
		return nil, nil, err
	}
	return d.resolve(name, true)
}
