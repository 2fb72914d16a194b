package nodes

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/internal/nodeproto"
)

// Register records a node process (registerNode) and returns its session: the timeout, the
// replicas and its deployment. A node of the same name that is still alive under another token
// is refused with ErrNodeActive (it is asked, so a restarted node replaces its dead self at
// once); a name taken by the collocated node is refused too.
func (d *Directory) Register(ctx context.Context, reg *nodeproto.Registration) (*nodeproto.Session, error) {
	if d.cfg.Local != nil && d.cfg.Local.Name() == reg.Name {
		return nil, fmt.Errorf("%w: %q is the registry's collocated node", ErrNodeActive, reg.Name)
	}
	p, err := d.cfg.Comm.StringToProxy(reg.Proxy)
	if err != nil {
		return nil, fmt.Errorf("nodes: node %q: proxy %.80q: %w", reg.Name, reg.Proxy, err)
	}
	if p == nil || len(p.Endpoints()) == 0 {
		return nil, fmt.Errorf("nodes: node %q: proxy %.80q is not a direct proxy", reg.Name, reg.Proxy)
	}
	p = p.WithLocator(nil)
	d.mu.Lock()
	old := d.remote[reg.Name]
	d.mu.Unlock()
	if old != nil && old.token != reg.Token && time.Since(old.seen) <= d.cfg.Timeout && d.stillAlive(ctx, old) {
		return nil, fmt.Errorf("%w: %q runs at %s", ErrNodeActive, reg.Name, old.proxy)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	dep, h := d.deploymentLocked(reg.Name)
	d.remote[reg.Name] = &remote{name: reg.Name, token: reg.Token, proxy: p, info: reg.Info, seen: time.Now(),
		sent: dep.Generation, sentHash: h}
	d.log.InfoContext(ctx, "node registered", "node", reg.Name, "proxy", p.String(), "applications", len(dep.Applications))
	return &nodeproto.Session{Replica: d.cfg.Replica, TimeoutMS: d.cfg.Timeout.Milliseconds(),
		Replicas: slices.Clone(d.replicas), Deployment: dep}, nil
}

// stillAlive asks a registered node process whether it still runs, under its token.
func (d *Directory) stillAlive(ctx context.Context, r *remote) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var st nodeproto.Status
	return nodeproto.Invoke(ctx, r.proxy, nodeproto.OpStatus, nodeproto.Empty{}, &st) == nil && st.Token == r.token
}

// KeepAlive records a keep-alive; Known is false for a node process this replica does not know.
func (d *Directory) KeepAlive(k *nodeproto.KeepAlive) *nodeproto.KeepAliveReply {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.remote[k.Name]
	if r == nil || r.token != k.Token {
		return &nodeproto.KeepAliveReply{Replicas: slices.Clone(d.replicas)}
	}
	r.seen = time.Now()
	if k.Load != nil {
		r.load, r.nproc = k.Load, k.NProcessors
	}
	return &nodeproto.KeepAliveReply{Known: true, Replicas: slices.Clone(d.replicas)}
}

// Unregister forgets a node process that is shutting down.
func (d *Directory) Unregister(k *nodeproto.KeepAlive) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r := d.remote[k.Name]; r != nil && r.token == k.Token {
		delete(d.remote, k.Name)
		d.log.Info("node unregistered", "node", k.Name)
	}
}

// Servant is <InstanceName>/FloeNodeRegistry. It is served on the registry's client adapter,
// which dispatches inline: registerNode, which may ask another node, answers from a goroutine.
type Servant struct{ D *Directory }

// IceID returns the most-derived type id.
func (Servant) IceID() string { return nodeproto.RegistryTypeID }

// IceIDs returns the type ids, sorted.
func (Servant) IceIDs() []string { return []string{"::Floe::NodeRegistry", "::Ice::Object"} }

// Dispatch serves the registry's side of nodeproto.
func (s Servant) Dispatch(ctx context.Context, cur *ice.Current, in *encoding.Decoder, out *encoding.Encoder) error {
	switch cur.Operation {
	case nodeproto.OpRegisterNode:
		var reg nodeproto.Registration
		if err := nodeproto.ReadArg(in, &reg); err != nil {
			return err
		}
		done := cur.Defer()
		go func() {
			sess, err := s.D.Register(ctx, &reg)
			if err == nil {
				nodeproto.WriteResult(out, sess)
			}
			done(err)
		}()
		return nil
	case nodeproto.OpKeepAlive, nodeproto.OpUnregisterNode:
		var k nodeproto.KeepAlive
		if err := nodeproto.ReadArg(in, &k); err != nil {
			return err
		}
		if cur.Operation == nodeproto.OpUnregisterNode {
			s.D.Unregister(&k)
			nodeproto.WriteResult(out, nodeproto.Empty{})
			return nil
		}
		nodeproto.WriteResult(out, s.D.KeepAlive(&k))
		return nil
	default:
		return ice.ErrOperationNotExist
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
