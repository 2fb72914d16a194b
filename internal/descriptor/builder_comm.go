package descriptor

import (
	"errors"
	"strings"

	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/slice/icegrid"
)

type commKind int

const (
	serverComm commKind = iota
	iceboxComm
	serviceComm
)

// commBuilder is IceGrid's CommunicatorDescriptorBuilder with its Server, IceBox and Service
// variants. Adapter endpoints and proxy options, and the property attributes of objects,
// allocatables and logs become "hidden" properties, put in front of the communicator's own
// properties when the element ends (finish).
type commBuilder struct {
	kind    commKind
	comm    *icegrid.CommunicatorDescriptor
	server  *icegrid.ServerDescriptor  // server and icebox
	icebox  *icegrid.IceBoxDescriptor  // icebox only
	service *icegrid.ServiceDescriptor // service only
	hidden  []icegrid.PropertyDescriptor
	path    string // Source path of the element
}

func newServerBuilder(a *attrs, icebox bool) *commBuilder {
	b := &commBuilder{kind: serverComm}
	if icebox {
		b.kind, b.icebox = iceboxComm, &icegrid.IceBoxDescriptor{}
		b.server = &b.icebox.ServerDescriptor
	} else {
		b.server = &icegrid.ServerDescriptor{}
	}
	b.comm = &b.server.CommunicatorDescriptor
	s := b.server
	s.ID = a.req("id")
	s.Exe = a.req("exe")
	s.ActivationTimeout = a.opt("activation-timeout", "")
	s.DeactivationTimeout = a.opt("deactivation-timeout", "")
	s.Pwd = a.opt("pwd", "")
	s.Activation = a.opt("activation", "manual")
	s.ApplicationDistrib = a.boolean("application-distrib", true)
	s.Allocatable = a.boolean("allocatable", false)
	s.User = a.opt("user", "")
	s.IceVersion = a.opt("ice-version", "")
	return b
}

func newServiceBuilder(a *attrs) *commBuilder {
	b := &commBuilder{kind: serviceComm, service: &icegrid.ServiceDescriptor{}}
	b.comm = &b.service.CommunicatorDescriptor
	b.service.Name = a.req("name")
	b.service.Entry = a.req("entry")
	return b
}

// value returns the descriptor as the Slice class it is.
func (b *commBuilder) value() icegrid.Communicator {
	switch b.kind {
	case iceboxComm:
		return b.icebox
	case serviceComm:
		return b.service
	case serverComm:
	}
	return b.server
}

func (b *commBuilder) finish() {
	b.comm.PropertySet.Properties = append(b.hidden, b.comm.PropertySet.Properties...)
	b.hidden = nil
}

func (b *commBuilder) addHidden(name, value string) {
	b.hidden = append(b.hidden, icegrid.PropertyDescriptor{Name: name, Value: value})
}

func (b *commBuilder) addProperty(a *attrs) {
	prop := icegrid.PropertyDescriptor{Name: a.req("name")}
	prop.Value = a.opt("value", "")
	b.comm.PropertySet.Properties = append(b.comm.PropertySet.Properties, prop)
}

func (b *commBuilder) addAdapter(a *attrs) {
	if b.kind == iceboxComm {
		fail("<adapter> element can't be a child of an <icebox> element")
	}
	ad := icegrid.AdapterDescriptor{Name: a.req("name")}
	if a.has("id") {
		ad.ID = a.req("id")
	} else {
		fqn := "${server}"
		if b.kind == serviceComm {
			fqn += ".${service}"
		}
		ad.ID = fqn + "." + ad.Name
	}
	ad.ReplicaGroupID = a.opt("replica-group", "")
	ad.Priority = a.opt("priority", "")
	ad.RegisterProcess = a.boolean("register-process", false)
	ad.ServerLifetime = a.boolean("server-lifetime", true)
	b.comm.Adapters = append(b.comm.Adapters, ad)
	b.addHidden(ad.Name+".Endpoints", a.opt("endpoints", "default"))
	if a.has("proxy-options") {
		b.addHidden(ad.Name+".ProxyOptions", a.opt("proxy-options", ""))
	}
}

func (b *commBuilder) lastAdapter() *icegrid.AdapterDescriptor {
	return &b.comm.Adapters[len(b.comm.Adapters)-1]
}

// addObject adds a well-known object (or, with allocatable, an allocatable object) to the
// current adapter.
func (b *commBuilder) addObject(a *attrs, allocatable bool) {
	obj := icegrid.ObjectDescriptor{Type: a.opt("type", "")}
	obj.ID = parseIdentity(a.req("identity"))
	obj.ProxyOptions = a.opt("proxy-options", "")
	if a.has("property") {
		b.addHidden(a.req("property"), a.req("identity"))
	}
	ad := b.lastAdapter()
	if allocatable {
		ad.Allocatables = append(ad.Allocatables, obj)
	} else {
		ad.Objects = append(ad.Objects, obj)
	}
}

// addDbEnv adds a Freeze database environment; naming an existing one re-opens it (and moves
// it last, as IceGrid does).
func (b *commBuilder) addDbEnv(a *attrs) {
	if b.kind == iceboxComm {
		fail("<dbenv> element can't be a child of an <icebox> element")
	}
	env := icegrid.DbEnvDescriptor{Name: a.req("name")}
	for i, e := range b.comm.DbEnvs {
		if e.Name == env.Name {
			env = e
			b.comm.DbEnvs = append(b.comm.DbEnvs[:i:i], b.comm.DbEnvs[i+1:]...)
			break
		}
	}
	if env.DbHome == "" {
		env.DbHome = a.opt("home", "")
	}
	b.comm.DbEnvs = append(b.comm.DbEnvs, env)
}

func (b *commBuilder) addDbEnvProperty(a *attrs) {
	env := &b.comm.DbEnvs[len(b.comm.DbEnvs)-1]
	if env.DbHome != "" {
		fail("can't add property to the database environment:\nproperties are only allowed if the database\n" +
			"environment home directory is managed by the node")
	}
	prop := icegrid.PropertyDescriptor{Name: a.req("name")}
	prop.Value = a.opt("value", "")
	env.Properties = append(env.Properties, prop)
}

func (b *commBuilder) addLog(a *attrs) {
	if a.has("property") {
		b.addHidden(a.req("property"), a.req("path"))
	}
	b.comm.Logs = append(b.comm.Logs, a.req("path"))
}

func (b *commBuilder) addServiceInstance(si icegrid.ServiceInstanceDescriptor) {
	b.icebox.Services = append(b.icebox.Services, si)
}

func (b *commBuilder) addDistribution(a *attrs) {
	b.server.Distrib.Icepatch = a.opt("icepatch", "${application}.IcePatch2/server")
}

// parseIdentity is Ice::stringToIdentity, with the messages of IdentityParseException.
func parseIdentity(s string) encoding.Identity {
	id, err := reference.ParseIdentity(s)
	if err == nil {
		return id
	}
	reason := err.Error()
	if pe, ok := errors.AsType[*reference.ParseError](err); ok {
		reason = pe.Reason
	}
	for _, prefix := range []string{"invalid identity name", "invalid category in identity", "invalid name in identity"} {
		if rest, ok := strings.CutPrefix(reason, prefix+": "); ok {
			reason = prefix + " `" + s + "': " + rest
		}
	}
	if strings.HasPrefix(reason, "unescaped '/'") {
		reason = "unescaped '/' in identity `" + s + "'"
	}
	fail("error while parsing identity `" + reason + "'")
	return encoding.Identity{}
}
