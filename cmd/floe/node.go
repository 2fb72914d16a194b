package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"floe/ice"
	"floe/internal/config"
	"floe/internal/node"
	"floe/internal/nodesession"
)

const nodeUsage = `usage: floe node [--Ice.Config=FILE] [--Name=Value ...]

Runs a node: it registers with every registry replica of Ice.Default.Locator and activates and
supervises the servers that the deployment places on it. Required: IceGrid.Node.Name,
IceGrid.Node.Endpoints, IceGrid.Node.Data and Ice.Default.Locator. With
IceGrid.Node.CollocateRegistry=1 it runs floe registry with a collocated node instead.`

// runNode is `floe node`: it serves until ctx ends (SIGINT/SIGTERM) or a registry asks it to
// shut down (admin "node shutdown"), then leaves its registries and stops its servers, with no
// registry needed for either.
func runNode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if wantsHelp(args) {
		fmt.Fprintln(stdout, nodeUsage)
		return nil
	}
	props, err := parseProperties(args)
	if err != nil {
		return err
	}
	cfg, warnings, err := config.LoadNode(props)
	if err != nil {
		return err
	}
	if cfg.CollocateRegistry {
		return runRegistry(ctx, args, stdout, stderr) // icegridnode's collocated registry is floe registry's collocated node
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(props)})).With("node", cfg.Name)
	for _, w := range warnings {
		log.WarnContext(ctx, w)
	}
	if cfg.DataDir, err = filepath.Abs(cfg.DataDir); err != nil {
		return err
	}
	p := props.Clone()
	if !p.Has("Ice.MessageSizeMax") {
		p.Set("Ice.MessageSizeMax", "65536") // deployments carry whole descriptors
	}
	comm, err := ice.New(p, log.With("component", "ice"))
	if err != nil {
		return err
	}
	defer comm.Destroy()
	n, err := node.New(node.Config{Name: cfg.Name, DataDir: cfg.DataDir, Locator: cfg.Locator, OutputDir: cfg.OutputDir,
		DisableOnFailure: cfg.DisableOnFailure, DeactivationTimeout: cfg.WaitTime, WaitTime: cfg.WaitTime,
		RedirectErrToOut: cfg.RedirectErrToOut, Comm: comm, Log: log})
	if err != nil {
		return err
	}
	if k := n.ReapOrphans(ctx, n.DeactivationTimeout()); k > 0 {
		log.WarnContext(ctx, "stopped servers left running by a previous run of this node", "count", k)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), n.DeactivationTimeout()+5*time.Second)
		defer cancel()
		n.Shutdown(sctx)
	}()
	ctx, shutdown := context.WithCancel(ctx)
	defer shutdown()
	agent, err := serveNode(ctx, cfg, comm, n, shutdown, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "floe node %s ready\n", cfg.Name)
	err = agent.Run(ctx)
	log.InfoContext(ctx, "shutting down")
	return err
}

// serveNode creates the IceGrid.Node adapter with the node's object and the agent that
// registers it with the registries.
// shutdown ends the node, as SIGTERM does.
func serveNode(ctx context.Context, cfg config.Node, comm *ice.Communicator, n *node.Node, shutdown func(),
	log *slog.Logger) (*nodesession.Agent, error) {
	locator, err := comm.StringToProxy(cfg.Locator)
	if err != nil {
		return nil, fmt.Errorf("Ice.Default.Locator: %w", err)
	}
	adapter, err := comm.CreateObjectAdapterWithEndpoints("IceGrid.Node", cfg.Endpoints)
	if err != nil {
		return nil, err
	}
	id := nodesession.ObjectIdentity(cfg.InstanceName, cfg.Name)
	agent := nodesession.New(nodesession.Config{Node: n, Comm: comm, Locator: locator,
		Self: adapter.CreateDirectProxy(id), Shutdown: shutdown, Log: log})
	if _, err := adapter.Add(nodesession.Servant{A: agent}, id); err != nil {
		return nil, err
	}
	if err := adapter.Activate(ctx); err != nil {
		return nil, err
	}
	return agent, nil
}
