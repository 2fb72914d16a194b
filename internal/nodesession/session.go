package nodesession

import (
	"context"
	"strings"
	"time"

	"floe/ice"
	"floe/internal/nodeproto"
)

// retryInterval is how often a node tries again to register with a replica it lost.
const retryInterval = time.Second

// session is the node's session with one replica, identified by its endpoints.
type session struct {
	target  string
	proxy   *ice.Proxy
	replica string    // the replica's name while registered, "" otherwise
	since   time.Time // when it registered: the oldest session's deployment runs
}

// keepSession registers with one replica and keeps the session alive, registering again
// whenever the replica is lost or has forgotten this node, until ctx ends. The result of the
// first attempt goes to first.
func (a *Agent) keepSession(ctx context.Context, target string, first chan<- bool) {
	p, err := a.registryProxy(target)
	if err != nil {
		a.log.WarnContext(ctx, "ignoring a registry", "err", err)
		first <- false
		return
	}
	s := &session{target: target, proxy: p}
	a.mu.Lock()
	a.sessions[target] = s
	a.mu.Unlock()
	reported, warned := false, false
	for ctx.Err() == nil {
		sess, err := a.register(ctx, s)
		if !reported {
			reported = true
			first <- err == nil
		}
		if err != nil {
			if !warned && ctx.Err() == nil {
				a.log.WarnContext(ctx, "cannot register with a registry; retrying", "registry", target, "err", err)
				warned = true
			}
			sleep(ctx, retryInterval)
			continue
		}
		warned = false
		a.log.InfoContext(ctx, "registered with a registry", "registry", target, "replica", sess.Replica)
		a.keepAlive(ctx, s, sess.Timeout())
		if ctx.Err() != nil {
			a.unregister(s)
			return
		}
		a.down(s)
	}
}

// unregister tells a replica this node is going away, so that it reports it down at once.
func (a *Agent) unregister(s *session) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = nodeproto.Invoke(ctx, s.proxy, nodeproto.OpUnregisterNode, nodeproto.KeepAlive{Name: a.name(), Token: a.token}, nil)
}

// register registers with s's replica and runs the deployment it answers with, if s is (or
// becomes) the primary session.
func (a *Agent) register(ctx context.Context, s *session) (*nodeproto.Session, error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var sess nodeproto.Session
	if err := nodeproto.Invoke(cctx, s.proxy, nodeproto.OpRegisterNode, a.registration(), &sess); err != nil {
		return nil, err
	}
	a.mu.Lock()
	s.replica, s.since = sess.Replica, time.Now()
	a.mu.Unlock()
	a.received(&sess.Deployment)
	a.learn(sess.Replicas)
	return &sess, nil
}

// keepAlive sends keep-alives at a third of the session timeout until one fails or the replica
// no longer knows this node.
func (a *Agent) keepAlive(ctx context.Context, s *session, timeout time.Duration) {
	period := max(timeout/3, 100*time.Millisecond)
	for sleep(ctx, period) {
		cctx, cancel := context.WithTimeout(ctx, period)
		var reply nodeproto.KeepAliveReply
		load := a.cfg.Node.Load()
		ka := nodeproto.KeepAlive{Name: a.name(), Token: a.token, Load: &load, NProcessors: a.cfg.Node.Describe().NProcessors}
		err := nodeproto.Invoke(cctx, s.proxy, nodeproto.OpKeepAlive, ka, &reply)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			a.log.WarnContext(ctx, "lost a registry", "registry", s.target, "replica", s.replica, "err", err)
			return
		case !reply.Known:
			a.log.WarnContext(ctx, "a registry forgot this node; registering again", "registry", s.target, "replica", s.replica)
			return
		}
		a.learn(reply.Replicas)
	}
}

// down marks a session lost; another session's deployment may then run.
func (a *Agent) down(s *session) {
	a.mu.Lock()
	s.replica = ""
	a.mu.Unlock()
	a.reconcile()
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// normalize gives one spelling of a list of endpoints, so that a replica named twice gets
// one session.
func normalize(p *ice.Proxy) string {
	eps := p.Endpoints()
	out := make([]string, len(eps))
	for i, ep := range eps {
		out[i] = ep.String()
	}
	return strings.Join(out, ":")
}
