package httpapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"floe/internal/httpapi"
	"floe/internal/node"
	"floe/internal/registry"
	"floe/internal/store/storetest"
)

// fakeNode is a node with one server, "S", whose stdout is captured and stderr is not.
type fakeNode struct{ last node.OutputQuery }

func (*fakeNode) Name() string { return "local" }
func (*fakeNode) Status() []node.ServerStatus {
	return []node.ServerStatus{{ID: "S", Node: "local", State: node.Active, PID: 42, Enabled: true}}
}
func (*fakeNode) Start(context.Context, string) error {
	return fmt.Errorf("%w: S: the server is already active", node.ErrStart)
}
func (*fakeNode) Stop(context.Context, string) error { return nil }
func (*fakeNode) SetEnabled(string, bool) error      { return nil }
func (*fakeNode) Describe() node.NodeInfo {
	return node.NodeInfo{Name: "local", Platform: node.Platform{OS: "Linux", Machine: "x86_64", NProcessors: 2}, DataDir: "/d"}
}
func (*fakeNode) Load() node.Load { return node.Load{Avg1: 0.5, Avg5: 0.25, Avg15: 1} }
func (f *fakeNode) Output(id, name string, q node.OutputQuery) (node.OutputFile, error) {
	f.last = q
	if name == "stderr" {
		return node.OutputFile{}, fmt.Errorf("%w: server %s: Ice.StdErr is not set", node.ErrNoOutput, id)
	}
	return node.OutputFile{Path: "/out/S.out", Text: "hello\n", End: 6, Size: 6}, nil
}

func TestNodeEndpoints(t *testing.T) {
	reg, err := registry.New(context.Background(), registry.Config{}, storetest.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	fn := &fakeNode{}
	api := &httpapi.API{Registry: reg, Metrics: httpapi.NewMetrics().Registry, Log: slog.New(slog.DiscardHandler), Node: fn,
		Info: func() httpapi.Info { return httpapi.Info{Name: "Master", Role: "standalone"} }}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	for _, s := range []struct {
		method, path string
		wantStatus   int
		wantBody     string
	}{
		{"GET", "/api/v1/nodes/local", 200, `"os":"Linux","hostname":"","release":"","version":"","machine":"x86_64","nProcessors":2,"dataDir":"/d"`},
		{"GET", "/api/v1/nodes/other", 404, `node \"other\" does not exist`},
		{"GET", "/api/v1/nodes/local/load", 200, `{"avg1":0.5,"avg5":0.25,"avg15":1}`},
		{"GET", "/api/v1/nodes/other/load", 404, "does not exist"},
		{"GET", "/api/v1/servers/S/stdout?tail=2", 200, `"path":"/out/S.out","text":"hello\n"`},
		{"GET", "/api/v1/servers/S/stderr", 404, "Ice.StdErr is not set"},
		{"GET", "/api/v1/servers/X/stdout", 404, `server \"X\" does not exist`},
		{"GET", "/api/v1/servers/S/stdout?head=x", 400, "head="},
		{"GET", "/api/v1/servers/S/stdout?tail=-1", 400, "tail="},
		{"POST", "/api/v1/servers/S/start", 409, "already active"},
	} {
		status, body := do(t, s.method, srv.URL+s.path, "")
		if status != s.wantStatus || !strings.Contains(body, s.wantBody) {
			t.Errorf("%s %s = %d %q, want %d containing %q", s.method, s.path, status, body, s.wantStatus, s.wantBody)
		}
	}
	do(t, "GET", srv.URL+"/api/v1/servers/S/stdout?head=3&from=7", "")
	if fn.last != (node.OutputQuery{Head: 3, From: 7}) {
		t.Errorf("query passed to the node = %+v, want head 3 from 7", fn.last)
	}
}
