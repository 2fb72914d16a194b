package protocol_test

import (
	"fmt"

	"floe/ice/encoding"
	"floe/ice/protocol"
)

// request is one request of a Request or BatchRequest message: the request header and the
// params encapsulation (its encoding and its data, without the 6-byte encapsulation header).
type request struct {
	Header   protocol.RequestHeader
	Encoding encoding.Version
	Params   []byte
}

// requestMessage is a decoded Request (one entry, ID set) or BatchRequest (any number of
// entries, ID 0).
type requestMessage struct {
	Header   protocol.Header
	ID       int32
	Requests []request
}

// parseRequestMessage decodes a whole Request or BatchRequest message with the package's
// parsers, as package ice reads them: header, request id or count, then per request the request
// header and the params encapsulation. Every byte must be consumed.
func parseRequestMessage(msg []byte, maxSize int) (requestMessage, error) {
	var m requestMessage
	h, err := protocol.ParseHeader(msg, maxSize)
	if err != nil {
		return m, err
	}
	if h.Type != protocol.Request && h.Type != protocol.BatchRequest {
		return m, fmt.Errorf("message type %v", h.Type)
	}
	if h.Size != len(msg) {
		return m, fmt.Errorf("header size %d, message of %d bytes", h.Size, len(msg))
	}
	m.Header = h
	d := encoding.NewDecoder(msg[protocol.HeaderSize:], encoding.Encoding10)
	n := 1
	if h.Type == protocol.BatchRequest {
		n = int(d.ReadInt())
		if n < 0 {
			return m, fmt.Errorf("batch count %d", n)
		}
	} else {
		m.ID = d.ReadInt()
	}
	for i := 0; i < n && d.Err() == nil; i++ {
		var r request
		protocol.ParseRequestHeader(d, &r.Header)
		r.Params, r.Encoding = d.ReadEncapsulation()
		if d.Err() == nil {
			m.Requests = append(m.Requests, r)
		}
	}
	if err := d.Err(); err != nil {
		return m, err
	}
	if d.Remaining() != 0 {
		return m, fmt.Errorf("%d bytes after the last request", d.Remaining())
	}
	return m, nil
}

// appendRequestMessage encodes m with the package's encoders (the header's size is computed,
// its compression status is 0).
func appendRequestMessage(buf []byte, m requestMessage) []byte {
	e := protocol.NewMessage(buf, m.Header.Type)
	if m.Header.Type == protocol.BatchRequest {
		e.WriteInt(int32(len(m.Requests)))
	} else {
		e.WriteInt(m.ID)
	}
	for i := range m.Requests {
		r := &m.Requests[i]
		protocol.AppendRequestHeader(e, &r.Header)
		e.WriteEncapsulation(r.Encoding, r.Params)
	}
	return protocol.FinishMessage(e)
}

// replyMessage is a decoded Reply message (§2.3). Which fields are set depends on Status.
type replyMessage struct {
	Header    protocol.Header
	ID        int32
	Status    protocol.ReplyStatus
	Encoding  encoding.Version  // OK, UserException: the encapsulation's encoding
	Data      []byte            // OK, UserException: the encapsulation's data
	Identity  encoding.Identity // ObjectNotExist, FacetNotExist, OperationNotExist
	Facet     string            // idem
	Operation string            // idem
	Text      string            // UnknownLocalException, UnknownUserException, UnknownException
}

// parseReplyMessage decodes a whole Reply message. Every byte must be consumed.
func parseReplyMessage(msg []byte, maxSize int) (replyMessage, error) {
	var m replyMessage
	h, err := protocol.ParseHeader(msg, maxSize)
	if err != nil {
		return m, err
	}
	if h.Type != protocol.Reply {
		return m, fmt.Errorf("message type %v", h.Type)
	}
	if h.Size != len(msg) {
		return m, fmt.Errorf("header size %d, message of %d bytes", h.Size, len(msg))
	}
	m.Header = h
	d := encoding.NewDecoder(msg[protocol.HeaderSize:], encoding.Encoding10)
	m.ID = d.ReadInt()
	m.Status = protocol.ReplyStatus(d.ReadUint8())
	switch m.Status {
	case protocol.ReplyOK, protocol.ReplyUserException:
		m.Data, m.Encoding = d.ReadEncapsulation()
	case protocol.ReplyObjectNotExist, protocol.ReplyFacetNotExist, protocol.ReplyOperationNotExist:
		m.Identity = d.ReadIdentity()
		m.Facet = protocol.ReadFacet(d)
		m.Operation = d.ReadString()
	case protocol.ReplyUnknownLocalException, protocol.ReplyUnknownUserException, protocol.ReplyUnknownException:
		m.Text = d.ReadString()
	default:
		d.Failf("unknown reply status %d", m.Status)
	}
	if err := d.Err(); err != nil {
		return m, err
	}
	if d.Remaining() != 0 {
		return m, fmt.Errorf("%d bytes after the reply", d.Remaining())
	}
	return m, nil
}

// appendReplyMessage encodes m with the package's encoders.
func appendReplyMessage(buf []byte, m replyMessage) []byte {
	e := protocol.NewMessage(buf, protocol.Reply)
	e.WriteInt(m.ID)
	_ = e.WriteByte(byte(m.Status))
	switch m.Status {
	case protocol.ReplyOK, protocol.ReplyUserException:
		e.WriteEncapsulation(m.Encoding, m.Data)
	case protocol.ReplyObjectNotExist, protocol.ReplyFacetNotExist, protocol.ReplyOperationNotExist:
		e.WriteIdentity(m.Identity)
		protocol.WriteFacet(e, m.Facet)
		e.WriteString(m.Operation)
	default:
		e.WriteString(m.Text)
	}
	return protocol.FinishMessage(e)
}
