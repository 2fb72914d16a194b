package node

import (
	"strings"
	"testing"
)

func TestReadOutput(t *testing.T) {
	const file = "one\ntwo\nthree\n"
	tests := []struct {
		name string
		file string
		q    OutputQuery
		want string
	}{
		{"whole", file, OutputQuery{}, file},
		{"tail 2", file, OutputQuery{Tail: 2}, "two\nthree\n"},
		{"tail more than there is", file, OutputQuery{Tail: 10}, file},
		{"tail 1 without final newline", "one\ntwo", OutputQuery{Tail: 1}, "two"},
		{"tail of empty lines", "a\n\n\n", OutputQuery{Tail: 2}, "\n\n"},
		{"head 2", file, OutputQuery{Head: 2}, "one\ntwo\n"},
		{"head more than there is", "one\ntwo", OutputQuery{Head: 5}, "one\ntwo"},
		{"from", file, OutputQuery{From: 4}, "two\nthree\n"},
		{"from past the end", file, OutputQuery{From: 100}, ""},
		{"empty", "", OutputQuery{Tail: 3}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readOutput(strings.NewReader(tt.file), int64(len(tt.file)), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != tt.want || got.End != got.Offset+int64(len(got.Text)) || got.Size != int64(len(tt.file)) {
				t.Errorf("readOutput(%q, %+v) = %+v, want text %q", tt.file, tt.q, got, tt.want)
			}
		})
	}
}

// TestReadOutputLarge: lines spread over several blocks, and the 4 MiB bound.
func TestReadOutputLarge(t *testing.T) {
	var b strings.Builder
	for b.Len() < maxOutput+outputBlock {
		b.WriteString("0123456789abcdefghijklmnopqrstuvwxyz\n")
	}
	file := b.String()
	lines := strings.SplitAfter(file, "\n")
	lines = lines[:len(lines)-1]
	got, err := readOutput(strings.NewReader(file), int64(len(file)), OutputQuery{Tail: 1000})
	if err != nil || got.Text != strings.Join(lines[len(lines)-1000:], "") {
		t.Errorf("tail 1000: %d bytes, %v", len(got.Text), err)
	}
	got, _ = readOutput(strings.NewReader(file), int64(len(file)), OutputQuery{})
	if len(got.Text) != maxOutput || got.End != int64(len(file)) {
		t.Errorf("whole file: %d bytes ending at %d, want the last %d", len(got.Text), got.End, maxOutput)
	}
	got, _ = readOutput(strings.NewReader(file), int64(len(file)), OutputQuery{Head: 1 << 30})
	if len(got.Text) != maxOutput || got.Offset != 0 {
		t.Errorf("head: %d bytes from %d, want the first %d", len(got.Text), got.Offset, maxOutput)
	}
}
