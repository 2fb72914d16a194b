package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"strconv"
	"time"

	"floe/internal/registry"
	"floe/internal/store"
)

// ApplicationJSON is an application in the API.
type ApplicationJSON struct {
	Name       string `json:"name"`
	Revision   int    `json:"revision"`
	Descriptor string `json:"descriptor,omitempty"`
}

func (a *API) listApplications(*http.Request) (any, error) {
	out := []ApplicationJSON{}
	for _, app := range a.Registry.Applications() {
		out = append(out, ApplicationJSON{Name: app.Name, Revision: app.Revision})
	}
	return out, nil
}

func (a *API) getApplication(r *http.Request) (any, error) {
	app, err := a.Registry.Application(r.PathValue("name"))
	if err != nil {
		return nil, err
	}
	return ApplicationJSON{Name: app.Name, Revision: app.Revision, Descriptor: string(app.Descriptor)}, nil
}

func readDescriptor(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, badRequest("read body: %v", err)
	}
	if len(b) == 0 {
		return nil, badRequest("empty body: send the descriptor as IceGrid XML")
	}
	return b, nil
}

func (a *API) addApplication(r *http.Request) (any, error) {
	d, err := readDescriptor(r)
	if err != nil {
		return nil, err
	}
	app, err := a.Registry.AddApplication(r.Context(), d)
	if err != nil {
		return nil, err
	}
	return ApplicationJSON{Name: app.Name, Revision: app.Revision}, nil
}

// updateApplication replaces a descriptor; with ?restart=false no server restarts
// (Admin.syncApplicationWithoutRestart) and the update fails if one would have to.
func (a *API) updateApplication(r *http.Request) (any, error) {
	restart := true
	if q := r.URL.Query().Get("restart"); q != "" {
		var err error
		if restart, err = strconv.ParseBool(q); err != nil {
			return nil, badRequest("restart=%q: want true or false", q)
		}
	}
	d, err := readDescriptor(r)
	if err != nil {
		return nil, err
	}
	update := a.Registry.UpdateApplication
	if !restart {
		update = a.Registry.UpdateApplicationWithoutRestart
	}
	app, err := update(r.Context(), r.PathValue("name"), d)
	if err != nil {
		return nil, err
	}
	return ApplicationJSON{Name: app.Name, Revision: app.Revision}, nil
}

func (a *API) removeApplication(r *http.Request) (any, error) {
	return nil, a.Registry.RemoveApplication(r.Context(), r.PathValue("name"))
}

// masterOnly serves h here when this replica is the master (or standalone), forwards the
// request to the master otherwise, and answers 503 when there is no master (SPEC.md §4).
func (a *API) masterOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if a.Master == nil {
			h(w, r)
			return
		}
		addr, self, ok := a.Master()
		switch {
		case self:
			h(w, r)
		case !ok || addr == "":
			a.wrap(func(*http.Request) (any, error) {
				return nil, &httpError{status: http.StatusServiceUnavailable,
					msg: "there is no master registry right now; deployment changes are refused until one is elected"}
			})(w, r)
		default:
			target := &url.URL{Scheme: "http", Host: addr}
			p := httputil.NewSingleHostReverseProxy(target)
			p.ModifyResponse = a.awaitForwarded
			p.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
				a.wrap(func(*http.Request) (any, error) {
					return nil, &httpError{status: http.StatusServiceUnavailable, msg: "forward to master " + addr + ": " + err.Error()}
				})(w, r)
			}
			p.ServeHTTP(w, r)
		}
	}
}

// awaitForwarded holds the master's answer to a forwarded write until this replica serves the
// change too, so that a client reading back from the replica it wrote through sees its write
// (bounded: the watch normally delivers it within milliseconds).
func (a *API) awaitForwarded(resp *http.Response) error {
	if resp.StatusCode >= 300 {
		return nil
	}
	req := resp.Request
	var want func() bool
	switch req.Method {
	case http.MethodDelete:
		name := req.PathValue("name")
		if name == "" {
			name = path.Base(req.URL.Path)
		}
		want = func() bool { _, err := a.Registry.Application(name); return err != nil }
	case http.MethodPost, http.MethodPut:
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		var app ApplicationJSON
		if err != nil || json.Unmarshal(body, &app) != nil || app.Name == "" {
			return nil
		}
		want = func() bool {
			got, err := a.Registry.Application(app.Name)
			return err == nil && got.Revision >= app.Revision
		}
	default:
		return nil
	}
	deadline := time.Now().Add(2 * time.Second)
	for !want() && time.Now().Before(deadline) {
		time.Sleep(500 * time.Microsecond)
	}
	return nil
}

// applicationStatus maps application errors; see statusOf.
func applicationStatus(err error) (int, bool) {
	var de *registry.DescriptorError
	switch {
	case errors.As(err, &de):
		return http.StatusBadRequest, true
	case errors.Is(err, registry.ErrApplicationNotFound):
		return http.StatusNotFound, true
	case errors.Is(err, registry.ErrApplicationExists), errors.As(err, new(*registry.DeploymentError)):
		return http.StatusConflict, true
	case errors.Is(err, store.ErrNoMaster), errors.Is(err, store.ErrNotMaster):
		return http.StatusServiceUnavailable, true
	}
	return 0, false
}
