package store

import (
	"context"
	"fmt"
	"time"

	"floe/ice/encoding"
)

// Observed wraps s so that every write reports its operation, duration and error to observe
// (for metrics). Load and Close pass through.
func Observed(s Store, observe func(op string, d time.Duration, err error)) Store {
	return &observed{Store: s, observe: observe}
}

type observed struct {
	Store
	observe func(op string, d time.Duration, err error)
}

func (o *observed) timed(op string, f func() error) error {
	start := time.Now()
	err := f()
	o.observe(op, time.Since(start), err)
	return err
}

func (o *observed) PutAdapter(ctx context.Context, a *Adapter) error {
	return o.timed("put_adapter", func() error { return o.Store.PutAdapter(ctx, a) })
}

func (o *observed) DeleteAdapter(ctx context.Context, id string) error {
	return o.timed("delete_adapter", func() error { return o.Store.DeleteAdapter(ctx, id) })
}

func (o *observed) PutObject(ctx context.Context, obj *Object) error {
	return o.timed("put_object", func() error { return o.Store.PutObject(ctx, obj) })
}

func (o *observed) DeleteObject(ctx context.Context, id encoding.Identity) error {
	return o.timed("delete_object", func() error { return o.Store.DeleteObject(ctx, id) })
}

// Get delegates to a Replicated store; other stores have no such read.
func (o *observed) Get(ctx context.Context, kind Kind, key string) (any, error) {
	if r, ok := o.Store.(Replicated); ok {
		return r.Get(ctx, kind, key)
	}
	return nil, fmt.Errorf("store: %T is not replicated", o.Store)
}

func (o *observed) PutApplication(ctx context.Context, a *Application) error {
	return o.timed("put_application", func() error { return o.Store.PutApplication(ctx, a) })
}

func (o *observed) DeleteApplication(ctx context.Context, name string) error {
	return o.timed("delete_application", func() error { return o.Store.DeleteApplication(ctx, name) })
}
