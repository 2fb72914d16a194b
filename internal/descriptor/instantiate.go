package descriptor

import (
	"floe/internal/slice/icegrid"
)

// The instantiate functions are IceGrid's ServerHelper, IceBoxHelper, ServiceHelper and
// CommunicatorHelper::instantiateImpl: they return a copy of a definition with every string
// resolved. The registry runs them with its resolver (node variables left in place), and the
// node runs them again with its own (nodeResolver).

func (r *resolver) communicator(def, inst *icegrid.CommunicatorDescriptor) {
	inst.Description = r.resolve(def.Description, "description", true)
	inst.PropertySet = r.propertySet(def.PropertySet)
	for i, a := range def.Adapters {
		ar := *r
		ar.path = childPath(r.path, "adapter", i)
		inst.Adapters = append(inst.Adapters, ar.adapter(a, inst.PropertySet.Properties))
	}
	for _, e := range def.DbEnvs {
		inst.DbEnvs = append(inst.DbEnvs, icegrid.DbEnvDescriptor{
			Name:        r.resolve(e.Name, "database environment name", false),
			Description: r.resolve(e.Description, "database environment description", true),
			DbHome:      r.resolve(e.DbHome, "database environment home directory", true),
			Properties:  r.properties(e.Properties, "database environment property"),
		})
	}
	for _, l := range def.Logs {
		inst.Logs = append(inst.Logs, r.resolve(l, "log path", false))
	}
}

func (r *resolver) adapter(a icegrid.AdapterDescriptor, props []icegrid.PropertyDescriptor) icegrid.AdapterDescriptor {
	out := icegrid.AdapterDescriptor{
		Name:            r.resolve(a.Name, "object adapter name", false),
		Description:     r.resolve(a.Description, "object adapter description", true),
		ID:              r.asID(a.ID, "object adapter id", false),
		RegisterProcess: a.RegisterProcess,
		ServerLifetime:  a.ServerLifetime,
		ReplicaGroupID:  r.asID(a.ReplicaGroupID, "object adapter replica group id", true),
	}
	// Objects without proxy options get the adapter's, or the encoding the server speaks.
	proxyOptions := property(props, out.Name+".ProxyOptions", "")
	if proxyOptions == "" {
		enc := "1.1"
		if r.version > 0 && r.version < 30500 {
			enc = "1.0"
		}
		proxyOptions = "-e " + property(props, "Ice.Default.EncodingVersion", enc)
	}
	out.Priority = r.asInt(a.Priority, "object adapter priority")
	out.Objects = r.objects(a.Objects, proxyOptions, "well-known")
	out.Allocatables = r.objects(a.Allocatables, proxyOptions, "allocatable")
	if property(props, out.Name+".Endpoints", "") == "" {
		r.exception("invalid endpoints for adapter `" + out.Name + "': empty string")
	}
	return out
}

// server instantiates a server or IceBox definition; props are the instance's properties and
// serviceProps the instance's per-service property sets.
func (r *resolver) server(def icegrid.Server, props []icegrid.PropertyDescriptor,
	serviceProps map[string]icegrid.PropertySetDescriptor) icegrid.Server {
	box, isBox := def.(*icegrid.IceBoxDescriptor)
	if !isBox {
		if len(serviceProps) > 0 {
			r.exception("service property sets are only allowed in IceBox server instances")
		}
		inst := &icegrid.ServerDescriptor{}
		r.serverFields(def.Server(), inst, props)
		return inst
	}
	inst := &icegrid.IceBoxDescriptor{}
	r.serverFields(&box.ServerDescriptor, &inst.ServerDescriptor, props)
	names := map[string]bool{}
	for i, si := range box.Services {
		sr := *r
		sr.path = childPath(r.path, "service", i)
		svc := sr.serviceInstance(si, serviceProps)
		names[svc.Descriptor.Name] = true
		inst.Services = append(inst.Services, svc)
	}
	for _, name := range sortedKeys(serviceProps) {
		if !names[name] {
			r.exception("invalid service property set: service `" + name + "' doesn't exist")
		}
	}
	return inst
}

func (r *resolver) serverFields(def, inst *icegrid.ServerDescriptor, props []icegrid.PropertyDescriptor) {
	r.communicator(&def.CommunicatorDescriptor, &inst.CommunicatorDescriptor)
	inst.ID = r.asID(def.ID, "id", false)
	inst.Exe = r.resolve(def.Exe, "executable", false)
	inst.IceVersion = r.resolve(def.IceVersion, "ice version", true)
	inst.Pwd = r.resolve(def.Pwd, "working directory path", true)
	inst.Activation = r.resolve(def.Activation, "activation", true)
	inst.ApplicationDistrib = def.ApplicationDistrib
	inst.Allocatable = def.Allocatable
	inst.User = r.resolve(def.User, "user", true)
	switch inst.Activation {
	case "", "manual", "on-demand", "always", "session":
	default:
		r.exception("unknown activation `" + inst.Activation + "'")
	}
	inst.ActivationTimeout = r.asInt(def.ActivationTimeout, "activation timeout")
	inst.DeactivationTimeout = r.asInt(def.DeactivationTimeout, "deactivation timeout")
	inst.Options = r.strs(def.Options, "option")
	inst.Envs = r.strs(def.Envs, "environment variable")
	inst.Distrib = r.distrib(def.Distrib)
	inst.PropertySet.Properties = append(inst.PropertySet.Properties, props...)
}

// serviceInstance instantiates an IceBox service, inline or from a service template. An
// inline service sees the server template's parameters; a templated one sees only its own.
func (r *resolver) serviceInstance(si icegrid.ServiceInstanceDescriptor,
	serviceProps map[string]icegrid.PropertySetDescriptor) icegrid.ServiceInstanceDescriptor {
	def := si.Descriptor
	var params map[string]string
	if def == nil {
		if si.Template == "" {
			failAt(r.path, "invalid service instance: no template defined")
		}
		t := r.serviceTemplate(si.Template)
		def, _ = t.Descriptor.(*icegrid.ServiceDescriptor)
		if def == nil {
			failAt(r.path, "invalid service template `"+si.Template+"': service definition is empty")
		}
		params = r.instanceParams(si.Template, si.ParameterValues, t.Parameters, t.ParameterDefaults)
	}
	sr := r.derive(params, si.Descriptor == nil)
	sr.setReserved("service", sr.resolve(def.Name, "service name", false))
	sr.setContext("service `${service}' from server `${server}'")
	props := sr.propertySet(si.PropertySet).Properties
	return icegrid.ServiceInstanceDescriptor{Descriptor: sr.service(def, props, serviceProps)}
}

func (r *resolver) service(def *icegrid.ServiceDescriptor, props []icegrid.PropertyDescriptor,
	serviceProps map[string]icegrid.PropertySetDescriptor) *icegrid.ServiceDescriptor {
	inst := &icegrid.ServiceDescriptor{}
	r.communicator(&def.CommunicatorDescriptor, &inst.CommunicatorDescriptor)
	inst.Name = r.resolve(def.Name, "name", false)
	inst.Entry = r.resolve(def.Entry, "entry", false)
	inst.PropertySet.Properties = append(inst.PropertySet.Properties, props...)
	if sp, ok := serviceProps[inst.Name]; ok {
		inst.PropertySet.Properties = append(inst.PropertySet.Properties, sp.Properties...)
	}
	return inst
}
