package encoding_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"testing"

	"floe/ice/icetest"

	"github.com/google/go-cmp/cmp"

	"floe/ice/encoding"
)

var updateCorpus = flag.Bool("update", false, "rewrite the golden seeds of testdata/fuzz/FuzzDecoder")

// Fuzz input layout: data[0] selects the reader (low nibble) and the factories (high nibble);
// the rest is an encapsulation.
const (
	fuzzException = iota // ReadException
	fuzzValueSeq         // sequence<Value>
	fuzzValue            // Value, then optional members up to the end
	fuzzParams           // the §3.3 optional parameters
	fuzzMix              // string seq, string dict, enum, value, optional class
	fuzzReaders
)

// fuzzFactories are the factory variants: everything known, only base types, nothing.
var fuzzFactories = []struct {
	values     func(string) encoding.Value
	exceptions func(string) encoding.UserException
}{
	{valueFactory(), exceptionFactory()},
	{valueFactory("::T::Base", "::U::Base", "::T::Node"), exceptionFactory("::T::E1")},
	{valueFactory("::Nope"), exceptionFactory("::Nope")},
}

// fuzzRead decodes data as fuzzDecoder's op says; it returns what was read, or an error.
func fuzzRead(data []byte, maxDepth int) (any, error) {
	if len(data) == 0 {
		return nil, nil
	}
	op, fs := data[0]&0x0f, fuzzFactories[int(data[0]>>4)%len(fuzzFactories)]
	d := encoding.NewDecoder(data[1:], encoding.Encoding10)
	d.ValueFactory = fs.values
	d.MaxClassDepth = maxDepth
	d.StartEncapsulation()
	var got any
	switch op % fuzzReaders {
	case fuzzException:
		ex, err := d.ReadException(fs.exceptions)
		if err != nil {
			d.SetError(err)
		}
		got = ex
	case fuzzValueSeq:
		got = valueSeqSample().read(d)
	case fuzzValue:
		got = valueSample(nil).read(d)
	case fuzzParams:
		got = optParams{}.sample().read(d)
	case fuzzMix:
		got = readMix(d)
	}
	d.EndEncapsulation()
	return got, d.Err()
}

// mix is what fuzzMix reads.
type mix struct {
	Strings []string
	Dict    map[string]string
	Opt     encoding.Value
	Enum    int32
	Value   encoding.Value
}

func readMix(d *encoding.Decoder) *mix {
	m := &mix{Strings: d.ReadStringSeq(), Dict: d.ReadStringDict(), Enum: d.ReadEnum(300)}
	encoding.ReadValueInto(d, &m.Value)
	if d.ReadOptional(1, encoding.OptionalClass) {
		encoding.ReadValueInto(d, &m.Opt)
	}
	return m
}

func writeMix(e *encoding.Encoder, m *mix) {
	e.WriteStringSeq(m.Strings)
	e.WriteStringDict(m.Dict)
	e.WriteEnum(m.Enum, 300)
	e.WriteValue(m.Value)
	if m.Opt != nil && e.WriteOptional(1, encoding.OptionalClass) {
		e.WriteValue(m.Opt)
	}
}

// fuzzWrite encodes what fuzzRead returned, in the same reader layout.
func fuzzWrite(op byte, v encoding.Version, f encoding.Format, got any) []byte {
	e := encoding.NewEncoder([]byte{op}, encoding.Encoding10)
	e.SetFormat(f)
	e.StartEncapsulation(v)
	switch x := got.(type) {
	case encoding.UserException:
		e.WriteException(x)
	case []encoding.Value:
		valueSeqSample(x...).write(e)
	case *encoding.Value:
		e.WriteValue(*x)
	case optParams:
		x.sample().write(e)
	case *mix:
		writeMix(e, x)
	}
	e.EndEncapsulation()
	return e.Bytes()
}

// FuzzDecoder feeds arbitrary encapsulations to the class, exception and optional readers.
// Whatever decodes must encode again (1.1 in both formats) and decode to the same thing.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{fuzzValue, 6, 0, 0, 0, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := fuzzRead(data, 0)
		if err != nil || len(data) < 7 || got == nil {
			return
		}
		if _, isEx := got.(encoding.UserException); !isEx && data[0]&0x0f%fuzzReaders == fuzzException {
			return // a nil exception
		}
		v := encoding.Version{Major: data[5], Minor: data[6]}
		formats := []encoding.Format{encoding.CompactFormat, encoding.SlicedFormat}
		if v == encoding.Encoding10 {
			formats = formats[:1]
		}
		for _, f := range formats {
			b := fuzzWrite(data[0], v, f, got)
			again, err := fuzzRead(b, 10000)
			if err != nil {
				t.Fatalf("re-encoded %s (format %d) does not decode: %v\nfrom %s", icetest.HexString(b), f, err,
					icetest.HexString(data))
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Fatalf("re-decoded differs (-first +again):\n%s", diff)
			}
		}
	})
}

// TestFuzzCorpus keeps the golden vectors in the committed seed corpus (-update rewrites them).
func TestFuzzCorpus(t *testing.T) {
	seeds := map[string][]byte{}
	add := func(name string, op byte, b []byte) { seeds["golden-"+name] = append([]byte{op}, b...) }
	files, err := filepath.Glob("testdata/ice37/*.hex")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		op := byte(fuzzValue)
		switch name[:7] {
		case "t_throw":
			op = fuzzException
		case "t_getSh", "u_getSh":
			op = fuzzValueSeq
		}
		for fi := range fuzzFactories {
			add(fmt.Sprintf("%s-%d", name[:len(name)-4], fi), op|byte(fi<<4), icetest.ReadHexFile(t, path))
		}
	}
	add("3.3-request", fuzzParams, icetest.Wire(t, `10 00 00 00 01 01 | 03 00 00 00 | 15 02 "hi" | 1c 02`))
	add("3.3-request-st", fuzzParams, icetest.Wire(t, `15 00 00 00 01 01 | 03 00 00 00 | 3e 06 00 00 00 02 00 00 00 01 "y"`))
	add("4.1-compact", fuzzException|0x10, icetest.Wire(t, `20 00 00 00 01 01  00 07 "::T::E2" 07 00 00 00   20 07 "::T::E1" 03 "why"`))
	add("4.2-adapter", fuzzException, icetest.Wire(t, `2b 00 00 00 01 00  00  1f "::Ice::AdapterNotFoundException" 04 00 00 00`))
	add("5.4-shared-compact", fuzzValueSeq, icetest.Wire(t, `2a 00 00 00 01 01  04  01 21 09 "::U::Base" 01 "x"  02
		01 01 0c "::U::Derived" 02 20 01 "y"  00`))
	add("mix", fuzzMix, fuzzWrite(fuzzMix, encoding.Encoding11, encoding.SlicedFormat,
		&mix{Strings: []string{"a", "b"}, Dict: map[string]string{"k": "v"}, Opt: derivedT(), Enum: 260,
			Value: &TOpt{S: "s", O: &TBase{B: "o"}}})[1:])
	add("mix-10", fuzzMix, fuzzWrite(fuzzMix, encoding.Encoding10, encoding.CompactFormat,
		&mix{Strings: []string{"a"}, Enum: 3, Value: derivedT()})[1:])
	icetest.SyncCorpus(t, "FuzzDecoder", seeds, *updateCorpus, "go test -run TestFuzzCorpus -update")
}
