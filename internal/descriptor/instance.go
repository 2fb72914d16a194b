package descriptor

import (
	"strings"

	"floe/internal/slice/icegrid"
)

// instanceParams is InstanceHelper::instantiateParams: the values given to a template instance,
// resolved in the instance's scope, completed with the template's defaults.
func (r *resolver) instanceParams(tmpl string, values map[string]string, required []string,
	defaults map[string]string) map[string]string {
	params := map[string]string{}
	req := map[string]bool{}
	for _, p := range required {
		req[p] = true
	}
	var unknown []string
	for _, k := range sortedKeys(values) {
		if !req[k] {
			unknown = append(unknown, k)
		}
		params[k] = r.resolve(values[k], "parameter `"+k+"'", true)
	}
	if len(unknown) > 0 {
		r.exception("unknown parameters when instantiating `" + tmpl + "' template: " + strings.Join(unknown, " ") + " ")
	}
	var missing []string
	for _, k := range sortedKeys(req) {
		if _, ok := params[k]; ok {
			continue
		}
		if d, ok := defaults[k]; ok {
			params[k] = r.resolve(d, "default parameter `"+k+"'", true)
		} else {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		r.exception("undefined parameters when instantiating `" + tmpl + "' template: " + strings.Join(missing, " ") + " ")
	}
	return params
}

// serverInstance is a server of a node: an inline <server>/<icebox> or a <server-instance>.
type serverInstance struct {
	id       string
	path     string                           // Source path of the element
	instance icegrid.ServerInstanceDescriptor // template instances: what IceGrid keeps of them
	server   icegrid.Server                   // the instantiated server
}

// instantiateServer is ServerInstanceHelper::init with instantiation. def is the inline server,
// or nil for a template instance si.
func (r *resolver) instantiateServer(si icegrid.ServerInstanceDescriptor, def icegrid.Server, path string) *serverInstance {
	r = r.at(path)
	var params map[string]string
	if def == nil {
		if si.Template == "" {
			r.exception("invalid server instance: template is not defined")
		}
		t := r.serverTemplate(si.Template)
		if def, _ = t.Descriptor.(icegrid.Server); def == nil {
			failAt(path, "invalid server template `"+si.Template+"': server definition is empty")
		}
		params = r.instanceParams(si.Template, si.ParameterValues, t.Parameters, t.ParameterDefaults)
	}
	sr := r.derive(params, true)
	sr.setReserved("server", sr.asID(def.Server().ID, "server id", false))
	sr.setContext("server `${server}'")
	sr.setVersion(def.Server().IceVersion)
	s := &serverInstance{id: sr.resolve("${server}", "", true), path: path}
	if sr.resolve(def.Server().Activation, "server activation", true) == "session" {
		sr.ignore["session.id"] = true
	}
	if si.Template != "" {
		s.instance = icegrid.ServerInstanceDescriptor{
			Template:        si.Template,
			ParameterValues: params,
			PropertySet:     sr.propertySet(si.PropertySet),
		}
		for _, name := range sortedKeys(si.ServicePropertySets) {
			if s.instance.ServicePropertySets == nil {
				s.instance.ServicePropertySets = map[string]icegrid.PropertySetDescriptor{}
			}
			key := sr.resolve(name, "", true)
			if _, dup := s.instance.ServicePropertySets[key]; !dup {
				s.instance.ServicePropertySets[key] = sr.propertySet(si.ServicePropertySets[name])
			}
		}
	}
	s.server = sr.server(def, s.instance.PropertySet.Properties, s.instance.ServicePropertySets)
	return s
}

// at returns a copy of r whose errors point at path.
func (r *resolver) at(path string) *resolver {
	c := *r
	c.path = path
	return &c
}

// instantiateNode is NodeHelper with instantiation: the node's own scope, then its servers.
func (r *resolver) instantiateNode(name string, def icegrid.NodeDescriptor) (icegrid.NodeDescriptor, []*serverInstance) {
	if name == "" {
		r.exception("invalid node: empty name")
	}
	nr := r.derive(def.Variables, false).at(nodePath(name))
	nr.setReserved("node", name)
	nr.setContext("node `" + name + "'")
	inst := icegrid.NodeDescriptor{
		Variables:   def.Variables,
		LoadFactor:  nr.asFloat(def.LoadFactor, "load factor"),
		Description: nr.resolve(def.Description, "description", true),
	}
	inst.PropertySets = nr.namedPropertySets(def.PropertySets)
	nr.addPropertySets(inst.PropertySets)

	var servers []*serverInstance
	seen := map[string]bool{}
	for i, si := range def.ServerInstances {
		s := nr.instantiateServer(si, nil, instancePath(name, i))
		if seen[s.id] {
			failAt(s.path, nr.context+":\nduplicate server `"+s.id+"' in node `"+name+"'")
		}
		seen[s.id] = true
		inst.ServerInstances = append(inst.ServerInstances, s.instance)
		servers = append(servers, s)
	}
	seen = map[string]bool{}
	for i, def := range def.Servers {
		s := nr.instantiateServer(icegrid.ServerInstanceDescriptor{}, def, serverPath(name, i))
		if seen[s.id] {
			failAt(s.path, nr.context+":\nduplicate server `"+s.id+"' in node `"+name+"'")
		}
		seen[s.id] = true
		inst.Servers = append(inst.Servers, s.server)
		servers = append(servers, s)
	}
	return inst, servers
}
