package node

// State is a server's state as IceGrid reports it (Admin.ice ServerState; reference/icegrid.md
// §1.5.3). IceGrid's internal states map onto these as in ServerI::toServerState: Loading and
// Patching do not exist in Floe, WaitForActivation is Activating and DeactivatingWaitForProcess
// is Deactivating.
type State string

// The server states, with the names Admin.ice gives them.
const (
	// Inactive: no process runs.
	Inactive State = "Inactive"
	// Activating: the process runs but has not registered all its server-lifetime adapters
	// (and, with an admin endpoint, its Process object) yet.
	Activating State = "Activating"
	// ActivationTimedOut: that did not happen within the activation timeout; the process
	// still runs and becomes Active if it registers later.
	ActivationTimedOut State = "ActivationTimedOut"
	// Active: the process runs and registered what it must.
	Active State = "Active"
	// Deactivating: the node is stopping the process.
	Deactivating State = "Deactivating"
	// Destroying and Destroyed: the server was removed from the deployment; its process (if
	// any) exited and the node forgets it.
	Destroying State = "Destroying"
	Destroyed  State = "Destroyed"
)

// running reports whether a process exists in state st.
func (st State) running() bool {
	return st == Activating || st == ActivationTimedOut || st == Active || st == Deactivating
}

// lifecycle is the pure core of a server's supervision: its state and what an activation still
// waits for (ServerI::checkActivation). It does no I/O, keeps no clock and starts nothing; the
// server calls its methods under server.mu and acts on the result.
type lifecycle struct {
	state State
	// waiting holds the server-lifetime adapters not registered yet in this activation.
	waiting map[string]bool
	// needProcess: the server has an admin endpoint and has not registered its Process object
	// yet in this activation.
	needProcess bool
	// destroy: the server was removed from the deployment; when its process is gone it goes
	// to Destroying, not Inactive.
	destroy bool
}

// started records that a process was launched (Inactive → Activating): it becomes Active once
// every adapter in lifetime has registered and, when process is set, its Process object too —
// at once when it waits for nothing. It changes nothing unless Inactive.
func (l *lifecycle) started(lifetime []string, process bool) {
	if l.state != Inactive {
		return
	}
	l.state = Activating
	l.waiting = make(map[string]bool, len(lifetime))
	for _, id := range lifetime {
		l.waiting[id] = true
	}
	l.needProcess = process
	l.checkActive()
}

// adapterActivated records that adapter id registered its endpoints. Outside an activation
// (Activating or ActivationTimedOut) it changes nothing, as in IceGrid.
func (l *lifecycle) adapterActivated(id string) {
	if l.state != Activating && l.state != ActivationTimedOut {
		return
	}
	delete(l.waiting, id)
	l.checkActive()
}

// processRegistered records that the server registered its Process object.
func (l *lifecycle) processRegistered() {
	if l.state != Activating && l.state != ActivationTimedOut {
		return
	}
	l.needProcess = false
	l.checkActive()
}

// checkActive moves an activation whose waits are over to Active.
func (l *lifecycle) checkActive() {
	if len(l.waiting) == 0 && !l.needProcess {
		l.state = Active
	}
}

// activationTimedOut is the activation timeout firing: Activating → ActivationTimedOut. It
// reports whether the state changed (a server that became Active in time is left alone).
func (l *lifecycle) activationTimedOut() bool {
	if l.state != Activating {
		return false
	}
	l.state = ActivationTimedOut
	return true
}

// deactivating records that the node asked the process to stop; it changes nothing when there
// is no process.
func (l *lifecycle) deactivating() {
	if l.state.running() {
		l.state = Deactivating
	}
}

// exited records the end of the process: Inactive, or Destroying for a removed server.
func (l *lifecycle) exited() {
	if l.state == Destroyed {
		return
	}
	l.waiting, l.needProcess = nil, false
	l.state = Inactive
	if l.destroy {
		l.state = Destroying
	}
}

// removed records that the server left the deployment. A server with no process goes to
// Destroying at once; a running one gets there when its process exits.
func (l *lifecycle) removed() {
	l.destroy = true
	if l.state == Inactive {
		l.state = Destroying
	}
}

// destroyed ends a Destroying server: Destroyed, for good.
func (l *lifecycle) destroyed() {
	if l.state == Destroying {
		l.state = Destroyed
	}
}
