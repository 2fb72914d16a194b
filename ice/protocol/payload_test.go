package protocol_test

import (
	"bytes"
	"testing"

	"floe/ice/icetest"

	"github.com/google/go-cmp/cmp"

	"floe/ice/encoding"
	"floe/ice/protocol"
	"floe/ice/reference"
)

// adapterNotFound is ::Ice::AdapterNotFoundException (no members), enough to write the §7.1
// exception reply.
type adapterNotFound struct{} //nolint:errname // mirrors the Slice exception name

func (*adapterNotFound) Error() string  { return "AdapterNotFoundException" }
func (*adapterNotFound) TypeID() string { return "::Ice::AdapterNotFoundException" }
func (*adapterNotFound) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice("::Ice::AdapterNotFoundException", true)
	e.EndSlice()
}
func (*adapterNotFound) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	d.EndSlice()
}

// TestFindAdapterByIDPayloads decodes the encapsulations of the §7.1 messages down to their
// values, and encodes those values back to the same bytes: the params string, the proxy of the
// found answer, the null proxy and the exception, in 1.1 and 1.0.
func TestFindAdapterByIDPayloads(t *testing.T) {
	dummy := &reference.Reference{
		Identity: encoding.Identity{Name: "dummy"},
		Protocol: reference.Protocol10,
		Encoding: encoding11,
		Endpoints: []reference.Endpoint{
			reference.TCPEndpoint{Host: "127.0.0.1", Port: 12011, Timeout: 60000},
		},
	}
	dummy10 := *dummy
	dummy10.Encoding = encoding10
	tests := []struct {
		name  string
		wire  string
		read  func(d *encoding.Decoder) any
		write func(e *encoding.Encoder, v any)
		want  any
	}{
		{"params 1.1", findAdapterByIDWire, readString, writeString, "MyAdapter"},
		{"params 1.0", findAdapterByID10Wire, readString, writeString, "MyAdapter"},
		{"found 1.1", adapterFoundWire, readProxy, writeProxy, dummy},
		{"found 1.0", adapterFound10Wire, readProxy, writeProxy, &dummy10},
		{"inactive", adapterInactiveWire, readProxy, writeProxy, (*reference.Reference)(nil)},
		{"not found 1.1", adapterNotFoundWire, readException, writeException, "::Ice::AdapterNotFoundException"},
		{"not found 1.0", adapterNotFound10Wire, readException, writeException, "::Ice::AdapterNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, v := encapsulation(t, icetest.Wire(t, tc.wire))
			d := encoding.NewDecoder(data, v)
			got := tc.read(d)
			if err := d.Err(); err != nil || d.Remaining() != 0 {
				t.Fatalf("decoding % x in %v: %v, %d bytes left", data, v, err, d.Remaining())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("decoding % x in %v mismatch (-want +got):\n%s", data, v, diff)
			}
			e := encoding.NewEncoder(nil, v)
			tc.write(e, tc.want)
			if !bytes.Equal(e.Bytes(), data) {
				t.Errorf("encoding %v in %v = % x, want % x", tc.want, v, e.Bytes(), data)
			}
		})
	}
}

// encapsulation returns the params (request) or result (reply) encapsulation of msg.
func encapsulation(t *testing.T, msg []byte) ([]byte, encoding.Version) {
	t.Helper()
	if h, _ := protocol.ParseHeader(msg, 0); h.Type == protocol.Reply {
		m, err := parseReplyMessage(msg, 0)
		if err != nil {
			t.Fatal(err)
		}
		return m.Data, m.Encoding
	}
	m, err := parseRequestMessage(msg, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m.Requests[0].Params, m.Requests[0].Encoding
}

func readString(d *encoding.Decoder) any        { return d.ReadString() }
func writeString(e *encoding.Encoder, v any)    { e.WriteString(v.(string)) }
func readProxy(d *encoding.Decoder) any         { return reference.Read(d) }
func writeProxy(e *encoding.Encoder, v any)     { reference.Write(e, v.(*reference.Reference)) }
func writeException(e *encoding.Encoder, _ any) { e.WriteException(&adapterNotFound{}) }
func readException(d *encoding.Decoder) any {
	ex, err := d.ReadException(func(typeID string) encoding.UserException {
		if typeID == (*adapterNotFound)(nil).TypeID() {
			return &adapterNotFound{}
		}
		return nil
	})
	if err != nil {
		d.SetError(err)
		return nil
	}
	return ex.TypeID()
}
