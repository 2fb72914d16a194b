package httpapi

import (
	"context"
	"errors"
	"net/http"

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
}

func (a *API) listNodes(*http.Request) (any, error) {
	if a.Nodes == nil {
		return []nodes.NodeStatus{}, nil
	}
	return a.Nodes.Nodes(), nil
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
