package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"floe/ice"
	"floe/ice/properties"
	"floe/internal/config"
	"floe/internal/httpapi"
	"floe/internal/locator"
	"floe/internal/node"
	"floe/internal/nodeproto"
	"floe/internal/nodes"
	"floe/internal/registry"
	"floe/internal/session"
	"floe/internal/store"
	"floe/internal/store/bolt"
	"floe/internal/store/zk"
)

// runRegistry is `floe registry`: it serves until ctx ends (SIGINT/SIGTERM) or admin "node
// shutdown" names its collocated node (icegridnode 3.7.8 then exits, registry and all), then resigns
// mastership, stops accepting, drains in-flight requests, closes the store and returns
// (SPEC.md §1).
func runRegistry(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if wantsHelp(args) {
		fmt.Fprintln(stdout, "usage: floe registry [--Ice.Config=FILE] [--Name=Value ...]\n\n"+
			"Runs an IceGrid-compatible registry. With no configuration: a standalone registry on\n"+
			"tcp -h 127.0.0.1 -p 4061, data in ./floe-data, HTTP API on 127.0.0.1:4080.\n"+
			"With Floe.ZooKeeper.Hosts: a replica sharing its grid through ZooKeeper.")
		return nil
	}
	props, err := parseProperties(args)
	if err != nil {
		return err
	}
	cfg, warnings, err := config.LoadRegistry(props)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(props)})).
		With("replica", cfg.ReplicaName)
	for _, w := range warnings {
		log.WarnContext(ctx, w)
	}
	ctx, shutdown := context.WithCancel(ctx)
	defer shutdown()
	r, err := startRegistry(ctx, cfg, props, shutdown, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "floe registry %s ready: locator %s\n", cfg.ReplicaName, r.locatorProxy)
	<-ctx.Done()
	log.InfoContext(ctx, "shutting down")
	return r.stop()
}

func logLevel(p *properties.Properties) slog.Level {
	if p.GetIntOr("Floe.Log.Debug", 0) > 0 {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// runningRegistry is a started registry and what stop must undo.
type runningRegistry struct {
	comm           *ice.Communicator
	store          store.Store
	zk             *zk.Store  // nil when standalone
	node           *node.Node // the collocated node, or nil
	nodes          *nodes.Directory
	cancel         context.CancelFunc // the ZooKeeper session and the cache writer
	nodesCancel    context.CancelFunc // the nodes directory
	sessionsCancel context.CancelFunc // the client sessions' reaper
	wg             sync.WaitGroup     // the ZooKeeper session, the cache writer, the nodes directory, the reaper
	http           *http.Server
	httpDone       chan error
	locatorProxy   string
	shutdown       func() // ends the process as SIGTERM does (admin "node shutdown" of the collocated node)
	log            *slog.Logger
}

// startRegistry starts a registry; shutdown ends it as SIGTERM does.
func startRegistry(ctx context.Context, cfg config.Registry, props *properties.Properties, shutdown func(),
	log *slog.Logger) (*runningRegistry, error) {
	metrics := httpapi.NewMetrics()
	rr := &runningRegistry{log: log, shutdown: shutdown}
	var (
		base store.Store
		err  error
	)
	if len(cfg.ZooKeeperHosts) > 0 {
		base, err = rr.openZooKeeper(cfg)
	} else {
		base, err = bolt.Open(cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	rr.store = base
	comm, err := ice.New(registryIceProperties(cfg, props), log.With("component", "ice"))
	if err != nil {
		_ = base.Close()
		return nil, err
	}
	rr.comm = comm
	if cfg.CollocateNode {
		if rr.node, err = startNode(ctx, cfg, comm, log); err != nil {
			rr.abort()
			return nil, err
		}
	}
	rr.startNodes(cfg, log)
	rcfg := registry.Config{DynamicRegistration: cfg.DynamicRegistration, Log: log, Node: rr.nodes.Info, Deployer: rr.nodes}
	rcfg.NodeLoad = rr.nodes.NodeLoad
	reg, err := registry.New(ctx, rcfg, store.Observed(base, metrics.ObserveStoreWrite))
	if err != nil {
		rr.abort()
		return nil, err
	}
	metrics.WatchInvalid(func() int { return len(reg.Invalid()) })
	if rr.zk != nil {
		watchLog(metrics, rr.zk)
	}
	srv := &locator.Server{Registry: reg, Log: log, Observer: metrics, SessionTimeout: int32(cfg.SessionTimeout.Seconds()),
		WaitTime: cfg.NodeWaitTime}
	client, err := rr.serveIce(ctx, cfg, srv)
	if err != nil {
		rr.abort()
		return nil, err
	}
	if rr.zk != nil {
		rr.startZooKeeper(ctx, cfg, reg)
	}
	if err := client.Activate(ctx); err != nil {
		rr.abort()
		return nil, err
	}
	if cfg.HTTPEndpoint != "" {
		if err := rr.serveHTTP(ctx, cfg.HTTPEndpoint, rr.api(cfg, reg, metrics).Handler()); err != nil {
			rr.abort()
			return nil, err
		}
	}
	return rr, nil
}

// registryIceProperties are the registry's properties plus what IceGrid forces: idle client
// connections are closed after the session timeout (Ice.ACM.Server.Close=3).
func registryIceProperties(cfg config.Registry, props *properties.Properties) *properties.Properties {
	p := props.Clone()
	if !p.Has("Ice.ACM.Server.Close") {
		p.Set("Ice.ACM.Server.Close", "3")
	}
	if !p.Has("IceGrid.Registry.Client.ACM.Timeout") {
		p.Set("IceGrid.Registry.Client.ACM.Timeout", fmt.Sprint(int(cfg.SessionTimeout.Seconds())))
	}
	p.Set("IceGrid.Registry.Client.Endpoints", cfg.ClientEndpoints)
	p.Set("IceGrid.Registry.Server.Endpoints", cfg.ServerEndpoints)
	return p
}

// serveIce creates the Client and Server adapters with the registry's objects (SPEC.md §3). It
// activates the Server adapter and returns the Client one, activated by the caller once the
// registry holds its state.
func (rr *runningRegistry) serveIce(ctx context.Context, cfg config.Registry, srv *locator.Server) (*ice.ObjectAdapter, error) {
	client, err := rr.comm.CreateObjectAdapter("IceGrid.Registry.Client")
	if err != nil {
		return nil, err
	}
	client.SetInlineDispatch(true) // lookups answer from memory; activation waits are deferred
	server, err := rr.comm.CreateObjectAdapter("IceGrid.Registry.Server")
	if err != nil {
		return nil, err
	}
	id := func(name string) ice.Identity { return ice.Identity{Category: cfg.InstanceName, Name: name} }
	add := func(a *ice.ObjectAdapter, obj ice.Object, name string) *ice.Proxy {
		p, _ := a.Add(obj, id(name))
		return p
	}
	srv.LocatorPrx = add(client, locator.LocatorServant{Server: srv}, "Locator")
	srv.QueryPrx = add(client, locator.QueryServant{Server: srv}, "Query")
	srv.RegistryPrx = add(client, locator.RegistryServant{Server: srv}, "Registry")
	replica := add(client, locator.RegistryServant{Server: srv}, "Registry-"+cfg.ReplicaName)
	srv.LocalRegistryPrx = srv.RegistryPrx // a master answers getLocalRegistry with <instance>/Registry
	if len(cfg.ZooKeeperHosts) > 0 {
		srv.LocalRegistryPrx = replica
	}
	srv.LocatorRegistryPrx = add(server, locator.LocatorRegistryServant{Server: srv}, "LocatorRegistry")
	add(client, nodes.Servant{D: rr.nodes}, nodeproto.RegistryObject) // `floe node` processes register here
	if _, err := client.Add(locator.LocatorFinderServant{Server: srv}, ice.Identity{Category: "Ice", Name: "LocatorFinder"}); err != nil {
		return nil, err
	}
	for _, o := range []struct {
		p *ice.Proxy
		t string
	}{{srv.LocatorPrx, "::IceGrid::Locator"}, {srv.QueryPrx, "::IceGrid::Query"}, {srv.RegistryPrx, "::IceGrid::Registry"},
		{replica, "::IceGrid::Registry"}, {srv.LocatorRegistryPrx, "::Ice::LocatorRegistry"}} {
		srv.Registry.AddBuiltinObject(&store.Object{Identity: o.p.Identity(), Type: o.t, Proxy: o.p.Reference()})
	}
	rr.locatorProxy = srv.LocatorPrx.String()
	rr.startSessions(cfg, srv, client)
	return client, server.Activate(ctx)
}

// startSessions serves IceGrid client sessions (Registry.createSession) on the Client adapter
// and runs their reaper until stop.
func (rr *runningRegistry) startSessions(cfg config.Registry, srv *locator.Server, client *ice.ObjectAdapter) {
	verifier, warning := session.NewVerifier(rr.comm, cfg.InstanceName, cfg.PermissionsVerifier, cfg.CryptPasswords, srv.LocatorPrx)
	if warning != "" {
		rr.log.Warn(warning)
	}
	scfg := session.Config{InstanceName: cfg.InstanceName, Table: srv.Registry.Allocations(), Nodes: rr.nodes,
		Verifier: verifier, SSLVerifier: cfg.SSLPermissionsVerifier != "", Timeout: cfg.SessionTimeout,
		Adapter: client, Log: rr.log,
		Servant: func(s *session.Session) ice.Object { return locator.SessionServant{Server: srv, Session: s} }}
	if rr.zk != nil {
		scfg.Master = func() bool { return rr.zk.Status().Role == "master" }
	}
	srv.Sessions = session.New(scfg)
	ctx, cancel := context.WithCancel(context.Background())
	rr.sessionsCancel = cancel
	rr.wg.Go(func() { _ = srv.Sessions.Run(ctx) })
}

// watchLog exports the ZooKeeper change log's counters.
func watchLog(m *httpapi.Metrics, zs *zk.Store) {
	for _, c := range []struct {
		name, help string
		f          func(zk.LogStats) int64
	}{
		{"floe_zk_log_entries_written_total", "Change-log entries this replica appended (one per group-committed batch of registrations).",
			func(st zk.LogStats) int64 { return st.Written }},
		{"floe_zk_log_entries_read_total", "Change-log entries read from the other replicas' logs.",
			func(st zk.LogStats) int64 { return st.Read }},
		{"floe_zk_safety_net_records_total", "Adapters and objects that the once-a-second listing of ZooKeeper found new before any change log reported them: written outside Floe, listed just ahead of their log entry, or in a log not followed.",
			func(st zk.LogStats) int64 { return st.Found }},
		{"floe_zk_resyncs_total", "Full re-reads of ZooKeeper (after a reconnection, or a log trimmed before it was read).",
			func(st zk.LogStats) int64 { return st.Resyncs }},
	} {
		m.WatchCounter(c.name, c.help, func() int64 { return c.f(zs.LogStats()) })
	}
}

// openZooKeeper creates the ZooKeeper store, loading the local cache as the initial state.
func (rr *runningRegistry) openZooKeeper(cfg config.Registry) (store.Store, error) {
	zs, err := zk.New(zk.Config{Servers: cfg.ZooKeeperHosts, Root: cfg.ZooKeeperRoot,
		SessionTimeout: cfg.ZooKeeperSessionTimeout, Log: rr.log,
		Member: zk.Member{Name: cfg.ReplicaName, Client: cfg.ClientEndpoints, Server: cfg.ServerEndpoints,
			HTTP: cfg.HTTPEndpoint, StartedAt: time.Now().UTC(), BootID: rand.Text()}})
	if err != nil {
		return nil, err
	}
	cache, err := store.ReadCache(cfg.DataDir)
	if err != nil {
		rr.log.Warn("ignoring the local cache", "err", err)
		cache = &store.Snapshot{}
	}
	rr.zk = zs
	return cachedLoad{Replicated: zs, snap: cache}, nil
}

// cachedLoad starts a ZooKeeper-mode registry from its local cache; the first session's resync
// replaces it with ZooKeeper's state.
type cachedLoad struct {
	store.Replicated
	snap *store.Snapshot
}

func (c cachedLoad) Load(context.Context) (*store.Snapshot, error) { return c.snap, nil }

// startZooKeeper runs the session and the cache writer, and waits (bounded) for the first sync,
// so that the locator does not answer from an empty or stale state when ZooKeeper is reachable.
func (rr *runningRegistry) startZooKeeper(ctx context.Context, cfg config.Registry, reg *registry.Registry) {
	zctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rr.cancel = cancel
	rr.wg.Go(func() { _ = rr.zk.Run(zctx, reg) })
	rr.wg.Go(func() { writeCacheLoop(zctx, cfg.DataDir, reg, rr.log) })
	select {
	case <-reg.Resynced():
	case <-time.After(2 * cfg.ZooKeeperSessionTimeout):
		rr.log.WarnContext(ctx, "ZooKeeper unreachable at start: serving the locally cached state until it returns")
	case <-ctx.Done():
	}
}

// writeCacheLoop keeps the local cache in step with the registry, at most every second (less
// often when writing it takes long).
func writeCacheLoop(ctx context.Context, dir string, reg *registry.Registry, log *slog.Logger) {
	var written uint64
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var next time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		select {
		case <-reg.Resynced():
		default:
			continue // never overwrite the cache before the first sync from ZooKeeper
		}
		if g := reg.Generation(); g != written && !time.Now().Before(next) {
			start := time.Now()
			if err := store.WriteCache(dir, reg.Snapshot()); err != nil {
				log.WarnContext(ctx, "cannot write the local cache", "err", err)
				continue
			}
			written = g
			// A big grid under churn would rewrite a big file every second: keep the cache
			// writer under about 2 % of a core.
			next = start.Add(50 * time.Since(start))
		}
	}
}

func (rr *runningRegistry) api(cfg config.Registry, reg *registry.Registry, m *httpapi.Metrics) *httpapi.API {
	a := &httpapi.API{Registry: reg, Metrics: m.Registry, Log: rr.log, Pprof: cfg.Pprof, Nodes: rr.nodes}
	a.Info = func() httpapi.Info {
		i := httpapi.Info{Name: cfg.ReplicaName, Role: "standalone", InstanceName: cfg.InstanceName,
			Store: "bolt:" + cfg.DataDir, Locator: rr.locatorProxy, HTTP: cfg.HTTPEndpoint, Invalid: reg.Invalid()}
		if rr.zk != nil {
			st := rr.zk.Status()
			i.Role, i.Epoch, i.ZooKeeper, i.Store = st.Role, st.Epoch, st.ZooKeeper, "zookeeper:"+cfg.ZooKeeperRoot
		}
		return i
	}
	if rr.zk == nil {
		return a
	}
	a.Master = func() (string, bool, bool) {
		st := rr.zk.Status()
		self := st.Role == "master"
		// After stepping down, /Master as last read may still name this replica until the next
		// session re-reads it: that master is gone, and forwarding to it would forward the
		// request to this replica again, in a loop.
		known := st.Master.Name != "" && (self || st.Master.Name != cfg.ReplicaName)
		return st.Master.HTTP, self, known
	}
	a.Registries = func(ctx context.Context) ([]httpapi.Info, error) {
		members, err := rr.zk.Registries(ctx)
		if err != nil {
			return nil, err
		}
		st := rr.zk.Status()
		out := make([]httpapi.Info, 0, len(members))
		for _, m := range members {
			i := httpapi.Info{Name: m.Name, Role: "slave", Locator: m.Client, HTTP: m.HTTP}
			if m.Name == st.Master.Name {
				i.Role, i.Epoch = "master", st.Master.Epoch
			}
			if m.Name == cfg.ReplicaName {
				i.ZooKeeper = st.ZooKeeper
			}
			out = append(out, i)
		}
		return out, nil
	}
	return a
}

func (rr *runningRegistry) serveHTTP(ctx context.Context, addr string, h http.Handler) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	rr.http = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	rr.httpDone = make(chan error, 1)
	go func() { rr.httpDone <- rr.http.Serve(ln) }()
	return nil
}

// startNode creates the collocated node (IceGrid.Node.CollocateRegistry=1) and stops the
// servers a previous run left running.
func startNode(ctx context.Context, cfg config.Registry, comm *ice.Communicator, log *slog.Logger) (*node.Node, error) {
	dir, err := filepath.Abs(cfg.NodeData)
	if err != nil {
		return nil, err
	}
	loc := cfg.NodeLocator
	if loc == "" {
		loc = cfg.InstanceName + "/Locator:" + cfg.ClientEndpoints
	}
	n, err := node.New(node.Config{Name: cfg.NodeName, DataDir: dir, Locator: loc, OutputDir: cfg.NodeOutput,
		DisableOnFailure: cfg.NodeDisableOnFailure, Comm: comm, Log: log,
		RedirectErrToOut: cfg.NodeRedirectErrToOut, WaitTime: cfg.NodeWaitTime})
	if err != nil {
		return nil, err
	}
	if k := n.ReapOrphans(ctx, n.DeactivationTimeout()); k > 0 {
		log.WarnContext(ctx, "stopped servers left running by a previous run", "count", k)
	}
	return n, nil
}

// startNodes creates the directory of nodes (the collocated one and `floe node` processes)
// and runs it until stop.
func (rr *runningRegistry) startNodes(cfg config.Registry, log *slog.Logger) {
	ncfg := nodes.Config{Replica: cfg.ReplicaName, Comm: rr.comm, Local: rr.node, Timeout: cfg.NodeSessionTimeout, Log: log,
		ShutdownLocal: rr.shutdown}
	if rr.zk != nil {
		ncfg.Replicas = func(ctx context.Context) ([]string, error) {
			members, err := rr.zk.Registries(ctx)
			eps := make([]string, 0, len(members))
			for _, m := range members {
				eps = append(eps, m.Client)
			}
			return eps, err
		}
	}
	rr.nodes = nodes.New(ncfg)
	ctx, cancel := context.WithCancel(context.Background())
	rr.nodesCancel = cancel
	rr.wg.Go(func() { _ = rr.nodes.Run(ctx) })
}

// abort undoes a failed start.
func (rr *runningRegistry) abort() {
	if rr.node != nil {
		rr.node.Shutdown(context.Background())
	}
	if rr.comm != nil {
		rr.comm.Destroy()
	}
	rr.stopBackground()
	_ = rr.store.Close()
}

// stopBackground ends the ZooKeeper session, the cache writer, the nodes directory and the
// client sessions (their allocations go; the nodes stop their servers themselves).
func (rr *runningRegistry) stopBackground() {
	if rr.cancel != nil {
		rr.cancel()
	}
	if rr.nodesCancel != nil {
		rr.nodesCancel()
	}
	if rr.sessionsCancel != nil {
		rr.sessionsCancel()
	}
	if rr.zk != nil {
		_ = rr.zk.Close()
	}
	rr.wg.Wait()
}

// stop resigns first (closing the ZooKeeper session removes this replica's ephemeral znodes,
// so a successor is elected at once), then drains and closes everything within about 5 s.
func (rr *runningRegistry) stop() error {
	rr.stopBackground()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	if rr.node != nil {
		rr.node.Shutdown(ctx)
	}
	if rr.http != nil {
		_ = rr.http.Shutdown(ctx)
		if err := <-rr.httpDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
			rr.log.Warn("HTTP server", "err", err)
		}
	}
	rr.comm.Destroy()
	if err := rr.store.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}
