package main

import (
	"errors"
	"testing"
)

// TestStateLine: "server state" prints what icegridadmin 3.7 prints (Parser::stateServer).
func TestStateLine(t *testing.T) {
	tests := []struct {
		in   serverInfo
		want string
	}{
		{serverInfo{State: "Inactive", Enabled: true}, "inactive (enabled)"},
		{serverInfo{State: "Inactive"}, "inactive (disabled)"},
		{serverInfo{State: "Activating", Enabled: true, PID: 7}, "activating (enabled)"},
		{serverInfo{State: "Active", Enabled: true, PID: 1234}, "active (pid = 1234, enabled)"},
		{serverInfo{State: "ActivationTimedOut", PID: 99}, "activation timed out (pid = 99, disabled)"},
		{serverInfo{State: "Deactivating", Enabled: true}, "deactivating (enabled)"},
		{serverInfo{State: "Destroying", Enabled: true}, "destroying (enabled)"},
		{serverInfo{State: "Destroyed", Enabled: true}, "destroyed (enabled)"},
	}
	for _, tt := range tests {
		if got := stateLine(tt.in); got != tt.want {
			t.Errorf("stateLine(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseShowArgs(t *testing.T) {
	tests := []struct {
		args []string
		want showArgs
		err  bool
	}{
		{[]string{"S", "stdout"}, showArgs{id: "S", file: "stdout"}, false},
		{[]string{"stderr", "S"}, showArgs{id: "S", file: "stderr"}, false},
		{[]string{"-t", "5", "S", "stdout"}, showArgs{id: "S", file: "stdout", tail: 5}, false},
		{[]string{"S", "stdout", "--head=3"}, showArgs{id: "S", file: "stdout", head: 3}, false},
		{[]string{"-f", "--tail", "2", "S", "stderr"}, showArgs{id: "S", file: "stderr", tail: 2, follow: true}, false},
		{[]string{"S"}, showArgs{}, true},
		{[]string{"S", "log"}, showArgs{}, true},
		{[]string{"-t", "0", "S", "stdout"}, showArgs{}, true},
		{[]string{"-t", "x", "S", "stdout"}, showArgs{}, true},
		{[]string{"-t", "1", "-h", "1", "S", "stdout"}, showArgs{}, true},
		{[]string{"-f", "-h", "1", "S", "stdout"}, showArgs{}, true},
		{[]string{"S", "stdout", "-t"}, showArgs{}, true},
	}
	for _, tt := range tests {
		got, err := parseShowArgs(tt.args)
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("parseShowArgs(%q) = %+v, %v; want %+v, error %v", tt.args, got, err, tt.want, tt.err)
		}
		var ue *usageError
		if tt.err && len(tt.args) > 1 && tt.args[1] != "log" && !errors.As(err, &ue) {
			t.Errorf("parseShowArgs(%q) = %v, want a usage error", tt.args, err)
		}
	}
}

// TestCFloat: loads print as C++'s ostream prints a float (%g, 6 significant digits).
func TestCFloat(t *testing.T) {
	for in, want := range map[float32]string{0.12: "0.12", 1.08: "1.08", 2: "2", 0: "0", -1: "-1", 12.345678: "12.3457", 0.5: "0.5"} {
		if got := cFloat(in); got != want {
			t.Errorf("cFloat(%v) = %q, want %q", in, got, want)
		}
	}
}
