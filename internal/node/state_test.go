package node

import (
	"strings"
	"testing"
)

// TestLifecycle runs event sequences through the state machine and checks the state after each
// event (reference/icegrid.md §1.5.3, ServerI.cpp).
func TestLifecycle(t *testing.T) {
	type step struct {
		event string // start, start-plain, adapter:ID, process, timeout, stop, exit, remove, destroyed
		want  State
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"nothing to wait for is active at once", []step{{"start-plain", Active}, {"stop", Deactivating}, {"exit", Inactive}}},
		{"active after every lifetime adapter and the process", []step{
			{"start", Activating}, {"adapter:A", Activating}, {"process", Activating}, {"adapter:B", Active}}},
		{"process first", []step{{"start", Activating}, {"process", Activating}, {"adapter:B", Activating}, {"adapter:A", Active}}},
		{"a non-lifetime adapter does not count", []step{{"start", Activating}, {"adapter:C", Activating}}},
		{"activation timeout, then late registration", []step{
			{"start", Activating}, {"timeout", ActivationTimedOut}, {"adapter:A", ActivationTimedOut},
			{"adapter:B", ActivationTimedOut}, {"process", Active}}},
		{"timeout after activation changes nothing", []step{{"start-plain", Active}, {"timeout", Active}}},
		{"exit while activating", []step{{"start", Activating}, {"exit", Inactive}}},
		{"exit after timeout", []step{{"start", Activating}, {"timeout", ActivationTimedOut}, {"exit", Inactive}}},
		{"stop while activating", []step{{"start", Activating}, {"stop", Deactivating}, {"adapter:A", Deactivating}, {"exit", Inactive}}},
		{"registrations of an inactive server are ignored", []step{{"adapter:A", Inactive}, {"process", Inactive}, {"stop", Inactive}}},
		{"a second start is refused while running", []step{{"start-plain", Active}, {"start", Active}}},
		{"restart waits again", []step{{"start-plain", Active}, {"exit", Inactive}, {"start", Activating}}},
		{"removed while inactive", []step{{"remove", Destroying}, {"start", Destroying}, {"destroyed", Destroyed}}},
		{"removed while running", []step{{"start-plain", Active}, {"remove", Active}, {"stop", Deactivating},
			{"exit", Destroying}, {"destroyed", Destroyed}, {"exit", Destroyed}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &lifecycle{state: Inactive}
			for i, s := range tt.steps {
				switch {
				case s.event == "start":
					l.started([]string{"A", "B"}, true)
				case s.event == "start-plain":
					l.started(nil, false)
				case strings.HasPrefix(s.event, "adapter:"):
					l.adapterActivated(strings.TrimPrefix(s.event, "adapter:"))
				case s.event == "process":
					l.processRegistered()
				case s.event == "timeout":
					l.activationTimedOut()
				case s.event == "stop":
					l.deactivating()
				case s.event == "exit":
					l.exited()
				case s.event == "remove":
					l.removed()
				case s.event == "destroyed":
					l.destroyed()
				default:
					t.Fatalf("unknown event %q", s.event)
				}
				if l.state != s.want {
					t.Fatalf("step %d (%s): state = %s, want %s", i, s.event, l.state, s.want)
				}
			}
		})
	}
}
