package nodes

import (
	"context"
	"errors"
	"fmt"

	"floe/internal/nodeproto"
)

// ErrCannotShutdown is Shutdown's answer for a collocated node without Config.ShutdownLocal.
var ErrCannotShutdown = errors.New("nodes: the collocated node cannot be shut down")

// Shutdown answers admin "node shutdown" (IceGrid's Admin::shutdownNode): a remote node
// stops its servers and exits, as on SIGTERM, once it has answered; it then unregisters, so the
// registry lists it down. The collocated node ends its whole process through
// Config.ShutdownLocal, registry included, as icegridnode 3.7.8 does. An unknown node is
// ErrNodeNotFound, one that is not registered or does not answer ErrNodeUnreachable.
func (d *Directory) Shutdown(ctx context.Context, name string) error {
	local, p, err := d.node(name)
	switch {
	case err != nil:
		return err
	case local != nil && d.cfg.ShutdownLocal == nil:
		return fmt.Errorf("%w: %q", ErrCannotShutdown, name)
	case local != nil:
		d.log.InfoContext(ctx, "shutdown of the collocated node requested: the registry exits with it", "node", name)
		d.cfg.ShutdownLocal()
		return nil
	}
	if err := d.invoke(ctx, p, nodeproto.OpShutdown, nodeproto.Shutdown{Node: name}, nil); err != nil {
		return err
	}
	d.log.InfoContext(ctx, "node shutting down on request", "node", name)
	return nil
}
