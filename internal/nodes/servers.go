package nodes

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"floe/ice"
	"floe/ice/reference"
	"floe/internal/descriptor"
	"floe/internal/node"
	"floe/internal/nodeproto"
	"floe/internal/registry"
)

// callTimeout bounds the calls to remote nodes that do not say otherwise.
const callTimeout = 5 * time.Second

// Activate implements registry.Deployer: it asks the server's node to start it.
func (d *Directory) Activate(ctx context.Context, id string) error { return d.Start(ctx, id) }

// SetProcess implements registry.Deployer: the server's node gets the Process proxy it
// registered, to stop it gracefully. A server whose node cannot be reached (a registry that
// just restarted, before the node registered again) is not refused: its node stops it with
// SIGTERM instead.
func (d *Directory) SetProcess(id string, proxy *reference.Reference) error {
	local, p, err := d.target(id)
	if err == nil && local != nil {
		return local.SetProcess(id, proxy)
	}
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		err = d.call(ctx, p, nodeproto.OpSetProcess, nodeproto.ServerCommand{Server: id, Proxy: proxy.String()}, nil)
	}
	if errors.Is(err, ErrNodeUnreachable) {
		d.log.Info("Process proxy of a server whose node cannot be reached: not forwarded", "server", id, "err", err)
		return nil
	}
	return err
}

// Start starts a server on its node, whatever its activation mode (admin "server start").
func (d *Directory) Start(ctx context.Context, id string) error {
	local, p, err := d.target(id)
	switch {
	case err != nil:
		return err
	case local != nil:
		return local.Start(ctx, id)
	}
	return d.call(ctx, p, nodeproto.OpStart, nodeproto.ServerCommand{Server: id}, nil)
}

// Stop stops a server on its node.
func (d *Directory) Stop(ctx context.Context, id string) error {
	local, p, err := d.target(id)
	switch {
	case err != nil:
		return err
	case local != nil:
		return local.Stop(ctx, id)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute) // the node bounds it by the deactivation timeout
	defer cancel()
	return d.call(ctx, p, nodeproto.OpStop, nodeproto.ServerCommand{Server: id}, nil)
}

// SetSession gives a `session` server to the client session of user id session, or with ""
// takes it back, on the server's node (node.Node.SetSession); it returns once the node did,
// having stopped the server if its session changed while it ran.
func (d *Directory) SetSession(ctx context.Context, id, session string) error {
	local, p, err := d.target(id)
	switch {
	case err != nil:
		return err
	case local != nil:
		return local.SetSession(ctx, id, session)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute) // the node bounds a stop by the deactivation timeout
	defer cancel()
	return d.call(ctx, p, nodeproto.OpSetSession, nodeproto.ServerCommand{Server: id, Session: session}, nil)
}

// SetEnabled enables or disables a server on its node.
func (d *Directory) SetEnabled(ctx context.Context, id string, on bool) error {
	local, p, err := d.target(id)
	switch {
	case err != nil:
		return err
	case local != nil:
		return local.SetEnabled(id, on)
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return d.call(ctx, p, nodeproto.OpSetEnabled, nodeproto.ServerCommand{Server: id, Enabled: on}, nil)
}

// call invokes op on a remote node (result nil: none expected). The node's own refusals
// ("disabled", no output file) come back as Ice UnknownExceptions carrying its message, which
// is what the caller sees; failing to reach it is ErrNodeUnreachable.
func (d *Directory) call(ctx context.Context, p *ice.Proxy, op string, arg any, result nodeproto.Message) error {
	err := nodeproto.Invoke(ctx, p, op, arg, result)
	var ue *ice.UnknownError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ue) && strings.Contains(ue.Text, node.ErrNoOutput.Error()):
		return fmt.Errorf("%w: %s", node.ErrNoOutput, ue.Text)
	case errors.As(err, &ue):
		return errors.New(ue.Text)
	}
	if cmd, ok := arg.(nodeproto.ServerCommand); ok {
		return fmt.Errorf("%w: %s server %q: %w", ErrNodeUnreachable, op, cmd.Server, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrNodeUnreachable, op, err)
}

// Server returns one server's status.
func (d *Directory) Server(ctx context.Context, id string) (node.ServerStatus, error) {
	name, err := d.nodeOf(id)
	if err != nil {
		return node.ServerStatus{}, err
	}
	for _, s := range d.nodeServers(ctx, name) {
		if s.ID == id {
			return s, nil
		}
	}
	return d.unknown(id, name), nil
}

// Servers returns every deployed server's status, sorted by id; servers of unreachable nodes
// are in state Unknown.
func (d *Directory) Servers(ctx context.Context) []node.ServerStatus {
	names := map[string]bool{}
	d.mu.Lock()
	for _, n := range d.placed {
		names[n] = true
	}
	d.mu.Unlock()
	var mu sync.Mutex
	got := map[string]node.ServerStatus{}
	var wg sync.WaitGroup
	for name := range names {
		wg.Go(func() {
			list := d.nodeServers(ctx, name)
			mu.Lock()
			defer mu.Unlock()
			for _, s := range list {
				got[s.ID] = s
			}
		})
	}
	wg.Wait()
	d.mu.Lock()
	placed := maps.Clone(d.placed)
	d.mu.Unlock()
	out := make([]node.ServerStatus, 0, len(placed))
	for id, n := range placed {
		s, ok := got[id]
		if !ok || s.Node != n {
			s = d.unknown(id, n)
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b node.ServerStatus) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// nodeServers asks one node for its servers; nil if it cannot be reached.
func (d *Directory) nodeServers(ctx context.Context, name string) []node.ServerStatus {
	if d.cfg.Local != nil && d.cfg.Local.Name() == name {
		return d.cfg.Local.Status()
	}
	d.mu.Lock()
	r := d.remote[name]
	d.mu.Unlock()
	if r == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var st nodeproto.Status
	if err := nodeproto.Invoke(ctx, r.proxy, nodeproto.OpStatus, nodeproto.Empty{}, &st); err != nil {
		d.log.WarnContext(ctx, "cannot get the servers of a node", "node", name, "err", err)
		return nil
	}
	for i := range st.Servers {
		st.Servers[i].Node = name
	}
	return st.Servers
}

// unknown describes a server whose node did not answer, from its descriptor.
func (d *Directory) unknown(id, nodeName string) node.ServerStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := node.ServerStatus{ID: id, Node: nodeName, State: Unknown}
	for _, sv := range d.dep.Servers {
		if sv.ID == id {
			s.Activation, s.Exe = sv.Descriptor.Server().Activation, sv.Descriptor.Server().Exe
		}
	}
	return s
}

// NodeStatus describes a node for the API.
type NodeStatus struct {
	Name       string `json:"name"`
	Up         bool   `json:"up"`
	Collocated bool   `json:"collocated,omitempty"`
	Proxy      string `json:"proxy,omitempty"`
	Hostname   string `json:"hostname,omitempty"`
	Servers    int    `json:"servers"`
	// LastSeen is the last keep-alive of a remote node, as seen by this replica.
	LastSeen *time.Time `json:"lastSeen,omitempty"`
}

// Nodes lists the collocated node, the registered remote nodes and the nodes the deployment
// names, sorted by name.
func (d *Directory) Nodes() []NodeStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	all := map[string]*NodeStatus{}
	get := func(name string) *NodeStatus {
		if all[name] == nil {
			all[name] = &NodeStatus{Name: name}
		}
		return all[name]
	}
	if d.cfg.Local != nil {
		n := get(d.cfg.Local.Name())
		n.Up, n.Collocated = true, true
	}
	for name, r := range d.remote {
		n := get(name)
		seen := r.seen.UTC()
		n.Up, n.Proxy, n.Hostname, n.LastSeen = true, r.proxy.String(), r.info.Hostname, &seen
	}
	for _, name := range d.placed {
		get(name).Servers++
	}
	out := make([]NodeStatus, 0, len(all))
	for _, name := range sortedKeys(all) {
		out = append(out, *all[name])
	}
	return out
}

// Enabled implements registry.Deployer. It is asked on every lookup of a deployed adapter, so
// it never calls a remote node: a server on a remote node counts as enabled (its node refuses
// to start it when disabled).
func (d *Directory) Enabled(id string) bool {
	local, _, err := d.target(id)
	if err != nil || local == nil {
		return true
	}
	return local.Enabled(id)
}

// AdapterActivated implements registry.AdapterObserver: the server's node hears that one of
// its adapters registered (a server is Active once its server-lifetime adapters did). A
// remote node is told in the background.
func (d *Directory) AdapterActivated(serverID, adapterID string) {
	local, p, err := d.target(serverID)
	switch {
	case err != nil:
		return
	case local != nil:
		local.AdapterActivated(serverID, adapterID)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		if err := d.call(ctx, p, nodeproto.OpAdapterActivated, nodeproto.ServerCommand{Server: serverID, Adapter: adapterID}, nil); err != nil {
			d.log.Debug("cannot tell a node that an adapter registered", "server", serverID, "adapter", adapterID, "err", err)
		}
	}()
}

// node returns the node called name: the collocated node, or a registered remote node's proxy.
func (d *Directory) node(name string) (*node.Node, *ice.Proxy, error) { return d.resolve(name, false) }

// resolve returns node name: the collocated node or a registered remote node's proxy. hasServers
// tells that servers are known to be placed on it (else the deployment is searched), which
// decides between ErrNodeUnreachable and ErrNodeNotFound when it is neither.
func (d *Directory) resolve(name string, hasServers bool) (*node.Node, *ice.Proxy, error) {
	if d.cfg.Local != nil && d.cfg.Local.Name() == name {
		return d.cfg.Local, nil, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if r := d.remote[name]; r != nil {
		return nil, r.proxy, nil
	}
	if !hasServers {
		hasServers = slices.ContainsFunc(d.dep.Servers, func(s *descriptor.Server) bool { return s.Node == name })
	}
	if hasServers {
		return nil, nil, fmt.Errorf("%w: node %q is not registered", ErrNodeUnreachable, name)
	}
	return nil, nil, NodeNotFound(name)
}

// NodeNotFound is the error for a node name that is neither registered nor in the deployment.
func NodeNotFound(name string) error {
	return fmt.Errorf("node %q does not exist (%w)", name, ErrNodeNotFound)
}

// Describe answers admin "node describe".
func (d *Directory) Describe(ctx context.Context, name string) (node.NodeInfo, error) {
	local, p, err := d.node(name)
	switch {
	case err != nil:
		return node.NodeInfo{}, err
	case local != nil:
		return local.Describe(), nil
	}
	var r nodeproto.Description
	if err := d.invoke(ctx, p, nodeproto.OpDescribe, nodeproto.Empty{}, &r); err != nil {
		return node.NodeInfo{}, err
	}
	return r.Info, nil
}

// Load answers admin "node load".
func (d *Directory) Load(ctx context.Context, name string) (node.Load, error) {
	local, p, err := d.node(name)
	switch {
	case err != nil:
		return node.Load{}, err
	case local != nil:
		return local.Load(), nil
	}
	var r nodeproto.LoadReply
	if err := d.invoke(ctx, p, nodeproto.OpLoad, nodeproto.Empty{}, &r); err != nil {
		return node.Load{}, err
	}
	return r.Load, nil
}

// Output answers admin "server show": part of a server's stdout or stderr file.
func (d *Directory) Output(ctx context.Context, id, stream string, q node.OutputQuery) (node.OutputFile, error) {
	local, p, err := d.target(id)
	switch {
	case err != nil:
		return node.OutputFile{}, err
	case local != nil:
		return local.Output(id, stream, q)
	}
	var r nodeproto.OutputReply
	req := nodeproto.OutputRequest{Server: id, Stream: stream, Head: q.Head, Tail: q.Tail, From: q.From}
	if err := d.invoke(ctx, p, nodeproto.OpOutput, req, &r); err != nil {
		return node.OutputFile{}, err
	}
	return r.File, nil
}

// invoke calls a remote node with the default timeout.
func (d *Directory) invoke(ctx context.Context, p *ice.Proxy, op string, arg any, result nodeproto.Message) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return d.call(ctx, p, op, arg, result)
}

// NodeLoad is registry.Config.NodeLoad: the collocated node's own load, a remote node's from
// its last keep-alive; ok is false for a node that is not registered or has not reported yet
// (the registry then counts it unreachable, as IceGrid does).
func (d *Directory) NodeLoad(name string) (registry.LoadInfo, bool) {
	if l := d.cfg.Local; l != nil && l.Name() == name {
		ld := l.Load()
		return registry.LoadInfo{Avg1: ld.Avg1, Avg5: ld.Avg5, Avg15: ld.Avg15, NProcessors: l.Describe().NProcessors}, true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.remote[name]
	if r == nil || r.load == nil {
		return registry.LoadInfo{}, false
	}
	return registry.LoadInfo{Avg1: r.load.Avg1, Avg5: r.load.Avg5, Avg15: r.load.Avg15, NProcessors: r.nproc}, true
}
