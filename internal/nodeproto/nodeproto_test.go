package nodeproto_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"floe/internal/node"
	"floe/internal/nodeproto"
)

func TestRoundTrip(t *testing.T) {
	sess := &nodeproto.Session{Replica: "Master", TimeoutMS: 30000, Replicas: []string{"tcp -h 127.0.0.1 -p 4061"},
		Deployment: nodeproto.Deployment{Replica: "Master", Boot: "b1", Generation: 7,
			Applications: []nodeproto.Application{{Name: "App", Revision: 2, Descriptor: "<icegrid/>"}}}}
	var got nodeproto.Session
	if err := nodeproto.Decode(nodeproto.Encode(sess), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sess, &got); diff != "" {
		t.Errorf("Decode(Encode(session)) differs (-want +got):\n%s", diff)
	}
	st := &nodeproto.Status{Token: "t", Servers: []node.ServerStatus{{ID: "s", Node: "n", State: node.Active, PID: 12}}}
	var gotSt nodeproto.Status
	if err := nodeproto.Decode(nodeproto.Encode(st), &gotSt); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, &gotSt); diff != "" {
		t.Errorf("Decode(Encode(status)) differs (-want +got):\n%s", diff)
	}
	lu := &nodeproto.LiveUpdate{Application: nodeproto.Application{Name: "App", Revision: 3, Descriptor: "<icegrid/>"},
		Updated: []string{"A"}, Removed: []string{"B"}, Apply: true}
	var gotLU nodeproto.LiveUpdate
	if err := nodeproto.Decode(nodeproto.Encode(lu), &gotLU); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(lu, &gotLU); diff != "" {
		t.Errorf("Decode(Encode(live update)) differs (-want +got):\n%s", diff)
	}
	var gotSh nodeproto.Shutdown
	if err := nodeproto.Decode(nodeproto.Encode(nodeproto.Shutdown{Node: "n1"}), &gotSh); err != nil || gotSh.Node != "n1" {
		t.Errorf("Decode(Encode(shutdown n1)) = %+v, %v", gotSh, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		msg  nodeproto.Message
	}{
		{"not JSON", "<xml/>", &nodeproto.Registration{}},
		{"trailing data", `{"name":"n","token":"t","proxy":"p"} {}`, &nodeproto.Registration{}},
		{"wrong type", `{"name":7}`, &nodeproto.Registration{}},
		{"no name", `{"token":"t","proxy":"p"}`, &nodeproto.Registration{}},
		{"no proxy", `{"name":"n","token":"t"}`, &nodeproto.Registration{}},
		{"long token", `{"name":"n","token":"` + strings.Repeat("x", 5000) + `","proxy":"p"}`, &nodeproto.Registration{}},
		{"session timeout 0", `{"replica":"R","deployment":{"replica":"R"}}`, &nodeproto.Session{}},
		{"session from another replica", `{"replica":"R","timeoutMs":1000,"deployment":{"replica":"S"}}`, &nodeproto.Session{}},
		{"repeated application", `{"replica":"R","applications":[{"name":"a"},{"name":"a"}]}`, &nodeproto.Deployment{}},
		{"application without name", `{"replica":"R","applications":[{"descriptor":"x"}]}`, &nodeproto.Deployment{}},
		{"keep-alive without token", `{"name":"n"}`, &nodeproto.KeepAlive{}},
		{"empty replica endpoints", `{"known":true,"replicas":[""]}`, &nodeproto.KeepAliveReply{}},
		{"command without server", `{}`, &nodeproto.ServerCommand{}},
		{"server id with NUL", `{"server":"a\u0000b"}`, &nodeproto.ServerCommand{}},
		{"negative pid", `{"token":"t","servers":[{"id":"s","pid":-1}]}`, &nodeproto.Status{}},
		{"too big", strings.Repeat(" ", nodeproto.MaxMessage+1), &nodeproto.Empty{}},
		{"live update without application", `{"updated":["s"]}`, &nodeproto.LiveUpdate{}},
		{"live update of an invalid server", `{"application":{"name":"A"},"removed":[""]}`, &nodeproto.LiveUpdate{}},
		{"refusal of an invalid server", `{"refused":{"":"why"}}`, &nodeproto.LiveUpdateReply{}},
		{"shutdown without node", `{}`, &nodeproto.Shutdown{}},
		{"shutdown of an invalid node", `{"node":"a\u0000b"}`, &nodeproto.Shutdown{}},
		{"long refusal", `{"refused":{"s":"` + strings.Repeat("x", 5000) + `"}}`, &nodeproto.LiveUpdateReply{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := nodeproto.Decode(tc.in, tc.msg); !errors.Is(err, nodeproto.ErrMessage) {
				t.Errorf("Decode(%.60q) = %v, want ErrMessage", tc.in, err)
			}
		})
	}
}

func TestHashIgnoresOrigin(t *testing.T) {
	a := nodeproto.Deployment{Replica: "A", Boot: "1", Generation: 1, Applications: []nodeproto.Application{{Name: "x", Revision: 1, Descriptor: "d"}}}
	b := a
	b.Replica, b.Boot, b.Generation = "B", "2", 9
	if a.Hash() != b.Hash() {
		t.Error("the same applications from two replicas hash differently")
	}
	b.Applications = []nodeproto.Application{{Name: "x", Revision: 2, Descriptor: "d"}}
	if a.Hash() == b.Hash() {
		t.Error("a new revision hashes the same")
	}
}

// FuzzDecode: no input makes a decoder panic, and what decodes re-encodes to something that
// decodes to the same value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"name":"n1","token":"t","proxy":"IceGrid/FloeNode-n1:tcp -h 127.0.0.1 -p 1","info":{"dataDir":"/x"}}`,
		`{"replica":"Master","timeoutMs":30000,"replicas":["tcp -p 1"],"deployment":{"replica":"Master","boot":"b","generation":3,"applications":[{"name":"A","revision":1,"descriptor":"<icegrid/>"}]}}`,
		`{"known":true,"replicas":["tcp -h h -p 2"]}`,
		`{"server":"s","enabled":true,"proxy":"p -f Process:tcp -p 3"}`,
		`{"token":"t","servers":[{"id":"s","node":"n","state":"Active","pid":4}]}`,
		`{"application":{"name":"A","revision":2,"descriptor":"<icegrid/>"},"updated":["s"],"removed":["r"],"apply":true}`,
		`{"refused":{"s":"the server is running"}}`,
		`{"node":"n1"}`,
		``, `null`, `[]`, `{"applications":null}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range []func() nodeproto.Message{
			func() nodeproto.Message { return &nodeproto.Registration{} },
			func() nodeproto.Message { return &nodeproto.Session{} },
			func() nodeproto.Message { return &nodeproto.Deployment{} },
			func() nodeproto.Message { return &nodeproto.KeepAlive{} },
			func() nodeproto.Message { return &nodeproto.KeepAliveReply{} },
			func() nodeproto.Message { return &nodeproto.ServerCommand{} },
			func() nodeproto.Message { return &nodeproto.Status{} },
			func() nodeproto.Message { return &nodeproto.LiveUpdate{} },
			func() nodeproto.Message { return &nodeproto.LiveUpdateReply{} },
			func() nodeproto.Message { return &nodeproto.Shutdown{} },
		} {
			v := m()
			if err := nodeproto.Decode(s, v); err != nil {
				continue
			}
			w := m()
			if err := nodeproto.Decode(nodeproto.Encode(v), w); err != nil {
				t.Fatalf("%T: re-encoded %q does not decode: %v", v, nodeproto.Encode(v), err)
			}
			if diff := cmp.Diff(v, w, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%T: round trip differs:\n%s", v, diff)
			}
		}
	})
}
