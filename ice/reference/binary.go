package reference

import (
	"floe/ice/encoding"
)

// Write appends r in the binary proxy form of ice-protocol.md §6.1, in the encoding e is writing:
// identity, facet (a sequence of 0 or 1 string), mode, secure, in 1.1 only the protocol and
// encoding versions, then the endpoints (§6.2, each in an encapsulation of e's encoding), or, if
// there are none, the adapter id. A nil r, or one whose identity is empty, is written as the null
// proxy `00 00`. Opaque endpoints are written verbatim, even in an encoding that Read rejects; r.Mode
// must be a valid Mode.
func Write(e *encoding.Encoder, r *Reference) {
	if r == nil || r.Identity == (encoding.Identity{}) {
		e.WriteIdentity(encoding.Identity{})
		return
	}
	e.WriteIdentity(r.Identity)
	if r.Facet == "" {
		e.WriteSize(0)
	} else {
		e.WriteSize(1)
		e.WriteString(r.Facet)
	}
	_ = e.WriteByte(byte(r.Mode))
	e.WriteBool(r.Secure)
	if e.Encoding() != encoding.Encoding10 {
		e.WriteBytes([]byte{r.Protocol.Major, r.Protocol.Minor, r.Encoding.Major, r.Encoding.Minor})
	}
	e.WriteSize(len(r.Endpoints))
	for _, ep := range r.Endpoints {
		writeEndpoint(e, ep)
	}
	if len(r.Endpoints) == 0 {
		e.WriteString(r.AdapterID)
	}
}

// minEndpointSize is the smallest endpoint on the wire: a short type and an empty encapsulation.
const minEndpointSize = 2 + 6

// Read reads a proxy written by Write or by Ice. It returns nil for the null proxy, and nil with
// the error recorded in d (see d.Err) for malformed data: a facet sequence of more than one
// element, a mode above 4, endpoint encapsulations in an unsupported encoding or with a malformed
// body, or ports outside 0..65535. In encoding 1.0, which does not carry them, the protocol and
// encoding versions are 1.0. The Reference shares no memory with d's buffer.
func Read(d *encoding.Decoder) *Reference {
	id := d.ReadIdentity()
	if d.Err() != nil || id == (encoding.Identity{}) {
		return nil
	}
	r := &Reference{Identity: id, Protocol: Protocol10, Encoding: encoding.Encoding10}
	switch n := d.ReadSize(); {
	case n > 1:
		d.Failf("proxy facet sequence has %d elements", n)
	case n == 1:
		r.Facet = d.ReadString()
	}
	if m := Mode(d.ReadUint8()); m <= maxMode {
		r.Mode = m
	} else {
		d.Failf("invalid proxy mode %d", m)
	}
	r.Secure = d.ReadBool()
	if d.Encoding() != encoding.Encoding10 {
		r.Protocol = encoding.Version{Major: d.ReadUint8(), Minor: d.ReadUint8()}
		r.Encoding = encoding.Version{Major: d.ReadUint8(), Minor: d.ReadUint8()}
	}
	n := d.ReadCount(minEndpointSize) // n endpoints fit in what is left, so n is bounded
	if n == 0 {
		r.AdapterID = d.ReadString()
	} else {
		r.Endpoints = make([]Endpoint, 0, n)
	}
	for i := 0; i < n && d.Err() == nil; i++ {
		r.Endpoints = append(r.Endpoints, readEndpoint(d))
	}
	if d.Err() != nil {
		return nil
	}
	return r
}
