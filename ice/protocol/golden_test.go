package protocol_test

import (
	"bytes"
	"strings"
	"testing"

	"floe/ice/icetest"

	"github.com/google/go-cmp/cmp"

	"floe/ice/encoding"
	"floe/ice/protocol"
)

// Messages captured from Ice 3.7.8 on the wire (ice-protocol.md §1.1, §2.2, §2.3, §7.1, §7.3).
// Where the note gives only a body, the header and request id around it are written out here;
// the comment says so.
const (
	// §1.1.
	validateConnectionWire = `49 63 65 50 01 00 01 00 03 00 0e 00 00 00`
	closeConnectionWire    = `49 63 65 50 01 00 01 00 04 01 0e 00 00 00`

	// §2.2: a batch of one ice_ping to "t".
	batchPingWire = `49 63 65 50 01 00 01 00 01 00 27 00 00 00 | 01 00 00 00 |
		01 "t" 00 | 00 | 08 "ice_ping" | 01 | 00 | 06 00 00 00 01 01`

	// §7.1: findAdapterById("MyAdapter") on Loc/Locator, params in 1.1 (65 bytes) and 1.0.
	findAdapterByIDWire = `49 63 65 50 01 00 01 00 00 00 41 00 00 00 | 01 00 00 00 |
		07 "Locator" 03 "Loc" | 00 | 0f "findAdapterById" | 01 | 00 | 10 00 00 00 01 01 09 "MyAdapter"`
	findAdapterByID10Wire = `49 63 65 50 01 00 01 00 00 00 41 00 00 00 | 01 00 00 00 |
		07 "Locator" 03 "Loc" | 00 | 0f "findAdapterById" | 01 | 00 | 10 00 00 00 01 00 09 "MyAdapter"`

	// §7.1: the answers. Found (67 bytes), AdapterNotFoundException (58 bytes, second attempt's
	// request id 2), known but inactive (null proxy); the 1.0 variants (request ids as in 1.1).
	adapterFoundWire = `49 63 65 50 01 00 01 00 02 00 43 00 00 00 | 01 00 00 00 | 00 |
		30 00 00 00 01 01 | 05 "dummy" 00 | 00 | 00 | 00 | 01 00 01 01 | 01 | 01 00 |
		19 00 00 00 01 01 09 "127.0.0.1" eb 2e 00 00 60 ea 00 00 00`
	adapterNotFoundWire = `49 63 65 50 01 00 01 00 02 00 3a 00 00 00 | 02 00 00 00 | 01 |
		27 00 00 00 01 01 | 20 | 1f "::Ice::AdapterNotFoundException"`
	adapterInactiveWire = `49 63 65 50 01 00 01 00 02 00 1b 00 00 00 | 01 00 00 00 | 00 | 08 00 00 00 01 01 00 00`
	adapterFound10Wire  = `49 63 65 50 01 00 01 00 02 00 3f 00 00 00 | 01 00 00 00 | 00 |
		2c 00 00 00 01 00 05 "dummy" 00 00 00 00 01 01 00 19 00 00 00 01 00 09 "127.0.0.1" eb 2e 00 00 60 ea 00 00 00`
	adapterNotFound10Wire = `49 63 65 50 01 00 01 00 02 00 3e 00 00 00 | 02 00 00 00 | 01 |
		2b 00 00 00 01 00 00 1f "::Ice::AdapterNotFoundException" 04 00 00 00`

	// §7.1 checkedCast: ice_isA("::IceGrid::Locator") (the note gives the params; identity and
	// request id written out here) and §7.3 Process.shutdown and writeMessage (bodies from the
	// note, request id 1).
	isALocatorWire = `49 63 65 50 01 00 01 00 00 00 42 00 00 00 | 01 00 00 00 |
		07 "Locator" 03 "Loc" | 00 | 07 "ice_isA" | 01 | 00 | 19 00 00 00 01 01 12 "::IceGrid::Locator"`
	shutdownWire = `49 63 65 50 01 00 01 00 00 00 40 00 00 00 | 01 00 00 00 |
		05 "admin" 0d "MyServerAdmin" | 01 07 "Process" | 08 "shutdown" | 00 | 00 | 06 00 00 00 01 01`
	writeMessageWire = `49 63 65 50 01 00 01 00 00 00 55 00 00 00 | 01 00 00 00 |
		05 "admin" 0d "MyServerAdmin" | 01 07 "Process" | 0c "writeMessage" | 00 | 00 |
		17 00 00 00 01 01 0c "hello stdout" 01 00 00 00`

	// §2.3 reply bodies, after a header and request id 1 written out here.
	okVoidWire            = `49 63 65 50 01 00 01 00 02 00 19 00 00 00 | 01 00 00 00 | 00 | 06 00 00 00 01 01`
	okTrueWire            = `49 63 65 50 01 00 01 00 02 00 1a 00 00 00 | 01 00 00 00 | 00 | 07 00 00 00 01 01 01`
	objectNotExistWire    = `49 63 65 50 01 00 01 00 02 00 26 00 00 00 | 01 00 00 00 | 02 | 01 "x" 06 "nobody" | 00 | 08 "ice_ping"`
	facetNotExistWire     = `49 63 65 50 01 00 01 00 02 00 28 00 00 00 | 01 00 00 00 | 03 | 01 "t" 00 | 01 07 "nofacet" | 08 "ice_ping"`
	operationNotExistWire = `49 63 65 50 01 00 01 00 02 00 20 00 00 00 | 01 00 00 00 | 04 | 01 "t" 00 | 00 | 08 "noSuchOp"`
	unknownUserWire       = `49 63 65 50 01 00 01 00 02 00 33 00 00 00 | 01 00 00 00 | 06 | 1f "::Ice::AdapterNotFoundException"`
)

var (
	locator       = encoding.Identity{Name: "Locator", Category: "Loc"}
	processAdmin  = encoding.Identity{Name: "admin", Category: "MyServerAdmin"}
	encoding10    = encoding.Encoding10
	encoding11    = encoding.Encoding11
	requestHeader = func(size int) protocol.Header { return protocol.Header{Type: protocol.Request, Size: size} }
	replyHeader   = func(size int) protocol.Header { return protocol.Header{Type: protocol.Reply, Size: size} }
)

// goldenRequests are the captured Request and BatchRequest messages, decoded.
var goldenRequests = []struct {
	name string
	wire string
	want requestMessage
}{
	{"batch ice_ping", batchPingWire, requestMessage{
		Header: protocol.Header{Type: protocol.BatchRequest, Size: 39},
		Requests: []request{{
			Header:   protocol.RequestHeader{Identity: encoding.Identity{Name: "t"}, Operation: "ice_ping", Mode: protocol.Nonmutating},
			Encoding: encoding11, Params: []byte{},
		}},
	}},
	{"findAdapterById 1.1", findAdapterByIDWire, requestMessage{
		Header: requestHeader(65), ID: 1,
		Requests: []request{{
			Header:   protocol.RequestHeader{Identity: locator, Operation: "findAdapterById", Mode: protocol.Nonmutating},
			Encoding: encoding11, Params: append([]byte{9}, "MyAdapter"...),
		}},
	}},
	{"findAdapterById 1.0", findAdapterByID10Wire, requestMessage{
		Header: requestHeader(65), ID: 1,
		Requests: []request{{
			Header:   protocol.RequestHeader{Identity: locator, Operation: "findAdapterById", Mode: protocol.Nonmutating},
			Encoding: encoding10, Params: append([]byte{9}, "MyAdapter"...),
		}},
	}},
	{"ice_isA", isALocatorWire, requestMessage{
		Header: requestHeader(66), ID: 1,
		Requests: []request{{
			Header:   protocol.RequestHeader{Identity: locator, Operation: "ice_isA", Mode: protocol.Nonmutating},
			Encoding: encoding11, Params: append([]byte{18}, "::IceGrid::Locator"...),
		}},
	}},
	{"Process.shutdown", shutdownWire, requestMessage{
		Header: requestHeader(64), ID: 1,
		Requests: []request{{
			Header:   protocol.RequestHeader{Identity: processAdmin, Facet: "Process", Operation: "shutdown", Mode: protocol.Normal},
			Encoding: encoding11, Params: []byte{},
		}},
	}},
	{"Process.writeMessage", writeMessageWire, requestMessage{
		Header: requestHeader(85), ID: 1,
		Requests: []request{{
			Header:   protocol.RequestHeader{Identity: processAdmin, Facet: "Process", Operation: "writeMessage", Mode: protocol.Normal},
			Encoding: encoding11, Params: append(append([]byte{12}, "hello stdout"...), 1, 0, 0, 0),
		}},
	}},
}

// TestRequestGoldens parses every captured request with ParseHeader and ParseRequestHeader, and
// builds it back with NewMessage, AppendRequestHeader and FinishMessage, byte for byte.
func TestRequestGoldens(t *testing.T) {
	for _, tc := range goldenRequests {
		t.Run(tc.name, func(t *testing.T) {
			msg := icetest.Wire(t, tc.wire)
			got, err := parseRequestMessage(msg, protocol.DefaultMessageSizeMax)
			if err != nil {
				t.Fatalf("parseRequestMessage(% x) = %v", msg, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseRequestMessage(%s) mismatch (-want +got):\n%s", tc.name, diff)
			}
			if built := appendRequestMessage(nil, tc.want); !bytes.Equal(built, msg) {
				t.Errorf("appendRequestMessage(%s) =\n%s\nwant\n%s", tc.name, icetest.HexString(built), icetest.HexString(msg))
			}
		})
	}
}

// longText is an UnknownException text long enough for the 5-byte size form (§2.3).
var longText = strings.Repeat("x", 0x17a)

// goldenReplies are the captured Reply messages, decoded.
var goldenReplies = []struct {
	name string
	wire []byte
	want replyMessage
}{
	{"OK void", []byte(okVoidWire), replyMessage{Header: replyHeader(25), ID: 1, Encoding: encoding11, Data: []byte{}}},
	{"OK true", []byte(okTrueWire), replyMessage{Header: replyHeader(26), ID: 1, Encoding: encoding11, Data: []byte{1}}},
	{"ObjectNotExist", []byte(objectNotExistWire), replyMessage{Header: replyHeader(38), ID: 1,
		Status: protocol.ReplyObjectNotExist, Identity: encoding.Identity{Name: "x", Category: "nobody"}, Operation: "ice_ping"}},
	{"FacetNotExist", []byte(facetNotExistWire), replyMessage{Header: replyHeader(40), ID: 1,
		Status: protocol.ReplyFacetNotExist, Identity: encoding.Identity{Name: "t"}, Facet: "nofacet", Operation: "ice_ping"}},
	{"OperationNotExist", []byte(operationNotExistWire), replyMessage{Header: replyHeader(32), ID: 1,
		Status: protocol.ReplyOperationNotExist, Identity: encoding.Identity{Name: "t"}, Operation: "noSuchOp"}},
	{"UnknownUserException", []byte(unknownUserWire), replyMessage{Header: replyHeader(51), ID: 1,
		Status: protocol.ReplyUnknownUserException, Text: "::Ice::AdapterNotFoundException"}},
	{"UnknownException long text", append([]byte(`49 63 65 50 01 00 01 00 02 00 92 01 00 00 | 01 00 00 00 | 07 | ff 7a 01 00 00 "`),
		longText+`"`...), replyMessage{Header: replyHeader(0x192), ID: 1, Status: protocol.ReplyUnknownException, Text: longText}},
	{"findAdapterById found", []byte(adapterFoundWire), replyMessage{Header: replyHeader(67), ID: 1,
		Encoding: encoding11, Data: adapterProxy11}},
	{"findAdapterById not found", []byte(adapterNotFoundWire), replyMessage{Header: replyHeader(58), ID: 2,
		Status: protocol.ReplyUserException, Encoding: encoding11, Data: append([]byte{0x20, 0x1f}, "::Ice::AdapterNotFoundException"...)}},
	{"findAdapterById inactive", []byte(adapterInactiveWire), replyMessage{Header: replyHeader(27), ID: 1,
		Encoding: encoding11, Data: []byte{0, 0}}},
	{"findAdapterById found 1.0", []byte(adapterFound10Wire), replyMessage{Header: replyHeader(63), ID: 1,
		Encoding: encoding10, Data: adapterProxy10}},
	{"findAdapterById not found 1.0", []byte(adapterNotFound10Wire), replyMessage{Header: replyHeader(62), ID: 2,
		Status: protocol.ReplyUserException, Encoding: encoding10,
		Data: append(append([]byte{0, 0x1f}, "::Ice::AdapterNotFoundException"...), 4, 0, 0, 0)}},
}

// The proxy in the findAdapterById answers (§7.1): dummy -t -e 1.1:tcp -h 127.0.0.1 -p 12011 -t 60000.
var (
	adapterProxy11 = append(append(append(append([]byte{5}, "dummy"...), 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0x19, 0, 0, 0, 1, 1, 9),
		"127.0.0.1"...), 0xeb, 0x2e, 0, 0, 0x60, 0xea, 0, 0, 0)
	adapterProxy10 = append(append(append(append([]byte{5}, "dummy"...), 0, 0, 0, 0, 1, 1, 0, 0x19, 0, 0, 0, 1, 0, 9),
		"127.0.0.1"...), 0xeb, 0x2e, 0, 0, 0x60, 0xea, 0, 0, 0)
)

// TestReplyGoldens parses every captured reply and builds it back byte for byte.
func TestReplyGoldens(t *testing.T) {
	for _, tc := range goldenReplies {
		t.Run(tc.name, func(t *testing.T) {
			msg := icetest.Wire(t, string(tc.wire))
			got, err := parseReplyMessage(msg, protocol.DefaultMessageSizeMax)
			if err != nil {
				t.Fatalf("parseReplyMessage(% x) = %v", msg, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseReplyMessage(%s) mismatch (-want +got):\n%s", tc.name, diff)
			}
			if built := appendReplyMessage(nil, tc.want); !bytes.Equal(built, msg) {
				t.Errorf("appendReplyMessage(%s) =\n%s\nwant\n%s", tc.name, icetest.HexString(built), icetest.HexString(msg))
			}
		})
	}
}

// TestControlMessageGoldens checks the two body-less messages of §1.1: the package's ready-made
// messages, AppendHeader, and ParseHeader.
func TestControlMessageGoldens(t *testing.T) {
	tests := []struct {
		name string
		wire string
		msg  []byte
		h    protocol.Header
	}{
		{"ValidateConnection", validateConnectionWire, protocol.ValidateConnectionMessage,
			protocol.Header{Type: protocol.ValidateConnection, Size: 14}},
		{"CloseConnection", closeConnectionWire, protocol.CloseConnectionMessage,
			protocol.Header{Type: protocol.CloseConnection, Compression: protocol.UncompressedAccept, Size: 14}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := icetest.Wire(t, tc.wire)
			if !bytes.Equal(tc.msg, want) {
				t.Errorf("%sMessage = % x, want % x", tc.name, tc.msg, want)
			}
			if got := protocol.AppendHeader(nil, tc.h); !bytes.Equal(got, want) {
				t.Errorf("AppendHeader(%+v) = % x, want % x", tc.h, got, want)
			}
			got, err := protocol.ParseHeader(want, protocol.DefaultMessageSizeMax)
			if err != nil || got != tc.h {
				t.Errorf("ParseHeader(% x) = %+v, %v, want %+v", want, got, err, tc.h)
			}
		})
	}
}

// TestNewMessageBuffer checks that NewMessage writes into the caller's buffer when it has room,
// and that a message built without one takes a single buffer allocation (besides the encoder and
// its encapsulation frame).
func TestNewMessageBuffer(t *testing.T) {
	buf := make([]byte, 5, 128)
	msg := appendRequestMessage(buf, goldenRequests[1].want)
	if &msg[0] != &buf[:1][0] {
		t.Errorf("NewMessage(buf with room) did not write into buf")
	}
	if want := icetest.Wire(t, findAdapterByIDWire); !bytes.Equal(msg, want) {
		t.Errorf("appendRequestMessage(buf) = % x, want % x", msg, want)
	}
	allocs := testing.AllocsPerRun(100, func() {
		e := protocol.NewMessage(nil, protocol.Request)
		e.WriteInt(1)
		protocol.AppendRequestHeader(e, &goldenRequests[1].want.Requests[0].Header)
		e.StartEncapsulation(encoding11)
		e.WriteString("MyAdapter")
		e.EndEncapsulation()
		protocol.FinishMessage(e)
	})
	if allocs > 3 {
		t.Errorf("building the findAdapterById request took %v allocations, want at most 3", allocs)
	}
}
