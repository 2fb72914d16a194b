package registry

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"

	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/store"
)

// AddBuiltinObject registers one of the registry's own objects (Locator, Query, …). It is
// served like any well-known object but never stored and cannot be removed.
func (r *Registry) AddBuiltinObject(o *store.Object) {
	r.mu.Lock()
	r.builtin[o.Identity] = true
	r.mu.Unlock()
	r.applyObject(o.Identity, o)
}

// FindObject answers Locator.findObjectById and Query.findObjectById.
func (r *Registry) FindObject(id encoding.Identity) (*reference.Reference, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if o := r.objects[id]; o != nil {
		return o.Proxy, nil
	}
	if o := r.dep.objects[id]; o != nil {
		return o.Proxy, nil
	}
	return nil, ErrObjectNotFound
}

// FindObjectsByType answers Query.findAllObjectsByType: the proxies of every object whose
// registered type equals t, in identity order.
func (r *Registry) FindObjectsByType(t string) []*reference.Reference {
	r.mu.RLock()
	defer r.mu.RUnlock()
	objs := map[encoding.Identity]*store.Object{}
	maps.Copy(objs, r.byType[t])
	for id, o := range r.dep.objects {
		if o.Type == t {
			objs[id] = o
		}
	}
	out := make([]*reference.Reference, 0, len(objs))
	ids := make([]encoding.Identity, 0, len(objs))
	for id := range objs {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b encoding.Identity) int {
		return strings.Compare(a.Category+"/"+a.Name, b.Category+"/"+b.Name)
	})
	for _, id := range ids {
		out = append(out, objs[id].Proxy)
	}
	return out
}

// FindObjectByType answers Query.findObjectByType: a random object of type t, or nil.
func (r *Registry) FindObjectByType(t string) *reference.Reference {
	all := r.FindObjectsByType(t)
	if len(all) == 0 {
		return nil
	}
	return all[rand.IntN(len(all))]
}

// Objects returns every well-known object, for listing.
func (r *Registry) Objects() []store.Object {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]store.Object, 0, len(r.objects)+len(r.dep.objects))
	for _, o := range r.objects {
		out = append(out, *o)
	}
	for _, o := range r.dep.objects {
		out = append(out, *o)
	}
	return out
}

// AddObject registers a well-known object (Admin.addObjectWithType); ErrObjectExists if the
// identity is taken.
func (r *Registry) AddObject(ctx context.Context, o *store.Object) error {
	return r.putObject(ctx, o, false)
}

// UpdateObject replaces the proxy of a registered object (Admin.updateObject).
func (r *Registry) UpdateObject(ctx context.Context, o *store.Object) error {
	return r.putObject(ctx, o, true)
}

func (r *Registry) putObject(ctx context.Context, o *store.Object, update bool) error {
	key := store.ObjectKey(o.Identity)
	if o.Identity.Name == "" || !store.ValidKey(key) || len(o.Type) > store.MaxKeyLen || !utf8.ValidString(o.Type) ||
		o.Proxy == nil || !store.ValidProxy(o.Proxy) {
		return fmt.Errorf("%w: object %.60q", ErrInvalidArgument, key)
	}
	unlock := r.lockKey('o', key)
	defer unlock()
	r.mu.RLock()
	old, exists := r.objects[o.Identity]
	builtin := r.builtin[o.Identity]
	r.mu.RUnlock()
	switch {
	case builtin:
		return fmt.Errorf("%w: %s is a registry object", ErrObjectExists, key)
	case exists && !update:
		return fmt.Errorf("%w: %s", ErrObjectExists, key)
	case !exists && update:
		return fmt.Errorf("%w: %s", ErrObjectNotFound, key)
	}
	if update && o.Type == "" {
		o.Type = old.Type
	}
	if err := r.store.PutObject(ctx, o); err != nil {
		return fmt.Errorf("registry: put object %s: %w", key, err)
	}
	r.applyObject(o.Identity, o)
	return nil
}

// RemoveObject unregisters a well-known object (Admin.removeObject).
func (r *Registry) RemoveObject(ctx context.Context, id encoding.Identity) error {
	key := store.ObjectKey(id)
	unlock := r.lockKey('o', key)
	defer unlock()
	r.mu.RLock()
	_, exists := r.objects[id]
	builtin := r.builtin[id]
	r.mu.RUnlock()
	if !exists {
		return fmt.Errorf("%w: %s", ErrObjectNotFound, key)
	}
	if builtin {
		return fmt.Errorf("%w: %s is a registry object", ErrInvalidArgument, key)
	}
	if err := r.store.DeleteObject(ctx, id); err != nil {
		return fmt.Errorf("registry: remove object %s: %w", key, err)
	}
	r.applyObject(id, nil)
	return nil
}

// applyObject sets (o != nil) or deletes an object in memory.
func (r *Registry) applyObject(id encoding.Identity, o *store.Object) {
	r.gen.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if old := r.objects[id]; old != nil {
		delete(r.byType[old.Type], id)
		if len(r.byType[old.Type]) == 0 {
			delete(r.byType, old.Type)
		}
	}
	if o == nil {
		delete(r.objects, id)
		return
	}
	r.objects[id] = o
	m := r.byType[o.Type]
	if m == nil {
		m = map[encoding.Identity]*store.Object{}
		r.byType[o.Type] = m
	}
	m[id] = o
}
