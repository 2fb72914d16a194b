package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"floe/internal/httpapi"
	"floe/internal/registry"
	"floe/internal/store"
	"floe/internal/store/storetest"
)

// fuzzApp is the application every fuzzed request starts with.
const fuzzApp = `<icegrid><application name="App">
  <replica-group id="RG"><object identity="rg" type="::Demo::Hello"/></replica-group>
  <node name="local"><server id="S" exe="/bin/true" activation="manual">
    <adapter name="Hello" endpoints="tcp -h 127.0.0.1" replica-group="RG"/>
    <property name="P" value="v"/></server></node></application></icegrid>`

var fuzzMethods = []string{"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"}

// newFuzzAPI is a standalone registry holding fuzzApp, the object hello and the dynamically
// registered adapter A, with one fake node.
func newFuzzAPI(t *testing.T, m *storetest.Memory) (http.Handler, *registry.Registry) {
	t.Helper()
	ctx := context.Background()
	reg, err := registry.New(ctx, registry.Config{DynamicRegistration: true}, m)
	if err != nil {
		t.Fatal(err)
	}
	api := &httpapi.API{Registry: reg, Metrics: httpapi.NewMetrics().Registry, Log: slog.New(slog.DiscardHandler),
		Nodes: &fakeNodes{}, Info: func() httpapi.Info { return httpapi.Info{Name: "Master", Role: "standalone"} }}
	return api.Handler(), reg
}

func seedRegistry(t *testing.T, reg *registry.Registry) {
	t.Helper()
	ctx := context.Background()
	if _, err := reg.AddApplication(ctx, []byte(fuzzApp)); err != nil {
		t.Fatal(err)
	}
	if err := reg.AddObject(ctx, &store.Object{Identity: storetest.MustParse(t, "hello").Identity, Type: "::Demo::Hello",
		Proxy: storetest.MustParse(t, "hello:tcp -h 127.0.0.1 -p 5000")}); err != nil {
		t.Fatal(err)
	}
	if err := reg.SetAdapterDirectProxy(ctx, "A", "", storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 5001")); err != nil {
		t.Fatal(err)
	}
}

func serve(h http.Handler, method, target string, body []byte) (*httptest.ResponseRecorder, bool) {
	req, err := http.NewRequestWithContext(context.Background(), method, "http://floe.test"+target, bytes.NewReader(body))
	if err != nil {
		return nil, false // no server sees such a request line
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w, true
}

// FuzzAPI sends one arbitrary request (method, path and query, body) to the API of a registry
// with an application, an object and an adapter. The answer is never a 5xx; from the API it is
// JSON, with an "error" that reads as a sentence for a 4xx, and a 2xx that decoded a JSON body
// decoded all of it. What the registry then holds survives a restart on the embedded store:
// every record marshals and unmarshals, and a registry started on them lists the same.
func FuzzAPI(f *testing.F) {
	for _, s := range []struct {
		method uint8
		target string
		body   string
	}{
		{0, "/api/v1/registry", ""},
		{0, "/api/v1/applications/App", ""},
		{1, "/api/v1/applications", `<icegrid><application name="B"><node name="n"><server id="T" exe="x"/></node></application></icegrid>`},
		{2, "/api/v1/applications/App", strings.Replace(fuzzApp, `value="v"`, `value="w"`, 1)},
		{2, "/api/v1/applications/Other", fuzzApp},
		{3, "/api/v1/applications/App", ""},
		{1, "/api/v1/applications", "<icegrid>\n<!-- caf\xe9 -->\n<application name=\"C\"/></icegrid>"},
		{1, "/api/v1/objects", `{"proxy":"hello2 -t:tcp -h 127.0.0.1 -p 1","type":"::Demo::Hello"}`},
		{1, "/api/v1/objects", `{"proxy":"x:tcp -p 1"} {"proxy":"y:tcp -p 1"}`},
		{1, "/api/v1/objects", `{"type":"::T"}`},
		{1, "/api/v1/objects", `{"proxy":"\"\\200\":tcp -p 1"}`},
		{1, "/api/v1/objects", `{"proxy":"x @ \"\\200\""}`},
		{2, "/api/v1/objects/hello", `{"proxy":"hello @ A"}`},
		{2, "/api/v1/objects/cat%2Fname", `{"proxy":"cat/name @ A"}`},
		{3, "/api/v1/objects/hello", ""},
		{3, "/api/v1/adapters/A", ""},
		{0, "/api/v1/adapters/RG", ""},
		{0, "/api/v1/servers/S/stdout?head=2&tail=3&from=9223372036854775807", ""},
		{1, "/api/v1/servers/S/start", ""},
		{1, "/api/v1/servers/S/disable", ""},
		{0, "/api/v1/nodes/local/load", ""},
		{1, "/api/v1/nodes/local/shutdown", ""},
		{5, "/api/v1/objects", "{}"},
		{0, "/api/v1/nope", ""},
		{0, "//api/v1/../v1/objects", ""},
		{0, "/healthz", ""},
		{0, "/metrics", ""},
	} {
		f.Add(s.method, s.target, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, method uint8, target string, body []byte) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		m := storetest.NewMemory()
		h, reg := newFuzzAPI(t, m)
		seedRegistry(t, reg)
		verb := fuzzMethods[int(method)%len(fuzzMethods)]
		w, ok := serve(h, verb, target, body)
		if !ok {
			return
		}
		checkAnswer(t, verb, target, body, w)
		checkRestart(t, h, m)
	})
}

// checkAnswer checks one response: no 5xx; JSON from the API, an error object for a 4xx, the
// whole body used by a 2xx that read JSON; ServeMux's own 404, 405 and redirects are text.
func checkAnswer(t *testing.T, verb, target string, body []byte, w *httptest.ResponseRecorder) {
	t.Helper()
	status, got := w.Code, w.Body.Bytes()
	if status >= 500 {
		t.Fatalf("%s %q %q = %d %s", verb, target, body, status, got)
	}
	if w.Header().Get("Content-Type") != "application/json" {
		switch status {
		case http.StatusOK, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusMovedPermanently,
			http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			return // ServeMux's own answers, /healthz and /metrics
		}
		t.Fatalf("%s %q = %d with Content-Type %q", verb, target, status, w.Header().Get("Content-Type"))
	}
	switch {
	case status == http.StatusNoContent:
		if len(got) != 0 {
			t.Fatalf("%s %q = 204 with a body %q", verb, target, got)
		}
	case status >= 400:
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(got, &e) != nil || e.Error == "" || strings.Contains(e.Error, "<nil>") || strings.Contains(e.Error, "%!") {
			t.Fatalf("%s %q %q = %d %s, want a JSON error", verb, target, body, status, got)
		}
	case verb != "HEAD" && !json.Valid(got):
		t.Fatalf("%s %q = %d %q, not JSON", verb, target, status, got)
	}
	if status < 300 && (verb == "POST" || verb == "PUT") && strings.Contains(target, "/objects") &&
		!json.Valid(bytes.TrimSpace(body)) {
		t.Fatalf("%s %q accepted %q, which is not one JSON value", verb, target, body)
	}
}

// checkRestart copies the store's records through their bolt encoding into a new store, starts
// a registry on it and compares what both list.
func checkRestart(t *testing.T, h http.Handler, m *storetest.Memory) {
	t.Helper()
	ctx := context.Background()
	snap, _ := m.Load(ctx)
	m2 := storetest.NewMemory()
	for _, a := range snap.Adapters {
		b, err := store.MarshalAdapter(a)
		back, err2 := store.UnmarshalAdapter(b)
		if err != nil || err2 != nil {
			t.Fatalf("adapter %+v does not survive the store: %v, %v", a, err, err2)
		}
		_ = m2.PutAdapter(ctx, back)
	}
	for _, o := range snap.Objects {
		b, err := store.MarshalObject(o)
		back, err2 := store.UnmarshalObject(b)
		if err != nil || err2 != nil {
			t.Fatalf("object %+v does not survive the store: %v, %v", o, err, err2)
		}
		_ = m2.PutObject(ctx, back)
	}
	for _, a := range snap.Applications {
		b, err := store.MarshalApplication(a)
		back, err2 := store.UnmarshalApplication(b)
		if err != nil || err2 != nil {
			t.Fatalf("application %q does not survive the store: %v, %v", a.Name, err, err2)
		}
		_ = m2.PutApplication(ctx, back)
	}
	h2, reg2 := newFuzzAPI(t, m2)
	if inv := reg2.Invalid(); len(inv) > 0 {
		t.Fatalf("after a restart, records are invalid: %v", inv)
	}
	paths := []string{"/api/v1/objects", "/api/v1/adapters", "/api/v1/applications"}
	for _, a := range snap.Applications {
		paths = append(paths, "/api/v1/applications/"+url.PathEscape(a.Name))
	}
	for _, p := range paths {
		before, _ := serve(h, "GET", p, nil)
		after, _ := serve(h2, "GET", p, nil)
		if before == nil || after == nil || before.Code != after.Code || before.Body.String() != after.Body.String() {
			t.Fatalf("GET %s before a restart and after differ", p)
		}
	}
}
