package icegrid

import (
	"reflect"
	"slices"

	"floe/ice/encoding"
)

// Minimal encoded sizes, used to check sequence and dictionary counts against the bytes left
// before allocating (ice-protocol.md §1.4).
const (
	minRef                    = 1 // a class reference (1.1 size; a 1.0 reference is 4 bytes)
	minPropertyDescriptor     = 2
	minPropertySetDescriptor  = 2
	minObjectDescriptor       = 4
	minAdapterDescriptor      = 9
	minDbEnvDescriptor        = 4
	minServerInstance         = 5
	minServiceInstance        = 5
	minTemplateDescriptor     = 3
	minNodeDescriptor         = 6
	minReplicaGroupDescriptor = 6
	minNodeUpdateDescriptor   = 10
)

// writeSeq writes a sequence of structs.
func writeSeq[T any](e *encoding.Encoder, s []T, write func(*T, *encoding.Encoder)) {
	e.WriteSize(len(s))
	for i := range s {
		write(&s[i], e)
	}
}

// readSeq reads a sequence of structs in place (class members are set into the elements later
// in 1.0, so the elements never move). An empty sequence reads as nil.
func readSeq[T any](d *encoding.Decoder, minSize int, read func(*T, *encoding.Decoder)) []T {
	n := d.ReadCount(minSize)
	if n == 0 {
		return nil
	}
	s := make([]T, n)
	for i := range s {
		read(&s[i], d)
	}
	return s
}

// writeDict writes a dictionary<string, T> with its keys sorted, as C++ Ice does.
func writeDict[T any](e *encoding.Encoder, m map[string]T, write func(*T, *encoding.Encoder)) {
	e.WriteSize(len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		e.WriteString(k)
		v := m[k]
		write(&v, e)
	}
}

// readDict reads a dictionary<string, T> whose values hold no direct class member (copying a
// value into the map would lose a class member set later). An empty dictionary reads as nil.
func readDict[T any](d *encoding.Decoder, minSize int, read func(*T, *encoding.Decoder)) map[string]T {
	n := d.ReadCount(1 + minSize)
	if n == 0 {
		return nil
	}
	m := make(map[string]T, n)
	for range n {
		k := d.ReadString()
		var v T
		read(&v, d)
		m[k] = v
	}
	return m
}

// writeValues writes a sequence of class references.
func writeValues[T encoding.Value](e *encoding.Encoder, s []T) {
	e.WriteSize(len(s))
	for _, v := range s {
		e.WriteValue(v)
	}
}

// readValues reads a sequence of class references of type T.
func readValues[T encoding.Value](d *encoding.Decoder) []T {
	n := d.ReadCount(minRef)
	if n == 0 {
		return nil
	}
	s := make([]T, n)
	for i := range s {
		encoding.ReadValueInto(d, &s[i])
	}
	return s
}

// valueAs converts an instance handed to a ReadValue callback to T (zero for null), failing the
// decoder if it is of another type.
func valueAs[T encoding.Value](d *encoding.Decoder, v encoding.Value) T {
	t, ok := v.(T)
	if !ok && v != nil {
		d.Failf("unexpected class instance %s (want %v)", v.TypeID(), reflect.TypeFor[T]())
	}
	return t
}
