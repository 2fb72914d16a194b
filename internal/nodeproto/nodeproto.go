// Package nodeproto is Floe's own protocol between a registry and its `floe node` processes
// (IceGrid's Internal.ice is not a public contract, reference/icegrid.md §1.16). It runs over
// Ice: every operation takes one string and returns one string, each a JSON document defined
// here. Every decoder bounds its input and validates what it read, so garbage from the network
// gives an error, never a panic.
//
// The registry serves <InstanceName>/FloeNodeRegistry on its client endpoints (the endpoints
// of a node's Ice.Default.Locator): registerNode, keepAlive and unregisterNode. A node serves
// <InstanceName>/FloeNode-<name> on IceGrid.Node.Endpoints: deploy, start, stop, setEnabled,
// setProcess, status, updateLive, shutdown and the admin queries. Package nodes is the registry's side, package nodesession the node's.
package nodeproto

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"floe/ice"
	"floe/ice/encoding"
)

// Identity names, under the grid's instance name.
const (
	RegistryObject   = "FloeNodeRegistry"
	NodeObjectPrefix = "FloeNode-"
)

// Type ids the servants answer to ice_isA.
const (
	RegistryTypeID = "::Floe::NodeRegistry"
	NodeTypeID     = "::Floe::Node"
)

// Operations of <InstanceName>/FloeNodeRegistry.
const (
	OpRegisterNode   = "registerNode"   // Registration → Session
	OpKeepAlive      = "keepAlive"      // KeepAlive → KeepAliveReply
	OpUnregisterNode = "unregisterNode" // KeepAlive → (empty)
)

// Operations of <InstanceName>/FloeNode-<name>.
const (
	OpDeploy     = "deploy"     // Deployment → (empty)
	OpStart      = "start"      // ServerCommand → (empty)
	OpStop       = "stop"       // ServerCommand → (empty)
	OpSetEnabled = "setEnabled" // ServerCommand → (empty)
	OpSetProcess = "setProcess" // ServerCommand → (empty)
	OpStatus     = "status"     // (empty) → Status
	// OpAdapterActivated tells the node that a server's adapter registered its endpoints
	// (the server is Active once its server-lifetime adapters did).
	OpAdapterActivated = "adapterActivated" // ServerCommand (Adapter) → (empty)
	OpDescribe         = "describe"         // (empty) → Description
	OpLoad             = "load"             // (empty) → LoadReply
	OpOutput           = "output"           // OutputRequest → OutputReply
	// OpSetSession gives a `session` server to a client session (Session: its user id) or, with
	// an empty Session, takes it back (the node then stops it).
	OpSetSession = "setSession" // ServerCommand (Session) → (empty)
	// OpUpdateLive checks, and with Apply makes, an application update without restarting a
	// server (IceGrid's noRestart updates).
	OpUpdateLive = "updateLive" // LiveUpdate → LiveUpdateReply
	// OpShutdown asks the node process to stop its servers and exit, as on SIGTERM (IceGrid's
	// Admin::shutdownNode); the node answers first.
	OpShutdown = "shutdown" // Shutdown → (empty)
)

// MaxMessage bounds one JSON document: a deployment carries descriptors of up to
// store.MaxApplicationSize each.
const MaxMessage = 64 << 20

// ErrMessage wraps every decoding and validation error.
var ErrMessage = errors.New("nodeproto: bad message")

// Message is what Decode fills in: Validate checks it after decoding.
type Message interface {
	Validate() error
}

// Empty is the argument or result of operations that have none.
type Empty struct{}

// Validate implements Message.
func (Empty) Validate() error { return nil }

// Encode returns v as JSON text.
func Encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("nodeproto: encode %T: %v", v, err)) // only this package's types are encoded
	}
	return string(b)
}

// Decode reads a JSON document into m and validates it. An empty string decodes as {}.
func Decode(s string, m Message) error {
	if len(s) > MaxMessage {
		return fmt.Errorf("%w: %d bytes, more than %d", ErrMessage, len(s), MaxMessage)
	}
	if strings.TrimSpace(s) == "" {
		s = "{}"
	}
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(m); err != nil {
		return fmt.Errorf("%w: %T: %w", ErrMessage, m, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: %T: data after the JSON document", ErrMessage, m)
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%w: %T: %w", ErrMessage, m, err)
	}
	return nil
}

// Invoke calls op on p with arg encoded as JSON and decodes the result into result (nil: the
// result is ignored). Idempotent operations may be retried by the Ice runtime.
func Invoke(ctx context.Context, p *ice.Proxy, op string, arg any, result Message) error {
	mode := ice.Normal
	if op == OpKeepAlive || op == OpStatus || op == OpDescribe || op == OpLoad || op == OpOutput {
		mode = ice.Idempotent
	}
	var text string
	err := p.Invoke(ctx, &ice.Request{Operation: op, Mode: mode,
		Params: func(e *encoding.Encoder) { e.WriteString(Encode(arg)) },
		Result: func(d *encoding.Decoder) { text = d.ReadString() }})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if result == nil {
		return nil
	}
	return Decode(text, result)
}

// ReadArg reads an operation's argument in a servant: one string holding m as JSON.
func ReadArg(in *encoding.Decoder, m Message) error {
	s := in.ReadString()
	if err := in.Err(); err != nil {
		return err
	}
	return Decode(s, m)
}

// WriteResult writes an operation's result in a servant.
func WriteResult(out *encoding.Encoder, v any) { out.WriteString(Encode(v)) }
