package config

import (
	"fmt"
	"sort"
	"strings"

	"floe/ice/properties"
)

// implemented lists the IceGrid.* and Floe.* properties Floe reads (exact names).
var implemented = map[string]bool{
	"IceGrid.InstanceName":                    true,
	"IceGrid.Registry.Client.Endpoints":       true,
	"IceGrid.Registry.Server.Endpoints":       true,
	"IceGrid.Registry.Internal.Endpoints":     true,
	"IceGrid.Registry.LMDB.Path":              true,
	"IceGrid.Registry.Data":                   true,
	"IceGrid.Registry.ReplicaName":            true,
	"IceGrid.Registry.DynamicRegistration":    true,
	"IceGrid.Registry.SessionTimeout":         true,
	"IceGrid.Registry.NodeSessionTimeout":     true,
	"IceGrid.Registry.PermissionsVerifier":    true,
	"IceGrid.Registry.CryptPasswords":         true,
	"IceGrid.Registry.SSLPermissionsVerifier": true,
	"Floe.ZooKeeper.Hosts":                    true,
	"Floe.ZooKeeper.Root":                     true,
	"Floe.ZooKeeper.SessionTimeout":           true,
	"Floe.HTTP.Endpoint":                      true,
}

// accepted are IceGrid properties with no effect in Floe by design (admin verifiers are not
// needed for the HTTP admin; LMDB tuning has no meaning for the embedded store).
var accepted = map[string]string{
	"IceGrid.Registry.LMDB.MapSize":                "the embedded store grows as needed",
	"IceGrid.Registry.AdminPermissionsVerifier":    "Ice admin sessions are not offered yet; use floe admin",
	"IceGrid.Registry.AdminSSLPermissionsVerifier": "ssl is not supported yet",
	"IceGrid.Registry.Discovery.Interface":         "multicast discovery is not supported yet",
}

// nodePrefixes are read by `floe node` (and a collocated node), not by the registry itself.
var nodePrefixes = []string{"IceGrid.Node."}

// warnings lists, sorted, one line per IceGrid.* or Floe.* property that Floe does not
// implement.
func warnings(p *properties.Properties) []string {
	var out []string
	for _, prefix := range []string{"IceGrid.", "Floe."} {
		for name := range p.WithPrefix(prefix) {
			if implemented[name] || isNodeProperty(name) || strings.HasPrefix(name, "IceGrid.Registry.Trace.") {
				continue
			}
			if why, ok := accepted[name]; ok {
				out = append(out, fmt.Sprintf("property %s has no effect in Floe: %s", name, why))
				continue
			}
			out = append(out, fmt.Sprintf("property %s is not implemented by Floe and is ignored", name))
		}
	}
	sort.Strings(out)
	return out
}

func isNodeProperty(name string) bool {
	for _, p := range nodePrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
