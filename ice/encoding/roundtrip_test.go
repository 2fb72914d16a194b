package encoding_test

import (
	"errors"
	"fmt"
	"testing"

	"floe/ice/icetest"

	"github.com/google/go-cmp/cmp"

	"floe/ice/encoding"
)

// modes lists every encoding and format combination.
var modes = []struct {
	name   string
	enc    encoding.Version
	format encoding.Format
}{
	{"1.0", encoding.Encoding10, encoding.CompactFormat},
	{"1.1 compact", encoding.Encoding11, encoding.CompactFormat},
	{"1.1 sliced", encoding.Encoding11, encoding.SlicedFormat},
}

// chain returns n nodes, each pointing to the next; the last one points to nil.
func chain(n int) *TNode {
	var head *TNode
	for i := n; i > 0; i-- {
		head = &TNode{Name: fmt.Sprint(i), Next: head}
	}
	return head
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   func() sample
		in10 func() sample // what 1.0 gives back (optional members dropped), if different
	}{
		{name: "derived", in: func() sample { return valueSample(derivedT()) }, in10: func() sample {
			s := valueSample(derivedT())
			(*s.want.(*encoding.Value)).(*TDerived).Tag = nil
			return s
		}},
		{name: "null", in: func() sample { return valueSample(nil) }},
		{name: "shared T", in: func() sample { return valueSeqSample(sharedT()...) }},
		{name: "shared U", in: func() sample { return valueSeqSample(sharedU()...) }},
		{name: "chain", in: func() sample { return valueSample(chain(50)) }},
		{name: "E2", in: func() sample { return exceptionSample(&E2{E1: E1{R: "r"}, Code: 1, Extra: new(int32(2))}) },
			in10: func() sample { return exceptionSample(&E2{E1: E1{R: "r"}, Code: 1}) }},
		{name: "E3", in: func() sample { return exceptionSample(&E3{B: derivedT()}) }, in10: func() sample {
			d := derivedT()
			d.Tag = nil
			return exceptionSample(&E3{B: d})
		}},
		{name: "E3 null", in: func() sample { return exceptionSample(&E3{}) }},
	}
	for _, m := range modes {
		for _, tt := range tests {
			t.Run(m.name+"/"+tt.name, func(t *testing.T) {
				in, want := tt.in(), tt.in()
				if m.enc == encoding.Encoding10 && tt.in10 != nil {
					want = tt.in10()
				}
				b := encodeSample(m.enc, m.format, in)
				checkDecode(t, b, want)
			})
		}
	}
}

// TestRoundTripIdentity checks that shared instances and cycles come back shared.
func TestRoundTripIdentity(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			self := &TNode{Name: "self"}
			self.Next = self
			a, b := &TNode{Name: "a"}, &TNode{Name: "b"}
			a.Next, b.Next = b, a
			got, err := decodeSample(encodeSample(m.enc, m.format, valueSeqSample(self, a, b)), valueSeqSample())
			if err != nil {
				t.Fatal(err)
			}
			vs := got.([]encoding.Value)
			n0, n1, n2 := vs[0].(*TNode), vs[1].(*TNode), vs[2].(*TNode)
			if n0.Next != n0 {
				t.Errorf("self.Next = %p, want %p", n0.Next, n0)
			}
			if n1.Next != n2 || n2.Next != n1 {
				t.Errorf("a.Next, b.Next = %p, %p, want %p, %p", n1.Next, n2.Next, n2, n1)
			}
			shared, err := decodeSample(encodeSample(m.enc, m.format, valueSeqSample(sharedU()...)), valueSeqSample())
			if err != nil {
				t.Fatal(err)
			}
			us := shared.([]encoding.Value)
			if us[0] != us[1] || us[2].(*UDerived).Other != us[0] {
				t.Errorf("shared instances were not shared: %v", us)
			}
		})
	}
}

// TestReadExceptionSlicing reads E2{E1} with factories that know only some types (§4.3).
func TestReadExceptionSlicing(t *testing.T) {
	e2 := &E2{E1: E1{R: "why"}, Code: 7, Extra: new(int32(9))}
	tests := []struct {
		mode    int // index in modes
		known   []string
		want    encoding.UserException
		wantErr error
	}{
		{0, []string{"::T::E1"}, &E1{R: "why"}, nil},
		{1, []string{"::T::E1"}, nil, &encoding.UnknownExceptionError{TypeID: "::T::E2"}},
		{2, []string{"::T::E1"}, &E1{R: "why"}, nil},
		{0, []string{"::Nope"}, nil, &encoding.UnknownExceptionError{TypeID: "::T::E2"}},
		{1, []string{"::Nope"}, nil, &encoding.UnknownExceptionError{TypeID: "::T::E2"}},
		{2, []string{"::Nope"}, nil, &encoding.UnknownExceptionError{TypeID: "::T::E2"}},
	}
	for _, tt := range tests {
		m := modes[tt.mode]
		t.Run(fmt.Sprintf("%s/%v", m.name, tt.known), func(t *testing.T) {
			b := encodeSample(m.enc, m.format, exceptionSample(e2))
			d := encoding.NewDecoder(b, encoding.Encoding10)
			d.StartEncapsulation()
			got, err := d.ReadException(exceptionFactory(tt.known...))
			d.EndEncapsulation()
			if diff := cmp.Diff(tt.wantErr, err); diff != "" {
				t.Errorf("ReadException error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadException (-want +got):\n%s", diff)
			}
			if d.Err() != nil {
				t.Errorf("Err() = %v, want nil", d.Err())
			}
		})
	}
}

// TestReadValueSlicing reads T::Derived with factories that know only some types (§5.2).
func TestReadValueSlicing(t *testing.T) {
	tests := []struct {
		mode    int
		known   []string
		want    encoding.Value
		wantErr error
	}{
		{0, []string{"::T::Base"}, &TBase{B: "der"}, nil},
		{1, []string{"::T::Base"}, nil, &encoding.NoValueFactoryError{TypeID: "::T::Derived"}},
		{2, []string{"::T::Base"}, &TBase{B: "der"}, nil},
		{0, []string{"::Nope"}, &encoding.UnknownSlicedValue{UnknownTypeID: "::T::Derived"}, nil},
		{1, []string{"::Nope"}, nil, &encoding.NoValueFactoryError{TypeID: "::T::Derived"}},
	}
	for _, tt := range tests {
		m := modes[tt.mode]
		t.Run(fmt.Sprintf("%s/%v", m.name, tt.known), func(t *testing.T) {
			b := encodeSample(m.enc, m.format, valueSample(derivedT()))
			d := encoding.NewDecoder(b, encoding.Encoding10)
			d.ValueFactory = valueFactory(tt.known...)
			d.StartEncapsulation()
			var got encoding.Value
			d.ReadValue(func(v encoding.Value) { got = v })
			d.EndEncapsulation()
			if tt.wantErr != nil {
				var nf *encoding.NoValueFactoryError
				if !errors.As(d.Err(), &nf) || !errors.Is(d.Err(), encoding.ErrUnmarshal) {
					t.Fatalf("Err() = %v, want %v", d.Err(), tt.wantErr)
				}
				if diff := cmp.Diff(tt.wantErr, error(nf)); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if d.Err() != nil {
				t.Fatalf("Err() = %v", d.Err())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadValue (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnknownSlicedValuePreserved reads a sliced instance of unknown type, writes it again and
// reads it with a factory that knows the type: nothing is lost.
func TestUnknownSlicedValuePreserved(t *testing.T) {
	for _, f := range []encoding.Format{encoding.CompactFormat, encoding.SlicedFormat} {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			b := encodeSample(encoding.Encoding11, encoding.SlicedFormat, valueSeqSample(sharedT()...))
			d := encoding.NewDecoder(b, encoding.Encoding10)
			d.ValueFactory = valueFactory("::Nope")
			d.StartEncapsulation()
			got := valueSeqSample().read(d).([]encoding.Value)
			d.EndEncapsulation()
			if d.Err() != nil {
				t.Fatal(d.Err())
			}
			u, ok := got[2].(*encoding.UnknownSlicedValue)
			if !ok || u.TypeID() != "::T::Derived" || len(u.Slices) != 2 || u.Slices[0].Instances[0] != got[0] {
				t.Fatalf("got[2] = %#v, want an UnknownSlicedValue of 2 slices referring to got[0]", got[2])
			}
			again := encodeSample(encoding.Encoding11, f, valueSeqSample(got...))
			checkDecode(t, again, valueSeqSample(sharedT()...))
		})
	}
}

// TestOptionalClassSkipped reads T::Opt with a type that does not know its class member: the
// member is skipped at the end of the slice (§3.3, format Class).
func TestOptionalClassSkipped(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			b := encodeSample(m.enc, m.format, valueSample(&TOpt{S: "s", O: derivedT()}))
			d := encoding.NewDecoder(b, encoding.Encoding10)
			d.ValueFactory = func(id string) encoding.Value {
				if id == "::T::Opt" {
					return new(TOptOld)
				}
				return valueFactory()(id)
			}
			d.StartEncapsulation()
			var got encoding.Value
			d.ReadValue(func(v encoding.Value) { got = v })
			d.EndEncapsulation()
			if d.Err() != nil {
				t.Fatal(d.Err())
			}
			if diff := cmp.Diff(encoding.Value(&TOptOld{S: "s"}), got); diff != "" {
				t.Errorf("ReadValue (-want +got):\n%s", diff)
			}
		})
	}
}

// TestClassDepth bounds nested instances by MaxClassDepth (Ice.ClassGraphDepthMax).
func TestClassDepth(t *testing.T) {
	for _, m := range modes {
		for _, n := range []int{10, 11} {
			t.Run(fmt.Sprintf("%s/%d", m.name, n), func(t *testing.T) {
				b := encodeSample(m.enc, m.format, valueSample(chain(n)))
				d := encoding.NewDecoder(b, encoding.Encoding10)
				d.ValueFactory = valueFactory()
				d.MaxClassDepth = 10
				d.StartEncapsulation()
				d.ReadValue(nil)
				d.EndEncapsulation()
				if gotErr, wantErr := d.Err() != nil, n > 10; gotErr != wantErr {
					t.Errorf("depth %d: Err() = %v, want error %v", n, d.Err(), wantErr)
				}
			})
		}
	}
}

// TestPendingValuesExplicit covers 1.0 data whose type holds classes but that has no reference:
// the pending block is still `00` (§3.2).
func TestPendingValuesExplicit(t *testing.T) {
	e := encoding.NewEncoder(nil, encoding.Encoding10)
	e.StartEncapsulation(encoding.Encoding10)
	e.WriteSize(0) // empty sequence<Base>
	e.WritePendingValues()
	e.EndEncapsulation()
	want := icetest.Wire(t, `08 00 00 00 01 00 00 00`)
	if diff := cmp.Diff(want, e.Bytes()); diff != "" {
		t.Errorf("encode (-want +got):\n%s", diff)
	}
	d := encoding.NewDecoder(want, encoding.Encoding10)
	d.StartEncapsulation()
	d.ReadCount(1)
	d.ReadPendingValues()
	d.EndEncapsulation()
	if d.Err() != nil || d.Remaining() != 0 {
		t.Errorf("decode: Err() = %v, Remaining() = %d", d.Err(), d.Remaining())
	}
}

// usesClassesEx declares, as Ice's generated code does, that it has class members.
type usesClassesEx struct{ StringEx } //nolint:errname // stands in for a Slice exception, named like one

func (*usesClassesEx) UsesClasses() bool { return true }

func TestWriteExceptionUsesClasses(t *testing.T) {
	e := encoding.NewEncoder(nil, encoding.Encoding10)
	e.StartEncapsulation(encoding.Encoding10)
	e.WriteException(&usesClassesEx{StringEx{ID: "::A::B"}})
	e.EndEncapsulation()
	want := icetest.Wire(t, `13 00 00 00 01 00 01 06 "::A::B" 04 00 00 00 00`)
	if diff := cmp.Diff(want, e.Bytes()); diff != "" {
		t.Errorf("encode (-want +got):\n%s", diff)
	}
}

func TestEncoderMisusePanics(t *testing.T) {
	tests := []struct {
		name string
		f    func(e *encoding.Encoder)
	}{
		{"StartSlice outside", func(e *encoding.Encoder) { e.StartSlice("::A", true) }},
		{"EndSlice outside", func(e *encoding.Encoder) { e.EndSlice() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", tt.name)
				}
			}()
			tt.f(encoding.NewEncoder(nil, encoding.Encoding11))
		})
	}
}
