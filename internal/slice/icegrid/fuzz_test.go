package icegrid_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"floe/ice/encoding"
)

// fuzzTypes are the top-level types FuzzDescriptors decodes, selected by the first byte.
var fuzzTypes = []func() codec{newServerInfo, newApplicationInfo, newUpdate}

// FuzzDescriptors decodes arbitrary encapsulations as descriptor structs. Whatever decodes must
// encode again (1.1 in both formats) and decode to the same value. The seeds are the golden
// vectors of testdata.
func FuzzDescriptors(f *testing.F) {
	files, err := filepath.Glob("testdata/*.hex")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		b := readHexFile(f, filepath.Base(path))
		for i := range fuzzTypes {
			f.Add(append([]byte{byte(i)}, b...))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 7 {
			return
		}
		mk := fuzzTypes[int(data[0])%len(fuzzTypes)]
		got := mk()
		if decode(data[1:], got) != nil {
			return
		}
		v := encoding.Version{Major: data[5], Minor: data[6]}
		formats := []encoding.Format{encoding.CompactFormat, encoding.SlicedFormat}
		if v == encoding.Encoding10 {
			formats = formats[:1]
		}
		for _, format := range formats {
			b := encode(v, format, got)
			again := mk()
			if err := decode(b, again); err != nil {
				t.Fatalf("re-encoded (format %d) does not decode: %v\n% x", format, err, b)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Fatalf("re-decoded differs (-first +again):\n%s", diff)
			}
		}
	})
}
