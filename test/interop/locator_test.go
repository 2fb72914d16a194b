package interop_test

import (
	"context"
	"sync"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/reference"
)

// locatorStub is a minimal Ice::Locator + Ice::LocatorRegistry in Go: servers register their
// adapters through it and clients resolve them.
type locatorStub struct {
	comm     *ice.Communicator
	registry *ice.Proxy

	mu       sync.Mutex
	adapters map[string]*reference.Reference
	objects  map[ice.Identity]*reference.Reference
}

func (l *locatorStub) IceID() string { return "::Ice::Locator" }

func (l *locatorStub) IceIDs() []string { return []string{"::Ice::Locator", "::Ice::Object"} }

func (l *locatorStub) Dispatch(_ context.Context, cur *ice.Current, in *encoding.Decoder, out *encoding.Encoder) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch cur.Operation {
	case "findAdapterById":
		ref := l.adapters[in.ReadString()]
		if ref == nil {
			return &ice.AdapterNotFoundException{}
		}
		reference.Write(out, ref)
	case "findObjectById":
		ref := l.objects[in.ReadIdentity()]
		if ref == nil {
			return &ice.ObjectNotFoundException{}
		}
		reference.Write(out, ref)
	case "getRegistry":
		ice.WriteProxy(out, l.registry)
	case "setAdapterDirectProxy":
		id := in.ReadString()
		l.setAdapter(id, reference.Read(in))
	case "setReplicatedAdapterDirectProxy":
		id := in.ReadString()
		in.ReadString()
		l.setAdapter(id, reference.Read(in))
	case "setServerProcessProxy":
		in.ReadString()
		reference.Read(in)
	default:
		return ice.ErrOperationNotExist
	}
	return nil
}

func (l *locatorStub) setAdapter(id string, ref *reference.Reference) {
	if ref == nil {
		delete(l.adapters, id)
		return
	}
	l.adapters[id] = ref
}

func (l *locatorStub) adapter(id string) *reference.Reference {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.adapters[id]
}

// startLocator serves the stub on 127.0.0.1 and returns its Locator proxy.
func startLocator(ctx context.Context, comm *ice.Communicator) (*locatorStub, *ice.Proxy, error) {
	a, err := comm.CreateObjectAdapterWithEndpoints("Locator", "tcp -h 127.0.0.1 -p 0")
	if err != nil {
		return nil, nil, err
	}
	l := &locatorStub{comm: comm, adapters: map[string]*reference.Reference{}, objects: map[ice.Identity]*reference.Reference{}}
	loc, err := a.Add(l, ice.Identity{Name: "Locator", Category: "Stub"})
	if err != nil {
		return nil, nil, err
	}
	if l.registry, err = a.Add(l, ice.Identity{Name: "LocatorRegistry", Category: "Stub"}); err != nil {
		return nil, nil, err
	}
	return l, loc, a.Activate(ctx)
}
