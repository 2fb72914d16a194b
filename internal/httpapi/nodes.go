package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"floe/internal/node"
	"floe/internal/nodes"
	"floe/internal/registry"
)

// Nodes is what the API needs of the registry's nodes (package nodes implements it): the
// collocated node and remote `floe node` processes alike.
type Nodes interface {
	Nodes() []nodes.NodeStatus
	Servers(ctx context.Context) []node.ServerStatus
	Server(ctx context.Context, id string) (node.ServerStatus, error)
	Start(ctx context.Context, id string) error
	Stop(ctx context.Context, id string) error
	SetEnabled(ctx context.Context, id string, on bool) error
	// Describe, Load and Output answer for the node called name, or the server's node.
	Describe(ctx context.Context, name string) (node.NodeInfo, error)
	Load(ctx context.Context, name string) (node.Load, error)
	Output(ctx context.Context, id, stream string, q node.OutputQuery) (node.OutputFile, error)
	// Shutdown has node name stop its servers and exit (admin "node shutdown").
	Shutdown(ctx context.Context, name string) error
}

func (a *API) listNodes(*http.Request) (any, error) {
	if a.Nodes == nil {
		return []nodes.NodeStatus{}, nil
	}
	return a.Nodes.Nodes(), nil
}

// nodeErr maps the errors of the node operations to statuses.
func nodeErr(err error) error {
	switch {
	case errors.Is(err, nodes.ErrNodeNotFound), errors.Is(err, node.ErrNoOutput):
		return &httpError{status: http.StatusNotFound, msg: err.Error()}
	case errors.Is(err, nodes.ErrNodeUnreachable):
		return &httpError{status: http.StatusServiceUnavailable, msg: err.Error()}
	case errors.Is(err, nodes.ErrCannotShutdown):
		return &httpError{status: http.StatusConflict, msg: err.Error()}
	}
	return err
}

// getNode answers GET /api/v1/nodes/{name}: IceGrid's NodeInfo (admin "node describe").
func (a *API) getNode(r *http.Request) (any, error) {
	if a.Nodes == nil {
		return nil, nodeErr(nodes.NodeNotFound(r.PathValue("name")))
	}
	info, err := a.Nodes.Describe(r.Context(), r.PathValue("name"))
	if err != nil {
		return nil, nodeErr(err)
	}
	return info, nil
}

// getNodeLoad answers GET /api/v1/nodes/{name}/load: the node's load averages (admin "node
// load").
func (a *API) getNodeLoad(r *http.Request) (any, error) {
	if a.Nodes == nil {
		return nil, nodeErr(nodes.NodeNotFound(r.PathValue("name")))
	}
	l, err := a.Nodes.Load(r.Context(), r.PathValue("name"))
	if err != nil {
		return nil, nodeErr(err)
	}
	return l, nil
}

// shutdownNode answers POST /api/v1/nodes/{name}/shutdown (admin "node shutdown", IceGrid's
// Admin::shutdownNode) with 204 once the node has accepted: it then stops its servers and
// exits. The collocated node takes the registry's process with it, as icegridnode does.
func (a *API) shutdownNode(r *http.Request) (any, error) {
	if a.Nodes == nil {
		return nil, nodeErr(nodes.NodeNotFound(r.PathValue("name")))
	}
	if err := a.Nodes.Shutdown(r.Context(), r.PathValue("name")); err != nil {
		return nil, nodeErr(err)
	}
	return nil, nil
}

// serverOutput answers GET /api/v1/servers/{id}/stdout and …/stderr (admin "server show"):
// ?head=N for the first N lines, ?tail=N for the last N, ?from=OFFSET for what follows a byte
// offset (to follow the file); the whole file otherwise (at most 4 MiB per request).
func (a *API) serverOutput(name string) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		if a.Nodes == nil {
			return nil, registry.ErrServerNotFound
		}
		head, err1 := countParam(r, "head")
		tail, err2 := countParam(r, "tail")
		from, err3 := countParam(r, "from")
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, err
		}
		q := node.OutputQuery{Head: int(min(head, 1<<30)), Tail: int(min(tail, 1<<30)), From: from}
		out, err := a.Nodes.Output(r.Context(), r.PathValue("id"), name, q)
		if err != nil {
			return nil, nodeErr(err)
		}
		return out, nil
	}
}

func (a *API) listServers(r *http.Request) (any, error) {
	if a.Nodes == nil {
		return []node.ServerStatus{}, nil
	}
	return a.Nodes.Servers(r.Context()), nil
}

func (a *API) getServer(r *http.Request) (any, error) {
	if a.Nodes == nil {
		return nil, registry.ErrServerNotFound
	}
	return a.Nodes.Server(r.Context(), r.PathValue("id"))
}

// serverCommand runs one command on a server and answers with its state afterwards.
func (a *API) serverCommand(do func(ctx context.Context, id string) error) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		id := r.PathValue("id")
		if a.Nodes == nil {
			return nil, registry.ErrServerNotFound
		}
		if err := do(r.Context(), id); err != nil {
			if errors.Is(err, registry.ErrServerNotFound) {
				return nil, err
			}
			return nil, &httpError{status: http.StatusConflict, msg: err.Error()}
		}
		return a.Nodes.Server(r.Context(), id)
	}
}

func (a *API) startServer(r *http.Request) (any, error) {
	return a.serverCommand(func(ctx context.Context, id string) error { return a.Nodes.Start(ctx, id) })(r)
}

func (a *API) stopServer(r *http.Request) (any, error) {
	return a.serverCommand(func(ctx context.Context, id string) error { return a.Nodes.Stop(ctx, id) })(r)
}

func (a *API) enableServer(r *http.Request) (any, error) {
	return a.serverCommand(func(ctx context.Context, id string) error { return a.Nodes.SetEnabled(ctx, id, true) })(r)
}

func (a *API) disableServer(r *http.Request) (any, error) {
	return a.serverCommand(func(ctx context.Context, id string) error { return a.Nodes.SetEnabled(ctx, id, false) })(r)
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
