package icegrid

import "floe/ice/encoding"

// ServerInfo is ::IceGrid::ServerInfo (Admin.ice), the result of Admin::getServerInfo.
type ServerInfo struct {
	Application string
	UUID        string
	Revision    int32
	Node        string
	Descriptor  Server
	SessionID   string
}

// Write appends x. In 1.0 the descriptor instance follows at the end of the encapsulation.
func (x *ServerInfo) Write(e *encoding.Encoder) {
	e.WriteString(x.Application)
	e.WriteString(x.UUID)
	e.WriteInt(x.Revision)
	e.WriteString(x.Node)
	e.WriteValue(x.Descriptor)
	e.WriteString(x.SessionID)
}

// Read reads x; Descriptor is set when the decoder has the instance (in 1.0, at
// EndEncapsulation), so x must not be copied before then.
func (x *ServerInfo) Read(d *encoding.Decoder) {
	x.Application = d.ReadString()
	x.UUID = d.ReadString()
	x.Revision = d.ReadInt()
	x.Node = d.ReadString()
	encoding.ReadValueInto(d, &x.Descriptor)
	x.SessionID = d.ReadString()
}

// ApplicationInfo is ::IceGrid::ApplicationInfo (Admin.ice), the result of
// Admin::getApplicationInfo.
type ApplicationInfo struct {
	UUID       string
	CreateTime int64 // milliseconds since the Unix epoch
	CreateUser string
	UpdateTime int64 // milliseconds since the Unix epoch
	UpdateUser string
	Revision   int32
	Descriptor ApplicationDescriptor
}

// Write appends x.
func (x *ApplicationInfo) Write(e *encoding.Encoder) {
	e.WriteString(x.UUID)
	e.WriteLong(x.CreateTime)
	e.WriteString(x.CreateUser)
	e.WriteLong(x.UpdateTime)
	e.WriteString(x.UpdateUser)
	e.WriteInt(x.Revision)
	x.Descriptor.Write(e)
}

// Read reads x; class members are set when the decoder has the instances (in 1.0, at
// EndEncapsulation), so x must not be copied before then.
func (x *ApplicationInfo) Read(d *encoding.Decoder) {
	x.UUID = d.ReadString()
	x.CreateTime = d.ReadLong()
	x.CreateUser = d.ReadString()
	x.UpdateTime = d.ReadLong()
	x.UpdateUser = d.ReadString()
	x.Revision = d.ReadInt()
	x.Descriptor.Read(d)
}
