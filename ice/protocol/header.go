package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderSize is the size of every message header (§1.1).
const HeaderSize = 14

// MessageType is byte 8 of the header.
type MessageType uint8

// The message types of protocol 1.0.
const (
	Request            MessageType = 0
	BatchRequest       MessageType = 1
	Reply              MessageType = 2
	ValidateConnection MessageType = 3
	CloseConnection    MessageType = 4
)

func (t MessageType) String() string {
	switch t {
	case Request:
		return "request"
	case BatchRequest:
		return "batch request"
	case Reply:
		return "reply"
	case ValidateConnection:
		return "validate connection"
	case CloseConnection:
		return "close connection"
	default:
		return fmt.Sprintf("unknown message type %d", uint8(t))
	}
}

// Compression status values (§1.3).
const (
	Uncompressed       uint8 = 0 // not compressed; sender cannot take a compressed reply
	UncompressedAccept uint8 = 1 // not compressed; sender accepts a compressed reply
	Compressed         uint8 = 2 // body compressed with bzip2
)

// DefaultMessageSizeMax is Ice.MessageSizeMax's default, 1024 KiB, in bytes.
const DefaultMessageSizeMax = 1 << 20

// Header is a decoded message header.
type Header struct {
	Type        MessageType
	Compression uint8
	Size        int // total message size, header included
}

var magic = [4]byte{'I', 'c', 'e', 'P'}

// AppendHeader appends a header for protocol 1.0, encoding 1.0.
func AppendHeader(dst []byte, h Header) []byte {
	dst = append(dst, magic[:]...)
	dst = append(dst, 1, 0, 1, 0, byte(h.Type), h.Compression)
	return binary.LittleEndian.AppendUint32(dst, uint32(h.Size))
}

// ValidateConnectionMessage and CloseConnectionMessage are complete messages (§1.1). 3.7 sends
// compression byte 1 in CloseConnection; receivers ignore it.
var (
	ValidateConnectionMessage = AppendHeader(nil, Header{Type: ValidateConnection, Size: HeaderSize})
	CloseConnectionMessage    = AppendHeader(nil, Header{Type: CloseConnection, Compression: 1, Size: HeaderSize})
)

// ErrProtocol is wrapped by every error about malformed framing.
var ErrProtocol = errors.New("protocol error")

// ProtocolError is a framing violation; the connection it came from must be closed.
type ProtocolError struct{ Reason string }

func (e *ProtocolError) Error() string { return "protocol: " + e.Reason }

// Unwrap makes errors.Is(err, ErrProtocol) true.
func (e *ProtocolError) Unwrap() error { return ErrProtocol }

func protocolErrorf(format string, args ...any) error {
	return &ProtocolError{Reason: fmt.Sprintf(format, args...)}
}

// ParseHeader decodes and checks a header as Ice 3.7 does: magic, protocol 1.0, encoding 1.0,
// a known message type and a size in [HeaderSize, maxSize]. maxSize <= 0 means 2^31-1.
func ParseHeader(b []byte, maxSize int) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, protocolErrorf("short header: %d bytes", len(b))
	}
	if [4]byte(b[:4]) != magic {
		return Header{}, protocolErrorf("bad magic % x", b[:4])
	}
	if b[4] != 1 || b[5] > 0 {
		return Header{}, protocolErrorf("unsupported protocol %d.%d", b[4], b[5])
	}
	if b[6] != 1 || b[7] > 0 {
		return Header{}, protocolErrorf("unsupported protocol encoding %d.%d", b[6], b[7])
	}
	h := Header{Type: MessageType(b[8]), Compression: b[9], Size: int(int32(binary.LittleEndian.Uint32(b[10:])))}
	if h.Type > CloseConnection {
		return Header{}, protocolErrorf("unknown message type %d", b[8])
	}
	if h.Compression > Compressed {
		return Header{}, protocolErrorf("bad compression status %d", h.Compression)
	}
	if maxSize <= 0 {
		maxSize = 1<<31 - 1
	}
	if h.Size < HeaderSize || h.Size > maxSize {
		return Header{}, protocolErrorf("illegal message size %d (limit %d)", h.Size, maxSize)
	}
	if (h.Type == ValidateConnection || h.Type == CloseConnection) && h.Size != HeaderSize {
		return Header{}, protocolErrorf("%v with size %d", h.Type, h.Size)
	}
	return h, nil
}

// SetSize patches the size field of the message msg starts with.
func SetSize(msg []byte) {
	binary.LittleEndian.PutUint32(msg[10:], uint32(len(msg)))
}
