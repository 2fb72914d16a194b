package icegrid

import "floe/ice/encoding"

// ServerInstanceDescriptor is ::IceGrid::ServerInstanceDescriptor, a server made from a template.
type ServerInstanceDescriptor struct {
	Template            string
	ParameterValues     map[string]string
	PropertySet         PropertySetDescriptor
	ServicePropertySets map[string]PropertySetDescriptor
}

// Write appends x.
func (x *ServerInstanceDescriptor) Write(e *encoding.Encoder) {
	e.WriteString(x.Template)
	e.WriteStringDict(x.ParameterValues)
	x.PropertySet.Write(e)
	writeDict(e, x.ServicePropertySets, (*PropertySetDescriptor).Write)
}

// Read reads x.
func (x *ServerInstanceDescriptor) Read(d *encoding.Decoder) {
	x.Template = d.ReadString()
	x.ParameterValues = d.ReadStringDict()
	x.PropertySet.Read(d)
	x.ServicePropertySets = readDict(d, minPropertySetDescriptor, (*PropertySetDescriptor).Read)
}

// ServiceInstanceDescriptor is ::IceGrid::ServiceInstanceDescriptor: an IceBox service, either
// from a template or given by Descriptor.
type ServiceInstanceDescriptor struct {
	Template        string
	ParameterValues map[string]string
	Descriptor      *ServiceDescriptor
	PropertySet     PropertySetDescriptor
}

// Write appends x.
func (x *ServiceInstanceDescriptor) Write(e *encoding.Encoder) {
	e.WriteString(x.Template)
	e.WriteStringDict(x.ParameterValues)
	e.WriteValue(x.Descriptor)
	x.PropertySet.Write(e)
}

// Read reads x; Descriptor is set when the decoder has the instance (see the package comment).
func (x *ServiceInstanceDescriptor) Read(d *encoding.Decoder) {
	x.Template = d.ReadString()
	x.ParameterValues = d.ReadStringDict()
	encoding.ReadValueInto(d, &x.Descriptor)
	x.PropertySet.Read(d)
}

// NodeDescriptor is ::IceGrid::NodeDescriptor.
type NodeDescriptor struct {
	Variables       map[string]string
	ServerInstances []ServerInstanceDescriptor
	Servers         []Server
	LoadFactor      string
	Description     string
	PropertySets    map[string]PropertySetDescriptor
}

// Write appends x.
func (x *NodeDescriptor) Write(e *encoding.Encoder) {
	e.WriteStringDict(x.Variables)
	writeSeq(e, x.ServerInstances, (*ServerInstanceDescriptor).Write)
	writeValues(e, x.Servers)
	e.WriteString(x.LoadFactor)
	e.WriteString(x.Description)
	writeDict(e, x.PropertySets, (*PropertySetDescriptor).Write)
}

// Read reads x. The elements of Servers are set when the decoder has the instances; copies of x
// share the Servers array, so they see them.
func (x *NodeDescriptor) Read(d *encoding.Decoder) {
	x.Variables = d.ReadStringDict()
	x.ServerInstances = readSeq(d, minServerInstance, (*ServerInstanceDescriptor).Read)
	x.Servers = readValues[Server](d)
	x.LoadFactor = d.ReadString()
	x.Description = d.ReadString()
	x.PropertySets = readDict(d, minPropertySetDescriptor, (*PropertySetDescriptor).Read)
}

// ReplicaGroupDescriptor is ::IceGrid::ReplicaGroupDescriptor.
type ReplicaGroupDescriptor struct {
	ID            string
	LoadBalancing Policy // nil: the registry's default (random, all replicas)
	ProxyOptions  string
	Objects       []ObjectDescriptor
	Description   string
	Filter        string
}

// Write appends x.
func (x *ReplicaGroupDescriptor) Write(e *encoding.Encoder) {
	e.WriteString(x.ID)
	e.WriteValue(x.LoadBalancing)
	e.WriteString(x.ProxyOptions)
	writeSeq(e, x.Objects, (*ObjectDescriptor).Write)
	e.WriteString(x.Description)
	e.WriteString(x.Filter)
}

// Read reads x; LoadBalancing is set when the decoder has the instance.
func (x *ReplicaGroupDescriptor) Read(d *encoding.Decoder) {
	x.ID = d.ReadString()
	encoding.ReadValueInto(d, &x.LoadBalancing)
	x.ProxyOptions = d.ReadString()
	x.Objects = readSeq(d, minObjectDescriptor, (*ObjectDescriptor).Read)
	x.Description = d.ReadString()
	x.Filter = d.ReadString()
}

// ApplicationDescriptor is ::IceGrid::ApplicationDescriptor.
type ApplicationDescriptor struct {
	Name             string
	Variables        map[string]string
	ReplicaGroups    []ReplicaGroupDescriptor
	ServerTemplates  map[string]TemplateDescriptor
	ServiceTemplates map[string]TemplateDescriptor
	Nodes            map[string]NodeDescriptor
	Distrib          DistributionDescriptor
	Description      string
	PropertySets     map[string]PropertySetDescriptor
}

// Write appends x.
func (x *ApplicationDescriptor) Write(e *encoding.Encoder) {
	e.WriteString(x.Name)
	e.WriteStringDict(x.Variables)
	writeSeq(e, x.ReplicaGroups, (*ReplicaGroupDescriptor).Write)
	writeDict(e, x.ServerTemplates, (*TemplateDescriptor).Write)
	writeDict(e, x.ServiceTemplates, (*TemplateDescriptor).Write)
	writeDict(e, x.Nodes, (*NodeDescriptor).Write)
	x.Distrib.Write(e)
	e.WriteString(x.Description)
	writeDict(e, x.PropertySets, (*PropertySetDescriptor).Write)
}

// Read reads x; class members are set when the decoder has the instances.
func (x *ApplicationDescriptor) Read(d *encoding.Decoder) {
	x.Name = d.ReadString()
	x.Variables = d.ReadStringDict()
	x.ReplicaGroups = readSeq(d, minReplicaGroupDescriptor, (*ReplicaGroupDescriptor).Read)
	x.ServerTemplates = readTemplateDict(d)
	x.ServiceTemplates = readTemplateDict(d)
	x.Nodes = readDict(d, minNodeDescriptor, (*NodeDescriptor).Read)
	x.Distrib.Read(d)
	x.Description = d.ReadString()
	x.PropertySets = readDict(d, minPropertySetDescriptor, (*PropertySetDescriptor).Read)
}
