package ice

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"floe/ice/encoding"
	"floe/ice/protocol"
	"floe/ice/reference"
)

// Request describes one invocation.
type Request struct {
	Operation string
	Mode      OperationMode
	// Params writes the in-parameters inside the params encapsulation; nil writes none.
	Params func(e *encoding.Encoder)
	// Result reads the return value and out-parameters; nil expects none (trailing optionals are
	// skipped).
	Result func(d *encoding.Decoder)
	// Exceptions creates the user exceptions the operation declares, by type id; others arrive
	// as *UnknownError with status UnknownUserException.
	Exceptions func(typeID string) encoding.UserException
	// ValueFactory creates class instances found in the results.
	ValueFactory func(typeID string) encoding.Value
	// Format is the class format used for the in-parameters.
	Format encoding.Format
}

// Invoke sends r to the proxy's object and, for a twoway proxy, waits for the reply and decodes
// it. It retries as Ice does: after connection failures that happened before the request was
// sent, after a graceful close by the server, and, for idempotent and nonmutating operations,
// after any connection loss; an indirect proxy's stale locator entry is dropped first.
func (p *Proxy) Invoke(ctx context.Context, r *Request) error {
	msg := p.buildRequest(r)
	twoway := p.ref.Mode == reference.Twoway
	for attempt := 0; ; attempt++ {
		rep, err := p.send(ctx, msg, p.ref.Mode)
		if err == nil && !twoway {
			return nil
		}
		if err == nil {
			err = p.decodeReply(rep, r)
			if errors.Is(err, ErrObjectNotExist) && p.locator != nil && attempt == 0 && p.fixed == nil {
				// An indirect proxy's object may have moved: re-resolve once (§2.3).
				p.locator.clear(p.ref)
				continue
			}
			return err
		}
		if !p.retryable(err, r.Mode) || attempt >= len(p.comm.retries) || ctx.Err() != nil {
			return err
		}
		if p.locator != nil {
			p.locator.clear(p.ref)
		}
		if d := p.comm.retries[attempt]; d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// retryable reports whether Ice would retry after err (§1.6).
func (p *Proxy) retryable(err error, mode OperationMode) bool {
	var ce *connectError
	var notSent *notSentError
	switch {
	case p.fixed != nil:
		return false
	case errors.As(err, &ce), errors.As(err, &notSent), errors.Is(err, ErrConnectionClosed):
		return true
	case errors.Is(err, ErrConnectionLost), errors.Is(err, ErrConnectionTimeout):
		return mode != Normal
	}
	return false
}

// buildRequest encodes the whole Request message; the request id is patched per attempt.
func (p *Proxy) buildRequest(r *Request) []byte {
	e := protocol.NewMessage(nil, protocol.Request)
	e.WriteInt(0)
	protocol.AppendRequestHeader(e, &protocol.RequestHeader{Identity: p.ref.Identity, Facet: p.ref.Facet,
		Operation: r.Operation, Mode: r.Mode, Context: p.context})
	enc := p.ref.Encoding
	if !enc.Supported() {
		enc = encoding.Encoding11
	}
	e.StartEncapsulation(enc)
	if r.Params != nil {
		e.SetFormat(r.Format)
		r.Params(e)
	}
	e.EndEncapsulation()
	return protocol.FinishMessage(e)
}

// send transmits msg on a connection chosen for the proxy; for twoway requests it returns the
// reply.
func (p *Proxy) send(ctx context.Context, msg []byte, mode reference.Mode) (reply, error) {
	conn, err := p.connection(ctx)
	if err != nil {
		return reply{}, err
	}
	switch mode {
	case reference.Twoway:
		return conn.invoke(ctx, msg)
	case reference.BatchOneway, reference.BatchDatagram:
		return reply{}, conn.queueBatch(msg)
	default:
		binary.LittleEndian.PutUint32(msg[protocol.HeaderSize:], 0)
		if err := conn.write(msg); err != nil {
			conn.fail(err)
			return reply{}, &notSentError{err}
		}
		return reply{}, nil
	}
}

// notSentError marks a request that did not leave this process.
type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }

// Connection returns the connection the proxy uses, establishing it if needed, as
// ice_getConnection.
func (p *Proxy) Connection(ctx context.Context) (*Connection, error) { return p.connection(ctx) }

func (p *Proxy) connection(ctx context.Context) (*Connection, error) {
	if p.fixed != nil {
		if p.fixed.closing() {
			return nil, ErrConnectionClosed
		}
		return p.fixed, nil
	}
	eps := p.ref.Endpoints
	if len(eps) == 0 {
		if p.locator == nil {
			return nil, ErrNoEndpoint
		}
		var err error
		if eps, err = p.locator.resolve(ctx, p.ref, p.cacheTTL); err != nil {
			return nil, err
		}
	}
	var tcp []reference.TCPEndpoint
	for _, ep := range eps {
		if t, ok := ep.(reference.TCPEndpoint); ok && t.Type() == reference.TypeTCP {
			tcp = append(tcp, t)
		}
	}
	if len(tcp) == 0 {
		return nil, fmt.Errorf("%w: no tcp endpoint in %s", ErrNoEndpoint, p.ref)
	}
	rand.Shuffle(len(tcp), func(i, j int) { tcp[i], tcp[j] = tcp[j], tcp[i] })
	var firstErr error
	for _, ep := range tcp {
		c, err := p.comm.conns.get(ctx, ep, p.connID)
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// invoke sends a twoway request and waits for its reply.
func (c *Connection) invoke(ctx context.Context, msg []byte) (reply, error) {
	ch := make(chan reply, 1)
	c.mu.Lock()
	if c.state != stateActive {
		c.mu.Unlock()
		return reply{}, &notSentError{ErrConnectionClosed}
	}
	id := c.nextID
	c.nextID++
	if c.nextID <= 0 {
		c.nextID = 1
	}
	c.pending[id] = ch
	c.mu.Unlock()
	binary.LittleEndian.PutUint32(msg[protocol.HeaderSize:], uint32(id))
	if err := c.write(msg); err != nil {
		c.fail(err)
		return reply{}, &notSentError{err}
	}
	select {
	case r := <-ch:
		return r, r.err
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, id)
		if len(c.pending) == 0 {
			c.idle.Broadcast()
		}
		c.mu.Unlock()
		return reply{}, ctx.Err()
	}
}

// handleReply hands a Reply message to the request waiting for it; unknown ids are ignored.
func (c *Connection) handleReply(msg []byte) {
	d := newBodyDecoder(msg)
	id := d.ReadInt()
	status := d.ReadUint8()
	if d.Err() != nil {
		c.fail(&protocol.ProtocolError{Reason: "short reply"})
		return
	}
	c.mu.Lock()
	ch := c.pending[id]
	delete(c.pending, id)
	if len(c.pending) == 0 {
		c.idle.Broadcast()
	}
	c.mu.Unlock()
	if ch != nil {
		ch <- reply{status: protocol.ReplyStatus(status), body: msg[protocol.HeaderSize+5:]}
	}
}

// decodeReply turns a reply into results or an error.
func (p *Proxy) decodeReply(rep reply, r *Request) error {
	d := encoding.NewDecoder(rep.body, encoding.Encoding10)
	switch rep.status {
	case protocol.ReplyOK:
		d.ValueFactory = r.ValueFactory
		d.StartEncapsulation()
		if r.Result != nil {
			r.Result(d)
		}
		d.EndEncapsulation()
		if err := d.Err(); err != nil {
			return fmt.Errorf("ice: %s: decode result: %w", r.Operation, err)
		}
		return nil
	case protocol.ReplyUserException:
		return decodeUserException(d, r)
	case protocol.ReplyObjectNotExist, protocol.ReplyFacetNotExist, protocol.ReplyOperationNotExist:
		e := &RequestFailedError{Status: rep.status, Identity: d.ReadIdentity(), Facet: protocol.ReadFacet(d)}
		e.Operation = d.ReadString()
		if err := d.Err(); err != nil {
			return fmt.Errorf("ice: %s: decode reply: %w", r.Operation, err)
		}
		return e
	case protocol.ReplyUnknownLocalException, protocol.ReplyUnknownUserException, protocol.ReplyUnknownException:
		text := d.ReadString()
		if err := d.Err(); err != nil {
			return fmt.Errorf("ice: %s: decode reply: %w", r.Operation, err)
		}
		return &UnknownError{Status: rep.status, Text: text}
	default:
		return fmt.Errorf("ice: %s: unknown reply status %d", r.Operation, rep.status)
	}
}

func decodeUserException(d *encoding.Decoder, r *Request) error {
	d.ValueFactory = r.ValueFactory
	d.StartEncapsulation()
	factory := r.Exceptions
	if factory == nil {
		factory = func(string) encoding.UserException { return nil }
	}
	ex, err := d.ReadException(factory)
	if unknown, ok := errors.AsType[*encoding.UnknownExceptionError](err); ok {
		return &UnknownError{Status: protocol.ReplyUnknownUserException, Text: unknown.TypeID}
	}
	if err != nil {
		return fmt.Errorf("ice: %s: decode user exception: %w", r.Operation, err)
	}
	return ex
}

// queueBatch adds a request to the connection's batch; FlushBatch sends it.
func (c *Connection) queueBatch(msg []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateActive {
		return &notSentError{ErrConnectionClosed}
	}
	// Drop header and request id: a batch entry is the request without its id (§2.2).
	c.batch = append(c.batch, msg[protocol.HeaderSize+4:]...)
	c.batchCount++
	return nil
}

// FlushBatch sends the queued batch requests as one BatchRequest message.
func (c *Connection) FlushBatch() error {
	c.mu.Lock()
	body, n := c.batch, c.batchCount
	c.batch, c.batchCount = nil, 0
	c.mu.Unlock()
	if n == 0 {
		return nil
	}
	e := protocol.NewMessage(make([]byte, 0, protocol.HeaderSize+4+len(body)), protocol.BatchRequest)
	e.WriteInt(int32(n))
	e.WriteBytes(body)
	return c.write(protocol.FinishMessage(e))
}

// FlushBatch sends the batch requests queued on the proxy's connection, as
// ice_flushBatchRequests.
func (p *Proxy) FlushBatch(ctx context.Context) error {
	c, err := p.connection(ctx)
	if err != nil {
		return err
	}
	return c.FlushBatch()
}
