package ice

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"

	"floe/ice/encoding"
)

// processServant is the Ice::Process facet of the Ice.Admin object: shutdown() shuts the
// communicator down; writeMessage(message, fd) prints to stdout (1) or stderr (2) (§7.3).
type processServant struct{ comm *Communicator }

func (s processServant) IceID() string { return "::Ice::Process" }

func (s processServant) IceIDs() []string { return []string{"::Ice::Object", "::Ice::Process"} }

func (s processServant) Dispatch(_ context.Context, cur *Current, in *encoding.Decoder, _ *encoding.Encoder) error {
	switch cur.Operation {
	case "shutdown":
		s.comm.Shutdown()
		return nil
	case "writeMessage":
		msg := in.ReadString()
		fd := in.ReadInt()
		if in.Err() != nil {
			return in.Err()
		}
		w := os.Stdout
		if fd == 2 {
			w = os.Stderr
		}
		_, _ = fmt.Fprintln(w, msg)
		return nil
	default:
		return ErrOperationNotExist
	}
}

// setupAdmin creates the Ice.Admin adapter with the Process facet when Ice.Admin.Endpoints is
// set, and registers the process with the locator when Ice.Admin.ServerId is set too (§7.3).
// A ServerNotFoundException fails initialization, as in Ice.
func (c *Communicator) setupAdmin(ctx context.Context) error {
	if c.props.Get("Ice.Admin.Endpoints") == "" || c.props.Get("Ice.Admin.DelayCreation") == "1" ||
		c.props.Get("Ice.Admin.Enabled") == "0" {
		return nil
	}
	a, err := c.CreateObjectAdapter("Ice.Admin")
	if err != nil {
		return err
	}
	category := c.props.Get("Ice.Admin.InstanceName")
	if category == "" {
		category = NewUUID()
	}
	proc, err := a.AddFacet(processServant{comm: c}, Identity{Name: "admin", Category: category}, "Process")
	if err != nil {
		return err
	}
	if err := a.Activate(ctx); err != nil {
		return err
	}
	serverID := c.props.Get("Ice.Admin.ServerId")
	loc := c.defaultLocator()
	if serverID == "" || loc == nil {
		return nil
	}
	reg, err := loc.getRegistry(ctx)
	if err != nil || reg == nil {
		return err
	}
	err = reg.Invoke(ctx, &Request{Operation: "setServerProcessProxy", Mode: Idempotent, Exceptions: LocatorExceptions,
		Params: func(e *encoding.Encoder) { e.WriteString(serverID); WriteProxy(e, proc) }})
	if err != nil {
		return fmt.Errorf("ice: register server process %q: %w", serverID, err)
	}
	return nil
}

// NewUUID returns a random RFC 4122 version 4 UUID in upper case, as Ice::generateUUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
