// Package bolt is the embedded store of a standalone registry: a bbolt database file in the data
// directory (IceGrid.Registry.LMDB.Path). Every Put and Delete is one fsynced transaction, so an
// acknowledged registration survives kill -9; concurrent writers are coalesced with bbolt's
// Batch. A file that is not a Floe database, or a record that does not decode, is an error at
// Open/Load — never a silent reset.
package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"floe/ice/encoding"
	"floe/internal/store"
)

// FileName is the database file inside the data directory.
const FileName = "floe.db"

const formatVersion = "1"

var (
	bucketMeta     = []byte("meta")
	bucketAdapters = []byte("adapters")
	bucketObjects  = []byte("objects")
	bucketApps     = []byte("applications")
	keyFormat      = []byte("format")
)

// Store is a store.Store on a bbolt file.
type Store struct {
	db    *bbolt.DB
	group groupCommit
}

// commit applies changes in one transaction.
func (s *Store) commit(changes []change) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		for _, c := range changes {
			b := tx.Bucket(c.bucket)
			var err error
			if c.value == nil {
				err = b.Delete(c.key)
			} else {
				err = b.Put(c.key, c.value)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

var _ store.Store = (*Store)(nil)

// Open opens or creates the database in dir (created if missing). It refuses a directory that
// holds an IceGrid LMDB database, a file that is not a bbolt database, and a bbolt database that
// Floe did not create.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bolt: data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(filepath.Join(dir, "data.mdb")); err == nil {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("bolt: %s holds an IceGrid LMDB database (data.mdb), which Floe cannot read; "+
				"point IceGrid.Registry.LMDB.Path at a new directory and re-register or redeploy", dir)
		}
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	s := &Store{db: db}
	if err := s.init(path); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// init creates the buckets of a new database or checks the format of an existing one.
func (s *Store) init(path string) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			empty := true
			_ = tx.ForEach(func([]byte, *bbolt.Bucket) error { empty = false; return nil })
			if !empty {
				return fmt.Errorf("bolt: %s is a bbolt database that Floe did not create", path)
			}
			var err error
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			if err := meta.Put(keyFormat, []byte(formatVersion)); err != nil {
				return err
			}
		}
		if v := string(meta.Get(keyFormat)); v != formatVersion {
			return fmt.Errorf("bolt: %s has format %q, this Floe reads %q", path, v, formatVersion)
		}
		for _, b := range [][]byte{bucketAdapters, bucketObjects, bucketApps} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// Load reads every record.
func (s *Store) Load(_ context.Context) (*store.Snapshot, error) {
	snap := &store.Snapshot{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		err := tx.Bucket(bucketAdapters).ForEach(func(k, v []byte) error {
			a, err := store.UnmarshalAdapter(v)
			if err != nil {
				return fmt.Errorf("adapter %q: %w", k, err)
			}
			snap.Adapters = append(snap.Adapters, a)
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Bucket(bucketObjects).ForEach(func(k, v []byte) error {
			o, err := store.UnmarshalObject(v)
			if err != nil {
				return fmt.Errorf("object %q: %w", k, err)
			}
			snap.Objects = append(snap.Objects, o)
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketApps).ForEach(func(k, v []byte) error {
			a, err := store.UnmarshalApplication(v)
			if err != nil {
				return fmt.Errorf("application %q: %w", k, err)
			}
			snap.Applications = append(snap.Applications, a)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: load: %w", err)
	}
	return snap, nil
}

// write runs one change durably. Writes are group-committed: the first writer commits at once
// and writes that arrive meanwhile share the next transaction, so one fsync serves many
// concurrent registrations without delaying a lone one.
func (s *Store) write(ctx context.Context, bucket []byte, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.group.do(change{bucket: bucket, key: []byte(key), value: value}, s.commit)
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("bolt: %w: %w", store.ErrUnavailable, err)
	}
	if err != nil {
		return fmt.Errorf("bolt: write %s/%q: %w: %w", bucket, key, store.ErrUnavailable, err)
	}
	return nil
}

// PutAdapter stores a dynamically registered adapter.
func (s *Store) PutAdapter(ctx context.Context, a *store.Adapter) error {
	v, err := store.MarshalAdapter(a)
	if err != nil {
		return err
	}
	return s.write(ctx, bucketAdapters, a.ID, v)
}

// DeleteAdapter removes an adapter; removing a missing one is not an error.
func (s *Store) DeleteAdapter(ctx context.Context, id string) error {
	return s.write(ctx, bucketAdapters, id, nil)
}

// PutObject stores a well-known object.
func (s *Store) PutObject(ctx context.Context, o *store.Object) error {
	v, err := store.MarshalObject(o)
	if err != nil {
		return err
	}
	return s.write(ctx, bucketObjects, store.ObjectKey(o.Identity), v)
}

// DeleteObject removes an object; removing a missing one is not an error.
func (s *Store) DeleteObject(ctx context.Context, id encoding.Identity) error {
	return s.write(ctx, bucketObjects, store.ObjectKey(id), nil)
}

// PutApplication stores an application.
func (s *Store) PutApplication(ctx context.Context, a *store.Application) error {
	v, err := store.MarshalApplication(a)
	if err != nil {
		return err
	}
	return s.write(ctx, bucketApps, a.Name, v)
}

// DeleteApplication removes an application; removing a missing one is not an error.
func (s *Store) DeleteApplication(ctx context.Context, name string) error {
	return s.write(ctx, bucketApps, name, nil)
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
