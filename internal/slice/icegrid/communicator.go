package icegrid

import "floe/ice/encoding"

// Communicator is a CommunicatorDescriptor or a class derived from it: *CommunicatorDescriptor,
// *ServerDescriptor, *IceBoxDescriptor or *ServiceDescriptor. Communicator returns the
// CommunicatorDescriptor part.
type Communicator interface {
	encoding.Value
	Communicator() *CommunicatorDescriptor
}

// CommunicatorDescriptor is the class ::IceGrid::CommunicatorDescriptor, the base of server and
// service descriptors.
type CommunicatorDescriptor struct {
	Adapters    []AdapterDescriptor
	PropertySet PropertySetDescriptor
	DbEnvs      []DbEnvDescriptor
	Logs        []string
	Description string
}

// TypeID returns "::IceGrid::CommunicatorDescriptor".
func (*CommunicatorDescriptor) TypeID() string { return CommunicatorDescriptorTypeID }

// Communicator returns x.
func (x *CommunicatorDescriptor) Communicator() *CommunicatorDescriptor { return x }

// EncodeSlices writes x's only slice.
func (x *CommunicatorDescriptor) EncodeSlices(e *encoding.Encoder) { x.writeSlice(e) }

// DecodeSlices reads x's only slice.
func (x *CommunicatorDescriptor) DecodeSlices(d *encoding.Decoder) { x.readSlice(d) }

// writeSlice writes the CommunicatorDescriptor slice, the last slice of every derived class.
func (x *CommunicatorDescriptor) writeSlice(e *encoding.Encoder) {
	e.StartSlice(CommunicatorDescriptorTypeID, true)
	writeSeq(e, x.Adapters, (*AdapterDescriptor).Write)
	x.PropertySet.Write(e)
	writeSeq(e, x.DbEnvs, (*DbEnvDescriptor).Write)
	e.WriteStringSeq(x.Logs)
	e.WriteString(x.Description)
	e.EndSlice()
}

func (x *CommunicatorDescriptor) readSlice(d *encoding.Decoder) {
	d.StartSlice()
	x.Adapters = readSeq(d, minAdapterDescriptor, (*AdapterDescriptor).Read)
	x.PropertySet.Read(d)
	x.DbEnvs = readSeq(d, minDbEnvDescriptor, (*DbEnvDescriptor).Read)
	x.Logs = d.ReadStringSeq()
	x.Description = d.ReadString()
	d.EndSlice()
}

// ServiceDescriptor is the class ::IceGrid::ServiceDescriptor, an IceBox service.
type ServiceDescriptor struct {
	CommunicatorDescriptor
	Name  string
	Entry string
}

// TypeID returns "::IceGrid::ServiceDescriptor".
func (*ServiceDescriptor) TypeID() string { return ServiceDescriptorTypeID }

// EncodeSlices writes the ServiceDescriptor and CommunicatorDescriptor slices.
func (x *ServiceDescriptor) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice(ServiceDescriptorTypeID, false)
	e.WriteString(x.Name)
	e.WriteString(x.Entry)
	e.EndSlice()
	x.CommunicatorDescriptor.writeSlice(e) //nolint:staticcheck // QF1008: the base class's slice, named as in ServerDescriptor; x.writeSlice would read as this class's own
}

// DecodeSlices reads the slices written by EncodeSlices.
func (x *ServiceDescriptor) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	x.Name = d.ReadString()
	x.Entry = d.ReadString()
	d.EndSlice()
	x.CommunicatorDescriptor.readSlice(d) //nolint:staticcheck // QF1008: the base class's slice, named as in ServerDescriptor; x.readSlice would read as this class's own
}
