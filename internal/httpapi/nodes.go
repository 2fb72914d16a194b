package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"floe/internal/node"
)

// Node is what the API needs of a node.
type Node interface {
	Name() string
	Status() []node.ServerStatus
	Start(ctx context.Context, id string) error
	Stop(ctx context.Context, id string) error
	SetEnabled(id string, on bool) error
	Describe() node.NodeInfo
	Load() node.Load
	Output(id, name string, q node.OutputQuery) (node.OutputFile, error)
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

// node returns the node called name (only the collocated node exists today).
func (a *API) node(name string) (Node, error) {
	if a.Node == nil || a.Node.Name() != name {
		return nil, &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("node %q does not exist", name)}
	}
	return a.Node, nil
}

// getNode answers GET /api/v1/nodes/{name}: IceGrid's NodeInfo (admin "node describe").
func (a *API) getNode(r *http.Request) (any, error) {
	n, err := a.node(r.PathValue("name"))
	if err != nil {
		return nil, err
	}
	return n.Describe(), nil
}

// getNodeLoad answers GET /api/v1/nodes/{name}/load: the node's load averages (admin "node
// load").
func (a *API) getNodeLoad(r *http.Request) (any, error) {
	n, err := a.node(r.PathValue("name"))
	if err != nil {
		return nil, err
	}
	return n.Load(), nil
}

// serverOutput answers GET /api/v1/servers/{id}/stdout and …/stderr (admin "server show"):
// ?head=N for the first N lines, ?tail=N for the last N, ?from=OFFSET for what follows a byte
// offset (to follow the file); the whole file otherwise (at most 4 MiB per request).
func (a *API) serverOutput(name string) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		if _, err := a.server(r.PathValue("id")); err != nil {
			return nil, err
		}
		head, err1 := countParam(r, "head")
		tail, err2 := countParam(r, "tail")
		from, err3 := countParam(r, "from")
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, err
		}
		q := node.OutputQuery{Head: int(min(head, 1<<30)), Tail: int(min(tail, 1<<30)), From: from}
		out, err := a.Node.Output(r.PathValue("id"), name, q)
		switch {
		case errors.Is(err, node.ErrNoOutput):
			return nil, &httpError{status: http.StatusNotFound, msg: err.Error()}
		case err != nil:
			return nil, err
		}
		return out, nil
	}
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
		return nil, &httpError{status: http.StatusConflict, msg: err.Error()} // ServerStartException
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

// countParam reads a query parameter that counts lines or bytes; 0 when absent.
func countParam(r *http.Request, key string) (int64, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, badRequest("%s=%q: want a number, 0 or more", key, v)
	}
	return n, nil
}
