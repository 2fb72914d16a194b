package ice

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"floe/ice/icetest"

	"floe/ice/encoding"
	"floe/ice/protocol"
)

var updateConnCorpus = flag.Bool("update-conn-corpus", false, "rewrite the golden seeds of testdata/fuzz/FuzzConnection")

// fuzzConnDeadline bounds one FuzzConnection input: the server must have closed the connection
// by then, and a fresh connection must have answered ice_ping.
const fuzzConnDeadline = 10 * time.Second

// requestWire encodes a Request message to the loopback server's identity space.
func requestWire(id int32, h protocol.RequestHeader, enc encoding.Version, params []byte) []byte {
	e := protocol.NewMessage(nil, protocol.Request)
	e.WriteInt(id)
	protocol.AppendRequestHeader(e, &h)
	e.WriteEncapsulation(enc, params)
	return protocol.FinishMessage(e)
}

// connSeeds are the seeds of FuzzConnection: every message of conn_test.go, the captured
// compressed request, requests reaching each reply status, and sequences of them.
func connSeeds(tb testing.TB) map[string][]byte {
	tb.Helper()
	test := Identity{Name: "test"}
	str := func(s string) []byte {
		e := encoding.NewEncoder(nil, encoding.Encoding11)
		e.WriteString(s)
		return e.Bytes()
	}
	ping, echo := icetest.Wire(tb, pingTestWire), icetest.Wire(tb, echoTestWire)
	seeds := map[string][]byte{
		"ping":               ping,
		"echo":               echo,
		"oneway-echo":        icetest.Wire(tb, onewayEchoTestWire),
		"batch":              icetest.Wire(tb, batchPingTestWire),
		"find-adapter-by-id": icetest.Wire(tb, findAdapterByIDWire),
		"heartbeat":          icetest.Wire(tb, validateConnectionWire),
		"close":              icetest.Wire(tb, closeConnectionWire),
		"compressed-echo":    capturedCompressedRequest(tb),
		"pipelined":          bytes.Join([][]byte{ping, echo, icetest.Wire(tb, batchPingTestWire), ping}, nil),
		"ping-then-close":    append(bytes.Clone(ping), icetest.Wire(tb, closeConnectionWire)...),
		"ice_isA": requestWire(3, protocol.RequestHeader{Identity: test, Operation: "ice_isA", Mode: Nonmutating},
			encoding.Encoding11, str("::Ice::Object")),
		"ice_ids":            requestWire(4, protocol.RequestHeader{Identity: test, Operation: "ice_ids", Mode: Nonmutating}, encoding.Encoding11, nil),
		"ice_id":             requestWire(5, protocol.RequestHeader{Identity: test, Operation: "ice_id", Mode: Nonmutating}, encoding.Encoding11, nil),
		"no-such-operation":  requestWire(6, protocol.RequestHeader{Identity: test, Operation: "nope"}, encoding.Encoding11, nil),
		"no-such-facet":      requestWire(7, protocol.RequestHeader{Identity: test, Facet: "f", Operation: "ice_ping", Mode: Nonmutating}, encoding.Encoding11, nil),
		"with-context":       requestWire(8, protocol.RequestHeader{Identity: test, Operation: "echo", Context: map[string]string{"a": "b", "c": ""}}, encoding.Encoding11, str("x")),
		"params-1.0":         requestWire(9, protocol.RequestHeader{Identity: test, Operation: "echo"}, encoding.Encoding10, str("x")),
		"params-encoding-2":  requestWire(10, protocol.RequestHeader{Identity: test, Operation: "echo"}, encoding.Version{Major: 2}, str("x")),
		"truncated-params":   requestWire(11, protocol.RequestHeader{Identity: test, Operation: "echo"}, encoding.Encoding11, []byte{5, 'x'}),
		"trailing-params":    requestWire(12, protocol.RequestHeader{Identity: test, Operation: "ice_ping", Mode: Nonmutating}, encoding.Encoding11, []byte{1, 2, 3}),
		"reply-unknown-id":   icetest.Wire(tb, `49 63 65 50 01 00 01 00 02 00 19 00 00 00 | 07 00 00 00 | 00 | 06 00 00 00 01 01`),
		"bad-magic":          icetest.Wire(tb, `49 63 65 51 01 00 01 00 03 00 0e 00 00 00`),
		"size-over-limit":    icetest.Wire(tb, `49 63 65 50 01 00 01 00 00 00 01 00 10 00`),
		"negative-batch":     icetest.Wire(tb, `49 63 65 50 01 00 01 00 01 00 12 00 00 00 | ff ff ff ff`),
		"ping-cut-short":     ping[:len(ping)-3],
		"compressed-crc-bad": patchAt(capturedCompressedRequest(tb), protocol.HeaderSize+4+10, 0xf6),
	}
	return seeds
}

// FuzzConnection feeds arbitrary bytes to a server connection after a valid ValidateConnection,
// over loopback TCP to an ObjectAdapter serving echoServant, then half-closes. The server must
// not panic; it must write only whole, valid replies and heartbeats (never a reply to a oneway)
// and close the connection within fuzzConnDeadline; and a fresh connection must then answer
// ice_ping.
func FuzzConnection(f *testing.F) {
	for _, s := range connSeeds(f) {
		f.Add(s)
	}
	srv := startLoopbackServer(f)
	client := newClient(f)
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, data []byte) {
		nc := dialRaw(t, srv.addr)
		_ = nc.SetDeadline(time.Now().Add(fuzzConnDeadline))
		go func() {
			_, _ = nc.Write(data)
			_ = nc.CloseWrite()
		}()
		out, err := io.ReadAll(nc)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("the server neither closed nor stopped writing within %v (read % x)", fuzzConnDeadline, out)
		}
		checkServerOutput(t, out, err)
		_ = nc.Close()
		srv.waitNoConns(t, fuzzConnDeadline)
		srv.pingFresh(t, client, fmt.Sprint("fuzz", n.Add(1)))
	})
}

// TestFuzzConnectionCorpus keeps connSeeds in the committed seed corpus (-update-conn-corpus
// rewrites it).
func TestFuzzConnectionCorpus(t *testing.T) {
	seeds := map[string][]byte{}
	for name, b := range connSeeds(t) {
		seeds["seed-"+name] = b
	}
	icetest.SyncCorpus(t, "FuzzConnection", seeds, *updateConnCorpus, "go test -run TestFuzzConnectionCorpus -update-conn-corpus")
}
