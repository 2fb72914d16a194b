package protocol

import (
	"fmt"

	"floe/ice/encoding"
)

// OperationMode is the mode byte of a request (§2.1).
type OperationMode uint8

// The operation modes.
const (
	Normal      OperationMode = 0
	Nonmutating OperationMode = 1
	Idempotent  OperationMode = 2
)

// RequestHeader is everything in a request between the request id and the params (§2.1).
type RequestHeader struct {
	Identity  encoding.Identity
	Facet     string
	Operation string
	Mode      OperationMode
	Context   map[string]string
}

// AppendRequestHeader appends h in encoding 1.0 (request headers always use 1.0).
func AppendRequestHeader(e *encoding.Encoder, h *RequestHeader) {
	e.WriteIdentity(h.Identity)
	writeFacet(e, h.Facet)
	e.WriteString(h.Operation)
	_ = e.WriteByte(byte(h.Mode))
	e.WriteStringDict(h.Context)
}

// ParseRequestHeader reads a request header; errors are left in d.
func ParseRequestHeader(d *encoding.Decoder, h *RequestHeader) {
	h.Identity = d.ReadIdentity()
	h.Facet = readFacet(d)
	h.Operation = d.ReadString()
	m := d.ReadUint8()
	if m > byte(Idempotent) {
		d.Failf("bad operation mode %d", m)
	}
	h.Mode = OperationMode(m)
	h.Context = d.ReadStringDict()
}

// writeFacet writes the facet "path": an empty sequence for the default facet.
func writeFacet(e *encoding.Encoder, facet string) {
	if facet == "" {
		e.WriteSize(0)
		return
	}
	e.WriteSize(1)
	e.WriteString(facet)
}

func readFacet(d *encoding.Decoder) string {
	switch n := d.ReadSize(); n {
	case 0:
		return ""
	case 1:
		return d.ReadString()
	default:
		d.Failf("facet path with %d elements", n)
		return ""
	}
}

// WriteFacet and ReadFacet expose the facet-path encoding for other packages.
func WriteFacet(e *encoding.Encoder, facet string) { writeFacet(e, facet) }

// ReadFacet reads a facet path of zero or one element.
func ReadFacet(d *encoding.Decoder) string { return readFacet(d) }

// ReplyStatus is the status byte of a reply (§2.3).
type ReplyStatus uint8

// The reply statuses Ice 3.7 knows.
const (
	ReplyOK                    ReplyStatus = 0
	ReplyUserException         ReplyStatus = 1
	ReplyObjectNotExist        ReplyStatus = 2
	ReplyFacetNotExist         ReplyStatus = 3
	ReplyOperationNotExist     ReplyStatus = 4
	ReplyUnknownLocalException ReplyStatus = 5
	ReplyUnknownUserException  ReplyStatus = 6
	ReplyUnknownException      ReplyStatus = 7
)

func (s ReplyStatus) String() string {
	names := [...]string{"ok", "user exception", "object not exist", "facet not exist",
		"operation not exist", "unknown local exception", "unknown user exception", "unknown exception"}
	if int(s) < len(names) {
		return names[s]
	}
	return fmt.Sprintf("reply status %d", uint8(s))
}

// newMessageCap is the capacity NewMessage gives a message when the caller passes no buffer:
// enough for typical requests and replies (a findAdapterById request is 65 bytes, its reply 67),
// so that they are built in one allocation instead of growing through 8, 16, 32 and 64 bytes.
const newMessageCap = 128

// NewMessage starts a message of type t in an encoder: it writes a header whose size FinishMessage
// patches later. Encoding 1.0 is used for everything outside encapsulations. The message is
// written into buf[:0] (which the encoder then owns), or into a new buffer if buf has no
// capacity.
func NewMessage(buf []byte, t MessageType) *encoding.Encoder {
	if cap(buf) == 0 {
		buf = make([]byte, 0, newMessageCap)
	}
	return encoding.NewEncoder(AppendHeader(buf[:0], Header{Type: t}), encoding.Encoding10)
}

// FinishMessage patches the size of the message built in e and returns it.
func FinishMessage(e *encoding.Encoder) []byte {
	msg := e.Bytes()
	SetSize(msg)
	return msg
}
