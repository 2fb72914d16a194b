package nodes

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"floe/internal/descriptor"
	"floe/internal/nodeproto"
	"floe/internal/registry"
)

// liveTimeout bounds an updateLive call to a remote node, which may call several servers.
const liveTimeout = 30 * time.Second

// UpdateLive implements registry.LiveUpdater: each node of the servers in u checks (and with
// u.Apply makes) the update of its servers — the collocated node directly, a remote node with
// updateLive, which expands the application itself as it does its deployments. A node that
// is not registered or does not answer is down.
func (d *Directory) UpdateLive(ctx context.Context, u *registry.LiveUpdate) registry.LiveResult {
	type work struct {
		updated []*descriptor.Server
		removed []string
	}
	byNode := map[string]*work{}
	get := func(name string) *work {
		if byNode[name] == nil {
			byNode[name] = &work{}
		}
		return byNode[name]
	}
	for _, s := range u.Updated {
		get(s.Node).updated = append(get(s.Node).updated, s)
	}
	for _, s := range u.Removed {
		get(s.Node).removed = append(get(s.Node).removed, s.ID)
	}
	var mu sync.Mutex
	res := registry.LiveResult{Refused: map[string]string{}}
	var wg sync.WaitGroup
	for name, w := range byNode {
		wg.Go(func() {
			refused, err := d.updateLive(ctx, name, u, w.updated, w.removed)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				d.log.WarnContext(ctx, "no-restart update: node unreachable", "node", name, "err", err)
				res.Down = append(res.Down, name)
			}
			maps.Copy(res.Refused, refused)
		})
	}
	wg.Wait()
	slices.Sort(res.Down)
	return res
}

// updateLive asks one node; an error means it could not be reached.
func (d *Directory) updateLive(ctx context.Context, name string, u *registry.LiveUpdate, updated []*descriptor.Server,
	removed []string) (map[string]string, error) {
	local, p, err := d.resolve(name, true)
	switch {
	case err != nil:
		return nil, err
	case local != nil:
		return local.UpdateLive(ctx, updated, removed, u.Apply), nil
	}
	req := nodeproto.LiveUpdate{Application: nodeproto.Application{Name: u.Application.Name,
		Revision: u.Application.Revision, Descriptor: string(u.Application.Descriptor)}, Removed: removed, Apply: u.Apply}
	for _, s := range updated {
		req.Updated = append(req.Updated, s.ID)
	}
	ctx, cancel := context.WithTimeout(ctx, liveTimeout)
	defer cancel()
	var reply nodeproto.LiveUpdateReply
	if err := nodeproto.Invoke(ctx, p, nodeproto.OpUpdateLive, req, &reply); err != nil {
		return nil, err
	}
	return reply.Refused, nil
}
