package store

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// recordSeeds are records as the registry writes them, and near misses.
var recordSeeds = []string{
	`{"id":"HelloAdapter","proxy":"dummy -t -e 1.1:tcp -h 127.0.0.1 -p 5000 -t 60000"}`,
	`{"id":"A","replicaGroupId":"RG","proxy":"dummy -t -e 1.1:tcp -h ::1 -p 1 -t 60000:udp -h 239.0.0.1 -p 2"}`,
	`{"identity":"hello","type":"::Demo::Hello","proxy":"hello -t -e 1.1 @ HelloAdapter"}`,
	`{"identity":"cat/na\\/me","type":"","proxy":"\"cat/na\\\\/me\" -t -e 1.1:ws -h h -p 1 -r /x"}`,
	`{"name":"A","revision":3,"descriptor":"<icegrid><application name=\"A\"/></icegrid>"}`,
	`{"id":".","proxy":"x:tcp -p 1"}`, `{"id":"a\u0000b","proxy":"x"}`, `{"identity":"/x","proxy":"x"}`,
	`{"id":"A","proxy":""}`, `{"id":"A","proxy":"x @ "}`, `{"name":"..","revision":1}`, `null`, `[]`, `{"id":7}`,
}

func sameAdapter(a, b *Adapter) bool {
	return a.ID == b.ID && a.ReplicaGroup == b.ReplicaGroup && a.Proxy.String() == b.Proxy.String()
}

func sameObject(a, b *Object) bool {
	return a.Identity == b.Identity && a.Type == b.Type && a.Proxy.String() == b.Proxy.String()
}

func sameApplication(a, b *Application) bool {
	return a.Name == b.Name && a.Revision == b.Revision && bytes.Equal(a.Descriptor, b.Descriptor)
}

// roundTrip checks that a decoded record encodes, decodes back equal, and encodes to the same
// bytes again.
func roundTrip[T any](t *testing.T, v T, marshal func(T) ([]byte, error), unmarshal func([]byte) (T, error), same func(T, T) bool) {
	t.Helper()
	b, err := marshal(v)
	if err != nil {
		t.Fatalf("%+v decoded but does not encode: %v", v, err)
	}
	back, err := unmarshal(b)
	if err != nil || !same(v, back) {
		t.Fatalf("%+v encodes as %s, which decodes as %+v, %v", v, b, back, err)
	}
	if again, _ := marshal(back); !bytes.Equal(again, b) {
		t.Fatalf("encoding is not stable: %s, then %s", b, again)
	}
}

// FuzzRecords decodes arbitrary bytes as each kind of record (znode contents, bolt values).
// Errors say "store: "; a record that decodes is one the registry would write (valid keys) and
// survives Marshal and Unmarshal unchanged.
func FuzzRecords(f *testing.F) {
	for _, s := range recordSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkErr := func(err error) {
			if err != nil && !strings.HasPrefix(err.Error(), "store: ") {
				t.Fatalf("error %q does not say store", err)
			}
		}
		if a, err := UnmarshalAdapter(data); err == nil {
			if !ValidKey(a.ID) || a.ReplicaGroup != "" && !ValidKey(a.ReplicaGroup) || a.Proxy == nil {
				t.Fatalf("UnmarshalAdapter(%q) = %+v", data, a)
			}
			roundTrip(t, a, MarshalAdapter, UnmarshalAdapter, sameAdapter)
		} else {
			checkErr(err)
		}
		if o, err := UnmarshalObject(data); err == nil {
			if o.Identity.Name == "" || !ValidKey(ObjectKey(o.Identity)) || len(o.Type) > MaxKeyLen || o.Proxy == nil {
				t.Fatalf("UnmarshalObject(%q) = %+v", data, o)
			}
			roundTrip(t, o, MarshalObject, UnmarshalObject, sameObject)
		} else {
			checkErr(err)
		}
		if a, err := UnmarshalApplication(data); err == nil {
			if !ValidKey(a.Name) {
				t.Fatalf("UnmarshalApplication(%q) = %+v", data, a)
			}
			roundTrip(t, a, MarshalApplication, UnmarshalApplication, sameApplication)
		} else {
			checkErr(err)
		}
	})
}

// FuzzMarshalApplication: an application record either does not encode, with an error, or
// decodes back byte for byte (JSON would silently replace bytes that are not UTF-8).
func FuzzMarshalApplication(f *testing.F) {
	f.Add("A", []byte(`<icegrid><application name="A"/></icegrid>`), 1)
	f.Add("B", []byte("<icegrid><!-- caf\xe9 --><application name=\"B\"/></icegrid>"), 2)
	f.Add("\u00e9", []byte("\x00\"\\</script>\u2028"), -1)
	f.Fuzz(func(t *testing.T, name string, descriptor []byte, revision int) {
		if !ValidKey(name) {
			return
		}
		a := &Application{Name: name, Descriptor: descriptor, Revision: revision}
		b, err := MarshalApplication(a)
		if err != nil {
			if utf8.Valid(descriptor) {
				t.Fatalf("MarshalApplication(%q): %v", descriptor, err)
			}
			return
		}
		back, err := UnmarshalApplication(b)
		if err != nil || !sameApplication(a, back) {
			t.Fatalf("MarshalApplication(%+v) = %s, which decodes as %+v, %v", a, b, back, err)
		}
	})
}

// FuzzCache reads arbitrary cache files (the local copy a ZooKeeper-mode replica keeps): one
// that decodes writes back to a file that decodes to the same snapshot.
func FuzzCache(f *testing.F) {
	f.Add([]byte(`{"adapters":[` + recordSeeds[0] + `,` + recordSeeds[1] + `],"objects":[` + recordSeeds[2] + `,` +
		recordSeeds[3] + `],"applications":[` + recordSeeds[4] + `]}`))
	f.Add([]byte(`{"adapters":null,"objects":[],"applications":[null]}`))
	f.Add([]byte(`{"adapters":[{"id":"A","proxy":"x"}],"objects":[{"identity":"","proxy":"x"}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		snap, err := decodeCache(data)
		if err != nil {
			return
		}
		b, err := encodeCache(snap)
		if err != nil {
			t.Fatalf("decoded cache %+v does not encode: %v", snap, err)
		}
		back, err := decodeCache(b)
		if err != nil || !slices.EqualFunc(snap.Adapters, back.Adapters, sameAdapter) ||
			!slices.EqualFunc(snap.Objects, back.Objects, sameObject) ||
			!slices.EqualFunc(snap.Applications, back.Applications, sameApplication) {
			t.Fatalf("cache %s decodes as %+v, written back as %s, which decodes as %+v, %v", data, snap, b, back, err)
		}
	})
}
