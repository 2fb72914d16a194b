package ice

import (
	"context"
	"maps"
	"time"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// Proxy is an immutable handle on an Ice object: a reference (identity, facet, mode, encoding,
// endpoints or adapter id) plus invocation settings. The With… methods return modified copies.
type Proxy struct {
	comm     *Communicator
	ref      *reference.Reference
	connID   string
	context  map[string]string
	locator  *locatorInfo  // resolves indirect references; nil for direct ones
	cacheTTL time.Duration // locator cache timeout; <0 forever, 0 never cached
	fixed    *Connection   // a fixed proxy always uses this connection
}

// Communicator returns the proxy's communicator.
func (p *Proxy) Communicator() *Communicator { return p.comm }

// Reference returns the proxy's reference. The caller must not modify it.
func (p *Proxy) Reference() *reference.Reference { return p.ref }

// Identity returns the target object's identity.
func (p *Proxy) Identity() Identity { return p.ref.Identity }

// Facet returns the target facet ("" for the default facet).
func (p *Proxy) Facet() string { return p.ref.Facet }

// AdapterID returns the adapter id of an indirect proxy.
func (p *Proxy) AdapterID() string { return p.ref.AdapterID }

// Endpoints returns the endpoints of a direct proxy. The caller must not modify the slice.
func (p *Proxy) Endpoints() []Endpoint { return p.ref.Endpoints }

// Encoding returns the encoding used for parameters.
func (p *Proxy) Encoding() encoding.Version { return p.ref.Encoding }

// String returns the stringified proxy, as proxyToString.
func (p *Proxy) String() string { return p.ref.String() }

func (p *Proxy) with(f func(q *Proxy, r *reference.Reference)) *Proxy {
	q := *p
	r := *p.ref
	f(&q, &r)
	q.ref = &r
	if r.AdapterID != "" || len(r.Endpoints) == 0 {
		if q.locator == nil {
			q.locator = p.comm.defaultLocator()
		}
	} else {
		q.locator = nil
	}
	return &q
}

// WithIdentity returns a proxy for another identity, as ice_identity.
func (p *Proxy) WithIdentity(id Identity) *Proxy {
	return p.with(func(_ *Proxy, r *reference.Reference) { r.Identity = id })
}

// WithFacet returns a proxy for another facet, as ice_facet.
func (p *Proxy) WithFacet(facet string) *Proxy {
	return p.with(func(_ *Proxy, r *reference.Reference) { r.Facet = facet })
}

// WithAdapterID returns an indirect proxy, as ice_adapterId.
func (p *Proxy) WithAdapterID(id string) *Proxy {
	return p.with(func(_ *Proxy, r *reference.Reference) { r.AdapterID, r.Endpoints = id, nil })
}

// WithEndpoints returns a direct proxy, as ice_endpoints.
func (p *Proxy) WithEndpoints(eps []Endpoint) *Proxy {
	return p.with(func(_ *Proxy, r *reference.Reference) { r.Endpoints, r.AdapterID = eps, "" })
}

// WithEncoding returns a proxy that marshals parameters in v, as ice_encodingVersion.
func (p *Proxy) WithEncoding(v encoding.Version) *Proxy {
	return p.with(func(_ *Proxy, r *reference.Reference) { r.Encoding = v })
}

// WithMode returns a twoway, oneway or batch oneway proxy.
func (p *Proxy) WithMode(m reference.Mode) *Proxy {
	return p.with(func(_ *Proxy, r *reference.Reference) { r.Mode = m })
}

// Oneway returns a oneway proxy, as ice_oneway.
func (p *Proxy) Oneway() *Proxy { return p.WithMode(reference.Oneway) }

// BatchOneway returns a batch oneway proxy, as ice_batchOneway.
func (p *Proxy) BatchOneway() *Proxy { return p.WithMode(reference.BatchOneway) }

// Twoway returns a twoway proxy, as ice_twoway.
func (p *Proxy) Twoway() *Proxy { return p.WithMode(reference.Twoway) }

// WithConnectionID returns a proxy that uses its own connections, as ice_connectionId.
func (p *Proxy) WithConnectionID(id string) *Proxy {
	return p.with(func(q *Proxy, _ *reference.Reference) { q.connID = id })
}

// WithContext returns a proxy that sends ctx as the request context, as ice_context.
func (p *Proxy) WithContext(ctx map[string]string) *Proxy {
	return p.with(func(q *Proxy, _ *reference.Reference) { q.context = maps.Clone(ctx) })
}

// WithLocatorCacheTimeout sets how long locator answers are cached (<0 forever, 0 never).
func (p *Proxy) WithLocatorCacheTimeout(d time.Duration) *Proxy {
	return p.with(func(q *Proxy, _ *reference.Reference) { q.cacheTTL = d })
}

// WithLocator returns a proxy resolved through locator instead of Ice.Default.Locator; nil
// disables resolution.
func (p *Proxy) WithLocator(locator *Proxy) *Proxy {
	q := *p
	q.locator = p.comm.locatorFor(locator)
	return &q
}

// Fixed returns a proxy bound to conn, as Connection::createProxy: requests always go over conn.
func (p *Proxy) Fixed(conn *Connection) *Proxy {
	q := *p
	q.fixed = conn
	return &q
}

// Ping calls ice_ping.
func (p *Proxy) Ping(ctx context.Context) error {
	return p.Invoke(ctx, &Request{Operation: "ice_ping", Mode: Nonmutating})
}

// IsA calls ice_isA, as a checked cast does.
func (p *Proxy) IsA(ctx context.Context, typeID string) (bool, error) {
	var ok bool
	err := p.Invoke(ctx, &Request{Operation: "ice_isA", Mode: Nonmutating,
		Params: func(e *encoding.Encoder) { e.WriteString(typeID) },
		Result: func(d *encoding.Decoder) { ok = d.ReadBool() }})
	return ok, err
}

// ID calls ice_id.
func (p *Proxy) ID(ctx context.Context) (string, error) {
	var id string
	err := p.Invoke(ctx, &Request{Operation: "ice_id", Mode: Nonmutating,
		Result: func(d *encoding.Decoder) { id = d.ReadString() }})
	return id, err
}

// IDs calls ice_ids.
func (p *Proxy) IDs(ctx context.Context) ([]string, error) {
	var ids []string
	err := p.Invoke(ctx, &Request{Operation: "ice_ids", Mode: Nonmutating,
		Result: func(d *encoding.Decoder) { ids = d.ReadStringSeq() }})
	return ids, err
}

// WriteProxy marshals p (nil writes a null proxy).
func WriteProxy(e *encoding.Encoder, p *Proxy) {
	if p == nil {
		reference.Write(e, nil)
		return
	}
	reference.Write(e, p.ref)
}

// ReadProxy unmarshals a proxy of communicator c; a null proxy gives nil.
func (c *Communicator) ReadProxy(d *encoding.Decoder) *Proxy {
	return c.ProxyFromReference(reference.Read(d))
}
