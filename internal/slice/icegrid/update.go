package icegrid

import "floe/ice/encoding"

// NodeUpdateDescriptor is ::IceGrid::NodeUpdateDescriptor. A nil boxed field means "unchanged".
type NodeUpdateDescriptor struct {
	Name               string
	Description        *BoxedString
	Variables          map[string]string
	RemoveVariables    []string
	PropertySets       map[string]PropertySetDescriptor
	RemovePropertySets []string
	ServerInstances    []ServerInstanceDescriptor
	Servers            []Server
	RemoveServers      []string
	LoadFactor         *BoxedString
}

// Write appends x.
func (x *NodeUpdateDescriptor) Write(e *encoding.Encoder) {
	e.WriteString(x.Name)
	e.WriteValue(x.Description)
	e.WriteStringDict(x.Variables)
	e.WriteStringSeq(x.RemoveVariables)
	writeDict(e, x.PropertySets, (*PropertySetDescriptor).Write)
	e.WriteStringSeq(x.RemovePropertySets)
	writeSeq(e, x.ServerInstances, (*ServerInstanceDescriptor).Write)
	writeValues(e, x.Servers)
	e.WriteStringSeq(x.RemoveServers)
	e.WriteValue(x.LoadFactor)
}

// Read reads x; class members are set when the decoder has the instances.
func (x *NodeUpdateDescriptor) Read(d *encoding.Decoder) {
	x.Name = d.ReadString()
	encoding.ReadValueInto(d, &x.Description)
	x.Variables = d.ReadStringDict()
	x.RemoveVariables = d.ReadStringSeq()
	x.PropertySets = readDict(d, minPropertySetDescriptor, (*PropertySetDescriptor).Read)
	x.RemovePropertySets = d.ReadStringSeq()
	x.ServerInstances = readSeq(d, minServerInstance, (*ServerInstanceDescriptor).Read)
	x.Servers = readValues[Server](d)
	x.RemoveServers = d.ReadStringSeq()
	encoding.ReadValueInto(d, &x.LoadFactor)
}

// ApplicationUpdateDescriptor is ::IceGrid::ApplicationUpdateDescriptor, the argument of
// Admin::updateApplication. A nil boxed field means "unchanged".
type ApplicationUpdateDescriptor struct {
	Name                   string
	Description            *BoxedString
	Distrib                *BoxedDistributionDescriptor
	Variables              map[string]string
	RemoveVariables        []string
	PropertySets           map[string]PropertySetDescriptor
	RemovePropertySets     []string
	ReplicaGroups          []ReplicaGroupDescriptor
	RemoveReplicaGroups    []string
	ServerTemplates        map[string]TemplateDescriptor
	RemoveServerTemplates  []string
	ServiceTemplates       map[string]TemplateDescriptor
	RemoveServiceTemplates []string
	Nodes                  []NodeUpdateDescriptor
	RemoveNodes            []string
}

// Write appends x.
func (x *ApplicationUpdateDescriptor) Write(e *encoding.Encoder) {
	e.WriteString(x.Name)
	e.WriteValue(x.Description)
	e.WriteValue(x.Distrib)
	e.WriteStringDict(x.Variables)
	e.WriteStringSeq(x.RemoveVariables)
	writeDict(e, x.PropertySets, (*PropertySetDescriptor).Write)
	e.WriteStringSeq(x.RemovePropertySets)
	writeSeq(e, x.ReplicaGroups, (*ReplicaGroupDescriptor).Write)
	e.WriteStringSeq(x.RemoveReplicaGroups)
	writeDict(e, x.ServerTemplates, (*TemplateDescriptor).Write)
	e.WriteStringSeq(x.RemoveServerTemplates)
	writeDict(e, x.ServiceTemplates, (*TemplateDescriptor).Write)
	e.WriteStringSeq(x.RemoveServiceTemplates)
	writeSeq(e, x.Nodes, (*NodeUpdateDescriptor).Write)
	e.WriteStringSeq(x.RemoveNodes)
}

// Read reads x; class members are set when the decoder has the instances, so x must not be
// copied before EndEncapsulation.
func (x *ApplicationUpdateDescriptor) Read(d *encoding.Decoder) {
	x.Name = d.ReadString()
	encoding.ReadValueInto(d, &x.Description)
	encoding.ReadValueInto(d, &x.Distrib)
	x.Variables = d.ReadStringDict()
	x.RemoveVariables = d.ReadStringSeq()
	x.PropertySets = readDict(d, minPropertySetDescriptor, (*PropertySetDescriptor).Read)
	x.RemovePropertySets = d.ReadStringSeq()
	x.ReplicaGroups = readSeq(d, minReplicaGroupDescriptor, (*ReplicaGroupDescriptor).Read)
	x.RemoveReplicaGroups = d.ReadStringSeq()
	x.ServerTemplates = readTemplateDict(d)
	x.RemoveServerTemplates = d.ReadStringSeq()
	x.ServiceTemplates = readTemplateDict(d)
	x.RemoveServiceTemplates = d.ReadStringSeq()
	x.Nodes = readSeq(d, minNodeUpdateDescriptor, (*NodeUpdateDescriptor).Read)
	x.RemoveNodes = d.ReadStringSeq()
}
