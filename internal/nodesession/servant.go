package nodesession

import (
	"context"
	"fmt"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/node"
	"floe/internal/nodeproto"
)

// Servant is the node's object, <InstanceName>/FloeNode-<name>: what registries ask of the
// node. Its adapter dispatches on goroutines, so start and stop may block.
type Servant struct{ A *Agent }

// IceID returns the most-derived type id.
func (Servant) IceID() string { return nodeproto.NodeTypeID }

// IceIDs returns the type ids, sorted.
func (Servant) IceIDs() []string { return []string{"::Floe::Node", "::Ice::Object"} }

// Dispatch serves the node's side of nodeproto.
func (s Servant) Dispatch(ctx context.Context, cur *ice.Current, in *encoding.Decoder, out *encoding.Encoder) error {
	a := s.A
	if cur.Operation == nodeproto.OpStatus {
		if err := nodeproto.ReadArg(in, &nodeproto.Empty{}); err != nil {
			return err
		}
		nodeproto.WriteResult(out, nodeproto.Status{Token: a.token, Servers: a.cfg.Node.Status()})
		return nil
	}
	if cur.Operation == nodeproto.OpDeploy {
		var d nodeproto.Deployment
		if err := nodeproto.ReadArg(in, &d); err != nil {
			return err
		}
		a.received(&d)
		nodeproto.WriteResult(out, nodeproto.Empty{})
		return nil
	}
	switch cur.Operation {
	case nodeproto.OpDescribe, nodeproto.OpLoad:
		if err := nodeproto.ReadArg(in, &nodeproto.Empty{}); err != nil {
			return err
		}
		if cur.Operation == nodeproto.OpDescribe {
			nodeproto.WriteResult(out, nodeproto.Description{Info: a.cfg.Node.Describe()})
		} else {
			nodeproto.WriteResult(out, nodeproto.LoadReply{Load: a.cfg.Node.Load()})
		}
		return nil
	case nodeproto.OpUpdateLive:
		return s.updateLive(ctx, in, out)
	case nodeproto.OpShutdown:
		var req nodeproto.Shutdown
		if err := nodeproto.ReadArg(in, &req); err != nil {
			return err
		}
		if err := a.shutdown(req.Node); err != nil {
			return err
		}
		nodeproto.WriteResult(out, nodeproto.Empty{})
		return nil
	case nodeproto.OpOutput:
		var req nodeproto.OutputRequest
		if err := nodeproto.ReadArg(in, &req); err != nil {
			return err
		}
		f, err := a.cfg.Node.Output(req.Server, req.Stream, node.OutputQuery{Head: req.Head, Tail: req.Tail, From: req.From})
		if err != nil {
			return err
		}
		nodeproto.WriteResult(out, nodeproto.OutputReply{File: f})
		return nil
	}
	var cmd nodeproto.ServerCommand
	switch cur.Operation {
	case nodeproto.OpStart, nodeproto.OpStop, nodeproto.OpSetEnabled, nodeproto.OpSetProcess, nodeproto.OpAdapterActivated,
		nodeproto.OpSetSession:
		if err := nodeproto.ReadArg(in, &cmd); err != nil {
			return err
		}
	default:
		return ice.ErrOperationNotExist
	}
	if err := s.command(ctx, cur.Operation, &cmd); err != nil {
		return err
	}
	nodeproto.WriteResult(out, nodeproto.Empty{})
	return nil
}

// updateLive serves updateLive.
func (s Servant) updateLive(ctx context.Context, in *encoding.Decoder, out *encoding.Encoder) error {
	var u nodeproto.LiveUpdate
	if err := nodeproto.ReadArg(in, &u); err != nil {
		return err
	}
	refused := s.A.updateLive(ctx, &u)
	for id, why := range refused {
		if len(why) > 1000 { // the registry refuses a reply with longer texts
			refused[id] = why[:1000]
		}
	}
	nodeproto.WriteResult(out, nodeproto.LiveUpdateReply{Refused: refused})
	return nil
}

// command runs one server command; its error text is what the registry reports.
func (s Servant) command(ctx context.Context, op string, cmd *nodeproto.ServerCommand) error {
	n := s.A.cfg.Node
	switch op {
	case nodeproto.OpStart:
		return n.Start(ctx, cmd.Server)
	case nodeproto.OpStop:
		return n.Stop(ctx, cmd.Server)
	case nodeproto.OpSetEnabled:
		return n.SetEnabled(cmd.Server, cmd.Enabled)
	case nodeproto.OpAdapterActivated:
		n.AdapterActivated(cmd.Server, cmd.Adapter)
		return nil
	case nodeproto.OpSetSession:
		return n.SetSession(ctx, cmd.Server, cmd.Session)
	default: // OpSetProcess
		ref, err := reference.Parse(cmd.Proxy, reference.Defaults{Timeout: 60000, Protocol: "tcp"})
		if err != nil {
			return fmt.Errorf("node: server %q: Process proxy %.80q: %w", cmd.Server, cmd.Proxy, err)
		}
		if ref == nil {
			return fmt.Errorf("node: server %q: null Process proxy", cmd.Server)
		}
		return n.SetProcess(cmd.Server, ref)
	}
}

// shutdown starts the node's shutdown if name is this node's. Config.Shutdown only cancels:
// the reply goes out before the adapter deactivates, which waits for dispatches to finish.
func (a *Agent) shutdown(name string) error {
	switch {
	case name != a.name():
		return fmt.Errorf("node: shutdown of node %q asked of node %q", name, a.name())
	case a.cfg.Shutdown == nil:
		return fmt.Errorf("node: node %q cannot be shut down remotely", name)
	}
	a.log.Info("shutdown requested by a registry")
	a.cfg.Shutdown()
	return nil
}
