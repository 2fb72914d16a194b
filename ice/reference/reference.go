package reference

import (
	"slices"

	"floe/ice/encoding"
)

// Mode is a proxy's invocation mode; the values are the bytes of the binary form
// (ice-protocol.md §6.1).
type Mode uint8

// The invocation modes.
const (
	Twoway Mode = iota
	Oneway
	BatchOneway
	Datagram
	BatchDatagram
)

// maxMode is the largest valid Mode.
const maxMode = BatchDatagram

// Protocol10 is the only Ice protocol version (the default of -p).
var Protocol10 = encoding.Version{Major: 1, Minor: 0}

// Reference is a proxy without its connection. The zero value is not a useful reference: use New,
// Parse or Read.
//
// A Reference with endpoints is direct and its AdapterID is ignored; without endpoints it is
// indirect through AdapterID, or well-known when AdapterID is empty too. Endpoint values are
// immutable once in a Reference: derive a new slice instead of modifying one.
type Reference struct {
	Identity  encoding.Identity
	Facet     string           // "" = the default facet
	Mode      Mode             // invocation mode
	Secure    bool             // -s: only secure endpoints may be used
	Protocol  encoding.Version // -p; 1.0 unless the string or the data says otherwise
	Encoding  encoding.Version // -e; the encoding of requests sent through this proxy
	Endpoints []Endpoint       // direct proxy
	AdapterID string           // indirect proxy (when Endpoints is empty)
}

// New returns a twoway, well-known reference to id with protocol 1.0 and encoding 1.1, the values
// Ice gives a proxy built without options.
func New(id encoding.Identity) *Reference {
	return &Reference{Identity: id, Protocol: Protocol10, Encoding: encoding.Encoding11}
}

// IsIndirect reports whether r has no endpoints (it is resolved through a locator).
func (r *Reference) IsIndirect() bool { return len(r.Endpoints) == 0 }

// IsWellKnown reports whether r has neither endpoints nor an adapter id, so that the locator
// resolves it by identity.
func (r *Reference) IsWellKnown() bool { return len(r.Endpoints) == 0 && r.AdapterID == "" }

// Clone returns a copy of r that shares no slice with it. Clone of nil is nil.
func (r *Reference) Clone() *Reference {
	if r == nil {
		return nil
	}
	c := *r
	c.Endpoints = slices.Clone(r.Endpoints)
	return &c
}

// WithIdentity returns a copy of r with another identity (Ice's ice_identity).
func (r *Reference) WithIdentity(id encoding.Identity) *Reference {
	c := r.Clone()
	c.Identity = id
	return c
}

// WithAdapterID returns a copy of r that is indirect through id (Ice's ice_adapterId): the
// endpoints are dropped.
func (r *Reference) WithAdapterID(id string) *Reference {
	c := r.Clone()
	c.AdapterID = id
	c.Endpoints = nil
	return c
}

// WithEndpoints returns a copy of r with a copy of eps as its endpoints (Ice's ice_endpoints):
// the adapter id is dropped.
func (r *Reference) WithEndpoints(eps []Endpoint) *Reference {
	c := r.Clone()
	c.Endpoints = slices.Clone(eps)
	c.AdapterID = ""
	return c
}

// Equal reports whether r and o describe the same proxy: all fields equal and the same endpoints
// in the same order (the adapter id is compared only when there are no endpoints). Two nil
// references are equal.
func (r *Reference) Equal(o *Reference) bool {
	if r == nil || o == nil {
		return r == o
	}
	if r.Identity != o.Identity || r.Facet != o.Facet || r.Mode != o.Mode || r.Secure != o.Secure ||
		r.Protocol != o.Protocol || r.Encoding != o.Encoding || len(r.Endpoints) != len(o.Endpoints) {
		return false
	}
	if len(r.Endpoints) == 0 {
		return r.AdapterID == o.AdapterID
	}
	for i, e := range r.Endpoints {
		if !EqualEndpoints(e, o.Endpoints[i]) {
			return false
		}
	}
	return true
}

// Defaults holds the Ice.Default.* properties that fill in what a stringified proxy or endpoint
// leaves out. Zero fields mean Ice's own defaults.
type Defaults struct {
	Host     string           // Ice.Default.Host; "" leaves the host empty
	Timeout  int32            // Ice.Default.Timeout in ms; 0 means 60000, -1 infinite
	Encoding encoding.Version // Ice.Default.EncodingVersion; zero means 1.1
	Protocol string           // Ice.Default.Protocol, used for "default" endpoints; "" means "tcp"
}

func (d Defaults) timeout() int32 {
	if d.Timeout == 0 || d.Timeout < -1 {
		return 60000
	}
	return d.Timeout
}

func (d Defaults) encoding() encoding.Version {
	if d.Encoding == (encoding.Version{}) {
		return encoding.Encoding11
	}
	return d.Encoding
}

func (d Defaults) protocol() string {
	if d.Protocol == "" {
		return "tcp"
	}
	return d.Protocol
}
