// Package store defines what a registry keeps durably — dynamically registered adapters and
// well-known objects (applications come with the descriptor work) — and the Store interface that
// holds them. Records are JSON, the same bytes in every implementation: the embedded bbolt store
// of a standalone registry (store/bolt) and ZooKeeper (SPEC.md §5). The package has no I/O of its
// own; the registry package decides what to write and when.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// ErrUnavailable is wrapped by errors that mean the store cannot take writes right now (closed,
// disk failure, no quorum). Callers map it to "service unavailable".
var ErrUnavailable = errors.New("store unavailable")

// ErrConflict is wrapped by errors about a write based on a stale version of a record (someone
// else changed it meanwhile): re-read and retry.
var ErrConflict = errors.New("store: conflicting change")

// ErrInvalidRecord is wrapped by errors about a stored record that does not decode or validate.
var ErrInvalidRecord = errors.New("invalid record")

// Adapter is a dynamically registered object adapter: what a server sent with
// setAdapterDirectProxy or setReplicatedAdapterDirectProxy.
type Adapter struct {
	ID           string
	ReplicaGroup string               // "" when the adapter is not in a replica group
	Proxy        *reference.Reference // the direct proxy registered; never nil in the store
}

// Object is a well-known object.
type Object struct {
	Identity encoding.Identity
	Type     string
	Proxy    *reference.Reference
}

// Application is a deployed application: its IceGrid XML descriptor, as text, and its
// revision (1 for the first version, +1 per update).
type Application struct {
	Name       string
	Descriptor []byte
	Revision   int
}

// Snapshot is everything a store holds, as loaded at start.
type Snapshot struct {
	Adapters     []*Adapter
	Objects      []*Object
	Applications []*Application
	// Invalid lists records that did not decode, by "kind/key"; they are left out above.
	Invalid map[string]error
}

// Kind names a kind of record.
type Kind string

// The kinds of records.
const (
	KindAdapter     Kind = "adapter"
	KindObject      Kind = "object"
	KindApplication Kind = "application"
)

// ErrNotMaster is returned by a replicated store for a write only the master may make
// (applications) when this replica is not the master. ErrNoMaster: no replica is.
var (
	ErrNotMaster = errors.New("store: not the master")
	ErrNoMaster  = errors.New("store: there is no master")
)

// Store keeps registry state durably. A nil error from a Put or Delete means the change is
// durable (fsynced or acknowledged by a quorum). Implementations are safe for concurrent use.
type Store interface {
	// Load returns everything stored. A record that does not decode is an error that names it.
	Load(ctx context.Context) (*Snapshot, error)
	PutAdapter(ctx context.Context, a *Adapter) error
	DeleteAdapter(ctx context.Context, id string) error
	PutObject(ctx context.Context, o *Object) error
	DeleteObject(ctx context.Context, id encoding.Identity) error
	// PutApplication stores an application; in a replicated store only the master may.
	PutApplication(ctx context.Context, a *Application) error
	DeleteApplication(ctx context.Context, name string) error
	Close() error
}

// Replicated is a Store shared by several registry replicas (ZooKeeper): changes made through
// any replica, or directly in the store, reach every replica through a SyncHandler.
type Replicated interface {
	Store
	// Get reads one record (and keeps watching it): nil with a nil error if it does not exist.
	// The result is *Adapter, *Object or *Application.
	Get(ctx context.Context, kind Kind, key string) (any, error)
}

// SyncHandler receives what changed in a replicated store.
type SyncHandler interface {
	// Changed reports that the record kind/key may have changed: re-read it with Get. An error
	// means the record could not be read (the store then resyncs, so nothing is missed).
	Changed(kind Kind, key string) error
	// Resync hands over a full, fresh read after (re)connecting, when events may have been
	// missed.
	Resync(snap *Snapshot)
}

// adapterJSON and objectJSON are the record formats (SPEC.md §5). Proxies are stringified.
type adapterJSON struct {
	ID           string `json:"id"`
	ReplicaGroup string `json:"replicaGroupId,omitempty"`
	Proxy        string `json:"proxy"`
}

type objectJSON struct {
	Identity string `json:"identity"`
	Type     string `json:"type"`
	Proxy    string `json:"proxy"`
}

// MaxKeyLen bounds adapter ids, identities and types, as IceGrid's 511-byte LMDB keys.
const MaxKeyLen = 511

// recordDefaults parse stored proxies; stored strings always carry explicit options.
var recordDefaults = reference.Defaults{Timeout: 60000, Encoding: encoding.Encoding11, Protocol: "tcp"}

// MarshalAdapter encodes a record. Its strings must be UTF-8 (see marshal).
func MarshalAdapter(a *Adapter) ([]byte, error) {
	if a.Proxy == nil {
		return nil, fmt.Errorf("store: adapter %q without a proxy", a.ID)
	}
	j := adapterJSON{ID: a.ID, ReplicaGroup: a.ReplicaGroup, Proxy: a.Proxy.String()}
	return marshal("adapter "+strconv.Quote(a.ID), j, j.ID, j.ReplicaGroup, j.Proxy)
}

// marshal encodes the record v, whose strings are strs, unless one is not UTF-8: JSON would
// replace its bytes, and the record read back would not be the one written.
func marshal(what string, v any, strs ...string) ([]byte, error) {
	for _, s := range strs {
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("store: %s: %.80q is not UTF-8", what, s)
		}
	}
	return json.Marshal(v)
}

// parseProxy parses a record's proxy; a null one, or one that does not marshal back, is an
// error.
func parseProxy(s string) (*reference.Reference, error) {
	p, err := reference.Parse(s, recordDefaults)
	switch {
	case err != nil:
		return nil, fmt.Errorf("bad proxy %.80q: %w", s, err)
	case p == nil:
		return nil, fmt.Errorf("bad proxy %.80q: null proxy", s)
	case !ValidProxy(p):
		return nil, fmt.Errorf("bad proxy %.80q: not UTF-8 once parsed", s)
	}
	return p, nil
}

// UnmarshalAdapter decodes and validates a record: what it accepts is what the registry writes
// (ids and replica group ids that are valid keys, a proxy).
func UnmarshalAdapter(b []byte) (*Adapter, error) {
	var j adapterJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("store: adapter record: %w", err)
	}
	if !ValidKey(j.ID) {
		return nil, fmt.Errorf("store: adapter record: bad id %.40q", j.ID)
	}
	if j.ReplicaGroup != "" && !ValidKey(j.ReplicaGroup) {
		return nil, fmt.Errorf("store: adapter %q: bad replica group id %.40q", j.ID, j.ReplicaGroup)
	}
	p, err := parseProxy(j.Proxy)
	if err != nil {
		return nil, fmt.Errorf("store: adapter %q: %w", j.ID, err)
	}
	return &Adapter{ID: j.ID, ReplicaGroup: j.ReplicaGroup, Proxy: p}, nil
}

// MarshalObject encodes a record. Its strings must be UTF-8 (see marshal).
func MarshalObject(o *Object) ([]byte, error) {
	if o.Proxy == nil {
		return nil, fmt.Errorf("store: object %q without a proxy", reference.IdentityString(o.Identity))
	}
	j := objectJSON{Identity: reference.IdentityString(o.Identity), Type: o.Type, Proxy: o.Proxy.String()}
	return marshal("object "+strconv.Quote(j.Identity), j, j.Identity, j.Type, j.Proxy)
}

// UnmarshalObject decodes and validates a record: what it accepts is what the registry writes
// (an identity with a name whose key is valid, a type of at most MaxKeyLen bytes, a proxy).
func UnmarshalObject(b []byte) (*Object, error) {
	var j objectJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("store: object record: %w", err)
	}
	id, err := reference.ParseIdentity(j.Identity)
	if err != nil || id.Name == "" || !ValidKey(ObjectKey(id)) {
		return nil, fmt.Errorf("store: object record: bad identity %.80q", j.Identity)
	}
	if len(j.Type) > MaxKeyLen {
		return nil, fmt.Errorf("store: object %q: type of %d bytes, more than %d", j.Identity, len(j.Type), MaxKeyLen)
	}
	p, err := parseProxy(j.Proxy)
	if err != nil {
		return nil, fmt.Errorf("store: object %q: %w", j.Identity, err)
	}
	return &Object{Identity: id, Type: j.Type, Proxy: p}, nil
}

// ValidProxy reports whether a record can keep p: its string is UTF-8 (an identity, adapter id
// or host from the Ice wire may not be).
func ValidProxy(p *reference.Reference) bool { return utf8.ValidString(p.String()) }

// ObjectKey is the key of an object record: its stringified identity.
func ObjectKey(id encoding.Identity) string { return reference.IdentityString(id) }

// ValidKey reports whether s can be a key (adapter id, identity) in every store: not empty, at
// most MaxKeyLen bytes, valid as a ZooKeeper node name, UTF-8 (records are JSON).
func ValidKey(s string) bool {
	return s != "" && len(s) <= MaxKeyLen && s != "." && s != ".." && !strings.ContainsAny(s, "\x00") &&
		utf8.ValidString(s)
}

// MaxApplicationSize bounds a descriptor so that it fits in one ZooKeeper znode (1 MB limit
// with room for the request around it).
const MaxApplicationSize = 1000 * 1024

type applicationJSON struct {
	Name       string `json:"name"`
	Revision   int    `json:"revision"`
	Descriptor string `json:"descriptor"`
}

// MarshalApplication encodes an application record for stores that keep JSON (bolt); ZooKeeper
// keeps the descriptor text itself (SPEC.md §5). The name and descriptor must be UTF-8 (see
// marshal).
func MarshalApplication(a *Application) ([]byte, error) {
	j := applicationJSON{Name: a.Name, Revision: a.Revision, Descriptor: string(a.Descriptor)}
	return marshal("application "+strconv.Quote(a.Name), j, j.Name, j.Descriptor)
}

// UnmarshalApplication decodes an application record.
func UnmarshalApplication(b []byte) (*Application, error) {
	var j applicationJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("store: application record: %w", err)
	}
	if !ValidKey(j.Name) {
		return nil, fmt.Errorf("store: application record: bad name %.40q", j.Name)
	}
	return &Application{Name: j.Name, Revision: j.Revision, Descriptor: []byte(j.Descriptor)}, nil
}
