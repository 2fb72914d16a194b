package icegrid

import "floe/ice/encoding"

// PropertyDescriptor is ::IceGrid::PropertyDescriptor.
type PropertyDescriptor struct {
	Name  string
	Value string
}

// Write appends x.
func (x *PropertyDescriptor) Write(e *encoding.Encoder) {
	e.WriteString(x.Name)
	e.WriteString(x.Value)
}

// Read reads x.
func (x *PropertyDescriptor) Read(d *encoding.Decoder) {
	x.Name = d.ReadString()
	x.Value = d.ReadString()
}

// PropertySetDescriptor is ::IceGrid::PropertySetDescriptor.
type PropertySetDescriptor struct {
	References []string
	Properties []PropertyDescriptor
}

// Write appends x.
func (x *PropertySetDescriptor) Write(e *encoding.Encoder) {
	e.WriteStringSeq(x.References)
	writeSeq(e, x.Properties, (*PropertyDescriptor).Write)
}

// Read reads x.
func (x *PropertySetDescriptor) Read(d *encoding.Decoder) {
	x.References = d.ReadStringSeq()
	x.Properties = readSeq(d, minPropertyDescriptor, (*PropertyDescriptor).Read)
}

// ObjectDescriptor is ::IceGrid::ObjectDescriptor, a well-known object of an adapter or replica
// group.
type ObjectDescriptor struct {
	ID           encoding.Identity
	Type         string
	ProxyOptions string
}

// Write appends x.
func (x *ObjectDescriptor) Write(e *encoding.Encoder) {
	e.WriteIdentity(x.ID)
	e.WriteString(x.Type)
	e.WriteString(x.ProxyOptions)
}

// Read reads x.
func (x *ObjectDescriptor) Read(d *encoding.Decoder) {
	x.ID = d.ReadIdentity()
	x.Type = d.ReadString()
	x.ProxyOptions = d.ReadString()
}

// AdapterDescriptor is ::IceGrid::AdapterDescriptor.
type AdapterDescriptor struct {
	Name            string
	Description     string
	ID              string
	ReplicaGroupID  string
	Priority        string
	RegisterProcess bool
	ServerLifetime  bool
	Objects         []ObjectDescriptor
	Allocatables    []ObjectDescriptor
}

// Write appends x.
func (x *AdapterDescriptor) Write(e *encoding.Encoder) {
	e.WriteString(x.Name)
	e.WriteString(x.Description)
	e.WriteString(x.ID)
	e.WriteString(x.ReplicaGroupID)
	e.WriteString(x.Priority)
	e.WriteBool(x.RegisterProcess)
	e.WriteBool(x.ServerLifetime)
	writeSeq(e, x.Objects, (*ObjectDescriptor).Write)
	writeSeq(e, x.Allocatables, (*ObjectDescriptor).Write)
}

// Read reads x.
func (x *AdapterDescriptor) Read(d *encoding.Decoder) {
	x.Name = d.ReadString()
	x.Description = d.ReadString()
	x.ID = d.ReadString()
	x.ReplicaGroupID = d.ReadString()
	x.Priority = d.ReadString()
	x.RegisterProcess = d.ReadBool()
	x.ServerLifetime = d.ReadBool()
	x.Objects = readSeq(d, minObjectDescriptor, (*ObjectDescriptor).Read)
	x.Allocatables = readSeq(d, minObjectDescriptor, (*ObjectDescriptor).Read)
}

// DbEnvDescriptor is ::IceGrid::DbEnvDescriptor.
type DbEnvDescriptor struct {
	Name        string
	Description string
	DbHome      string
	Properties  []PropertyDescriptor
}

// Write appends x.
func (x *DbEnvDescriptor) Write(e *encoding.Encoder) {
	e.WriteString(x.Name)
	e.WriteString(x.Description)
	e.WriteString(x.DbHome)
	writeSeq(e, x.Properties, (*PropertyDescriptor).Write)
}

// Read reads x.
func (x *DbEnvDescriptor) Read(d *encoding.Decoder) {
	x.Name = d.ReadString()
	x.Description = d.ReadString()
	x.DbHome = d.ReadString()
	x.Properties = readSeq(d, minPropertyDescriptor, (*PropertyDescriptor).Read)
}

// DistributionDescriptor is ::IceGrid::DistributionDescriptor.
type DistributionDescriptor struct {
	Icepatch    string
	Directories []string
}

// Write appends x.
func (x *DistributionDescriptor) Write(e *encoding.Encoder) {
	e.WriteString(x.Icepatch)
	e.WriteStringSeq(x.Directories)
}

// Read reads x.
func (x *DistributionDescriptor) Read(d *encoding.Decoder) {
	x.Icepatch = d.ReadString()
	x.Directories = d.ReadStringSeq()
}
