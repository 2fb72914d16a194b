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
	"floe/internal/nodes"
	"floe/internal/registry"
	"floe/internal/store/storetest"
)

// fakeNodes is a node "local" with one server, "S", whose stdout is captured and stderr is not;
// a node "down" that is not registered and a node "colloc" that cannot be shut down.
type fakeNodes struct {
	last     node.OutputQuery
	shutdown []string // nodes shut down
}

func (*fakeNodes) Nodes() []nodes.NodeStatus { return []nodes.NodeStatus{{Name: "local", Up: true}} }
func (*fakeNodes) Servers(context.Context) []node.ServerStatus {
	return []node.ServerStatus{{ID: "S", Node: "local", State: node.Active, PID: 42, Enabled: true}}
}
func (f *fakeNodes) Server(_ context.Context, id string) (node.ServerStatus, error) {
	if id != "S" {
		return node.ServerStatus{}, fmt.Errorf("%w: %q", registry.ErrServerNotFound, id)
	}
	return f.Servers(context.Background())[0], nil
}
func (*fakeNodes) Start(context.Context, string) error {
	return fmt.Errorf("%w: S: the server is already active", node.ErrStart)
}
func (*fakeNodes) Stop(context.Context, string) error             { return nil }
func (*fakeNodes) SetEnabled(context.Context, string, bool) error { return nil }
func (*fakeNodes) Describe(_ context.Context, name string) (node.NodeInfo, error) {
	if name != "local" {
		return node.NodeInfo{}, fmt.Errorf("node %q does not exist (%w)", name, nodes.ErrNodeNotFound)
	}
	return node.NodeInfo{Name: "local", Platform: node.Platform{OS: "Linux", Machine: "x86_64", NProcessors: 2}, DataDir: "/d"}, nil
}
func (*fakeNodes) Load(_ context.Context, name string) (node.Load, error) {
	if name != "local" {
		return node.Load{}, fmt.Errorf("node %q does not exist (%w)", name, nodes.ErrNodeNotFound)
	}
	return node.Load{Avg1: 0.5, Avg5: 0.25, Avg15: 1}, nil
}
func (f *fakeNodes) Output(_ context.Context, id, name string, q node.OutputQuery) (node.OutputFile, error) {
	f.last = q
	switch {
	case id != "S":
		return node.OutputFile{}, fmt.Errorf("%w: %q", registry.ErrServerNotFound, id)
	case name == "stderr":
		return node.OutputFile{}, fmt.Errorf("%w: server %s: Ice.StdErr is not set", node.ErrNoOutput, id)
	}
	return node.OutputFile{Path: "/out/S.out", Text: "hello\n", End: 6, Size: 6}, nil
}

func (f *fakeNodes) Shutdown(_ context.Context, name string) error {
	switch name {
	case "local":
		f.shutdown = append(f.shutdown, name)
		return nil
	case "down":
		return fmt.Errorf("%w: node %q is not registered", nodes.ErrNodeUnreachable, name)
	case "colloc":
		return fmt.Errorf("%w: %q", nodes.ErrCannotShutdown, name)
	}
	return fmt.Errorf("node %q does not exist (%w)", name, nodes.ErrNodeNotFound)
}

func TestNodeEndpoints(t *testing.T) {
	reg, err := registry.New(context.Background(), registry.Config{}, storetest.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	fn := &fakeNodes{}
	api := &httpapi.API{Registry: reg, Metrics: httpapi.NewMetrics().Registry, Log: slog.New(slog.DiscardHandler), Nodes: fn,
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
		{"GET", "/api/v1/servers/X/stdout", 404, `\"X\"`},
		{"GET", "/api/v1/servers/S/stdout?head=x", 400, "head="},
		{"GET", "/api/v1/servers/S/stdout?tail=-1", 400, "tail="},
		{"POST", "/api/v1/servers/S/start", 409, "already active"},
		{"POST", "/api/v1/nodes/local/shutdown", 204, ""},
		{"POST", "/api/v1/nodes/other/shutdown", 404, `node \"other\" does not exist`},
		{"POST", "/api/v1/nodes/down/shutdown", 503, "not registered"},
		{"POST", "/api/v1/nodes/colloc/shutdown", 409, "cannot be shut down"},
		{"GET", "/api/v1/nodes/local/shutdown", 405, ""},
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
	if len(fn.shutdown) != 1 || fn.shutdown[0] != "local" {
		t.Errorf("nodes shut down = %q, want [local]", fn.shutdown)
	}
}
