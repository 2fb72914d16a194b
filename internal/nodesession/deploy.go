package nodesession

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"floe/internal/descriptor"
	"floe/internal/node"
	"floe/internal/nodeproto"
)

// lastKnownFile is the deployment this node last ran, in its data directory.
const lastKnownFile = "deployment.json"

// received records a deployment from a replica (in a session's registration or pushed by
// deploy) unless an equal or newer one from the same run of that replica is already known,
// then runs the primary session's deployment.
func (a *Agent) received(d *nodeproto.Deployment) {
	a.mu.Lock()
	if old := a.latest[d.Replica]; old == nil || old.Boot != d.Boot || d.Generation > old.Generation {
		a.latest[d.Replica] = d
	}
	a.mu.Unlock()
	a.reconcile()
}

// reconcile runs the deployment of the primary session — the oldest registered one — if it
// differs from what runs.
func (a *Agent) reconcile() {
	a.applyMu.Lock()
	defer a.applyMu.Unlock()
	a.mu.Lock()
	var primary *session
	for _, s := range a.sessions {
		if s.replica != "" && (primary == nil || s.since.Before(primary.since)) {
			primary = s
		}
	}
	var d *nodeproto.Deployment
	if primary != nil {
		d = a.latest[primary.replica]
	}
	if d == nil || d.Hash() == a.applied {
		a.mu.Unlock()
		return
	}
	a.applied, a.running = d.Hash(), true
	a.mu.Unlock()
	a.log.Info("running the deployment of a registry", "replica", d.Replica, "generation", d.Generation,
		"applications", len(d.Applications))
	a.apply(d)
	if err := a.save(d); err != nil {
		a.log.Warn("cannot keep a copy of the deployment", "err", err)
	}
}

// runLastKnown runs the deployment saved by a previous run, unless one from a registry runs.
func (a *Agent) runLastKnown() {
	a.applyMu.Lock()
	defer a.applyMu.Unlock()
	a.mu.Lock()
	running := a.running
	a.mu.Unlock()
	if running {
		return
	}
	d, err := a.load()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		a.log.Warn("no registry reachable and no deployment known yet: waiting for a registry")
		return
	case err != nil:
		a.log.Error("no registry reachable and the last known deployment cannot be read", "err", err)
		return
	}
	a.mu.Lock()
	a.applied, a.running = d.Hash(), true
	a.mu.Unlock()
	a.log.Warn("no registry reachable: running the last known deployment", "replica", d.Replica,
		"generation", d.Generation, "applications", len(d.Applications))
	a.apply(d)
}

// apply expands the applications with this node's values and hands the node its servers.
// The registry validated the same descriptors with the same code, so an application that
// does not expand here is unexpected: it is logged and its servers are left out.
func (a *Agent) apply(d *nodeproto.Deployment) {
	var mine []*descriptor.Server
	for _, app := range d.Applications {
		servers, err := a.expand(app)
		if err != nil {
			a.log.Error("cannot expand an application", "application", app.Name, "err", err)
			continue
		}
		mine = append(mine, servers...)
	}
	a.cfg.Node.Deploy(mine)
}

// updateLive runs a no-restart update on the node (node.Node.UpdateLive): the application
// expanded here, as its deployment will be, so that the servers updated live are up to date
// when it comes.
func (a *Agent) updateLive(ctx context.Context, u *nodeproto.LiveUpdate) map[string]string {
	servers, err := a.expand(u.Application)
	if err != nil {
		refused := map[string]string{}
		for _, id := range u.Updated {
			refused[id] = "cannot expand the application on the node: " + err.Error()
		}
		return refused
	}
	var updated []*descriptor.Server
	for _, id := range u.Updated {
		i := slices.IndexFunc(servers, func(s *descriptor.Server) bool { return s.ID == id })
		if i < 0 {
			return map[string]string{id: "the server is not on this node in the application"}
		}
		updated = append(updated, servers[i])
	}
	return a.cfg.Node.UpdateLive(ctx, updated, u.Removed, u.Apply)
}

// expand returns the servers an application places on this node.
func (a *Agent) expand(app nodeproto.Application) ([]*descriptor.Server, error) {
	doc, err := descriptor.ParseDocument(app.Name+".xml", []byte(app.Descriptor))
	if err != nil {
		return nil, err
	}
	x, err := descriptor.Expand(doc.App, descriptor.WithSource(doc.Source),
		descriptor.WithNode(func(string) descriptor.Node { return a.descriptorNode() }))
	if err != nil {
		return nil, err
	}
	var out []*descriptor.Server
	for _, s := range x.Servers {
		if s.Node == a.name() {
			out = append(out, s)
		}
	}
	return out, nil
}

func (a *Agent) path() string { return filepath.Join(a.descriptorNode().DataDir, lastKnownFile) }

// save writes d as the last known deployment (atomically: a crash leaves the old or the new).
func (a *Agent) save(d *nodeproto.Deployment) error {
	return node.WriteFileAtomic(a.path(), []byte(nodeproto.Encode(d)))
}

// load reads the last known deployment.
func (a *Agent) load() (*nodeproto.Deployment, error) {
	b, err := os.ReadFile(a.path())
	if err != nil {
		return nil, err
	}
	var d nodeproto.Deployment
	if err := nodeproto.Decode(string(b), &d); err != nil {
		return nil, fmt.Errorf("%s: %w", a.path(), err)
	}
	return &d, nil
}
