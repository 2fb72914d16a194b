package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"floe/internal/node"
)

// Node is what the API needs of a node.
type Node interface {
	Name() string
	Status() []node.ServerStatus
	Start(ctx context.Context, id string) error
	Stop(ctx context.Context, id string) error
	SetEnabled(id string, on bool) error
}

// NodeJSON is a node in the API.
type NodeJSON struct {
	Name    string `json:"name"`
	Servers int    `json:"servers"`
}

func (a *API) listNodes(*http.Request) (any, error) {
	if a.Node == nil {
		return []NodeJSON{}, nil
	}
	return []NodeJSON{{Name: a.Node.Name(), Servers: len(a.Node.Status())}}, nil
}

func (a *API) listServers(*http.Request) (any, error) {
	if a.Node == nil {
		return []node.ServerStatus{}, nil
	}
	return a.Node.Status(), nil
}

func (a *API) server(id string) (node.ServerStatus, error) {
	if a.Node != nil {
		for _, s := range a.Node.Status() {
			if s.ID == id {
				return s, nil
			}
		}
	}
	return node.ServerStatus{}, &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("server %q does not exist", id)}
}

func (a *API) getServer(r *http.Request) (any, error) { return a.server(r.PathValue("id")) }

func (a *API) startServer(r *http.Request) (any, error) {
	if _, err := a.server(r.PathValue("id")); err != nil {
		return nil, err
	}
	if err := a.Node.Start(r.Context(), r.PathValue("id")); err != nil {
		return nil, &httpError{status: http.StatusConflict, msg: err.Error()}
	}
	return a.server(r.PathValue("id"))
}

func (a *API) stopServer(r *http.Request) (any, error) {
	if _, err := a.server(r.PathValue("id")); err != nil {
		return nil, err
	}
	if err := a.Node.Stop(r.Context(), r.PathValue("id")); err != nil {
		return nil, &httpError{status: http.StatusConflict, msg: err.Error()}
	}
	return a.server(r.PathValue("id"))
}

func (a *API) enableServer(r *http.Request) (any, error)  { return a.setEnabled(r, true) }
func (a *API) disableServer(r *http.Request) (any, error) { return a.setEnabled(r, false) }

func (a *API) setEnabled(r *http.Request, on bool) (any, error) {
	if _, err := a.server(r.PathValue("id")); err != nil {
		return nil, err
	}
	if err := a.Node.SetEnabled(r.PathValue("id"), on); err != nil {
		return nil, &httpError{status: http.StatusConflict, msg: err.Error()}
	}
	return a.server(r.PathValue("id"))
}
