package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"floe/internal/httpapi"
	"floe/internal/registry"
	"floe/internal/store"
	"floe/internal/store/storetest"
)

func newServer(t *testing.T) (*httptest.Server, *registry.Registry) {
	t.Helper()
	m := httpapi.NewMetrics()
	reg, err := registry.New(context.Background(), registry.Config{DynamicRegistration: true},
		store.Observed(storetest.NewMemory(), m.ObserveStoreWrite))
	if err != nil {
		t.Fatal(err)
	}
	api := &httpapi.API{Registry: reg, Metrics: m.Registry, Log: slog.New(slog.DiscardHandler),
		Info: func() httpapi.Info { return httpapi.Info{Name: "Master", Role: "standalone"} }}
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return srv, reg
}

func do(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestObjectsAndAdapters(t *testing.T) {
	srv, reg := newServer(t)
	steps := []struct {
		method, path, body string
		wantStatus         int
		wantBody           string
	}{
		{"GET", "/healthz", "", 200, "ok"},
		{"GET", "/api/v1/registry", "", 200, `"role":"standalone"`},
		{"POST", "/api/v1/objects", `{"proxy":"hello@HelloAdapter","type":"::Demo::Hello"}`, 200, `"identity":"hello"`},
		{"POST", "/api/v1/objects", `{"proxy":"hello@HelloAdapter"}`, 409, "already registered"},
		{"POST", "/api/v1/objects", `{"proxy":"bad proxy -x"}`, 400, "invalid proxy"},
		{"POST", "/api/v1/objects", `{not json`, 400, "invalid JSON"},
		{"GET", "/api/v1/objects", "", 200, `"proxy":"hello -t -e 1.1 @ HelloAdapter"`},
		{"GET", "/api/v1/objects/hello", "", 200, `"type":"::Demo::Hello"`},
		{"DELETE", "/api/v1/objects/hello", "", 204, ""},
		{"DELETE", "/api/v1/objects/hello", "", 404, "not found"},
		{"GET", "/api/v1/adapters/nope", "", 404, "not found"},
		{"GET", "/metrics", "", 200, `floe_store_write_duration_seconds_count{operation="put_object",result="ok"} 1`},
	}
	for _, s := range steps {
		status, body := do(t, s.method, srv.URL+s.path, s.body)
		if status != s.wantStatus || !strings.Contains(body, s.wantBody) {
			t.Errorf("%s %s = %d %q, want %d containing %q", s.method, s.path, status, body, s.wantStatus, s.wantBody)
		}
	}
	if err := reg.SetAdapterDirectProxy(context.Background(), "A", "RG",
		storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 5000")); err != nil {
		t.Fatal(err)
	}
	_, body := do(t, "GET", srv.URL+"/api/v1/adapters", "")
	var list []httpapi.AdapterJSON
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("adapters JSON: %v: %s", err, body)
	}
	if len(list) != 2 || list[0].ID != "A" || list[1].ID != "RG" || len(list[1].Members) != 1 {
		t.Errorf("GET /api/v1/adapters = %+v, want adapter A and group RG", list)
	}
}

func TestBodyLimit(t *testing.T) {
	srv, _ := newServer(t)
	status, body := do(t, "POST", srv.URL+"/api/v1/objects", `{"proxy":"`+strings.Repeat("a", 2<<20)+`"}`)
	if status != 400 {
		t.Errorf("2 MiB body = %d %.80q, want 400", status, body)
	}
}

// TestObjectBodyTrailingData: a body with a second JSON value after the object was accepted,
// and the second silently ignored.
func TestObjectBodyTrailingData(t *testing.T) {
	srv, reg := newServer(t)
	status, body := do(t, "POST", srv.URL+"/api/v1/objects", `{"proxy":"x:tcp -p 1"} {"proxy":"y:tcp -p 1"}`)
	if status != 400 || !strings.Contains(body, "more after the object") || len(reg.Objects()) != 0 {
		t.Errorf("POST two objects = %d %q, %d objects; want 400 and none", status, body, len(reg.Objects()))
	}
	if status, body := do(t, "POST", srv.URL+"/api/v1/objects", "{\"proxy\":\"x:tcp -p 1\"}\n"); status != 200 {
		t.Errorf("POST with a final newline = %d %q, want 200", status, body)
	}
}

// TestObjectBodyWithoutProxy: a body without a proxy was refused with "invalid proxy \"\": <nil>".
func TestObjectBodyWithoutProxy(t *testing.T) {
	srv, _ := newServer(t)
	status, body := do(t, "POST", srv.URL+"/api/v1/objects", `{"type":"::T"}`)
	if status != 400 || strings.Contains(body, "nil") || !strings.Contains(body, "no proxy") {
		t.Errorf("POST without a proxy = %d %q, want 400 saying there is no proxy", status, body)
	}
}

// TestUpdateWithoutRestart: PUT ?restart=false is Admin.syncApplicationWithoutRestart; its
// refusal is a 409 carrying IceGrid's exception and reason.
func TestUpdateWithoutRestart(t *testing.T) {
	srv, _ := newServer(t)
	app := func(exe, value string) string {
		return `<icegrid><application name="App"><node name="n"><server id="S" exe="` + exe + `">` +
			`<property name="P" value="` + value + `"/></server></node></application></icegrid>`
	}
	steps := []struct {
		method, path, body string
		wantStatus         int
		wantBody           string
	}{
		{"POST", "/api/v1/applications", app("x", "1"), 200, `"revision":1`},
		{"PUT", "/api/v1/applications/App?restart=false", app("x", "2"), 200, `"revision":2`},
		{"PUT", "/api/v1/applications/App?restart=false", app("y", "2"), 409,
			`{"error":"check for application ` + "`App'" + ` update failed:\nthe server ` + "`S'" +
				` would need to be stopped","exception":"::IceGrid::DeploymentException"}`},
		{"PUT", "/api/v1/applications/App?restart=maybe", app("y", "2"), 400, "restart="},
		{"GET", "/api/v1/applications/App", "", 200, `"revision":2`},
		{"PUT", "/api/v1/applications/App?restart=true", app("y", "2"), 200, `"revision":3`},
	}
	for _, s := range steps {
		status, body := do(t, s.method, srv.URL+s.path, s.body)
		if status != s.wantStatus || !strings.Contains(body, s.wantBody) {
			t.Errorf("%s %s = %d %q, want %d containing %q", s.method, s.path, status, body, s.wantStatus, s.wantBody)
		}
	}
}
