package descriptor

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"floe/internal/slice/icegrid"
)

// ServerConfig is what a node makes of a server descriptor (IceGrid's InternalServerDescriptor
// and the files ServerI writes): the descriptor with the node's variables substituted and the
// configuration files under <node data>/servers/<id>/config.
type ServerConfig struct {
	// Descriptor is the server after the node's pass; when that pass fails (NodeErr) it is the
	// registry's descriptor unchanged, which is what IceGrid then deploys.
	Descriptor icegrid.Server
	NodeErr    error
	// Files are "config", then "config_<service>" for each IceBox service, in name order.
	Files []ConfigFile
	// Adapters are the adapters the node registers for the server; ServerLifetime is false for
	// the services of an IceBox with an admin endpoint, whatever the descriptor says.
	Adapters []NodeAdapter
	// ProcessRegistered reports whether the server is expected to register its Process object
	// (it has an admin endpoint).
	ProcessRegistered bool
	Services          []string // IceBox service names, in load order
	Logs              []string // log paths declared by <log> elements
	DbEnvs            []icegrid.DbEnvDescriptor
}

// NodeAdapter is an adapter as the node tracks it.
type NodeAdapter struct {
	ID             string
	ServerLifetime bool
}

// ConfigFile is one configuration file. A property whose name starts with '#' and whose value is
// empty is a comment line.
type ConfigFile struct {
	Name       string
	Properties []icegrid.PropertyDescriptor
}

// Bytes returns the file as icegridnode writes it, with the header stamped at t.
func (f ConfigFile) Bytes(t time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Configuration file (%s)\n\n", t.Format("01/02/06 15:04:05.000"))
	for _, p := range f.Properties {
		if p.Value == "" && strings.HasPrefix(p.Name, "#") {
			b.WriteString(p.Name + "\n")
		} else {
			b.WriteString(p.Name + "=" + p.Value + "\n")
		}
	}
	return b.Bytes()
}

// Configure computes what node does with a server descriptor the registry instantiated for
// application app (NodeEntry::getInternalServerDescriptor, then ServerI::getProperties).
// sessionID is the allocating session of a session server, or "".
func Configure(app string, desc icegrid.Server, node Node, sessionID string) *ServerConfig {
	resolved, err := resolveOnNode(app, desc, node, sessionID)
	c := &ServerConfig{Descriptor: resolved, NodeErr: err}
	s := resolved.Server()
	files := map[string][]icegrid.PropertyDescriptor{}
	version := 0
	if s.IceVersion != "" {
		version = mmVersion(s.IceVersion)
	}
	files["config"] = c.serverProperties(s, version)
	if box, ok := resolved.(*icegrid.IceBoxDescriptor); ok {
		files["config"] = append(files["config"], c.iceboxProperties(box, node, version)...)
	}
	dbs := node.DataDir + "/servers/" + s.ID + "/dbs/"
	for _, ref := range communicators(resolved) {
		c.addCommunicator(files, ref, dbs, version)
	}
	c.nodeProperties(files, s.ID, node)
	for _, name := range sortedKeys(files) {
		c.Files = append(c.Files, ConfigFile{Name: name, Properties: files[name]})
	}
	return c
}

func prop(name, value string) icegrid.PropertyDescriptor {
	return icegrid.PropertyDescriptor{Name: name, Value: value}
}

// serverProperties is the "# Server configuration" section.
func (c *ServerConfig) serverProperties(s *icegrid.ServerDescriptor, version int) []icegrid.PropertyDescriptor {
	props := []icegrid.PropertyDescriptor{prop("# Server configuration", "")}
	own := s.PropertySet.Properties
	if version == 0 || version >= 30300 {
		props = append(props, prop("Ice.Admin.ServerId", s.ID))
		switch {
		case hasProperty(own, "Ice.Admin.Enabled"):
			c.ProcessRegistered = propertyAsInt(own, "Ice.Admin.Enabled") > 0
		case hasProperty(own, "Ice.Admin.Endpoints"):
			c.ProcessRegistered = property(own, "Ice.Admin.Endpoints", "") != ""
		default:
			props = append(props, prop("Ice.Admin.Endpoints", "tcp -h localhost"))
			c.ProcessRegistered = true
		}
	} else {
		props = append(props, prop("Ice.ServerId", s.ID))
	}
	return append(props, prop("Ice.ProgramName", s.ID))
}

// iceboxProperties declares the services, each with its own configuration file.
func (c *ServerConfig) iceboxProperties(box *icegrid.IceBoxDescriptor, node Node, version int) []icegrid.PropertyDescriptor {
	var props []icegrid.PropertyDescriptor
	var names []string
	for _, si := range box.Services {
		svc := si.Descriptor
		path := node.DataDir + "/servers/" + box.ID + "/config/config_" + svc.Name
		props = append(props, prop("IceBox.Service."+svc.Name, svc.Entry+" --Ice.Config='"+escapeProperty(path, false)+"'"))
		names = append(names, svc.Name)
	}
	props = append(props, prop("IceBox.LoadOrder", strings.Join(names, " ")))
	own := box.PropertySet.Properties
	if version != 0 && version < 30300 {
		if !hasProperty(own, "IceBox.ServiceManager.RegisterProcess") {
			props = append(props, prop("IceBox.ServiceManager.RegisterProcess", "1"))
			c.ProcessRegistered = true
		} else if property(own, "IceBox.ServiceManager.RegisterProcess", "") != "0" {
			c.ProcessRegistered = true
		}
		if !hasProperty(own, "IceBox.ServiceManager.Endpoints") {
			props = append(props, prop("IceBox.ServiceManager.Endpoints", "tcp -h 127.0.0.1"))
		}
	}
	if !hasProperty(own, "IceBox.InstanceName") && hasProperty(own, "IceBox.ServiceManager.Endpoints") {
		props = append(props, prop("IceBox.InstanceName", box.ID))
	}
	return props
}

// addCommunicator is ToInternalServerDescriptor: adapters, database environments and the
// descriptor's properties of one communicator, escaped for Ice's property parser.
func (c *ServerConfig) addCommunicator(files map[string][]icegrid.PropertyDescriptor, ref commRef, dbs string, version int) {
	file := "config"
	if ref.service != nil {
		file += "_" + ref.service.Name
		c.Services = append(c.Services, ref.service.Name)
	}
	props := files[file]
	own := append([]icegrid.PropertyDescriptor(nil), ref.comm.PropertySet.Properties...)
	ignoreLifetime := false
	if ref.service != nil && (version == 0 || version >= 30300) {
		cfg := files["config"]
		ignoreLifetime = propertyAsInt(cfg, "Ice.Admin.Enabled") > 0 || property(cfg, "Ice.Admin.Endpoints", "") != ""
	}
	for _, a := range ref.comm.Adapters {
		c.Adapters = append(c.Adapters, NodeAdapter{ID: a.ID, ServerLifetime: !ignoreLifetime && a.ServerLifetime})
		var endpoints string
		own, endpoints = removeProperty(own, a.Name+".Endpoints")
		props = append(props, prop("# Object adapter "+a.Name, ""), prop(a.Name+".Endpoints", endpoints),
			prop(a.Name+".AdapterId", a.ID))
		if a.ReplicaGroupID != "" {
			props = append(props, prop(a.Name+".ReplicaGroupId", a.ReplicaGroupID))
		}
		if version != 0 && version < 30300 && a.RegisterProcess {
			props = append(props, prop(a.Name+".RegisterProcess", "1"))
			c.ProcessRegistered = true
		}
	}
	c.Logs = append(c.Logs, ref.comm.Logs...)
	props = append(props, c.dbEnvProperties(ref.comm.DbEnvs, dbs)...)
	if len(own) > 0 {
		if ref.service != nil {
			props = append(props, prop("# Service descriptor properties", ""))
		} else {
			props = append(props, prop("# Server descriptor properties", ""))
		}
		props = append(props, own...)
	}
	if version == 0 || version >= 30300 {
		for i, p := range props {
			if !strings.HasPrefix(p.Name, "#") || p.Value != "" {
				props[i] = prop(escapeProperty(p.Name, true), escapeProperty(p.Value, false))
			}
		}
	}
	files[file] = props
}

// dbEnvProperties points each Freeze database environment at its home; the node manages the
// homes that the descriptor leaves empty, under dbs.
func (c *ServerConfig) dbEnvProperties(envs []icegrid.DbEnvDescriptor, dbs string) []icegrid.PropertyDescriptor {
	var props []icegrid.PropertyDescriptor
	for _, e := range envs {
		props = append(props, prop("# Database environment "+e.Name, ""))
		home := e.DbHome
		if home == "" {
			c.DbEnvs = append(c.DbEnvs, icegrid.DbEnvDescriptor{Name: e.Name, Properties: e.Properties})
			home = dbs + e.Name
		}
		props = append(props, prop("Freeze.DbEnv."+e.Name+".DbHome", home))
	}
	return props
}

// removeProperty removes every definition of name and returns the last value.
func removeProperty(props []icegrid.PropertyDescriptor, name string) ([]icegrid.PropertyDescriptor, string) {
	value := ""
	out := props[:0]
	for _, p := range props {
		if p.Name == name {
			value = p.Value
		} else {
			out = append(out, p)
		}
	}
	return out, value
}

// nodeProperties adds what comes from the node's own configuration: output files, the locator
// and the properties override (ServerI::getProperties).
func (c *ServerConfig) nodeProperties(files map[string][]icegrid.PropertyDescriptor, id string, node Node) {
	if node.OutputDir != "" {
		cfg := files["config"]
		if property(cfg, "Ice.StdErr", "") == "" {
			suffix := ".err"
			if node.RedirectErrToOut {
				suffix = ".out"
			}
			cfg = append(cfg, prop("Ice.StdErr", node.OutputDir+"/"+id+suffix))
		}
		if property(cfg, "Ice.StdOut", "") == "" {
			cfg = append(cfg, prop("Ice.StdOut", node.OutputDir+"/"+id+".out"))
		}
		files["config"] = cfg
	}
	overrides := sortedKeys(node.PropertiesOverride)
	for name, props := range files {
		if property(props, "Ice.Default.Locator", "") == "" {
			if node.Locator != "" {
				props = append(props, prop("Ice.Default.Locator", node.Locator))
			}
			if node.DiscoveryPlugin != "" {
				props = append(props, prop("Ice.Plugin.IceLocatorDiscovery", node.DiscoveryPlugin),
					prop("IceLocatorDiscovery.InstanceName", node.InstanceName))
			}
		}
		if len(overrides) > 0 {
			props = append(props, prop("# Node properties override", ""))
			for _, k := range overrides {
				props = append(props, prop(k, node.PropertiesOverride[k]))
			}
		}
		files[name] = props
	}
}
