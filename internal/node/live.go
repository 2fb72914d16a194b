package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/internal/descriptor"
)

// UpdateLive checks, and with apply makes, an update without restart (IceGrid's
// ServerI::checkUpdate, then ServerI::load with noRestart). updated are the new descriptors of
// servers whose properties only changed; removed the ids of servers leaving this node. It
// returns, by server id, why a server cannot be updated so: a server leaving the node runs, or
// one updated runs and more than its properties changed or it has no admin object to take them.
// It applies nothing when it refuses a server. Applying gives a running server its changed
// properties through its admin object's Properties facet (removed ones as empty values) and
// every updated server its new configuration files, so the deployment that follows finds it
// up to date and restarts nothing.
func (n *Node) UpdateLive(ctx context.Context, updated []*descriptor.Server, removed []string, apply bool) map[string]string {
	refused := map[string]string{}
	for _, id := range removed {
		if s := n.server(id); s != nil && s.runs() {
			refused[id] = "the server is running"
		}
	}
	servers := make([]*server, len(updated))
	specs := make([]*descriptor.Server, len(updated))
	for i, spec := range updated {
		n.mu.Lock()
		s := n.servers[spec.ID]
		if s != nil {
			servers[i], specs[i] = s, n.forSession(spec, n.sessions[spec.ID])
		}
		n.mu.Unlock()
		if s == nil {
			refused[spec.ID] = "server not loaded"
		} else if err := s.checkLive(specs[i]); err != nil {
			refused[spec.ID] = err.Error()
		}
	}
	if !apply || len(refused) > 0 {
		return refused
	}
	for i, s := range servers {
		if err := s.updateLive(ctx, specs[i]); err != nil {
			refused[s.id] = err.Error()
			n.log.WarnContext(ctx, "no-restart update of a server failed", "server", s.id, "err", err)
		}
	}
	return refused
}

// runs reports whether the server's process runs and is not being stopped.
func (s *server) runs() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runsLocked()
}

func (s *server) runsLocked() bool { return s.cmd != nil && s.lc.state != Deactivating }

func (s *server) checkLive(spec *descriptor.Server) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checkLiveLocked(spec)
}

// checkLiveLocked tells why the server cannot take spec without a restart; s.mu must be held.
func (s *server) checkLiveLocked(spec *descriptor.Server) error {
	switch {
	case !s.runsLocked():
		return nil
	case !descriptor.SameButProperties(s.spec.Config, spec.Config):
		return errors.New("update requires server to be stopped")
	case s.process == nil:
		return errors.New("the server has no admin object to update its properties (Ice.Admin)")
	}
	return nil
}

// updateLive gives the server spec without restarting it: a running server gets its changed
// properties first.
func (s *server) updateLive(ctx context.Context, spec *descriptor.Server) error {
	s.mu.Lock()
	if err := s.checkLiveLocked(spec); err != nil {
		s.mu.Unlock()
		return err
	}
	old, proc, running := s.spec, s.process, s.runsLocked()
	s.mu.Unlock()
	if running {
		if s.n.cfg.Comm == nil {
			return errors.New("node: no communicator to reach the server's admin object")
		}
		admin := s.n.cfg.Comm.ProxyFromReference(proc).WithLocator(nil)
		for _, p := range propertyPushes(old.Config, spec.Config) {
			if err := s.setProperties(ctx, admin.WithFacet(p.facet), p.props); err != nil {
				return fmt.Errorf("update the properties of server %q: %w", s.id, err)
			}
		}
		s.n.log.InfoContext(ctx, "updated runtime properties", "server", s.id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spec, s.hash = spec, configHash(spec)
	return s.writeConfig()
}

// setProperties calls Ice::PropertiesAdmin::setProperties on a facet of the server's admin object.
func (s *server) setProperties(ctx context.Context, p *ice.Proxy, props map[string]string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return p.Invoke(ctx, &ice.Request{Operation: "setProperties", Mode: ice.Normal,
		Params: func(e *encoding.Encoder) { e.WriteStringDict(props) }})
}

// push is one setProperties call: props go to an admin facet.
type push struct {
	facet string
	props map[string]string
}

// propertyPushes returns the setProperties calls that turn the properties of before's files
// into after's (which has the same files): "config" through the Properties facet, an IceBox service's
// "config_<name>" through its IceBox.Service.<name>.Properties facet, or the shared
// communicator's (ResetPropertiesCB in ServerI.cpp). Unchanged files need no call.
func propertyPushes(before, after *descriptor.ServerConfig) []push {
	var out []push
	cfg := map[string]string{}
	for _, f := range after.Files {
		if f.Name == "config" {
			cfg = f.Dict()
		}
	}
	for i, f := range after.Files {
		delta := descriptor.PropertyDelta(before.Files[i].Dict(), f.Dict())
		if len(delta) == 0 {
			continue
		}
		facet := "Properties"
		if svc, ok := strings.CutPrefix(f.Name, "config_"); ok {
			facet = "IceBox.Service." + svc + ".Properties"
			if n, _ := strconv.Atoi(cfg["IceBox.UseSharedCommunicator."+svc]); n > 0 {
				facet = "IceBox.SharedCommunicator.Properties"
			}
		}
		out = append(out, push{facet: facet, props: delta})
	}
	return out
}

// writeConfig writes the server's configuration files; s.mu must be held.
func (s *server) writeConfig() error {
	dir := filepath.Join(s.dir(), "config")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("node: server %q: %w", s.id, err)
	}
	now := time.Now()
	for _, f := range s.spec.Config.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Bytes(now), 0o644); err != nil {
			return fmt.Errorf("node: server %q: write %s: %w", s.id, f.Name, err)
		}
	}
	return nil
}
