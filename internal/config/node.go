package config

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"floe/ice/properties"
	"floe/ice/reference"
	"floe/internal/store"
)

// Node is the configuration of `floe node`.
type Node struct {
	Name      string // IceGrid.Node.Name
	Endpoints string // IceGrid.Node.Endpoints: where registries reach the node
	DataDir   string // IceGrid.Node.Data
	OutputDir string // IceGrid.Node.Output; "" lets servers inherit the node's stdout/stderr
	Locator   string // Ice.Default.Locator, copied into the servers' configuration
	// InstanceName is the locator's identity category; Registries are its endpoints, one
	// registry replica each.
	InstanceName string
	Registries   []string
	// WaitTime is IceGrid.Node.WaitTime when set (the default deactivation timeout), else 0.
	WaitTime time.Duration
	// DisableOnFailure is IceGrid.Node.DisableOnFailure in seconds (0 off, < 0 until enabled by hand).
	DisableOnFailure time.Duration
	// RedirectErrToOut is IceGrid.Node.RedirectErrToOut: servers' stderr goes to <id>.out.
	RedirectErrToOut bool
	// CollocateRegistry is IceGrid.Node.CollocateRegistry: the node runs inside a registry,
	// which is `floe registry`'s job.
	CollocateRegistry bool
}

// nodeImplemented lists the IceGrid.Node.* properties `floe node` reads.
var nodeImplemented = map[string]bool{
	"IceGrid.Node.Name": true, "IceGrid.Node.Endpoints": true, "IceGrid.Node.Data": true,
	"IceGrid.Node.Output": true, "IceGrid.Node.WaitTime": true, "IceGrid.Node.DisableOnFailure": true,
	"IceGrid.Node.RedirectErrToOut":  true,
	"IceGrid.Node.CollocateRegistry": true,
}

// LoadNode reads a node configuration. Warnings list the IceGrid.Node.* properties it does not
// implement (registry properties in a shared file are the registry's, and are not mentioned).
func LoadNode(p *properties.Properties) (Node, []string, error) {
	c := Node{
		Name:      p.Get("IceGrid.Node.Name"),
		Endpoints: p.Get("IceGrid.Node.Endpoints"),
		DataDir:   p.Get("IceGrid.Node.Data"),
		OutputDir: p.Get("IceGrid.Node.Output"),
		Locator:   p.Get("Ice.Default.Locator"),
	}
	var err error
	if c.CollocateRegistry, err = boolProp(p, "IceGrid.Node.CollocateRegistry"); err != nil || c.CollocateRegistry {
		return c, nil, err
	}
	for _, name := range []string{"IceGrid.Node.Name", "IceGrid.Node.Endpoints", "IceGrid.Node.Data", "Ice.Default.Locator"} {
		if strings.TrimSpace(p.Get(name)) == "" {
			return c, nil, fmt.Errorf("config: %s is required", name)
		}
	}
	if !store.ValidKey(c.Name) || strings.ContainsAny(c.Name, "/ ") {
		return c, nil, fmt.Errorf("config: IceGrid.Node.Name %q is not a valid node name", c.Name)
	}
	defaults := reference.Defaults{Timeout: 60000, Protocol: "tcp"}
	if _, err := reference.ParseAdapterEndpoints(c.Endpoints, defaults); err != nil {
		return c, nil, fmt.Errorf("config: IceGrid.Node.Endpoints: %w", err)
	}
	if err := c.loadLocator(defaults); err != nil {
		return c, nil, err
	}
	if p.Has("IceGrid.Node.WaitTime") {
		wt, err := durationProp(p, "IceGrid.Node.WaitTime", 60, time.Second)
		if err != nil || wt <= 0 {
			return c, nil, fmt.Errorf("config: IceGrid.Node.WaitTime must be a positive number of seconds")
		}
		c.WaitTime = wt
	}
	if c.DisableOnFailure, err = durationProp(p, "IceGrid.Node.DisableOnFailure", 0, time.Second); err != nil {
		return c, nil, err
	}
	if c.RedirectErrToOut, err = boolProp(p, "IceGrid.Node.RedirectErrToOut"); err != nil {
		return c, nil, err
	}
	return c, nodeWarnings(p), nil
}

// loadLocator finds the registries in Ice.Default.Locator: its category is the instance name
// and each endpoint is one replica.
func (c *Node) loadLocator(defaults reference.Defaults) error {
	ref, err := reference.Parse(c.Locator, defaults)
	if err != nil {
		return fmt.Errorf("config: Ice.Default.Locator: %w", err)
	}
	if ref == nil || ref.Identity.Category == "" || len(ref.Endpoints) == 0 {
		return fmt.Errorf("config: Ice.Default.Locator %q must be <InstanceName>/Locator with endpoints", c.Locator)
	}
	c.InstanceName = ref.Identity.Category
	for _, ep := range ref.Endpoints {
		c.Registries = append(c.Registries, ep.String())
	}
	return nil
}

func nodeWarnings(p *properties.Properties) []string {
	var out []string
	for name := range p.WithPrefix("IceGrid.Node.") {
		if !nodeImplemented[name] && !strings.HasPrefix(name, "IceGrid.Node.Trace.") {
			out = append(out, fmt.Sprintf("property %s is not implemented by Floe and is ignored", name))
		}
	}
	sort.Strings(out)
	return out
}
