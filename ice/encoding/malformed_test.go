package encoding_test

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"floe/ice/icetest"

	"floe/ice/encoding"
)

// encaps wraps body (in the wire notation) in an encapsulation of encoding v.
func encaps(t *testing.T, v encoding.Version, body string) []byte {
	t.Helper()
	b := icetest.Wire(t, body)
	out := binary.LittleEndian.AppendUint32(nil, uint32(len(b)+6))
	out = append(out, v.Major, v.Minor)
	return append(out, b...)
}

// nestedNodes is n T::Node instances, each inline in the previous one (1.1 compact).
func nestedNodes(n int) string {
	return `01 21 09 "::T::Node" 00 ` + strings.Repeat(`01 22 01 00 `, n-1) + `00`
}

// TestMalformed feeds broken class and exception data: each must fail with ErrUnmarshal, not
// panic, and not allocate what the input claims.
func TestMalformed(t *testing.T) {
	v10, v11 := encoding.Encoding10, encoding.Encoding11
	tests := []struct {
		name      string
		enc       encoding.Version
		body      string
		exception bool
		want      string // part of the error message
	}{
		{"back-reference to a missing instance", v11, `05`, false, "not sent"},
		{"unknown type id index", v11, `01 02 05`, false, "type id index"},
		{"slice size beyond the data", v11, `01 31 03 "::A" ff 00 00 00`, false, "slice size"},
		{"slice size below 4", v11, `01 31 03 "::A" 02 00 00 00`, false, "slice size"},
		{"negative slice size", v11, `01 31 03 "::A" 00 00 00 80`, false, "slice size"},
		{"slice after the last slice", v11, `01 21 0c "::T::Derived" 2a 00 00 00 00`, false, "after the last"},
		{"no last slice", v11, `01 01 09 "::T::Base" 01 "x"`, false, "last slice"},
		{"no optional end marker", v11, `01 25 09 "::T::Base" 01 "x"`, false, "end marker"},
		{"unknown compact type", v11, `01 21 03 "::A"`, false, "no value factory"},
		{"unknown compact id", v11, `01 23 07`, false, "compact type id 7"},
		{"empty indirection table", v11, `01 19 0c "::T::Derived" 09 00 00 00 2a 00 00 00 01 00`, false,
			"empty indirection"},
		{"huge indirection table", v11, `01 19 0c "::T::Derived" 09 00 00 00 2a 00 00 00 01 ff ff ff ff 7f`, false,
			"does not fit"},
		{"null in an indirection table", v11, `01 19 0c "::T::Derived" 09 00 00 00 2a 00 00 00 01 01 00`, false,
			"null reference"},
		{"indirection out of range", v11, `01 19 0c "::T::Derived" 09 00 00 00 2a 00 00 00 02
			01 01 31 09 "::T::Base" 06 00 00 00 01 "x"  32 02 06 00 00 00 01 "y"`, false, "out of range"},
		{"unused indirection table", v11, `01 19 0c "::T::Derived" 09 00 00 00 2a 00 00 00 00
			01 01 31 09 "::T::Base" 06 00 00 00 01 "x"  32 02 06 00 00 00 01 "y"`, false, "no references"},
		{"skipped slice without end marker", v11, `01 35 03 "::A" 04 00 00 00`, false, "end marker"},
		{"too deep", v11, nestedNodes(101), false, "deeper than 100"},
		{"wrong instance type", v11, `01 21 09 "::T::Base" 01 "x"`, false, "unexpected class instance ::T::Base"},
		{"1.0 positive reference", v10, `01 00 00 00`, false, "invalid class reference"},
		{"1.0 missing instance", v10, `ff ff ff ff 00`, false, "not sent"},
		{"1.0 instance number 0", v10, `ff ff ff ff 01 00 00 00 00 00 01 01 04 00 00 00 01 02 05 00 00 00 00 00`, false, "invalid instance number"},
		{"1.0 duplicate instance", v10, `ff ff ff ff 02
			01 00 00 00 00 09 "::T::Node" 0a 00 00 00 01 "x" 00 00 00 00 00 0d "::Ice::Object" 05 00 00 00 00
			01 00 00 00 01 01 0a 00 00 00 01 "x" 00 00 00 00 01 02 05 00 00 00 00 00`, false, "sent twice"},
		{"1.0 huge batch", v10, `ff ff ff ff ff ff ff ff 7f`, false, "does not fit"},
		{"1.0 missing Object slice", v10, `ff ff ff ff 01 01 00 00 00 00 09 "::T::Base" 06 00 00 00 01 "x"
			00 03 "::X" 05 00 00 00 00 00`, false, "was expected"},
		{"1.1 exception slice after the last", v11, `20 07 "::T::E2" 07 00 00 00 20 07 "::T::E1" 00`, true,
			"after the last"},
		{"1.1 exception without last slice", v11, `00 07 "::T::E1" 00`, true, "last slice"},
		{"1.1 exception truncated", v11, `20 07 "::T::E1" 05`, true, "need"},
		{"1.0 exception truncated", v10, `00 07 "::T::E1" 08 00 00 00 03 "wh"`, true, "slice size"},
		{"1.0 exception pending missing", v10, `01 07 "::T::E3" 08 00 00 00 ff ff ff ff 00`, true, "not sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := encoding.NewDecoder(encaps(t, tt.enc, tt.body), encoding.Encoding10)
			d.ValueFactory = valueFactory()
			d.StartEncapsulation()
			var err error
			if tt.exception {
				_, err = d.ReadException(exceptionFactory())
			} else {
				var node *TNode
				encoding.ReadValueInto(d, &node)
			}
			d.EndEncapsulation()
			if err == nil {
				err = d.Err()
			}
			if !errors.Is(err, encoding.ErrUnmarshal) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want ErrUnmarshal containing %q", err, tt.want)
			}
		})
	}
}

// TestReadOptionalHangOnTruncatedSkip is the regression test for a fuzzer finding: ReadOptional
// looped forever when skipping a smaller tag failed (the sticky error left the position
// unchanged).
func TestReadOptionalHangOnTruncatedSkip(t *testing.T) {
	// Tag 6, format F2 (0x31), with one byte of its two.
	d := encoding.NewDecoder(encaps(t, encoding.Encoding11, `31 06`), encoding.Encoding10)
	d.StartEncapsulation()
	if d.ReadOptional(7, encoding.OptionalFSize) {
		t.Errorf("ReadOptional(7) = true, want false")
	}
	if !errors.Is(d.Err(), encoding.ErrUnmarshal) {
		t.Errorf("Err() = %v, want ErrUnmarshal", d.Err())
	}
}
