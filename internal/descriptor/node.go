package descriptor

import (
	"errors"
	"maps"

	"floe/internal/slice/icegrid"
)

// Node is what an IceGrid node contributes to its servers: the values of the ${node.*}
// variables (IceGrid.Node.Data and the platform) and the node-wide properties it adds to every
// configuration file (ServerI::getProperties).
type Node struct {
	Name     string // set by Expand from the descriptor
	OS       string // ${node.os}: uname sysname, for example "Linux"
	Hostname string // ${node.hostname}
	Release  string // ${node.release}
	Version  string // ${node.version}
	Machine  string // ${node.machine}, for example "x86_64"
	// DataDir is ${node.data}: IceGrid.Node.Data made absolute, without a trailing '/'.
	DataDir string
	// Locator is the node's Ice.Default.Locator, copied into every configuration file that
	// does not set one.
	Locator string
	// DiscoveryPlugin is the node's Ice.Plugin.IceLocatorDiscovery; with InstanceName it is
	// copied like Locator.
	DiscoveryPlugin string
	InstanceName    string
	// OutputDir (IceGrid.Node.Output) sets Ice.StdOut and Ice.StdErr to <OutputDir>/<server>.out
	// and .err, or both to .out with RedirectErrToOut.
	OutputDir        string
	RedirectErrToOut bool
	// PropertiesOverride (IceGrid.Node.PropertiesOverride) is appended to every file, by name.
	PropertiesOverride map[string]string
}

// nodeResolver is the resolver a node uses for one server: only reserved variables, with
// $$ escapes removed (Resolver(InternalNodeInfo) in NodeCache.cpp).
func nodeResolver(node Node, app, server, session string) *resolver {
	r := &resolver{
		escape:    true,
		context:   "node `" + node.Name + "'",
		variables: map[string]string{},
		reserved:  reservedVariables(),
		ignore:    map[string]bool{},
	}
	maps.Copy(r.reserved, map[string]string{
		"node": node.Name, "node.os": node.OS, "node.hostname": node.Hostname, "node.release": node.Release,
		"node.version": node.Version, "node.machine": node.Machine, "node.datadir": node.DataDir,
		"node.data": node.DataDir, "application": app, "server": server, "session.id": session,
	})
	r.setContext("server `${server}'")
	return r
}

// resolveOnNode substitutes what the registry left for the node. Like IceGrid, a failure
// (typically ${session.id} in a session server that is not allocated) leaves the descriptor as
// the registry made it; the failure is returned for information.
func resolveOnNode(app string, desc icegrid.Server, node Node, session string) (icegrid.Server, error) {
	var out icegrid.Server
	f := catchFailure(func() {
		out = nodeResolver(node, app, desc.Server().ID, session).server(desc, nil, nil)
	})
	if f != nil {
		return desc, errors.New(f.msg)
	}
	return out, nil
}
