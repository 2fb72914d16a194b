package node

import (
	"context"
	"fmt"

	"floe/internal/descriptor"
)

// SetSession gives a `session` server to the client session of user id session ("" when no
// session holds it any longer), as IceGrid's registry reloads such a server on its node when a
// session allocates or releases it (ServerEntry::allocated and released). The node regenerates
// the server's configuration with ${session.id} set to the user id, and a server whose session
// changed while it runs is stopped (ServerI::load: the descriptor changed); it returns once it
// did. Only a server owned by a session can be activated. The node keeps the session of a server
// it does not run yet, for when it is deployed.
func (n *Node) SetSession(ctx context.Context, id, session string) error {
	n.mu.Lock()
	if session == "" {
		delete(n.sessions, id)
	} else {
		n.sessions[id] = session
	}
	s := n.servers[id]
	running := false
	if s != nil {
		running = s.setSession(n.forSession(s.spec, session), session)
	}
	n.mu.Unlock()
	if running {
		s.stop(ctx, "its client session changed")
	}
	return nil
}

// forSession returns spec configured for session when the server has the `session` activation
// mode: ${session.id} is the session's user id, as when IceGrid's node loads the server
// (NodeEntry::getInternalServerDescriptor with the session).
func (n *Node) forSession(spec *descriptor.Server, session string) *descriptor.Server {
	if spec.Descriptor.Server().Activation != "session" {
		return spec
	}
	c := *spec
	c.Config = descriptor.Configure(spec.Application, spec.Descriptor, n.Info(spec.Node), session)
	return &c
}

// setSession installs the configuration for a new session; it reports whether the server runs
// and its session changed, so that it must stop.
func (s *server) setSession(spec *descriptor.Server, session string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := s.session != session
	s.spec, s.hash, s.session = spec, configHash(spec), session
	return changed && s.cmd != nil
}

// checkSessionLocked refuses to start a `session` server that no session owns (IceGrid's
// ServerStartException "The server is not owned by a session."). s.mu must be held.
func (s *server) checkSessionLocked() error {
	if s.spec.Config.Descriptor.Server().Activation == "session" && s.session == "" {
		return fmt.Errorf("node: server %q is not owned by a session", s.id)
	}
	return nil
}
