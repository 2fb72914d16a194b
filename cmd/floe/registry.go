package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"floe/ice"
	"floe/ice/properties"
	"floe/internal/config"
	"floe/internal/httpapi"
	"floe/internal/locator"
	"floe/internal/registry"
	"floe/internal/store"
	"floe/internal/store/bolt"
)

// runRegistry is `floe registry`: it serves until ctx ends (SIGINT/SIGTERM), then stops
// accepting, drains in-flight requests, closes the store and returns (SPEC.md §1).
func runRegistry(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if wantsHelp(args) {
		fmt.Fprintln(stdout, "usage: floe registry [--Ice.Config=FILE] [--Name=Value ...]\n\n"+
			"Runs an IceGrid-compatible registry. With no configuration: a standalone registry on\n"+
			"tcp -h 127.0.0.1 -p 4061, data in ./floe-data, HTTP API on 127.0.0.1:4080.")
		return nil
	}
	props, rest, err := properties.Parse(args, nil, nil)
	if err != nil {
		return &usageError{err.Error()}
	}
	if len(rest) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	cfg, warnings, err := config.LoadRegistry(props)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(props)}))
	for _, w := range warnings {
		log.Warn(w)
	}
	if len(cfg.ZooKeeperHosts) > 0 {
		return errors.New("Floe.ZooKeeper.Hosts is set, but ZooKeeper mode is not implemented yet")
	}
	r, err := startRegistry(ctx, cfg, props, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "floe registry %s ready: locator %s\n", cfg.ReplicaName, r.locatorProxy)
	<-ctx.Done()
	log.Info("shutting down")
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
	comm         *ice.Communicator
	store        store.Store
	http         *http.Server
	httpDone     chan error
	locatorProxy string
	log          *slog.Logger
}

func startRegistry(ctx context.Context, cfg config.Registry, props *properties.Properties, log *slog.Logger) (*runningRegistry, error) {
	bst, err := bolt.Open(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	metrics := httpapi.NewMetrics()
	st := store.Observed(bst, metrics.ObserveStoreWrite)
	reg, err := registry.New(ctx, registry.Config{DynamicRegistration: cfg.DynamicRegistration}, st)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	// IceGrid closes idle client connections (Ice.ACM.Server.Close=3) after the session timeout.
	iceProps := props.Clone()
	if !iceProps.Has("Ice.ACM.Server.Close") {
		iceProps.Set("Ice.ACM.Server.Close", "3")
	}
	if !iceProps.Has("IceGrid.Registry.Client.ACM.Timeout") {
		iceProps.Set("IceGrid.Registry.Client.ACM.Timeout", fmt.Sprint(int(cfg.SessionTimeout.Seconds())))
	}
	iceProps.Set("IceGrid.Registry.Client.Endpoints", cfg.ClientEndpoints)
	iceProps.Set("IceGrid.Registry.Server.Endpoints", cfg.ServerEndpoints)
	comm, err := ice.New(iceProps, log.With("component", "ice"))
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	rr := &runningRegistry{comm: comm, store: st, log: log}
	srv := &locator.Server{Registry: reg, Log: log, Observer: metrics, SessionTimeout: int32(cfg.SessionTimeout.Seconds())}
	if err := rr.serveIce(ctx, cfg, srv); err != nil {
		comm.Destroy()
		_ = st.Close()
		return nil, err
	}
	if cfg.HTTPEndpoint != "" {
		api := &httpapi.API{Registry: reg, Metrics: metrics.Registry, Log: log, Info: func() httpapi.Info {
			return httpapi.Info{Name: cfg.ReplicaName, Role: "standalone", InstanceName: cfg.InstanceName,
				Store: "bolt:" + cfg.DataDir, Locator: rr.locatorProxy}
		}}
		if err := rr.serveHTTP(cfg.HTTPEndpoint, api.Handler()); err != nil {
			comm.Destroy()
			_ = st.Close()
			return nil, err
		}
	}
	return rr, nil
}

// serveIce creates the Client and Server adapters with the registry's objects (SPEC.md §3).
func (rr *runningRegistry) serveIce(ctx context.Context, cfg config.Registry, srv *locator.Server) error {
	client, err := rr.comm.CreateObjectAdapter("IceGrid.Registry.Client")
	if err != nil {
		return err
	}
	server, err := rr.comm.CreateObjectAdapter("IceGrid.Registry.Server")
	if err != nil {
		return err
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
	// A master answers getLocalRegistry with <instance>/Registry (slaves: Registry-<name>).
	srv.LocalRegistryPrx = srv.RegistryPrx
	srv.LocatorRegistryPrx = add(server, locator.LocatorRegistryServant{Server: srv}, "LocatorRegistry")
	if _, err := client.Add(locator.LocatorFinderServant{Server: srv}, ice.Identity{Category: "Ice", Name: "LocatorFinder"}); err != nil {
		return err
	}
	for _, o := range []struct {
		p *ice.Proxy
		t string
	}{{srv.LocatorPrx, "::IceGrid::Locator"}, {srv.QueryPrx, "::IceGrid::Query"}, {srv.RegistryPrx, "::IceGrid::Registry"},
		{replica, "::IceGrid::Registry"}, {srv.LocatorRegistryPrx, "::Ice::LocatorRegistry"}} {
		srv.Registry.AddBuiltinObject(&store.Object{Identity: o.p.Identity(), Type: o.t, Proxy: o.p.Reference()})
	}
	rr.locatorProxy = srv.LocatorPrx.String()
	if err := server.Activate(ctx); err != nil {
		return err
	}
	return client.Activate(ctx)
}

func (rr *runningRegistry) serveHTTP(addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	rr.http = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	rr.httpDone = make(chan error, 1)
	go func() { rr.httpDone <- rr.http.Serve(ln) }()
	return nil
}

// stop drains and closes everything within about five seconds.
func (rr *runningRegistry) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	if rr.http != nil {
		_ = rr.http.Shutdown(ctx)
		<-rr.httpDone
	}
	rr.comm.Destroy()
	return rr.store.Close()
}
