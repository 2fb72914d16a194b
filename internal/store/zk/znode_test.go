package zk

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/go-zookeeper/zk"

	"floe/internal/store"
)

// FuzzZnodes decodes arbitrary znode contents, which any ZooKeeper client could write: records
// under a key (data[0] picks the kind), /Registrys/<name> and /Master. A record that does not
// decode is a "zk: " error wrapping store.ErrInvalidRecord; one that does is the record of its
// key. A member is listed under its znode's name; /Master that does not decode names no master,
// and one that does survives Marshal and Unmarshal.
func FuzzZnodes(f *testing.F) {
	for _, s := range []struct {
		key  string
		data string
	}{
		{"A", "\x00" + `{"id":"A","replicaGroupId":"RG","proxy":"dummy -t -e 1.1:tcp -h 127.0.0.1 -p 1 -t 60000"}`},
		{"B", "\x00" + `{"id":"A","proxy":"dummy:tcp -p 1"}`},
		{"cat/hello", "\x01" + `{"identity":"cat/hello","type":"::Demo::Hello","proxy":"cat/hello -t -e 1.1 @ A"}`},
		{"App", "\x02<icegrid><application name=\"App\"/></icegrid>"},
		{"Master", `{"name":"Master","client":"tcp -h 127.0.0.1 -p 4061","server":"tcp -h 127.0.0.1 -p 4062",` +
			`"http":"127.0.0.1:4080","startedAt":"2025-01-02T03:04:05Z","bootId":"b"}`},
		{"R1", `{"name":"Master","epoch":"7","http":"h:1"}`},
		{"R2", `{"name":"R2","epoch":7,"http":"127.0.0.1:4081"}`},
		{"x", ""},
	} {
		f.Add(s.key, []byte(s.data), int32(0))
	}
	f.Fuzz(func(t *testing.T, key string, data []byte, version int32) {
		if len(data) > 0 {
			kind := []store.Kind{store.KindAdapter, store.KindObject, store.KindApplication}[int(data[0])%3]
			checkRecord(t, kind, key, data[1:], version)
		}
		if m := decodeMember(key, data); m.Name != key {
			t.Fatalf("decodeMember(%q, %q) = %+v, not named after the znode", key, data, m)
		}
		m, err := decodeMaster(data)
		if err != nil {
			if m != (MasterInfo{}) {
				t.Fatalf("decodeMaster(%q) = %+v, %v; want no master", data, m, err)
			}
			return
		}
		b, _ := json.Marshal(m)
		if back, err := decodeMaster(b); err != nil || back != m {
			t.Fatalf("decodeMaster(%q) = %+v, written back as %s, which decodes as %+v, %v", data, m, b, back, err)
		}
	})
}

func checkRecord(t *testing.T, kind store.Kind, key string, data []byte, version int32) {
	t.Helper()
	v, err := decode(kind, key, data, &zk.Stat{Version: version})
	if err != nil {
		if v != nil || !errors.Is(err, store.ErrInvalidRecord) || !strings.HasPrefix(err.Error(), "zk: ") {
			t.Fatalf("decode(%s, %q, %q) = %v, %v", kind, key, data, v, err)
		}
		return
	}
	switch r := v.(type) {
	case *store.Adapter:
		if kind != store.KindAdapter || r.ID != key {
			t.Fatalf("decode(%s, %q) = adapter %+v", kind, key, r)
		}
	case *store.Object:
		if kind != store.KindObject || store.ObjectKey(r.Identity) != key {
			t.Fatalf("decode(%s, %q) = object %+v", kind, key, r)
		}
	case *store.Application:
		if kind != store.KindApplication || r.Name != key || r.Revision != int(version)+1 || !bytes.Equal(r.Descriptor, data) {
			t.Fatalf("decode(%s, %q, %q, %d) = application %+v", kind, key, data, version, r)
		}
	default:
		t.Fatalf("decode(%s, %q) = %T", kind, key, v)
	}
}

// TestMemberNamedAfterZnode: a /Registrys/<name> znode whose content named another replica was
// listed under that name (two entries could then claim to be the master).
func TestMemberNamedAfterZnode(t *testing.T) {
	m := decodeMember("R1", []byte(`{"name":"Master","client":"tcp -p 1"}`))
	if m.Name != "R1" || m.Client != "tcp -p 1" {
		t.Errorf("decodeMember(R1, names Master) = %+v, want R1 with its client endpoints", m)
	}
}

// TestMasterPartlyDecoded: /Master with a field of the wrong type left the name of the other
// fields, with epoch 0; it names no master.
func TestMasterPartlyDecoded(t *testing.T) {
	if m, err := decodeMaster([]byte(`{"name":"R1","epoch":"7","http":"h:1"}`)); err == nil || m != (MasterInfo{}) {
		t.Errorf("decodeMaster(epoch as a string) = %+v, %v; want no master and an error", m, err)
	}
}
