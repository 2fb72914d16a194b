package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"floe/internal/descriptor"
	"floe/internal/store"
)

// DeploymentError is IceGrid's DeploymentException: an update that cannot be made as asked.
// Reason is IceGrid's text.
type DeploymentError struct{ Reason string }

func (e *DeploymentError) Error() string { return e.Reason }

// LiveUpdater may be implemented by a Deployer: it updates servers without restarting them, for
// an application update without restart (Admin.syncApplicationWithoutRestart).
type LiveUpdater interface {
	// UpdateLive asks the nodes of the servers in u whether they can take the update without
	// a restart and, when u.Apply is set, makes it: a running server gets its changed properties
	// through its admin object (Ice::PropertiesAdmin::setProperties), a stopped one its new
	// configuration, and neither is restarted by the deployment that follows. A node refuses
	// a server it cannot update so: it runs and more than its properties changed, it runs
	// without an admin object, or (Removed) it runs at all.
	UpdateLive(ctx context.Context, u *LiveUpdate) LiveResult
}

// LiveUpdate is what LiveUpdater.UpdateLive is asked for one application.
type LiveUpdate struct {
	Application store.Application // the descriptor to run
	// Updated are the servers of Application whose properties only changed, as it expands them.
	Updated []*descriptor.Server
	// Removed are servers leaving their node (removed from the application or moved to
	// another node), as they were deployed: they must not run.
	Removed []*descriptor.Server
	Apply   bool // false: only check
}

// LiveResult is what the nodes answered to a LiveUpdate.
type LiveResult struct {
	Refused map[string]string // server id → why its node refused it
	Down    []string          // nodes that could not be reached
}

// livePlan is what a no-restart update of an application asks of its servers.
type livePlan struct {
	stop    []string // servers that would need a restart (IceGrid does not ask their node)
	updated []descriptor.ServerChange
	removed []*descriptor.Server
}

// planLive sorts the changes from before to after as IceGrid's Database::checkUpdate does with
// noRestart: a server that changed more than its properties on the same node cannot be
// updated, running or not; one whose properties only changed, and one that leaves its node,
// are for its node to check.
func planLive(before, after *descriptor.Expanded) livePlan {
	var p livePlan
	for _, c := range descriptor.Changes(before, after) {
		switch {
		case c.Change == descriptor.Removed || c.Change == descriptor.Updated && c.Old.Node != c.New.Node:
			p.removed = append(p.removed, c.Old)
		case c.Change == descriptor.Updated:
			p.stop = append(p.stop, c.ID)
		case c.Change == descriptor.PropertiesUpdated:
			p.updated = append(p.updated, c)
		}
	}
	return p
}

func (p livePlan) update(app store.Application, apply bool) *LiveUpdate {
	u := &LiveUpdate{Application: app, Removed: p.removed, Apply: apply}
	for _, c := range p.updated {
		u.Updated = append(u.Updated, c.New)
	}
	return u
}

// undo is the update that puts back the old properties of the servers updated.
func (p livePlan) undo(old store.Application) *LiveUpdate {
	u := &LiveUpdate{Application: old, Apply: true}
	for _, c := range p.updated {
		u.Updated = append(u.Updated, c.Old)
	}
	return u
}

// failure returns IceGrid's DeploymentException for the servers that cannot be updated without
// a restart and the nodes that are down, or nil when there are none. The servers come as
// IceGrid lists them: those refused by the registry, then those refused by their nodes, leaving
// servers first, each group by id.
func (p livePlan) failure(app string, res LiveResult) error {
	servers := slices.Clone(p.stop)
	for _, s := range p.removed {
		if _, ok := res.Refused[s.ID]; ok {
			servers = append(servers, s.ID)
		}
	}
	for _, c := range p.updated {
		if _, ok := res.Refused[c.ID]; ok {
			servers = append(servers, c.ID)
		}
	}
	if len(servers) == 0 && len(res.Down) == 0 {
		return nil
	}
	return &DeploymentError{Reason: checkFailedText(app, servers, res.Down)}
}

// checkFailedText is the reason of Database::checkUpdate's DeploymentException.
func checkFailedText(app string, servers, down []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "check for application `%s' update failed:", app)
	switch len(servers) {
	case 0:
	case 1:
		fmt.Fprintf(&b, "\nthe server `%s' would need to be stopped", servers[0])
	default:
		fmt.Fprintf(&b, "\nthe servers `%s' would need to be stopped", strings.Join(servers, ", "))
	}
	switch len(down) {
	case 0:
	case 1:
		fmt.Fprintf(&b, "\nthe node `%s' is down", down[0])
	default:
		fmt.Fprintf(&b, "\nthe nodes `%s' are down", strings.Join(down, ", "))
	}
	return b.String()
}

// updateLive checks that the update of old to a (expanded as x) can be made without restarting
// a server, then has the nodes make it. On success it returns how to undo it, for when the
// update cannot be stored; on failure nothing changed (the nodes undid what they had made).
func (r *Registry) updateLive(ctx context.Context, old, a *store.Application, x *descriptor.Expanded) (undo func(), err error) {
	r.mu.RLock()
	oldX := r.expanded[old.Name]
	r.mu.RUnlock()
	if oldX == nil || x == nil { // not expanded (Config.ValidateDescriptor): nothing is deployed
		return func() {}, nil
	}
	plan := planLive(oldX, x)
	lu, _ := r.cfg.Deployer.(LiveUpdater)
	var res LiveResult
	if lu != nil && len(plan.updated)+len(plan.removed) > 0 {
		res = lu.UpdateLive(ctx, plan.update(*a, false))
	}
	if err := plan.failure(a.Name, res); err != nil {
		r.logRefused(ctx, a.Name, plan, res)
		return nil, err
	}
	if lu == nil || len(plan.updated) == 0 {
		return func() {}, nil // nothing to make now: the deployment does the rest
	}
	undo = func() {
		ctx := context.WithoutCancel(ctx) // the caller may be gone; the nodes bound their calls
		if res := lu.UpdateLive(ctx, plan.undo(*old)); len(res.Refused)+len(res.Down) > 0 {
			r.cfg.Log.WarnContext(ctx, "cannot undo a no-restart update", "application", a.Name,
				"refused_by_node", res.Refused, "nodes_down", res.Down)
		}
	}
	res = lu.UpdateLive(ctx, plan.update(*a, true))
	if err := plan.failure(a.Name, res); err != nil {
		undo()
		r.logRefused(ctx, a.Name, plan, res)
		return nil, err
	}
	return undo, nil
}

// logRefused logs why, server by server, as IceGrid traces its check.
func (r *Registry) logRefused(ctx context.Context, app string, plan livePlan, res LiveResult) {
	r.cfg.Log.InfoContext(ctx, "no-restart update refused", "application", app, "restart_required", plan.stop,
		"refused_by_node", res.Refused, "nodes_down", res.Down)
}
