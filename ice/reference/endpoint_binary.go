package reference

import (
	"fmt"

	"floe/ice/encoding"
)

// Endpoint bodies (ice-protocol.md §6.2). Each endpoint is `short type` followed by an
// encapsulation; the body inside is described per type below.

// writeEndpoint appends ep: its type and its body in an encapsulation of the surrounding encoding
// (an opaque endpoint keeps its own encoding and bytes).
func writeEndpoint(e *encoding.Encoder, ep Endpoint) {
	e.WriteShort(ep.Type())
	v := e.Encoding()
	if op, ok := ep.(OpaqueEndpoint); ok {
		v = op.Encoding
	}
	e.StartEncapsulation(v)
	ep.writeBody(e)
	e.EndEncapsulation()
}

// writeBody appends string host, int port, int timeout, bool compress.
func (ep TCPEndpoint) writeBody(e *encoding.Encoder) {
	e.WriteString(ep.Host)
	e.WriteInt(int32(ep.Port))
	e.WriteInt(ep.Timeout)
	e.WriteBool(ep.Compress)
}

// writeBody appends the TCP body and string resource.
func (ep WSEndpoint) writeBody(e *encoding.Encoder) {
	ep.TCPEndpoint.writeBody(e)
	e.WriteString(ep.Resource)
}

// writeBody appends string host, int port, in 1.0 the protocol and encoding 1.0, bool compress.
func (ep UDPEndpoint) writeBody(e *encoding.Encoder) {
	e.WriteString(ep.Host)
	e.WriteInt(int32(ep.Port))
	if e.Encoding() == encoding.Encoding10 {
		e.WriteBytes([]byte{1, 0, 1, 0})
	}
	e.WriteBool(ep.Compress)
}

// writeBody appends the bytes verbatim (writeEndpoint uses the endpoint's own encoding).
func (ep OpaqueEndpoint) writeBody(e *encoding.Encoder) { e.WriteBytes(ep.Bytes) }

// readEndpoint reads one endpoint. Like Ice's EndpointFactoryManager::read it rejects
// encapsulations in encodings other than 1.0 and 1.1 whatever the type, decodes the known types
// and keeps any other type as an OpaqueEndpoint. Errors go to d.
func readEndpoint(d *encoding.Decoder) Endpoint {
	typ := d.ReadShort()
	data, v := d.ReadEncapsulation()
	if d.Err() != nil {
		return nil
	}
	if !v.Supported() {
		d.Failf("endpoint of type %d: unsupported encoding %v", typ, v)
		return nil
	}
	switch typ {
	case TypeTCP, TypeSSL, TypeUDP, TypeWS, TypeWSS:
		ep, err := decodeBody(typ, data, v)
		if err != nil {
			d.Failf("endpoint of type %d: %v", typ, err)
			return nil
		}
		return ep
	}
	return OpaqueEndpoint{Kind: typ, Encoding: v, Bytes: append([]byte(nil), data...)}
}

// decodeBody decodes the body of a known endpoint type from data, the content of an encapsulation
// of encoding v.
func decodeBody(typ int16, data []byte, v encoding.Version) (Endpoint, error) {
	d := encoding.NewDecoder(data, v)
	var ep Endpoint
	switch typ {
	case TypeTCP, TypeSSL:
		ep = readTCPBody(d, typ == TypeSSL)
	case TypeWS, TypeWSS:
		t := readTCPBody(d, typ == TypeWSS)
		ep = WSEndpoint{TCPEndpoint: t, Resource: d.ReadString()}
	case TypeUDP:
		ep = readUDPBody(d)
	}
	finishBody(d)
	if err := d.Err(); err != nil {
		return nil, err
	}
	return ep, nil
}

func readTCPBody(d *encoding.Decoder, ssl bool) TCPEndpoint {
	host := d.ReadString()
	port := readPort(d)
	return TCPEndpoint{SSL: ssl, Host: host, Port: port, Timeout: d.ReadInt(), Compress: d.ReadBool()}
}

func readUDPBody(d *encoding.Decoder) UDPEndpoint {
	host := d.ReadString()
	port := readPort(d)
	if d.Encoding() == encoding.Encoding10 {
		d.ReadBytes(4) // protocol and encoding, ignored as Ice 3.7 does
	}
	return UDPEndpoint{Host: host, Port: port, TTL: -1, Compress: d.ReadBool()}
}

// readPort reads an int32 port and rejects values outside 0..65535 (Ice 3.7 does not check).
func readPort(d *encoding.Decoder) uint16 {
	p := d.ReadInt()
	if d.Err() == nil && (p < 0 || p > 65535) {
		d.Failf("port %d out of range", p)
		return 0
	}
	return uint16(p)
}

// finishBody checks the end of an endpoint body as Ice's InputStream::endEncapsulation does: in
// 1.1, tagged members are skipped up to the end or up to an 0xff marker, and then the data must be
// exhausted; in 1.0 one stray byte is tolerated.
func finishBody(d *encoding.Decoder) {
	if d.Err() != nil {
		return
	}
	if d.Encoding() != encoding.Encoding10 {
		skipTagged(d)
	}
	left := d.Remaining()
	if d.Err() == nil && left != 0 && (d.Encoding() != encoding.Encoding10 || left > 1) {
		d.Failf("%d bytes left at the end of the endpoint body", left)
	}
}

// skipTagged skips tagged members (ice-protocol.md §3.3) until the end of the data or an 0xff end
// marker.
func skipTagged(d *encoding.Decoder) {
	for d.Err() == nil && d.Remaining() > 0 {
		v := d.ReadUint8()
		if v == 0xff {
			return
		}
		if v>>3 == 30 {
			skipSize(d)
		}
		switch v & 7 {
		case 0:
			d.ReadBytes(1)
		case 1:
			d.ReadBytes(2)
		case 2:
			d.ReadBytes(4)
		case 3:
			d.ReadBytes(8)
		case 4:
			skipSize(d)
		case 5:
			d.ReadBytes(d.ReadSize())
		case 6:
			n := d.ReadInt()
			if d.Err() == nil && n < 0 {
				d.Failf("negative tagged member size %d", n)
				return
			}
			d.ReadBytes(int(n))
		default:
			skipClassReference(d)
		}
	}
}

// skipClassReference skips a tagged member of the class format. Ice reads it as a class reference
// with no one to patch: a null (0) or a back-reference (2 and up) is ignored, an inline instance
// (1) would be decoded; this package does not decode classes and rejects it.
func skipClassReference(d *encoding.Decoder) {
	if d.ReadSize() == 1 {
		d.Failf("class instance in a tagged member of an endpoint body")
	}
}

// skipSize skips a size without checking its value, as Ice's InputStream::skipSize does.
func skipSize(d *encoding.Decoder) {
	if d.ReadUint8() == 255 {
		d.ReadBytes(4)
	}
}

// decodeOpaque turns an opaque endpoint of a known type into that type, as Ice's
// EndpointFactoryManager::create does for "opaque -t 1 …". Other types are returned unchanged.
func decodeOpaque(op OpaqueEndpoint) (Endpoint, error) {
	switch op.Kind {
	case TypeTCP, TypeSSL, TypeUDP, TypeWS, TypeWSS:
	default:
		return op, nil
	}
	if !op.Encoding.Supported() {
		return nil, fmt.Errorf("unsupported encoding %v", op.Encoding)
	}
	return decodeBody(op.Kind, op.Bytes, op.Encoding)
}
