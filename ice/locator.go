package ice

import (
	"context"
	"errors"
	"sync"
	"time"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// locatorInfo resolves indirect proxies through one locator and caches the answers, as Ice's
// LocatorInfo (§7.1): adapter ids map to endpoints, well-known identities to proxies.
type locatorInfo struct {
	proxy *Proxy // the locator itself (never resolved through a locator)

	mu       sync.Mutex // guards the maps and registry
	adapters map[string]cacheEntry
	objects  map[Identity]cacheEntry
	registry *Proxy // cached getRegistry answer
}

type cacheEntry struct {
	ref *reference.Reference // for objects: the proxy returned; for adapters: endpoints in Endpoints
	at  time.Time
}

// defaultLocator returns the locator of Ice.Default.Locator, or nil.
func (c *Communicator) defaultLocator() *locatorInfo {
	s := c.props.Get("Ice.Default.Locator")
	if s == "" {
		return nil
	}
	p, err := c.StringToProxy(s)
	if err != nil || p == nil {
		c.log.Warn("invalid Ice.Default.Locator", "value", s, "err", err)
		return nil
	}
	return c.locatorFor(p)
}

// locatorFor returns the shared locatorInfo for a locator proxy.
func (c *Communicator) locatorFor(p *Proxy) *locatorInfo {
	if p == nil {
		return nil
	}
	key := p.String()
	c.mu.Lock()
	defer c.mu.Unlock()
	if l := c.locators[key]; l != nil {
		return l
	}
	lp := *p
	lp.locator = nil
	l := &locatorInfo{proxy: &lp, adapters: map[string]cacheEntry{}, objects: map[Identity]cacheEntry{}}
	c.locators[key] = l
	return l
}

// DefaultLocator returns the Ice.Default.Locator proxy, or nil.
func (c *Communicator) DefaultLocator() *Proxy {
	if l := c.defaultLocator(); l != nil {
		return l.proxy
	}
	return nil
}

func fresh(e cacheEntry, ttl time.Duration) bool {
	return ttl < 0 || (ttl > 0 && time.Since(e.at) < ttl)
}

// resolve returns the endpoints an indirect reference stands for.
func (l *locatorInfo) resolve(ctx context.Context, ref *reference.Reference, ttl time.Duration) ([]Endpoint, error) {
	if ref.AdapterID != "" {
		return l.adapterEndpoints(ctx, ref.AdapterID, ttl)
	}
	l.mu.Lock()
	e, ok := l.objects[ref.Identity]
	l.mu.Unlock()
	if !ok || !fresh(e, ttl) {
		var err error
		if e.ref, err = l.findObject(ctx, ref.Identity); err != nil {
			return nil, err
		}
		if ttl != 0 {
			l.mu.Lock()
			l.objects[ref.Identity] = cacheEntry{ref: e.ref, at: time.Now()}
			l.mu.Unlock()
		}
	}
	switch {
	case len(e.ref.Endpoints) > 0:
		return e.ref.Endpoints, nil
	case e.ref.AdapterID != "":
		return l.adapterEndpoints(ctx, e.ref.AdapterID, ttl)
	default:
		return nil, ErrNoEndpoint
	}
}

func (l *locatorInfo) adapterEndpoints(ctx context.Context, id string, ttl time.Duration) ([]Endpoint, error) {
	l.mu.Lock()
	e, ok := l.adapters[id]
	l.mu.Unlock()
	if ok && fresh(e, ttl) {
		return e.ref.Endpoints, nil
	}
	ref, err := l.findAdapter(ctx, id)
	if err != nil {
		return nil, err
	}
	if ttl != 0 {
		l.mu.Lock()
		l.adapters[id] = cacheEntry{ref: ref, at: time.Now()}
		l.mu.Unlock()
	}
	return ref.Endpoints, nil
}

func (l *locatorInfo) findAdapter(ctx context.Context, id string) (*reference.Reference, error) {
	var ref *reference.Reference
	err := l.proxy.Invoke(ctx, &Request{Operation: "findAdapterById", Mode: Nonmutating,
		Params:     func(e *encoding.Encoder) { e.WriteString(id) },
		Result:     func(d *encoding.Decoder) { ref = reference.Read(d) },
		Exceptions: LocatorExceptions})
	var nf *AdapterNotFoundException
	switch {
	case errors.As(err, &nf):
		return nil, &NotRegisteredError{Kind: "object adapter", ID: id}
	case err != nil:
		return nil, err
	case ref == nil || len(ref.Endpoints) == 0:
		return nil, ErrNoEndpoint
	}
	return ref, nil
}

func (l *locatorInfo) findObject(ctx context.Context, id Identity) (*reference.Reference, error) {
	var ref *reference.Reference
	err := l.proxy.Invoke(ctx, &Request{Operation: "findObjectById", Mode: Nonmutating,
		Params:     func(e *encoding.Encoder) { e.WriteIdentity(id) },
		Result:     func(d *encoding.Decoder) { ref = reference.Read(d) },
		Exceptions: LocatorExceptions})
	var nf *ObjectNotFoundException
	switch {
	case errors.As(err, &nf):
		return nil, &NotRegisteredError{Kind: "object", ID: identityText(id)}
	case err != nil:
		return nil, err
	case ref == nil:
		return nil, ErrNoEndpoint
	}
	return ref, nil
}

// clear drops what the cache holds for ref, after a failure.
func (l *locatorInfo) clear(ref *reference.Reference) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ref.AdapterID != "" {
		delete(l.adapters, ref.AdapterID)
		return
	}
	if e, ok := l.objects[ref.Identity]; ok {
		delete(l.objects, ref.Identity)
		if e.ref.AdapterID != "" {
			delete(l.adapters, e.ref.AdapterID)
		}
	}
}

// getRegistry returns the locator's LocatorRegistry (cached), or nil if it has none.
func (l *locatorInfo) getRegistry(ctx context.Context) (*Proxy, error) {
	l.mu.Lock()
	r := l.registry
	l.mu.Unlock()
	if r != nil {
		return r, nil
	}
	comm := l.proxy.comm
	err := l.proxy.Invoke(ctx, &Request{Operation: "getRegistry", Mode: Nonmutating,
		Result: func(d *encoding.Decoder) { r = comm.ReadProxy(d) }})
	if err != nil {
		return nil, err
	}
	if r != nil {
		r = r.WithLocator(nil)
		l.mu.Lock()
		l.registry = r
		l.mu.Unlock()
	}
	return r, nil
}
