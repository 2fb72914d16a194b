package registry_test

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"floe/internal/floetest"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/protocol"
)

// rawConn opens a TCP connection to the registry and reads its ValidateConnection.
func rawConn(t *testing.T, port int) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second}
	c, err := d.DialContext(t.Context(), "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	hdr := make([]byte, protocol.HeaderSize)
	if _, err := io.ReadFull(c, hdr); err != nil {
		t.Fatal(err)
	}
	if h, err := protocol.ParseHeader(hdr, 0); err != nil || h.Type != protocol.ValidateConnection {
		t.Fatalf("first message = %+v, %v; want ValidateConnection", h, err)
	}
	return c
}

// expectClosed asserts the registry closed c without answering.
func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err == nil {
		t.Fatalf("connection still open; read %d bytes % x", n, buf[:n])
	}
	if !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("read = %v, want EOF", err)
	}
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne)
}

// request builds a Request message for a registry object.
func request(id int32, identity encoding.Identity, op string, mode protocol.OperationMode, params func(*encoding.Encoder)) []byte {
	e := protocol.NewMessage(nil, protocol.Request)
	e.WriteInt(id)
	protocol.AppendRequestHeader(e, &protocol.RequestHeader{Identity: identity, Operation: op, Mode: mode})
	e.StartEncapsulation(encoding.Encoding11)
	if params != nil {
		params(e)
	}
	e.EndEncapsulation()
	return protocol.FinishMessage(e)
}

// readReply reads one Reply and returns its status.
func readReply(t *testing.T, c net.Conn) (int32, protocol.ReplyStatus) {
	t.Helper()
	hdr := make([]byte, protocol.HeaderSize)
	if _, err := io.ReadFull(c, hdr); err != nil {
		t.Fatalf("read reply: %v", err)
	}
	h, err := protocol.ParseHeader(hdr, 0)
	if err != nil || h.Type != protocol.Reply {
		t.Fatalf("reply header = %+v, %v", h, err)
	}
	body := make([]byte, h.Size-protocol.HeaderSize)
	if _, err := io.ReadFull(c, body); err != nil {
		t.Fatal(err)
	}
	return int32(binary.LittleEndian.Uint32(body)), protocol.ReplyStatus(body[4])
}

// TestBadInput sends hostile input on some connections and checks each is answered or closed as
// Ice would, while a well-behaved client keeps being served.
func TestBadInput(t *testing.T) {
	r := startRegistry(t, "")
	good := floetest.NewCommunicator(t, "Ice.Default.Locator="+r.locator)
	registerAdapter(t, good, "Good")
	locator := encoding.Identity{Category: "IceGrid", Name: "Locator"}
	tests := []struct {
		name string
		send []byte
		// wantStatus >= 0: a reply with this status on the same connection; -1: connection closed
		wantStatus int
	}{
		{"garbage", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), -1},
		{"bad magic", append([]byte("IceX\x01\x00\x01\x00\x00\x00"), 14, 0, 0, 0), -1},
		{"absurd size", protocol.AppendHeader(nil, protocol.Header{Type: protocol.Request, Size: 1 << 30}), -1},
		{"negative size", append(protocol.AppendHeader(nil, protocol.Header{Type: protocol.Request})[:10], 0xff, 0xff, 0xff, 0xff), -1},
		{"unknown message type", append([]byte("IceP\x01\x00\x01\x00\x09\x00"), 14, 0, 0, 0), -1},
		{"truncated request header", protocol.FinishMessage(func() *encoding.Encoder {
			e := protocol.NewMessage(nil, protocol.Request)
			e.WriteInt(1)
			e.WriteSize(200) // identity name longer than the message
			return e
		}()), -1},
		{"unknown operation", request(7, locator, "noSuchOperation", protocol.Normal, nil), int(protocol.ReplyOperationNotExist)},
		{"unknown object", request(8, encoding.Identity{Name: "nobody"}, "ice_ping", protocol.Nonmutating, nil), int(protocol.ReplyObjectNotExist)},
		{"malformed params", request(9, locator, "findAdapterById", protocol.Nonmutating, func(e *encoding.Encoder) {
			e.WriteSize(100) // string size beyond the encapsulation
		}), int(protocol.ReplyUnknownLocalException)},
		{"absurd sequence count", request(10, encoding.Identity{Category: "IceGrid", Name: "Query"}, "findAllReplicas", protocol.Idempotent,
			func(e *encoding.Encoder) {
				e.WriteIdentity(encoding.Identity{Name: "x"})
				e.WriteSize(0x7fffffff) // facet path count
			}), int(protocol.ReplyUnknownLocalException)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := rawConn(t, r.client)
			if _, err := c.Write(tt.send); err != nil {
				t.Fatal(err)
			}
			if tt.wantStatus < 0 {
				expectClosed(t, c)
			} else if _, status := readReply(t, c); int(status) != tt.wantStatus {
				t.Errorf("reply status = %v, want %v", status, protocol.ReplyStatus(tt.wantStatus))
			}
			checkServing(t, good)
		})
	}
}

// TestMalformedRegistration: a registration whose proxy does not decode is refused with a
// marshal error and registers nothing.
func TestMalformedRegistration(t *testing.T) {
	r := startRegistry(t, "", "--IceGrid.Registry.Server.Endpoints=tcp -h 127.0.0.1 -p "+strconv.Itoa(floetest.FreePort(t)))
	comm := floetest.NewCommunicator(t, "Ice.Default.Locator="+r.locator)
	loc := comm.DefaultLocator()
	var reg *ice.Proxy
	err := loc.Invoke(testContext(t, 5*time.Second), &ice.Request{Operation: "getRegistry", Mode: ice.Nonmutating,
		Result: func(d *encoding.Decoder) { reg = comm.ReadProxy(d) }})
	if err != nil || reg == nil {
		t.Fatalf("getRegistry = %v, %v", reg, err)
	}
	bad := []func(*encoding.Encoder){
		func(e *encoding.Encoder) { e.WriteString("Bad"); e.WriteString("dummy"); e.WriteString("") }, // truncated proxy
		func(e *encoding.Encoder) { // endpoint with port 70000
			e.WriteString("Bad")
			e.WriteIdentity(encoding.Identity{Name: "dummy"})
			e.WriteSize(0)
			_ = e.WriteByte(0)
			e.WriteBool(false)
			e.WriteBytes([]byte{1, 0, 1, 1})
			e.WriteSize(1)
			e.WriteShort(1)
			e.StartEncapsulation(encoding.Encoding11)
			e.WriteString("127.0.0.1")
			e.WriteInt(70000)
			e.WriteInt(-1)
			e.WriteBool(false)
			e.EndEncapsulation()
		},
	}
	for i, params := range bad {
		err := reg.Invoke(testContext(t, 5*time.Second), &ice.Request{Operation: "setAdapterDirectProxy",
			Mode: ice.Idempotent, Params: params, Exceptions: ice.LocatorExceptions})
		var ue *ice.UnknownError
		if !errors.As(err, &ue) || ue.Status != protocol.ReplyUnknownLocalException {
			t.Errorf("malformed registration %d = %v, want UnknownLocalException (marshal)", i, err)
		}
	}
	p, _ := comm.StringToProxy("x@Bad")
	if err := p.Ping(testContext(t, 5*time.Second)); !errors.Is(err, ice.ErrNotRegistered) {
		t.Errorf("ping x@Bad = %v, want NotRegistered", err)
	}
}

// checkServing asserts that a normal client still resolves and reaches the adapter Good.
func checkServing(t *testing.T, comm *ice.Communicator) {
	t.Helper()
	p, err := comm.StringToProxy("nobody@Good")
	if err != nil {
		t.Fatal(err)
	}
	err = p.WithLocatorCacheTimeout(0).Ping(testContext(t, 5*time.Second))
	if !errors.Is(err, ice.ErrObjectNotExist) { // resolved and reached: the servant is just absent
		t.Fatalf("registry stopped serving others: ping nobody@Good = %v", err)
	}
}
