package descriptor

import (
	"slices"
	"strings"

	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/slice/icegrid"
)

// ExpandOption configures Expand.
type ExpandOption func(*expandConfig)

type expandConfig struct {
	src          *Source
	node         func(name string) Node
	replicaGroup func(id string) bool
}

// WithSource locates Expand's errors in the XML a Document came from.
func WithSource(src *Source) ExpandOption { return func(c *expandConfig) { c.src = src } }

// WithNode supplies each node's values for the node's pass (Node.Name is filled in). Without
// it, nodes have only a name: ${node.data} and the other node variables are undefined, so the
// node's pass fails for servers that use them and leaves their descriptor unresolved.
func WithNode(fn func(name string) Node) ExpandOption { return func(c *expandConfig) { c.node = fn } }

// WithReplicaGroups tells which replica groups other applications define: an adapter may join
// one of those. Without it, only the application's own replica groups exist, as in a registry
// that holds no other application.
func WithReplicaGroups(exists func(id string) bool) ExpandOption {
	return func(c *expandConfig) { c.replicaGroup = exists }
}

// Expanded is an application as the registry instantiates it and its nodes configure it.
type Expanded struct {
	Application string
	// Instance is the instantiated descriptor (IceGrid's ApplicationHelper::getInstance):
	// templates instantiated, variables substituted except ${node.*}, property sets flattened.
	Instance      *icegrid.ApplicationDescriptor
	Servers       []*Server // by id
	ReplicaGroups []icegrid.ReplicaGroupDescriptor
	Adapters      []Adapter // by id; replica groups are not adapters here
	Objects       []Object  // well-known objects, by identity
	Allocatables  []Object  // allocatable objects, by identity
	Warnings      []Warning
}

// Server is one deployed server.
type Server struct {
	ID          string
	Node        string
	Application string // the application that deploys it
	// Descriptor is the registry's instance of the server (what ServerInfo carries, ${node.*}
	// variables unresolved).
	Descriptor icegrid.Server
	// Config is the node's view: the node variables substituted and the configuration files
	// (nil from Instantiate).
	Config *ServerConfig
}

// Adapter is an object adapter of a server or of one of its IceBox services.
type Adapter struct {
	ID             string
	Name           string
	Server         string
	Service        string // "" for the server's own adapters
	ReplicaGroupID string
	Priority       string
	ServerLifetime bool
}

// Object is a well-known or allocatable object: registered with a proxy on its adapter, or on
// its replica group (Server is then "").
type Object struct {
	ID           encoding.Identity
	Type         string
	ProxyOptions string
	AdapterID    string
	Server       string
}

// Proxy returns the object's proxy as IceGrid registers it: `"identity" options @ "adapter"`,
// in the stringified form of Ice's proxyToString.
func (o Object) Proxy() string {
	id := `"` + reference.IdentityString(o.ID) + `"`
	s := id + " " + o.ProxyOptions + ` @ "` + o.AdapterID + `"`
	ref, err := reference.Parse(s, reference.Defaults{})
	if err != nil || ref == nil {
		if ref, err = reference.Parse(id+` @ "`+o.AdapterID+`"`, reference.Defaults{}); err != nil || ref == nil {
			return s
		}
	}
	return ref.String()
}

// Instantiate instantiates app as the registry does, without the node's pass: Server.Config
// is nil. Errors are *Error.
func Instantiate(app *icegrid.ApplicationDescriptor, opts ...ExpandOption) (*Expanded, error) {
	var cfg expandConfig
	for _, o := range opts {
		o(&cfg)
	}
	var inst *instantiated
	f := catchFailure(func() {
		inst = instantiateApp(app)
		checkReplicaGroups(inst, cfg.replicaGroup)
	})
	if f != nil {
		p := cfg.src.lookup(f.path)
		return nil, &Error{File: p.File, Line: p.Line, Msg: f.msg}
	}
	x := &Expanded{Application: app.Name, Instance: inst.instance, ReplicaGroups: inst.instance.ReplicaGroups}
	for _, w := range inst.warnings {
		p := cfg.src.lookup(appPath)
		x.Warnings = append(x.Warnings, Warning{File: p.File, Line: p.Line, Msg: w})
	}
	for _, name := range sortedKeys(inst.servers) {
		for _, s := range inst.servers[name] {
			x.addServer(s, name)
		}
	}
	for _, rg := range inst.instance.ReplicaGroups {
		for _, o := range rg.Objects {
			x.Objects = append(x.Objects, Object{ID: o.ID, Type: o.Type, ProxyOptions: o.ProxyOptions, AdapterID: rg.ID})
		}
	}
	x.sort()
	return x, nil
}

// Expand instantiates app and configures each server as its node would (Configure), with the
// node values of WithNode. Errors are *Error.
func Expand(app *icegrid.ApplicationDescriptor, opts ...ExpandOption) (*Expanded, error) {
	x, err := Instantiate(app, opts...)
	if err != nil {
		return nil, err
	}
	var cfg expandConfig
	for _, o := range opts {
		o(&cfg)
	}
	for _, s := range x.Servers {
		node := Node{Name: s.Node}
		if cfg.node != nil {
			node = cfg.node(s.Node)
			node.Name = s.Node
		}
		s.Config = Configure(x.Application, s.Descriptor, node, "")
	}
	return x, nil
}

func (x *Expanded) addServer(s *serverInstance, node string) {
	x.Servers = append(x.Servers, &Server{ID: s.id, Node: node, Application: x.Application, Descriptor: s.server})
	for _, ref := range communicators(s.server) {
		svc := ""
		if ref.service != nil {
			svc = ref.service.Name
		}
		for _, a := range ref.comm.Adapters {
			x.Adapters = append(x.Adapters, Adapter{ID: a.ID, Name: a.Name, Server: s.id, Service: svc,
				ReplicaGroupID: a.ReplicaGroupID, Priority: a.Priority, ServerLifetime: a.ServerLifetime})
			for _, o := range a.Objects {
				x.Objects = append(x.Objects, Object{ID: o.ID, Type: o.Type, ProxyOptions: o.ProxyOptions,
					AdapterID: a.ID, Server: s.id})
			}
			for _, o := range a.Allocatables {
				x.Allocatables = append(x.Allocatables, Object{ID: o.ID, Type: o.Type, ProxyOptions: o.ProxyOptions,
					AdapterID: a.ID, Server: s.id})
			}
		}
	}
}

func (x *Expanded) sort() {
	slices.SortFunc(x.Servers, func(a, b *Server) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(x.Adapters, func(a, b Adapter) int { return strings.Compare(a.ID, b.ID) })
	byID := func(a, b Object) int { return compareIdentities(objAt{id: a.ID}, objAt{id: b.ID}) }
	slices.SortStableFunc(x.Objects, byID)
	slices.SortStableFunc(x.Allocatables, byID)
}

// checkReplicaGroups is the registry's check that every replica group an adapter joins exists:
// in this application (compared with the ids as written, like IceGrid) or, through exists, in
// another one.
func checkReplicaGroups(inst *instantiated, exists func(string) bool) {
	own := map[string]bool{}
	for _, rg := range inst.def.ReplicaGroups {
		own[rg.ID] = true
	}
	var missing []idAt
	for _, node := range sortedKeys(inst.servers) {
		for _, s := range inst.servers[node] {
			for _, ref := range communicators(s.server) {
				for i, a := range ref.comm.Adapters {
					id := a.ReplicaGroupID
					if id != "" && !own[id] && (exists == nil || !exists(id)) {
						missing = append(missing, idAt{id, childPath(ref.path(s.path), "adapter", i)})
					}
				}
			}
		}
	}
	if len(missing) > 0 {
		slices.SortStableFunc(missing, compareIDs)
		failAt(missing[0].path, "couldn't find replica group `"+missing[0].id+"'")
	}
}
