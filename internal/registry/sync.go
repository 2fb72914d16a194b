package registry

import (
	"context"
	"errors"
	"maps"
	"time"

	"floe/ice/reference"
	"floe/internal/descriptor"
	"floe/internal/store"
)

// syncTimeout bounds one re-read of a changed record.
const syncTimeout = 10 * time.Second

func kindByte(k store.Kind) byte {
	switch k {
	case store.KindAdapter:
		return 'a'
	case store.KindObject:
		return 'o'
	default:
		return 'p'
	}
}

// Changed implements store.SyncHandler: it re-reads kind/key from the replicated store and
// applies it. A record that does not decode or validate is not applied — the last good version
// keeps serving — and is reported by Invalid.
func (r *Registry) Changed(kind store.Kind, key string) error {
	rs, ok := r.store.(store.Replicated)
	if !ok {
		return nil
	}
	unlock := r.lockKey(kindByte(kind), key)
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
	defer cancel()
	v, err := rs.Get(ctx, kind, key)
	if err != nil {
		if errors.Is(err, store.ErrInvalidRecord) {
			r.setInvalid(kind, key, err)
			return nil
		}
		return err
	}
	r.applyRecord(kind, key, v)
	return nil
}

// applyRecord applies a record read from the store (nil: deleted).
func (r *Registry) applyRecord(kind store.Kind, key string, v any) {
	switch kind {
	case store.KindAdapter:
		a, _ := v.(*store.Adapter)
		r.applyAdapter(key, a)
	case store.KindObject:
		id, err := reference.ParseIdentity(key)
		if err != nil {
			r.setInvalid(kind, key, err)
			return
		}
		o, _ := v.(*store.Object)
		r.applyObject(id, o)
	case store.KindApplication:
		a, _ := v.(*store.Application)
		var x *descriptor.Expanded
		if a != nil {
			name, xx, err := r.validate(a.Descriptor)
			if err == nil && name != a.Name {
				err = &DescriptorError{Reason: "descriptor names application " + name + ", stored as " + a.Name}
			}
			if err != nil {
				r.setInvalid(kind, key, err)
				return
			}
			x = xx
		}
		r.applyApplication(key, a, x)
	}
	r.clearInvalid(kind, key)
}

// Resync implements store.SyncHandler: snap replaces what the registry holds.
func (r *Registry) Resync(snap *store.Snapshot) {
	defer r.resyncOnce.Do(func() { close(r.resynced) })
	seen := map[string]bool{}
	apply := func(kind store.Kind, key string, v any) {
		seen[string(kind)+"/"+key] = true
		unlock := r.lockKey(kindByte(kind), key)
		r.applyRecord(kind, key, v)
		unlock()
	}
	for _, a := range snap.Adapters {
		apply(store.KindAdapter, a.ID, a)
	}
	for _, o := range snap.Objects {
		apply(store.KindObject, store.ObjectKey(o.Identity), o)
	}
	for _, a := range snap.Applications {
		apply(store.KindApplication, a.Name, a)
	}
	for k, err := range snap.Invalid {
		seen[k] = true
		r.mu.Lock()
		r.invalid[k] = err.Error()
		r.mu.Unlock()
	}
	for _, k := range r.keys() {
		if !seen[string(k.kind)+"/"+k.key] {
			apply(k.kind, k.key, nil)
		}
	}
}

type recordKey struct {
	kind store.Kind
	key  string
}

// keys lists every stored (non-builtin) record the registry holds.
func (r *Registry) keys() []recordKey {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []recordKey
	for id := range r.adapters {
		out = append(out, recordKey{store.KindAdapter, id})
	}
	if _, ok := r.store.(store.Replicated); ok { // deployed endpoints learnt from peers too
		for id, a := range r.dep.adapters {
			if a.proxy != nil && !a.local {
				out = append(out, recordKey{store.KindAdapter, id})
			}
		}
	}
	for id := range r.objects {
		if !r.builtin[id] {
			out = append(out, recordKey{store.KindObject, store.ObjectKey(id)})
		}
	}
	for name := range r.apps {
		out = append(out, recordKey{store.KindApplication, name})
	}
	return out
}

func (r *Registry) setInvalid(kind store.Kind, key string, err error) {
	r.mu.Lock()
	k := string(kind) + "/" + key
	changed := r.invalid[k] != err.Error()
	r.invalid[k] = err.Error()
	r.mu.Unlock()
	if changed {
		r.cfg.Log.Warn("stored record not applied; the last good version keeps serving", "kind", kind, "key", key, "err", err)
	}
}

func (r *Registry) clearInvalid(kind store.Kind, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.invalid, string(kind)+"/"+key)
}

// Invalid returns the stored records that were not applied, "kind/key" → why.
func (r *Registry) Invalid() map[string]string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return maps.Clone(r.invalid)
}

// Resynced is closed after the first Resync.
func (r *Registry) Resynced() <-chan struct{} { return r.resynced }

// Snapshot returns the stored state the registry holds (not its own built-in objects), for a
// local cache.
func (r *Registry) Snapshot() *store.Snapshot {
	r.mu.RLock()
	defer r.mu.RUnlock()
	snap := &store.Snapshot{}
	for _, a := range r.adapters {
		snap.Adapters = append(snap.Adapters, a)
	}
	for id, o := range r.objects {
		if !r.builtin[id] {
			snap.Objects = append(snap.Objects, o)
		}
	}
	for _, a := range r.apps {
		snap.Applications = append(snap.Applications, a)
	}
	return snap
}
