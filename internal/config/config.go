// Package config turns Ice property sets into the typed, validated configuration of a Floe
// registry or node, with IceGrid's property names and defaults (SPEC.md §2). The property
// tables (props.go for the registry, nodeImplemented in node.go for `floe node`) list what Floe
// understands; properties under IceGrid.* or Floe.* that are not in them produce warnings,
// never silence.
package config

import (
	"fmt"
	"math"
	"net"
	"path/filepath"
	"strings"
	"time"

	"floe/ice/properties"
	"floe/ice/reference"
	"floe/internal/store"
)

// Registry is the configuration of `floe registry`.
type Registry struct {
	InstanceName        string
	ClientEndpoints     string
	ServerEndpoints     string
	InternalEndpoints   string
	DataDir             string
	ReplicaName         string
	DynamicRegistration bool
	SessionTimeout      time.Duration
	// PermissionsVerifier (IceGrid.Registry.PermissionsVerifier) is the proxy of the client
	// sessions' Glacier2::PermissionsVerifier; CryptPasswords (IceGrid.Registry.CryptPasswords)
	// and SSLPermissionsVerifier (IceGrid.Registry.SSLPermissionsVerifier) are read only to
	// refuse sessions with IceGrid's reasons (package session).
	PermissionsVerifier    string
	CryptPasswords         string
	SSLPermissionsVerifier string
	// NodeSessionTimeout is IceGrid.Registry.NodeSessionTimeout: a `floe node` that has not
	// kept its session alive for this long is considered down.
	NodeSessionTimeout time.Duration
	HTTPEndpoint       string // "" disables the HTTP API
	Pprof              bool   // Floe.HTTP.Pprof: serve /debug/pprof/

	ZooKeeperHosts          []string // empty: standalone on the embedded store
	ZooKeeperRoot           string
	ZooKeeperSessionTimeout time.Duration

	// The collocated node (IceGrid.Node.CollocateRegistry=1; on by default with no
	// configuration at all).
	CollocateNode bool
	NodeName      string        // IceGrid.Node.Name, default "local"
	NodeData      string        // IceGrid.Node.Data, default <data dir>/node
	NodeLocator   string        // Ice.Default.Locator for the node's servers; default: this registry
	NodeOutput    string        // IceGrid.Node.Output
	NodeWaitTime  time.Duration // IceGrid.Node.WaitTime: how long a lookup waits for an on-demand server
	// NodeDisableOnFailure is IceGrid.Node.DisableOnFailure in seconds (0 off, < 0 until
	// enabled by hand).
	NodeDisableOnFailure time.Duration
	// NodeRedirectErrToOut is IceGrid.Node.RedirectErrToOut: servers' stderr goes to <id>.out.
	NodeRedirectErrToOut bool
}

// Defaults of a registry started with no configuration at all (SPEC.md §2).
const (
	DefaultClientEndpoints = "tcp -h 127.0.0.1 -p 4061"
	DefaultDataDir         = "./floe-data"
	DefaultHTTPEndpoint    = "127.0.0.1:4080"
)

// LoadRegistry reads a registry configuration. Warnings list properties that are not
// implemented or not known; the caller logs each once.
func LoadRegistry(p *properties.Properties) (Registry, []string, error) {
	bare := len(p.WithPrefix("IceGrid.")) == 0 && len(p.WithPrefix("Floe.")) == 0
	c := Registry{
		InstanceName:        p.GetWithDefault("IceGrid.InstanceName", "IceGrid"),
		ClientEndpoints:     p.GetWithDefault("IceGrid.Registry.Client.Endpoints", DefaultClientEndpoints),
		InternalEndpoints:   p.Get("IceGrid.Registry.Internal.Endpoints"),
		DataDir:             p.GetWithDefault("IceGrid.Registry.LMDB.Path", p.GetWithDefault("IceGrid.Registry.Data", DefaultDataDir)),
		ReplicaName:         p.GetWithDefault("IceGrid.Registry.ReplicaName", "Master"),
		DynamicRegistration: bare,
		HTTPEndpoint:        p.GetWithDefault("Floe.HTTP.Endpoint", DefaultHTTPEndpoint),
		ZooKeeperRoot:       p.GetWithDefault("Floe.ZooKeeper.Root", "/IceGrid"),

		PermissionsVerifier:    p.Get("IceGrid.Registry.PermissionsVerifier"),
		CryptPasswords:         p.Get("IceGrid.Registry.CryptPasswords"),
		SSLPermissionsVerifier: p.Get("IceGrid.Registry.SSLPermissionsVerifier"),
	}
	if p.Has("Floe.HTTP.Endpoint") && p.Get("Floe.HTTP.Endpoint") == "" {
		c.HTTPEndpoint = ""
	}
	var err error
	if p.Has("IceGrid.Registry.DynamicRegistration") {
		if c.DynamicRegistration, err = boolProp(p, "IceGrid.Registry.DynamicRegistration"); err != nil {
			return c, nil, err
		}
	}
	c.Pprof = p.GetIntOr("Floe.HTTP.Pprof", 0) > 0
	if c.SessionTimeout, err = durationProp(p, "IceGrid.Registry.SessionTimeout", 30, time.Second); err != nil {
		return c, nil, err
	}
	if c.NodeSessionTimeout, err = durationProp(p, "IceGrid.Registry.NodeSessionTimeout", 30, time.Second); err != nil {
		return c, nil, err
	}
	if c.ZooKeeperSessionTimeout, err = durationProp(p, "Floe.ZooKeeper.SessionTimeout", 4000, time.Millisecond); err != nil {
		return c, nil, err
	}
	if c.ZooKeeperHosts, err = hostList(p, "Floe.ZooKeeper.Hosts"); err != nil {
		return c, nil, err
	}
	if err := c.loadNode(p, bare); err != nil {
		return c, nil, err
	}
	if c.ServerEndpoints, err = serverEndpoints(p, c.ClientEndpoints); err != nil {
		return c, nil, err
	}
	if err := c.validate(); err != nil {
		return c, nil, err
	}
	return c, warnings(p), nil
}

// serverEndpoints defaults IceGrid.Registry.Server.Endpoints to an ephemeral port on the
// client endpoint's host.
func serverEndpoints(p *properties.Properties, client string) (string, error) {
	if s := p.Get("IceGrid.Registry.Server.Endpoints"); s != "" {
		return s, nil
	}
	eps, err := reference.ParseAdapterEndpoints(client, reference.Defaults{Timeout: 60000, Protocol: "tcp"})
	if err != nil {
		return "", fmt.Errorf("config: IceGrid.Registry.Client.Endpoints: %w", err)
	}
	host := "127.0.0.1"
	if t, ok := eps[0].(reference.TCPEndpoint); ok && t.Host != "" {
		host = t.Host
	}
	return fmt.Sprintf("tcp -h %q", host), nil
}

func (c *Registry) validate() error {
	defaults := reference.Defaults{Timeout: 60000, Protocol: "tcp"}
	for _, e := range []struct{ name, v string }{
		{"IceGrid.Registry.Client.Endpoints", c.ClientEndpoints},
		{"IceGrid.Registry.Server.Endpoints", c.ServerEndpoints},
	} {
		if _, err := reference.ParseAdapterEndpoints(e.v, defaults); err != nil {
			return fmt.Errorf("config: %s: %w", e.name, err)
		}
	}
	if c.HTTPEndpoint != "" {
		if _, _, err := net.SplitHostPort(c.HTTPEndpoint); err != nil {
			return fmt.Errorf("config: Floe.HTTP.Endpoint: %w", err)
		}
	}
	if c.InstanceName == "" || strings.ContainsAny(c.InstanceName, "/ ") {
		return fmt.Errorf("config: IceGrid.InstanceName %q is not a valid identity category", c.InstanceName)
	}
	if c.SessionTimeout <= 0 {
		return fmt.Errorf("config: IceGrid.Registry.SessionTimeout must be positive")
	}
	if c.NodeSessionTimeout <= 0 {
		return fmt.Errorf("config: IceGrid.Registry.NodeSessionTimeout must be positive")
	}
	if c.ZooKeeperSessionTimeout < 100*time.Millisecond {
		return fmt.Errorf("config: Floe.ZooKeeper.SessionTimeout must be at least 100 ms")
	}
	return nil
}

// durationProp reads an integer property counting units, def when it is not set. A value that
// is not an integer, or too large for a time.Duration, is an error naming the property.
func durationProp(p *properties.Properties, name string, def int, unit time.Duration) (time.Duration, error) {
	n, err := p.GetInt(name, def)
	if err != nil {
		return 0, err
	}
	if limit := math.MaxInt64 / int64(unit); int64(n) > limit || int64(n) < -limit {
		return 0, fmt.Errorf("config: %s=%d is out of range", name, n)
	}
	return time.Duration(n) * unit, nil
}

// hostList reads a comma-separated list of host:port, "" when not set. Spaces around each are
// dropped; an empty one is an error (ZooKeeper's client would read it as localhost).
func hostList(p *properties.Properties, name string) ([]string, error) {
	v := strings.TrimSpace(p.Get(name))
	if v == "" {
		return nil, nil
	}
	hosts := strings.Split(v, ",")
	for i, h := range hosts {
		if hosts[i] = strings.TrimSpace(h); hosts[i] == "" {
			return nil, fmt.Errorf("config: %s=%q has an empty host", name, v)
		}
	}
	return hosts, nil
}

func boolProp(p *properties.Properties, name string) (bool, error) {
	switch v := strings.TrimSpace(p.Get(name)); v {
	case "1", "true", "yes":
		return true, nil
	case "0", "false", "no", "":
		return false, nil
	default:
		return false, fmt.Errorf("config: %s=%q is not a boolean (use 0 or 1)", name, v)
	}
}

func (c *Registry) loadNode(p *properties.Properties, bare bool) error {
	c.CollocateNode = bare
	if p.Has("IceGrid.Node.CollocateRegistry") {
		on, err := boolProp(p, "IceGrid.Node.CollocateRegistry")
		if err != nil {
			return err
		}
		c.CollocateNode = on
	}
	c.NodeName = p.GetWithDefault("IceGrid.Node.Name", "local")
	c.NodeData = p.GetWithDefault("IceGrid.Node.Data", filepath.Join(c.DataDir, "node"))
	c.NodeLocator = p.Get("Ice.Default.Locator")
	c.NodeOutput = p.Get("IceGrid.Node.Output")
	var err error
	if c.NodeWaitTime, err = durationProp(p, "IceGrid.Node.WaitTime", 60, time.Second); err != nil {
		return err
	}
	if c.NodeDisableOnFailure, err = durationProp(p, "IceGrid.Node.DisableOnFailure", 0, time.Second); err != nil {
		return err
	}
	if c.NodeRedirectErrToOut, err = boolProp(p, "IceGrid.Node.RedirectErrToOut"); err != nil {
		return err
	}
	if c.CollocateNode && !store.ValidKey(c.NodeName) {
		return fmt.Errorf("config: IceGrid.Node.Name %q is not a valid node name", c.NodeName)
	}
	return nil
}
