package descriptor

import "testing"

func TestEscapeProperty(t *testing.T) {
	tests := []struct {
		in          string
		escapeEqual bool
		want        string
	}{
		{"plain", true, "plain"},
		{"a=b", true, `a\=b`},
		{"a=b", false, "a=b"},
		{"#x", false, `\#x`},
		{`c:\dir`, false, `c:\dir`},
		{`c:\#`, false, `c:\\\#`},
		{`\\server`, false, `\\\server`},
		{"  x  ", false, `\ \ x\ \ `},
		{"   ", false, `\ \ \ `},
		{`a\ `, false, `a\\\ `},
		{"a b", false, "a b"},
	}
	for _, tt := range tests {
		if got := escapeProperty(tt.in, tt.escapeEqual); got != tt.want {
			t.Errorf("escapeProperty(%q, %v) = %q, want %q", tt.in, tt.escapeEqual, got, tt.want)
		}
	}
}

func TestMMVersion(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"3.7", 30700}, {"3.7.8", 30700}, {" 3.2 ", 30200}, {"3.2.1", 30200}, {"10.1", 100100}, {"3.10.1", 31000},
		{"3", -1}, {"three", -1}, {"3.x", -1}, {"3.123", -1}, {"3.7.123", -1}, {"0.1", -1}, {"123.1", -1}, {"3..1", -1},
	}
	for _, tt := range tests {
		if got := mmVersion(tt.in); got != tt.want {
			t.Errorf("mmVersion(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseCInt(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"5", 5, true}, {"+7", 7, true}, {"-3", -3, true}, {"007", 7, true}, {"\t5", 5, true},
		{"", 0, false}, {"5x", 0, false}, {"5 ", 0, false}, {"+-1", 0, false}, {"-", 0, false},
		{"0x10", 0, false}, {"2147483647", 2147483647, true}, {"2147483648", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseCInt(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseCInt(%q) = %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIsCFloat(t *testing.T) {
	for in, want := range map[string]bool{
		"1": true, "2.5": true, ".5": true, "5.": true, "-1e3": true, "+1E-3": true,
		"": false, ".": false, "e5": false, "1e": false, "1.5x": false, "inf": false, "nan": false, "1e100": false,
	} {
		if got := isCFloat(in); got != want {
			t.Errorf("isCFloat(%q) = %v, want %v", in, got, want)
		}
	}
}
