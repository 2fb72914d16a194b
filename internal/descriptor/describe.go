package descriptor

import (
	"io"
	"strconv"
	"strings"

	"floe/ice/reference"
	"floe/internal/slice/icegrid"
)

// Describe writes a server as icegridadmin's "server describe" prints it (ServerHelper::print
// and IceBoxHelper::print in DescriptorHelper.cpp), final newline included. IceGrid's registry
// answers with the node's resolution of the server (ServerConfig.Descriptor) while the node is
// up, and with its own instance (Server.Descriptor) otherwise.
func Describe(w io.Writer, info icegrid.ServerInfo) error {
	o := &outline{}
	s := info.Descriptor
	d := s.Server()
	if box, ok := s.(*icegrid.IceBoxDescriptor); ok {
		o.text("icebox `" + d.ID + "'")
		o.open()
		o.line("service manager endpoints = `" + property(d.PropertySet.Properties, "IceBox.ServiceManager.Endpoints", "") + "'")
		describeServer(o, d, info)
		o.line("services")
		o.open()
		for _, si := range box.Services {
			if si.Descriptor != nil {
				o.line(si.Descriptor.Name)
			}
		}
		o.close()
	} else {
		o.text("server `" + d.ID + "'")
		o.open()
		describeServer(o, d, info)
	}
	o.close()
	o.line("")
	_, err := io.WriteString(w, o.b.String())
	return err
}

func describeServer(o *outline, d *icegrid.ServerDescriptor, info icegrid.ServerInfo) {
	if info.Application != "" {
		o.line("application = `" + info.Application + "'")
		o.line("application uuid = `" + info.UUID + "'")
		o.line("application revision = `" + strconv.Itoa(int(info.Revision)) + "'")
	}
	if info.Node != "" {
		o.line("node = `" + info.Node + "'")
	}
	if info.SessionID != "" {
		o.line("session id = `" + info.SessionID + "'")
	}
	o.line("exe = `" + d.Exe + "'")
	o.lineIf(d.IceVersion != "", "ice version = `"+d.IceVersion+"'")
	o.lineIf(d.Pwd != "", "pwd = `"+d.Pwd+"'")
	o.line("activation = `" + d.Activation + "'")
	o.lineIf(d.ActivationTimeout != "" && d.ActivationTimeout != "0", "activationTimeout = `"+d.ActivationTimeout+"'")
	o.lineIf(d.DeactivationTimeout != "" && d.DeactivationTimeout != "0",
		"deactivationTimeout = `"+d.DeactivationTimeout+"'")
	o.lineIf(d.User != "", "user = `"+d.User+"'")
	o.lineIf(!d.ApplicationDistrib, "application distribution = `false'")
	o.lineIf(len(d.Options) > 0, "options = `"+strings.Join(d.Options, " ")+"'")
	o.lineIf(len(d.Envs) > 0, "envs = `"+strings.Join(d.Envs, " ")+"'")
	if d.Distrib.Icepatch != "" {
		o.line("distribution")
		o.open()
		o.line("proxy = `" + d.Distrib.Icepatch + "'")
		o.lineIf(len(d.Distrib.Directories) > 0, "directories = `"+strings.Join(d.Distrib.Directories, " ")+"'")
		o.close()
	}
	describeCommunicator(o, &d.CommunicatorDescriptor)
}

func describeCommunicator(o *outline, c *icegrid.CommunicatorDescriptor) {
	if c.Description != "" {
		o.line("description")
		o.open()
		o.line(c.Description)
		o.close()
	}
	for _, e := range c.DbEnvs {
		describeDbEnv(o, e)
	}
	hidden := map[string]bool{}
	for _, a := range c.Adapters {
		hidden[a.Name+".Endpoints"], hidden[a.Name+".ProxyOptions"] = true, true
		describeAdapter(o, a, c.PropertySet.Properties)
	}
	for _, l := range c.Logs {
		o.line("log `" + l + "'")
	}
	if len(c.PropertySet.Properties) == 0 && len(c.PropertySet.References) == 0 {
		return
	}
	o.line("properties")
	o.open()
	o.lineIf(len(c.PropertySet.References) > 0, "references = "+strings.Join(c.PropertySet.References, " "))
	for _, p := range c.PropertySet.Properties {
		o.lineIf(!hidden[p.Name], p.Name+" = `"+p.Value+"'")
	}
	o.close()
}

func describeDbEnv(o *outline, e icegrid.DbEnvDescriptor) {
	o.line("database environment `" + e.Name + "'")
	if e.DbHome == "" && len(e.Properties) == 0 && e.Description == "" {
		return
	}
	o.open()
	o.lineIf(e.DbHome != "", "home = `"+e.DbHome+"'")
	o.lineIf(e.Description != "", "description = `"+e.Description+"'")
	if len(e.Properties) > 0 {
		o.line("properties")
		o.open()
		for _, p := range e.Properties {
			o.line(p.Name + " = `" + p.Value + "'")
		}
		o.close()
	}
	o.close()
}

func describeAdapter(o *outline, a icegrid.AdapterDescriptor, props []icegrid.PropertyDescriptor) {
	o.line("adapter `" + a.Name + "'")
	o.open()
	o.lineIf(a.ID != "", "id = `"+a.ID+"'")
	o.lineIf(a.ReplicaGroupID != "", "replica group id = `"+a.ReplicaGroupID+"'")
	o.lineIf(a.Priority != "", "priority = `"+a.Priority+"'")
	ep := property(props, a.Name+".Endpoints", "")
	o.lineIf(ep != "", "endpoints = `"+ep+"'")
	po := property(props, a.Name+".ProxyOptions", "")
	o.lineIf(po != "", "proxy options = `"+po+"'")
	o.line("register process = `" + strconv.FormatBool(a.RegisterProcess) + "'")
	o.line("server lifetime = `" + strconv.FormatBool(a.ServerLifetime) + "'")
	describeObjects(o, "well-known object", a.Objects)
	describeObjects(o, "allocatable", a.Allocatables)
	o.lineIf(a.Description != "", "description = `"+a.Description+"'")
	o.close()
}

func describeObjects(o *outline, kind string, objs []icegrid.ObjectDescriptor) {
	for _, obj := range objs {
		o.line(kind)
		o.open()
		o.line("identity = `" + reference.IdentityString(obj.ID) + "' ")
		o.lineIf(obj.Type != "", "type = `"+obj.Type+"'")
		o.lineIf(obj.ProxyOptions != "", "proxy options = `"+obj.ProxyOptions+"'")
		o.close()
	}
}

// outline mimics IceUtilInternal::Output: "{" and "}" on their own lines, four spaces per
// level, text printed as is (embedded newlines are not indented).
type outline struct {
	b      strings.Builder
	indent int
}

func (o *outline) text(s string) { o.b.WriteString(s) }

func (o *outline) line(s string) {
	o.b.WriteString("\n" + strings.Repeat(" ", o.indent) + s)
}

func (o *outline) lineIf(cond bool, s string) {
	if cond {
		o.line(s)
	}
}

func (o *outline) open() {
	o.line("{")
	o.indent += 4
}

func (o *outline) close() {
	o.indent -= 4
	o.line("}")
}
