package ice

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// ObjectAdapter accepts connections on its endpoints and dispatches requests to servants by
// identity and facet, as Ice::ObjectAdapter. Created with Communicator.CreateObjectAdapter, it
// listens at once (so its ports are known) and accepts from Activate on.
type ObjectAdapter struct {
	comm      *Communicator
	name      string
	adapterID string
	groupID   string
	acm       ACM
	maxSize   int
	published []Endpoint
	listeners []net.Listener
	ctx       context.Context // passed to servants; cancelled by Deactivate
	cancel    context.CancelFunc
	inline    atomic.Bool // dispatch twoway requests on the reading goroutine

	mu       sync.RWMutex // guards the fields below
	servants map[Identity]map[string]Object
	defaults map[string]Object // default servants by category
	conns    map[*Connection]struct{}
	active   bool
	done     bool
	locator  *locatorInfo
	wg       sync.WaitGroup // accept loops
}

// CreateObjectAdapter creates an adapter configured by <name>.Endpoints, .PublishedEndpoints,
// .AdapterId, .ReplicaGroupId, .ACM.* and .MessageSizeMax. An adapter with no endpoints serves
// only bidirectional connections.
func (c *Communicator) CreateObjectAdapter(name string) (*ObjectAdapter, error) {
	return c.CreateObjectAdapterWithEndpoints(name, c.props.Get(name+".Endpoints"))
}

// CreateObjectAdapterWithEndpoints is CreateObjectAdapter with explicit endpoints.
func (c *Communicator) CreateObjectAdapterWithEndpoints(name, endpoints string) (*ObjectAdapter, error) {
	c.mu.Lock()
	if c.shutdown {
		c.mu.Unlock()
		return nil, ErrCommunicatorDestroyed
	}
	if name != "" && c.adapters[name] != nil {
		c.mu.Unlock()
		return nil, fmt.Errorf("ice: object adapter %q already exists", name)
	}
	c.mu.Unlock()
	a := &ObjectAdapter{
		comm:      c,
		name:      name,
		adapterID: c.props.Get(name + ".AdapterId"),
		groupID:   c.props.Get(name + ".ReplicaGroupId"),
		acm:       acmFromProperties(c.props, name+".ACM", c.acmServer),
		maxSize:   c.maxSize,
		servants:  map[Identity]map[string]Object{},
		defaults:  map[string]Object{},
		conns:     map[*Connection]struct{}{},
		locator:   c.defaultLocator(),
	}
	if c.props.Has(name + ".MessageSizeMax") {
		a.maxSize = messageSizeMax(c.props, name+".MessageSizeMax")
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	if err := a.listen(a.ctx, endpoints); err != nil {
		a.closeListeners()
		return nil, err
	}
	if pub := c.props.Get(name + ".PublishedEndpoints"); pub != "" {
		eps, err := reference.ParseEndpoints(pub, c.defaults)
		if err != nil {
			a.closeListeners()
			return nil, fmt.Errorf("ice: %s.PublishedEndpoints: %w", name, err)
		}
		a.published = eps
	}
	c.mu.Lock()
	if name != "" {
		c.adapters[name] = a
	}
	c.mu.Unlock()
	return a, nil
}

// listen binds every tcp endpoint of a "tcp -h H -p P:tcp ..." list.
func (a *ObjectAdapter) listen(ctx context.Context, endpoints string) error {
	if endpoints == "" {
		return nil
	}
	eps, err := reference.ParseAdapterEndpoints(endpoints, a.comm.defaults)
	if err != nil {
		return fmt.Errorf("ice: %s.Endpoints: %w", a.name, err)
	}
	var lc net.ListenConfig
	for _, ep := range eps {
		tcp, ok := ep.(reference.TCPEndpoint)
		if !ok || tcp.Type() != reference.TypeTCP {
			return fmt.Errorf("ice: %s.Endpoints: only tcp endpoints can be served, not %q", a.name, ep)
		}
		host := tcp.Host
		if host == "*" {
			host = ""
		}
		ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(int(tcp.Port))))
		if err != nil {
			return fmt.Errorf("ice: adapter %s: %w", a.name, err)
		}
		a.listeners = append(a.listeners, ln)
		bound := tcp
		bound.Port = uint16(ln.Addr().(*net.TCPAddr).Port)
		if bound.Host == "" || bound.Host == "*" || bound.Host == "0.0.0.0" {
			bound.Host = publishedHost()
		}
		a.published = append(a.published, bound)
	}
	return nil
}

// publishedHost is the host published for a wildcard endpoint: the first non-loopback IPv4
// address, else 127.0.0.1.
func publishedHost() string {
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, ad := range addrs {
			if ipn, ok := ad.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
				return ipn.IP.String()
			}
		}
	}
	return "127.0.0.1"
}

// SetInlineDispatch makes the adapter dispatch twoway requests on the connection's reading
// goroutine instead of a goroutine each: less scheduling for servants that answer at once (a
// locator's lookups), but a servant that blocks holds up its connection — such servants must
// use Current.Defer for anything slow.
func (a *ObjectAdapter) SetInlineDispatch(on bool) { a.inline.Store(on) }

// Name returns the adapter's name.
func (a *ObjectAdapter) Name() string { return a.name }

// Communicator returns the adapter's communicator.
func (a *ObjectAdapter) Communicator() *Communicator { return a.comm }

// PublishedEndpoints returns the endpoints put in proxies created by the adapter.
func (a *ObjectAdapter) PublishedEndpoints() []Endpoint { return a.published }

// Add registers a servant for an identity (default facet), as ObjectAdapter::add, and returns
// a proxy for it.
func (a *ObjectAdapter) Add(obj Object, id Identity) (*Proxy, error) {
	return a.AddFacet(obj, id, "")
}

// AddFacet registers a servant for an identity and facet.
func (a *ObjectAdapter) AddFacet(obj Object, id Identity, facet string) (*Proxy, error) {
	if id.Name == "" {
		return nil, fmt.Errorf("ice: servant identity with an empty name")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	facets := a.servants[id]
	if facets == nil {
		facets = map[string]Object{}
		a.servants[id] = facets
	}
	if _, dup := facets[facet]; dup {
		return nil, fmt.Errorf("%w: %s facet %q", ErrAlreadyRegisteredServant, identityText(id), facet)
	}
	facets[facet] = obj
	return a.createProxy(id).WithFacet(facet), nil
}

// Remove unregisters the servant of an identity's default facet.
func (a *ObjectAdapter) Remove(id Identity) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.servants[id], "")
	if len(a.servants[id]) == 0 {
		delete(a.servants, id)
	}
}

// AddDefaultServant registers a servant for every identity of a category ("" = any category)
// that has no servant of its own, as ObjectAdapter::addDefaultServant.
func (a *ObjectAdapter) AddDefaultServant(obj Object, category string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.defaults[category] = obj
}

// find returns the servant for an identity and facet (§2.3 statuses 2 and 3).
func (a *ObjectAdapter) find(id Identity, facet string) (Object, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if facets, ok := a.servants[id]; ok {
		if obj := facets[facet]; obj != nil {
			return obj, nil
		}
		return nil, ErrFacetNotExist
	}
	if facet == "" {
		if obj := a.defaults[id.Category]; obj != nil {
			return obj, nil
		}
		if obj := a.defaults[""]; obj != nil {
			return obj, nil
		}
	}
	return nil, ErrObjectNotExist
}

// CreateProxy returns a proxy for id: indirect (identity@AdapterId or ReplicaGroupId) when the
// adapter has an adapter id, direct with the published endpoints otherwise.
func (a *ObjectAdapter) CreateProxy(id Identity) *Proxy {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.createProxy(id)
}

func (a *ObjectAdapter) createProxy(id Identity) *Proxy {
	ref := &reference.Reference{Identity: id, Protocol: encoding.Version{Major: 1}, Encoding: a.comm.defaults.Encoding}
	switch {
	case a.groupID != "":
		ref.AdapterID = a.groupID
	case a.adapterID != "":
		ref.AdapterID = a.adapterID
	default:
		ref.Endpoints = a.published
	}
	return a.comm.newProxy(ref)
}

// CreateDirectProxy returns a proxy for id with the published endpoints.
func (a *ObjectAdapter) CreateDirectProxy(id Identity) *Proxy {
	ref := &reference.Reference{Identity: id, Protocol: encoding.Version{Major: 1}, Encoding: a.comm.defaults.Encoding,
		Endpoints: a.published}
	return a.comm.newProxy(ref)
}

// Activate starts accepting connections and, when the adapter has an adapter id and a locator
// is configured, registers its endpoints with the locator registry (§7.2).
func (a *ObjectAdapter) Activate(ctx context.Context) error {
	a.mu.Lock()
	if a.done {
		a.mu.Unlock()
		return ErrAdapterDeactivated
	}
	if a.active {
		a.mu.Unlock()
		return nil
	}
	a.active = true
	a.mu.Unlock()
	for _, ln := range a.listeners {
		a.wg.Add(1)
		go a.acceptLoop(ln)
	}
	return a.register(ctx, a.CreateDirectProxy(Identity{Name: "dummy"}))
}

// register calls set(Replicated)AdapterDirectProxy; p == nil unregisters.
func (a *ObjectAdapter) register(ctx context.Context, p *Proxy) error {
	if a.adapterID == "" || a.locator == nil {
		return nil
	}
	reg, err := a.locator.getRegistry(ctx)
	if err != nil || reg == nil {
		return err
	}
	req := &Request{Operation: "setAdapterDirectProxy", Mode: Idempotent, Exceptions: LocatorExceptions,
		Params: func(e *encoding.Encoder) { e.WriteString(a.adapterID); WriteProxy(e, p) }}
	if a.groupID != "" {
		req.Operation = "setReplicatedAdapterDirectProxy"
		req.Params = func(e *encoding.Encoder) { e.WriteString(a.adapterID); e.WriteString(a.groupID); WriteProxy(e, p) }
	}
	err = reg.Invoke(ctx, req)
	var (
		anf *AdapterNotFoundException
		irg *InvalidReplicaGroupIDException
		aaa *AdapterAlreadyActiveException
	)
	switch {
	case errors.As(err, &anf):
		return fmt.Errorf("ice: register adapter %q: %w", a.adapterID, &NotRegisteredError{Kind: "object adapter", ID: a.adapterID})
	case errors.As(err, &irg):
		return fmt.Errorf("ice: register adapter %q: %w", a.adapterID, &NotRegisteredError{Kind: "replica group", ID: a.groupID})
	case errors.As(err, &aaa):
		return fmt.Errorf("ice: register adapter %q: %w", a.adapterID, ErrObjectAdapterIDInUse)
	case err != nil:
		return fmt.Errorf("ice: register adapter %q: %w", a.adapterID, err)
	}
	return nil
}

func (a *ObjectAdapter) acceptLoop(ln net.Listener) {
	defer a.wg.Done()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			a.comm.log.Warn("accept failed", "adapter", a.name, "err", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if tc, ok := nc.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		c := newConnection(a.comm, nc, true, a.acm, a.maxSize)
		c.SetAdapter(a)
		a.mu.Lock()
		if a.done {
			a.mu.Unlock()
			_ = nc.Close()
			continue
		}
		a.conns[c] = struct{}{}
		a.mu.Unlock()
		c.OnClose(func(c *Connection) {
			a.mu.Lock()
			delete(a.conns, c)
			a.mu.Unlock()
		})
		c.start()
	}
}

// Deactivate unregisters from the locator, stops accepting, and closes every incoming
// connection gracefully once its dispatches are done (bounded to a few seconds). It is
// idempotent.
func (a *ObjectAdapter) Deactivate() {
	a.mu.Lock()
	if a.done {
		a.mu.Unlock()
		return
	}
	a.done = true
	wasActive := a.active
	conns := make([]*Connection, 0, len(a.conns))
	for c := range a.conns {
		conns = append(conns, c)
	}
	a.mu.Unlock()
	if wasActive {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		if err := a.register(ctx, nil); err != nil {
			a.comm.log.Debug("unregister adapter", "adapter", a.name, "err", err)
		}
		cancel()
	}
	a.closeListeners()
	a.wg.Wait()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { c.closeWithin(5 * time.Second) })
	}
	wg.Wait()
	a.cancel()
	a.comm.mu.Lock()
	if a.comm.adapters[a.name] == a {
		delete(a.comm.adapters, a.name)
	}
	a.comm.mu.Unlock()
}

func (a *ObjectAdapter) closeListeners() {
	for _, ln := range a.listeners {
		_ = ln.Close()
	}
}
