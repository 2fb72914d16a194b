package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		args      []string
		wantOut   string
		wantUsage bool
		wantErr   bool
	}{
		{args: []string{"version"}, wantOut: "Ice protocol 1.0"},
		{args: []string{"--help"}, wantOut: "registry"},
		{args: nil, wantUsage: true},
		{args: []string{"bogus"}, wantUsage: true},
		{args: []string{"version", "extra"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			_, err := run(context.Background(), tt.args, &out, &errOut)
			var ue *usageError
			if got := errors.As(err, &ue); got != tt.wantUsage {
				t.Fatalf("run(%q) usage error = %v (err %v), want %v", tt.args, got, err, tt.wantUsage)
			}
			if !tt.wantUsage && (err != nil) != tt.wantErr {
				t.Fatalf("run(%q) = %v, want error %v", tt.args, err, tt.wantErr)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("run(%q) stdout = %q, want it to contain %q", tt.args, out.String(), tt.wantOut)
			}
		})
	}
}
