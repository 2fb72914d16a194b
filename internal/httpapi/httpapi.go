// Package httpapi serves a registry's HTTP API (SPEC.md §4): JSON under /api/v1, /healthz and
// /metrics. Every handler returns (value, error); wrap writes the JSON and maps errors to status
// codes in one place (statusOf). It reads and changes state only through the registry package.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/registry"
	"floe/internal/store"
)

// Info describes a replica for GET /api/v1/registry and /api/v1/registries.
type Info struct {
	Name         string            `json:"name"`
	Role         string            `json:"role"` // master, slave or standalone
	Epoch        int64             `json:"epoch"`
	InstanceName string            `json:"instanceName,omitempty"`
	Store        string            `json:"store,omitempty"`
	ZooKeeper    string            `json:"zookeeper,omitempty"`
	Locator      string            `json:"locator,omitempty"`
	HTTP         string            `json:"http,omitempty"`
	Invalid      map[string]string `json:"invalid,omitempty"` // stored records not applied, and why
}

// API holds what the handlers need.
type API struct {
	Registry *registry.Registry
	Info     func() Info
	// Registries lists every live replica; nil means this one only.
	Registries func(ctx context.Context) ([]Info, error)
	// Master reports the master's HTTP address, whether it is this replica, and whether a
	// master exists; nil means standalone (this replica does every write).
	Master func() (addr string, self, ok bool)
	// Nodes are the registry's nodes; nil means none.
	Nodes Nodes
	// Pprof serves net/http/pprof under /debug/pprof/ (Floe.HTTP.Pprof=1).
	Pprof   bool
	Metrics *prometheus.Registry
	Log     *slog.Logger
}

// maxBody bounds request bodies.
const maxBody = 1 << 20

// Handler returns the HTTP handler.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Metrics, promhttp.HandlerOpts{}))
	if a.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	mux.HandleFunc("GET /api/v1/registry", a.wrap(func(*http.Request) (any, error) { return a.Info(), nil }))
	mux.HandleFunc("GET /api/v1/registries", a.wrap(a.registries))
	mux.HandleFunc("GET /api/v1/applications", a.wrap(a.listApplications))
	mux.HandleFunc("GET /api/v1/applications/{name}", a.wrap(a.getApplication))
	mux.HandleFunc("POST /api/v1/applications", a.masterOnly(a.wrap(a.addApplication)))
	mux.HandleFunc("PUT /api/v1/applications/{name}", a.masterOnly(a.wrap(a.updateApplication)))
	mux.HandleFunc("DELETE /api/v1/applications/{name}", a.masterOnly(a.wrap(a.removeApplication)))
	mux.HandleFunc("GET /api/v1/nodes", a.wrap(a.listNodes))
	mux.HandleFunc("GET /api/v1/nodes/{name}", a.wrap(a.getNode))
	mux.HandleFunc("GET /api/v1/nodes/{name}/load", a.wrap(a.getNodeLoad))
	mux.HandleFunc("POST /api/v1/nodes/{name}/shutdown", a.wrap(a.shutdownNode))
	mux.HandleFunc("GET /api/v1/servers", a.wrap(a.listServers))
	mux.HandleFunc("GET /api/v1/servers/{id}", a.wrap(a.getServer))
	mux.HandleFunc("GET /api/v1/servers/{id}/stdout", a.wrap(a.serverOutput("stdout")))
	mux.HandleFunc("GET /api/v1/servers/{id}/stderr", a.wrap(a.serverOutput("stderr")))
	mux.HandleFunc("POST /api/v1/servers/{id}/start", a.wrap(a.startServer))
	mux.HandleFunc("POST /api/v1/servers/{id}/stop", a.wrap(a.stopServer))
	mux.HandleFunc("POST /api/v1/servers/{id}/enable", a.wrap(a.enableServer))
	mux.HandleFunc("POST /api/v1/servers/{id}/disable", a.wrap(a.disableServer))
	mux.HandleFunc("GET /api/v1/adapters", a.wrap(a.listAdapters))
	mux.HandleFunc("GET /api/v1/adapters/{id}", a.wrap(a.getAdapter))
	mux.HandleFunc("DELETE /api/v1/adapters/{id}", a.wrap(a.removeAdapter))
	mux.HandleFunc("GET /api/v1/objects", a.wrap(a.listObjects))
	mux.HandleFunc("GET /api/v1/objects/{identity}", a.wrap(a.getObject))
	mux.HandleFunc("POST /api/v1/objects", a.wrap(a.addObject))
	mux.HandleFunc("PUT /api/v1/objects/{identity}", a.wrap(a.updateObject))
	mux.HandleFunc("DELETE /api/v1/objects/{identity}", a.wrap(a.removeObject))
	return mux
}

// httpError carries a status code.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func (a *API) registries(r *http.Request) (any, error) {
	if a.Registries == nil {
		return []Info{a.Info()}, nil
	}
	return a.Registries(r.Context())
}

// statusOf maps errors to HTTP status codes.
func statusOf(err error) int {
	if status, ok := applicationStatus(err); ok {
		return status
	}
	var he *httpError
	switch {
	case errors.As(err, &he):
		return he.status
	case errors.Is(err, registry.ErrAdapterNotFound), errors.Is(err, registry.ErrObjectNotFound),
		errors.Is(err, registry.ErrServerNotFound):
		return http.StatusNotFound
	case errors.Is(err, registry.ErrObjectExists), errors.Is(err, registry.ErrAdapterAlreadyActive),
		errors.Is(err, store.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, registry.ErrInvalidArgument), errors.Is(err, registry.ErrInvalidReplicaGroup):
		return http.StatusBadRequest
	case errors.Is(err, store.ErrUnavailable):
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// wrap runs a handler and writes its value or error as JSON.
func (a *API) wrap(h func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		v, err := h(r)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			status := statusOf(err)
			if status == http.StatusInternalServerError {
				a.Log.ErrorContext(r.Context(), "http request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			w.WriteHeader(status)
			body := map[string]any{"error": err.Error()}
			var de *registry.DescriptorError
			if errors.As(err, &de) && de.Line > 0 {
				body["line"] = de.Line
			}
			if errors.As(err, new(*registry.DeploymentError)) {
				body["exception"] = "::IceGrid::DeploymentException"
			}
			_ = json.NewEncoder(w).Encode(body)
			return
		}
		if v == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		_ = json.NewEncoder(w).Encode(v)
	}
}

// AdapterJSON is an adapter or replica group in the API.
type AdapterJSON struct {
	ID           string   `json:"id"`
	ReplicaGroup string   `json:"replicaGroupId,omitempty"`
	Endpoints    []string `json:"endpoints"`
	Proxy        string   `json:"proxy,omitempty"`
	Members      []string `json:"members,omitempty"` // replica groups only
}

func (a *API) listAdapters(*http.Request) (any, error) {
	out := []AdapterJSON{}
	for _, ad := range a.Registry.Adapters() {
		out = append(out, adapterJSON(ad))
	}
	for id, members := range a.Registry.ReplicaGroups() {
		out = append(out, a.groupJSON(id, members))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (a *API) groupJSON(id string, members []string) AdapterJSON {
	eps, _ := a.Registry.FindAdapter(id)
	return AdapterJSON{ID: id, Members: members, Endpoints: endpointStrings(eps)}
}

func adapterJSON(ad store.Adapter) AdapterJSON {
	j := AdapterJSON{ID: ad.ID, ReplicaGroup: ad.ReplicaGroup, Endpoints: []string{}}
	if ad.Proxy != nil {
		j.Proxy = ad.Proxy.String()
		j.Endpoints = endpointStrings(ad.Proxy.Endpoints)
	}
	return j
}

func endpointStrings(eps []reference.Endpoint) []string {
	out := make([]string, 0, len(eps))
	for _, ep := range eps {
		out = append(out, ep.String())
	}
	return out
}

func (a *API) getAdapter(r *http.Request) (any, error) {
	id := r.PathValue("id")
	if ad, ok := a.Registry.Adapter(id); ok {
		return adapterJSON(ad), nil
	}
	if members, ok := a.Registry.ReplicaGroups()[id]; ok {
		return a.groupJSON(id, members), nil
	}
	return nil, fmt.Errorf("adapter %q: %w", id, registry.ErrAdapterNotFound)
}

func (a *API) removeAdapter(r *http.Request) (any, error) {
	return nil, a.Registry.RemoveAdapter(r.Context(), r.PathValue("id"))
}

// ObjectJSON is a well-known object in the API.
type ObjectJSON struct {
	Identity string `json:"identity"`
	Type     string `json:"type"`
	Proxy    string `json:"proxy"`
}

func (a *API) listObjects(*http.Request) (any, error) {
	out := []ObjectJSON{}
	for _, o := range a.Registry.Objects() {
		out = append(out, ObjectJSON{Identity: reference.IdentityString(o.Identity), Type: o.Type, Proxy: o.Proxy.String()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Identity < out[j].Identity })
	return out, nil
}

func (a *API) getObject(r *http.Request) (any, error) {
	id, err := parseIdentity(r.PathValue("identity"))
	if err != nil {
		return nil, err
	}
	for _, o := range a.Registry.Objects() {
		if o.Identity == id {
			return ObjectJSON{Identity: reference.IdentityString(id), Type: o.Type, Proxy: o.Proxy.String()}, nil
		}
	}
	return nil, fmt.Errorf("object %q: %w", r.PathValue("identity"), registry.ErrObjectNotFound)
}

func parseIdentity(s string) (encoding.Identity, error) {
	id, err := reference.ParseIdentity(s)
	if err != nil || id.Name == "" {
		return id, badRequest("invalid identity %q", s)
	}
	return id, nil
}

// decodeObject reads {"proxy": "...", "type": "..."} from the body, which holds nothing else.
func decodeObject(r *http.Request) (*store.Object, error) {
	var j ObjectJSON
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&j); err != nil {
		return nil, badRequest("invalid JSON body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest("invalid JSON body: more after the object")
	}
	p, err := reference.Parse(j.Proxy, reference.Defaults{Timeout: 60000, Encoding: encoding.Encoding11, Protocol: "tcp"})
	switch {
	case err != nil:
		return nil, badRequest("invalid proxy %q: %v", j.Proxy, err)
	case p == nil:
		return nil, badRequest(`no proxy: send {"proxy": "<identity>:<endpoints>", "type": "<type>"}`)
	}
	return &store.Object{Identity: p.Identity, Type: j.Type, Proxy: p}, nil
}

func (a *API) addObject(r *http.Request) (any, error) {
	o, err := decodeObject(r)
	if err != nil {
		return nil, err
	}
	if o.Type == "" {
		o.Type = "::Ice::Object"
	}
	if err := a.Registry.AddObject(r.Context(), o); err != nil {
		return nil, err
	}
	return ObjectJSON{Identity: reference.IdentityString(o.Identity), Type: o.Type, Proxy: o.Proxy.String()}, nil
}

func (a *API) updateObject(r *http.Request) (any, error) {
	o, err := decodeObject(r)
	if err != nil {
		return nil, err
	}
	if id, err := parseIdentity(r.PathValue("identity")); err != nil || id != o.Identity {
		return nil, badRequest("the proxy's identity does not match the path")
	}
	return nil, a.Registry.UpdateObject(r.Context(), o)
}

func (a *API) removeObject(r *http.Request) (any, error) {
	id, err := parseIdentity(r.PathValue("identity"))
	if err != nil {
		return nil, err
	}
	return nil, a.Registry.RemoveObject(r.Context(), id)
}
