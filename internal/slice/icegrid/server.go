package icegrid

import "floe/ice/encoding"

// Server is a ServerDescriptor or a class derived from it: *ServerDescriptor or
// *IceBoxDescriptor. Server returns the ServerDescriptor part.
type Server interface {
	Communicator
	Server() *ServerDescriptor
}

// ServerDescriptor is the class ::IceGrid::ServerDescriptor.
type ServerDescriptor struct {
	CommunicatorDescriptor
	ID                  string
	Exe                 string
	IceVersion          string
	Pwd                 string
	Options             []string
	Envs                []string
	Activation          string
	ActivationTimeout   string
	DeactivationTimeout string
	ApplicationDistrib  bool
	Distrib             DistributionDescriptor
	Allocatable         bool
	User                string
}

// TypeID returns "::IceGrid::ServerDescriptor".
func (*ServerDescriptor) TypeID() string { return ServerDescriptorTypeID }

// Server returns x.
func (x *ServerDescriptor) Server() *ServerDescriptor { return x }

// EncodeSlices writes the ServerDescriptor and CommunicatorDescriptor slices.
func (x *ServerDescriptor) EncodeSlices(e *encoding.Encoder) {
	x.writeSlice(e)
	x.CommunicatorDescriptor.writeSlice(e)
}

// DecodeSlices reads the slices written by EncodeSlices.
func (x *ServerDescriptor) DecodeSlices(d *encoding.Decoder) {
	x.readSlice(d)
	x.CommunicatorDescriptor.readSlice(d)
}

func (x *ServerDescriptor) writeSlice(e *encoding.Encoder) {
	e.StartSlice(ServerDescriptorTypeID, false)
	e.WriteString(x.ID)
	e.WriteString(x.Exe)
	e.WriteString(x.IceVersion)
	e.WriteString(x.Pwd)
	e.WriteStringSeq(x.Options)
	e.WriteStringSeq(x.Envs)
	e.WriteString(x.Activation)
	e.WriteString(x.ActivationTimeout)
	e.WriteString(x.DeactivationTimeout)
	e.WriteBool(x.ApplicationDistrib)
	x.Distrib.Write(e)
	e.WriteBool(x.Allocatable)
	e.WriteString(x.User)
	e.EndSlice()
}

func (x *ServerDescriptor) readSlice(d *encoding.Decoder) {
	d.StartSlice()
	x.ID = d.ReadString()
	x.Exe = d.ReadString()
	x.IceVersion = d.ReadString()
	x.Pwd = d.ReadString()
	x.Options = d.ReadStringSeq()
	x.Envs = d.ReadStringSeq()
	x.Activation = d.ReadString()
	x.ActivationTimeout = d.ReadString()
	x.DeactivationTimeout = d.ReadString()
	x.ApplicationDistrib = d.ReadBool()
	x.Distrib.Read(d)
	x.Allocatable = d.ReadBool()
	x.User = d.ReadString()
	d.EndSlice()
}

// IceBoxDescriptor is the class ::IceGrid::IceBoxDescriptor, a server hosting IceBox services.
type IceBoxDescriptor struct {
	ServerDescriptor
	Services []ServiceInstanceDescriptor
}

// TypeID returns "::IceGrid::IceBoxDescriptor".
func (*IceBoxDescriptor) TypeID() string { return IceBoxDescriptorTypeID }

// EncodeSlices writes the IceBoxDescriptor, ServerDescriptor and CommunicatorDescriptor slices.
func (x *IceBoxDescriptor) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice(IceBoxDescriptorTypeID, false)
	writeSeq(e, x.Services, (*ServiceInstanceDescriptor).Write)
	e.EndSlice()
	x.ServerDescriptor.EncodeSlices(e)
}

// DecodeSlices reads the slices written by EncodeSlices.
func (x *IceBoxDescriptor) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	x.Services = readSeq(d, minServiceInstance, (*ServiceInstanceDescriptor).Read)
	d.EndSlice()
	x.ServerDescriptor.DecodeSlices(d)
}
