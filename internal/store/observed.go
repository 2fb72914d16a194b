package store

import (
	"context"
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
