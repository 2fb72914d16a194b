package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// CacheFile is the local copy of the replicated state that a ZooKeeper-mode replica keeps in
// its data directory, so that it can serve lookups when restarted during a ZooKeeper outage.
const CacheFile = "zk-cache.json"

type cacheJSON struct {
	Adapters     []json.RawMessage `json:"adapters"`
	Objects      []json.RawMessage `json:"objects"`
	Applications []json.RawMessage `json:"applications"`
}

// WriteCache writes snap to dir/CacheFile atomically (temp file, fsync, rename).
func WriteCache(dir string, snap *Snapshot) error {
	data, err := encodeCache(snap)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, CacheFile+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, CacheFile))
}

// encodeCache is the content of a cache file.
func encodeCache(snap *Snapshot) ([]byte, error) {
	var c cacheJSON
	for _, a := range snap.Adapters {
		b, err := MarshalAdapter(a)
		if err != nil {
			return nil, err
		}
		c.Adapters = append(c.Adapters, b)
	}
	for _, o := range snap.Objects {
		b, err := MarshalObject(o)
		if err != nil {
			return nil, err
		}
		c.Objects = append(c.Objects, b)
	}
	for _, a := range snap.Applications {
		b, err := MarshalApplication(a)
		if err != nil {
			return nil, err
		}
		c.Applications = append(c.Applications, b)
	}
	return json.Marshal(c)
}

// ReadCache reads dir/CacheFile; a missing file is an empty snapshot, a corrupt one an error.
func ReadCache(dir string) (*Snapshot, error) {
	data, err := os.ReadFile(filepath.Join(dir, CacheFile))
	if errors.Is(err, os.ErrNotExist) {
		return &Snapshot{}, nil
	}
	if err != nil {
		return nil, err
	}
	snap, err := decodeCache(data)
	if err != nil {
		return nil, fmt.Errorf("store: cache %s: %w", filepath.Join(dir, CacheFile), err)
	}
	return snap, nil
}

// decodeCache reads the content of a cache file; a record that does not decode is an error.
func decodeCache(data []byte) (*Snapshot, error) {
	var c cacheJSON
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	snap := &Snapshot{}
	for _, b := range c.Adapters {
		a, err := UnmarshalAdapter(b)
		if err != nil {
			return nil, err
		}
		snap.Adapters = append(snap.Adapters, a)
	}
	for _, b := range c.Objects {
		o, err := UnmarshalObject(b)
		if err != nil {
			return nil, err
		}
		snap.Objects = append(snap.Objects, o)
	}
	for _, b := range c.Applications {
		a, err := UnmarshalApplication(b)
		if err != nil {
			return nil, err
		}
		snap.Applications = append(snap.Applications, a)
	}
	return snap, nil
}
