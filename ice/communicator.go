package ice

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"floe/ice/encoding"
	"floe/ice/properties"
	"floe/ice/reference"
)

// Communicator is the root of an Ice runtime instance, as Ice::Communicator: properties,
// outgoing connections, the default locator and object adapters.
type Communicator struct {
	props     *properties.Properties
	log       *slog.Logger
	defaults  reference.Defaults
	acmClient ACM
	acmServer ACM
	maxSize   int
	retries   []time.Duration
	cacheTTL  time.Duration // Ice.Default.LocatorCacheTimeout; <0 forever
	conns     *connPool

	mu         sync.Mutex // guards the fields below
	adapters   map[string]*ObjectAdapter
	locators   map[string]*locatorInfo
	shutdown   bool
	destroyed  bool
	shutdownCh chan struct{}
}

// Options configure a new Communicator.
type Options struct {
	// Logger receives the runtime's logs; nil discards them.
	Logger *slog.Logger
	// Getenv reads ICE_CONFIG; nil means os.Getenv.
	Getenv func(string) string
	// Prefixes are property prefixes taken from the command line in addition to Ice's own
	// (properties.IcePrefixes), e.g. an adapter name, as parseCommandLineOptions would.
	Prefixes []string
}

// Initialize parses Ice properties from args (--Ice.Config=FILE, ICE_CONFIG, --Name=Value) and
// creates a communicator, as Ice.initialize. It returns the arguments that are not properties.
// When Ice.Admin.Endpoints and Ice.Admin.ServerId are set it creates the Ice.Admin adapter with
// the Process facet and registers it with the locator, as Ice does.
func Initialize(ctx context.Context, args []string, opts Options) (*Communicator, []string, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	prefixes := append(append([]string(nil), properties.IcePrefixes...), opts.Prefixes...)
	props, rest, err := properties.Parse(args, getenv, prefixes)
	if err != nil {
		return nil, nil, err
	}
	c, err := New(props, opts.Logger)
	if err != nil {
		return nil, nil, err
	}
	if err := c.setupAdmin(ctx); err != nil {
		c.Destroy()
		return nil, nil, err
	}
	return c, rest, nil
}

// New creates a communicator from a property set. It starts nothing.
func New(props *properties.Properties, log *slog.Logger) (*Communicator, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Communicator{
		props:      props,
		log:        log,
		adapters:   map[string]*ObjectAdapter{},
		locators:   map[string]*locatorInfo{},
		shutdownCh: make(chan struct{}),
	}
	var err error
	if c.defaults, err = defaultsFromProperties(props); err != nil {
		return nil, err
	}
	base := acmFromProperties(props, "Ice.ACM", ACM{Timeout: 60 * time.Second, Close: CloseOnInvocationAndIdle, Heartbeat: HeartbeatOnDispatch})
	c.acmClient = acmFromProperties(props, "Ice.ACM.Client", base)
	c.acmServer = acmFromProperties(props, "Ice.ACM.Server", ACM{Timeout: base.Timeout, Close: CloseOnInvocation, Heartbeat: base.Heartbeat})
	c.maxSize = messageSizeMax(props, "Ice.MessageSizeMax")
	if c.retries, err = retryIntervals(props.GetWithDefault("Ice.RetryIntervals", "0")); err != nil {
		return nil, err
	}
	c.cacheTTL = time.Duration(props.GetIntOr("Ice.Default.LocatorCacheTimeout", -1)) * time.Second
	c.conns = newConnPool(c)
	return c, nil
}

func defaultsFromProperties(p *properties.Properties) (reference.Defaults, error) {
	d := reference.Defaults{
		Host:     p.Get("Ice.Default.Host"),
		Timeout:  int32(p.GetIntOr("Ice.Default.Timeout", 60000)),
		Encoding: encoding.Encoding11,
		Protocol: p.GetWithDefault("Ice.Default.Protocol", "tcp"),
	}
	if v := p.Get("Ice.Default.EncodingVersion"); v != "" {
		ev, err := encoding.ParseVersion(v)
		if err != nil {
			return d, fmt.Errorf("ice: Ice.Default.EncodingVersion: %w", err)
		}
		d.Encoding = ev
	}
	return d, nil
}

// messageSizeMax reads a MessageSizeMax property (KiB); 0 or negative means unlimited.
func messageSizeMax(p *properties.Properties, name string) int {
	kib := p.GetIntOr(name, 1024)
	if kib <= 0 || kib > (1<<31-1)/1024 {
		return 1<<31 - 1
	}
	return kib * 1024
}

func retryIntervals(s string) ([]time.Duration, error) {
	var out []time.Duration
	for f := range strings.FieldsSeq(s) {
		ms, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("ice: Ice.RetryIntervals: %q is not an integer", f)
		}
		if ms < 0 {
			return nil, nil // -1 disables retries
		}
		out = append(out, time.Duration(ms)*time.Millisecond)
	}
	return out, nil
}

// Properties returns the communicator's properties.
func (c *Communicator) Properties() *properties.Properties { return c.props }

// Logger returns the communicator's logger.
func (c *Communicator) Logger() *slog.Logger { return c.log }

// StringToProxy parses a stringified proxy, as Communicator::stringToProxy. "" gives nil.
func (c *Communicator) StringToProxy(s string) (*Proxy, error) {
	ref, err := reference.Parse(s, c.defaults)
	if err != nil {
		return nil, err
	}
	if ref == nil {
		return nil, nil
	}
	return c.newProxy(ref), nil
}

// PropertyToProxy reads a proxy from a property, as Communicator::propertyToProxy (the
// <name>.Locator and <name>.EndpointSelection sub-properties are not supported). An unset
// property gives nil.
func (c *Communicator) PropertyToProxy(name string) (*Proxy, error) {
	s := c.props.Get(name)
	if s == "" {
		return nil, nil
	}
	p, err := c.StringToProxy(s)
	if err != nil {
		return nil, fmt.Errorf("ice: property %s: %w", name, err)
	}
	return p, nil
}

// ProxyFromReference wraps a decoded reference (e.g. from reference.Read) in a proxy of this
// communicator. nil gives nil.
func (c *Communicator) ProxyFromReference(ref *reference.Reference) *Proxy {
	if ref == nil {
		return nil
	}
	return c.newProxy(ref)
}

func (c *Communicator) newProxy(ref *reference.Reference) *Proxy {
	p := &Proxy{comm: c, ref: ref, cacheTTL: c.cacheTTL}
	if ref.AdapterID != "" || len(ref.Endpoints) == 0 {
		p.locator = c.defaultLocator()
	}
	return p
}

// Shutdown deactivates every object adapter and releases WaitForShutdown, as
// Communicator::shutdown. It does not block.
func (c *Communicator) Shutdown() {
	c.mu.Lock()
	if c.shutdown {
		c.mu.Unlock()
		return
	}
	c.shutdown = true
	adapters := c.adapterList()
	c.mu.Unlock()
	go func() {
		for _, a := range adapters {
			a.Deactivate()
		}
		close(c.shutdownCh)
	}()
}

// WaitForShutdown blocks until Shutdown was called and every adapter is deactivated, or ctx ends.
func (c *Communicator) WaitForShutdown(ctx context.Context) error {
	select {
	case <-c.shutdownCh:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ShutdownDone is closed once Shutdown has completed.
func (c *Communicator) ShutdownDone() <-chan struct{} { return c.shutdownCh }

// Destroy shuts down, waits for the adapters, and closes every connection gracefully (bounded
// by a few seconds), as Communicator::destroy.
func (c *Communicator) Destroy() {
	c.Shutdown()
	<-c.shutdownCh
	c.mu.Lock()
	if c.destroyed {
		c.mu.Unlock()
		return
	}
	c.destroyed = true
	c.mu.Unlock()
	c.conns.closeAll()
}

func (c *Communicator) adapterList() []*ObjectAdapter {
	out := make([]*ObjectAdapter, 0, len(c.adapters))
	for _, a := range c.adapters {
		out = append(out, a)
	}
	return out
}

func (c *Communicator) isDestroyed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.destroyed
}
