package descriptor

import (
	"bytes"
	"slices"
	"strings"

	"floe/ice/encoding"
	"floe/internal/slice/icegrid"
)

// Change is how a server differs between two versions of an application.
type Change int

// The changes, as icegridadmin's `application diff -s` names them (Parser.cpp diffApplication).
const (
	Added             Change = iota + 1
	Removed                  // no longer in the application
	Updated                  // another node, or more than its properties changed: it must restart
	PropertiesUpdated        // only properties changed: a running server may take them live
)

func (c Change) String() string {
	switch c {
	case Added:
		return "added"
	case Removed:
		return "removed"
	case Updated:
		return "updated (restart required)"
	case PropertiesUpdated:
		return "properties updated (no restart required)"
	}
	return "unchanged"
}

// ServerChange is one server that differs: Old is nil when Added, New when Removed.
type ServerChange struct {
	ID       string
	Change   Change
	Old, New *Server
}

// Changes compares the servers of two instantiations of an application (Instantiate or Expand),
// before and after,
// as IceGrid does (isServerUpdated in DescriptorHelper.cpp): a server is updated when its node
// or its instantiated descriptor differs, and only its properties changed when the descriptors
// are equal once the property sets of the server and of its IceBox services are left out. Node
// values play no part. It returns the servers that differ, by id; unchanged ones are left out.
func Changes(before, after *Expanded) []ServerChange {
	old := make(map[string]*Server, len(before.Servers))
	for _, s := range before.Servers {
		old[s.ID] = s
	}
	var out []ServerChange
	for _, s := range after.Servers {
		o := old[s.ID]
		delete(old, s.ID)
		switch {
		case o == nil:
			out = append(out, ServerChange{ID: s.ID, Change: Added, New: s})
		case o.Node != s.Node || !SameServer(o.Descriptor, s.Descriptor, true):
			out = append(out, ServerChange{ID: s.ID, Change: Updated, Old: o, New: s})
		case !SameServer(o.Descriptor, s.Descriptor, false):
			out = append(out, ServerChange{ID: s.ID, Change: PropertiesUpdated, Old: o, New: s})
		}
	}
	for _, s := range before.Servers {
		if old[s.ID] != nil {
			out = append(out, ServerChange{ID: s.ID, Change: Removed, Old: s})
		}
	}
	slices.SortFunc(out, func(a, b ServerChange) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// SameServer reports whether two server descriptors are equal, with their property sets (and
// those of their IceBox services) left out when ignoreProps is set. They are compared in the
// Ice encoding, so that an empty list equals a missing one.
func SameServer(a, b icegrid.Server, ignoreProps bool) bool {
	if ignoreProps {
		a, b = withoutProperties(a), withoutProperties(b)
	}
	return bytes.Equal(marshal(a), marshal(b))
}

// withoutProperties returns a shallow copy of s with empty property sets; s is not modified.
func withoutProperties(s icegrid.Server) icegrid.Server {
	switch d := s.(type) {
	case *icegrid.ServerDescriptor:
		c := *d
		c.PropertySet = icegrid.PropertySetDescriptor{}
		return &c
	case *icegrid.IceBoxDescriptor:
		c := *d
		c.PropertySet = icegrid.PropertySetDescriptor{}
		c.Services = make([]icegrid.ServiceInstanceDescriptor, len(d.Services))
		for i, si := range d.Services {
			si.PropertySet = icegrid.PropertySetDescriptor{}
			if si.Descriptor != nil {
				svc := *si.Descriptor
				svc.PropertySet = icegrid.PropertySetDescriptor{}
				si.Descriptor = &svc
			}
			c.Services[i] = si
		}
		return &c
	}
	return s
}

func marshal(s icegrid.Server) []byte {
	e := encoding.NewEncoder(nil, encoding.Encoding11)
	e.StartEncapsulation(encoding.Encoding11)
	e.WriteValue(s)
	e.EndEncapsulation()
	return e.Bytes()
}

// Dict returns the properties of a configuration file as the Ice runtime reads the file: comments
// skipped, a later definition replacing an earlier one, an empty value removing the property
// (toPropertyDict in ServerI.cpp).
func (f ConfigFile) Dict() map[string]string {
	out := map[string]string{}
	for _, p := range f.Properties {
		switch {
		case p.Value == "" && strings.HasPrefix(p.Name, "#"):
		case p.Value == "":
			delete(out, p.Name)
		default:
			out[p.Name] = p.Value
		}
	}
	return out
}

// PropertyDelta returns what turns the properties before into after: the properties after sets
// to another value, and those it no longer has with an empty value (which removes them, in
// Ice::PropertiesAdmin::setProperties). It is empty when nothing changed.
func PropertyDelta(before, after map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range after {
		if ov, ok := before[k]; !ok || ov != v {
			out[k] = v
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out[k] = ""
		}
	}
	return out
}

// SameButProperties reports whether two node configurations of a server differ at most in the
// properties of their configuration files — what icegridnode accepts without a restart
// (ServerI::checkNoRestart): the same descriptor once properties are left out, the same
// adapters, the same configuration files and the same expectation of a Process object.
func SameButProperties(a, b *ServerConfig) bool {
	if a.ProcessRegistered != b.ProcessRegistered || len(a.Files) != len(b.Files) ||
		!slices.Equal(a.Adapters, b.Adapters) {
		return false
	}
	for i := range a.Files {
		if a.Files[i].Name != b.Files[i].Name {
			return false
		}
	}
	return SameServer(a.Descriptor, b.Descriptor, true)
}
