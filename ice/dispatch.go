package ice

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"

	"floe/ice/encoding"
	"floe/ice/protocol"
)

// Current describes the request being dispatched, as Ice::Current.
type Current struct {
	Adapter   *ObjectAdapter
	Conn      *Connection
	Identity  Identity
	Facet     string
	Operation string
	Mode      OperationMode
	Context   map[string]string
	RequestID int32 // 0 for oneway and batch requests
	Encoding  encoding.Version
	// Format is the format a user exception returned by the servant is written in; servants set
	// it to encoding.SlicedFormat for operations declared ["format:sliced"].
	Format encoding.Format

	deferred bool
	out      *encoding.Encoder
}

// Defer lets a servant answer later, from another goroutine (Ice's AMD): the servant reads all
// its in-parameters first, calls Defer, returns nil from Dispatch at once, and later writes the
// results to the out encoder it was given and calls the returned function exactly once, with nil
// or the error to answer. Servants on an adapter with inline dispatch must defer anything that
// may block.
func (cur *Current) Defer() func(err error) {
	cur.deferred = true
	return func(err error) { cur.Conn.finish(cur, cur.out, err) }
}

// Object is a servant. Dispatch reads the in-parameters from in (positioned inside the params
// encapsulation) and writes the results to out (inside the result encapsulation, in the request's
// encoding). It returns nil, a Slice user exception (reply status 1), one of ErrObjectNotExist,
// ErrFacetNotExist, ErrOperationNotExist, a *RequestFailedError, an *UnknownError, or any other
// error (answered as UnknownException). Decoding errors left in in are answered as
// UnknownLocalException (MarshalException). A panic is recovered, logged and answered as
// UnknownException.
type Object interface {
	Dispatch(ctx context.Context, cur *Current, in *encoding.Decoder, out *encoding.Encoder) error
}

// TypedObject is a servant that answers ice_isA, ice_id and ice_ids with its Slice type ids.
// Servants that are not TypedObject answer as "::Ice::Object".
type TypedObject interface {
	Object
	IceID() string    // most-derived type id
	IceIDs() []string // every type id, including "::Ice::Object", sorted
}

// ObjectFunc adapts a function to Object.
type ObjectFunc func(ctx context.Context, cur *Current, in *encoding.Decoder, out *encoding.Encoder) error

// Dispatch calls f.
func (f ObjectFunc) Dispatch(ctx context.Context, cur *Current, in *encoding.Decoder, out *encoding.Encoder) error {
	return f(ctx, cur, in, out)
}

// dispatchBuiltin answers the Ice::Object operations; ok is false for any other operation.
func dispatchBuiltin(obj Object, cur *Current, in *encoding.Decoder, out *encoding.Encoder) (ok bool) {
	switch cur.Operation {
	case "ice_ping", "ice_isA", "ice_id", "ice_ids":
	default:
		return false // the common case: no type ids to compute
	}
	id, ids := "::Ice::Object", []string{"::Ice::Object"}
	if t, isTyped := obj.(TypedObject); isTyped {
		id, ids = t.IceID(), t.IceIDs()
	}
	switch cur.Operation {
	case "ice_isA":
		t := in.ReadString()
		out.WriteBool(slices.Contains(ids, t))
	case "ice_id":
		out.WriteString(id)
	case "ice_ids":
		out.WriteStringSeq(ids)
	}
	return true
}

// handleRequest decodes a Request message and dispatches it: oneway requests in order on the
// reading goroutine, twoway requests concurrently.
func (c *Connection) handleRequest(msg []byte) {
	d := newBodyDecoder(msg)
	id := d.ReadInt()
	c.handleOne(d, msg[protocol.HeaderSize:], id)
}

// handleBatch dispatches every request of a BatchRequest message in order (§2.2).
func (c *Connection) handleBatch(msg []byte) {
	d := newBodyDecoder(msg)
	n := int(d.ReadInt())
	if d.Err() == nil && (n < 0 || n > d.Remaining()/12+1) {
		c.fail(&protocol.ProtocolError{Reason: fmt.Sprintf("batch request count %d", n)})
		return
	}
	for range n {
		if !c.handleOne(d, msg[protocol.HeaderSize:], 0) {
			return
		}
	}
}

// handleOne reads one request header and its params from d (over body) and dispatches it. A
// header that does not decode closes the connection; it reports whether the connection is still
// usable.
func (c *Connection) handleOne(d *encoding.Decoder, body []byte, id int32) bool {
	var h protocol.RequestHeader
	protocol.ParseRequestHeader(d, &h)
	start := d.Pos()
	d.ReadEncapsulation()
	if err := d.Err(); err != nil {
		c.fail(&protocol.ProtocolError{Reason: "malformed request: " + err.Error()})
		return false
	}
	if c.closing() {
		return true // sent after our CloseConnection: the client retries (§1.6)
	}
	in := encoding.NewDecoder(body[start:d.Pos()], encoding.Encoding10)
	cur := &Current{Adapter: c.adapter.Load(), Conn: c, Identity: h.Identity, Facet: h.Facet,
		Operation: h.Operation, Mode: h.Mode, Context: h.Context, RequestID: id}
	if id == 0 || (cur.Adapter != nil && cur.Adapter.inline.Load()) {
		c.dispatchBegin()
		c.dispatch(cur, in)
		return true
	}
	c.dispSem <- struct{}{}
	c.dispatchBegin()
	go func() {
		c.dispatch(cur, in)
		<-c.dispSem
	}()
	return true
}

func (c *Connection) dispatchBegin() {
	c.mu.Lock()
	c.dispatching++
	c.mu.Unlock()
}

func (c *Connection) dispatchEnd() {
	c.mu.Lock()
	c.dispatching--
	if c.dispatching == 0 {
		c.idle.Broadcast()
	}
	c.mu.Unlock()
}

// dispatch runs one request and sends its reply (twoway only). in holds the params
// encapsulation, header included.
func (c *Connection) dispatch(cur *Current, in *encoding.Decoder) {
	out := protocol.NewMessage(nil, protocol.Reply)
	out.WriteInt(cur.RequestID)
	_ = out.WriteByte(byte(protocol.ReplyOK))
	cur.out = out
	err := c.invokeServant(cur, in, out)
	if cur.deferred {
		if err != nil {
			c.log.Error("servant failed after deferring its reply", "operation", cur.Operation, "err", err)
		}
		return // the servant answers through the function Defer returned
	}
	c.finish(cur, out, err)
}

// finish sends the reply of a dispatch (twoway only) and ends it.
func (c *Connection) finish(cur *Current, out *encoding.Encoder, err error) {
	defer c.dispatchEnd()
	if cur.RequestID == 0 {
		if err != nil {
			c.log.Debug("oneway dispatch failed", "operation", cur.Operation, "err", err)
		}
		return
	}
	var msg []byte
	if err == nil {
		out.EndEncapsulation()
		msg = protocol.FinishMessage(out)
	} else {
		msg = errorReply(cur, err)
	}
	if werr := c.write(msg); werr != nil {
		c.fail(werr)
	}
}

// invokeServant finds the servant and calls it inside the params and result encapsulations.
func (c *Connection) invokeServant(cur *Current, in *encoding.Decoder, out *encoding.Encoder) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("servant panic", "operation", cur.Operation, "panic", r, "stack", string(debug.Stack()))
			err = &UnknownError{Status: protocol.ReplyUnknownException, Text: fmt.Sprintf("servant panic: %v", r)}
		}
	}()
	cur.Encoding = in.StartEncapsulation()
	if err := in.Err(); err != nil {
		return err
	}
	out.StartEncapsulation(cur.Encoding)
	if cur.Adapter == nil {
		return ErrObjectNotExist
	}
	obj, err := cur.Adapter.find(cur.Identity, cur.Facet)
	if err != nil {
		return err
	}
	if !dispatchBuiltin(obj, cur, in, out) {
		if err := obj.Dispatch(cur.Adapter.ctx, cur, in, out); err != nil {
			return err
		}
	}
	in.EndEncapsulation()
	return in.Err()
}

// errorReply builds the reply for a failed dispatch (§2.3).
func errorReply(cur *Current, err error) []byte {
	e := protocol.NewMessage(nil, protocol.Reply)
	e.WriteInt(cur.RequestID)
	var (
		rf  *RequestFailedError
		ue  *UnknownError
		uee *encoding.UnsupportedEncodingError
	)
	status, text := protocol.ReplyUnknownException, err.Error()
	if ex, ok := asUserException(err); ok {
		_ = e.WriteByte(byte(protocol.ReplyUserException))
		enc := cur.Encoding
		if !enc.Supported() {
			enc = encoding.Encoding11
		}
		e.StartEncapsulation(enc)
		e.SetFormat(cur.Format)
		e.WriteException(ex)
		e.EndEncapsulation()
		return protocol.FinishMessage(e)
	}
	switch {
	case errors.As(err, &rf):
		writeRequestFailed(e, rf.Status, cur)
		return protocol.FinishMessage(e)
	case errors.Is(err, ErrObjectNotExist):
		writeRequestFailed(e, protocol.ReplyObjectNotExist, cur)
		return protocol.FinishMessage(e)
	case errors.Is(err, ErrFacetNotExist):
		writeRequestFailed(e, protocol.ReplyFacetNotExist, cur)
		return protocol.FinishMessage(e)
	case errors.Is(err, ErrOperationNotExist):
		writeRequestFailed(e, protocol.ReplyOperationNotExist, cur)
		return protocol.FinishMessage(e)
	case errors.As(err, &ue):
		status, text = ue.Status, ue.Text
	case errors.As(err, &uee):
		status, text = protocol.ReplyUnknownLocalException, "::Ice::UnsupportedEncodingException: "+err.Error()
	case errors.Is(err, encoding.ErrUnmarshal):
		status, text = protocol.ReplyUnknownLocalException, "::Ice::MarshalException: "+err.Error()
	}
	_ = e.WriteByte(byte(status))
	e.WriteString(text)
	return protocol.FinishMessage(e)
}

func writeRequestFailed(e *encoding.Encoder, status protocol.ReplyStatus, cur *Current) {
	_ = e.WriteByte(byte(status))
	e.WriteIdentity(cur.Identity)
	protocol.WriteFacet(e, cur.Facet)
	e.WriteString(cur.Operation)
}
