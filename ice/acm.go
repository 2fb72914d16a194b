package ice

import (
	"time"

	"floe/ice/properties"
)

// ACMClose is Ice::ACMClose: when active connection management closes a connection (§1.5).
type ACMClose uint8

// The ACM close modes.
const (
	CloseOff ACMClose = iota
	CloseOnIdle
	CloseOnInvocation
	CloseOnInvocationAndIdle
	CloseOnIdleForceful
)

// ACMHeartbeat is Ice::ACMHeartbeat: when a connection sends heartbeats.
type ACMHeartbeat uint8

// The ACM heartbeat modes.
const (
	HeartbeatOff ACMHeartbeat = iota
	HeartbeatOnDispatch
	HeartbeatOnIdle
	HeartbeatAlways
)

// ACM is a connection's active connection management setting. A zero Timeout disables ACM.
type ACM struct {
	Timeout   time.Duration
	Close     ACMClose
	Heartbeat ACMHeartbeat
}

// acmFromProperties reads prefix.Timeout (seconds), prefix.Close and prefix.Heartbeat over def,
// as Ice does for Ice.ACM, Ice.ACM.Client, Ice.ACM.Server and <adapter>.ACM.
func acmFromProperties(p *properties.Properties, prefix string, def ACM) ACM {
	a := def
	if t := p.GetIntOr(prefix+".Timeout", -1); t >= 0 {
		a.Timeout = time.Duration(t) * time.Second
	}
	if v := p.GetIntOr(prefix+".Close", -1); v >= 0 && v <= int(CloseOnIdleForceful) {
		a.Close = ACMClose(v)
	}
	if v := p.GetIntOr(prefix+".Heartbeat", -1); v >= 0 && v <= int(HeartbeatAlways) {
		a.Heartbeat = ACMHeartbeat(v)
	}
	return a
}

// SetACM changes the connection's ACM setting, as Connection::setACM.
func (c *Connection) SetACM(a ACM) {
	c.mu.Lock()
	c.acm = a
	c.mu.Unlock()
	select { // the monitor takes the new period at once, as Ice reschedules it
	case c.acmChanged <- struct{}{}:
	default:
	}
}

// ACM returns the connection's ACM setting.
func (c *Connection) ACM() ACM {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.acm
}

// monitor implements Ice 3.7's ConnectionI::monitor, run every Timeout/2: heartbeats by mode,
// then closing an idle connection (gracefully) or one that waits for replies in silence
// (forcefully).
func (c *Connection) monitor() {
	for {
		a := c.ACM()
		period := a.Timeout / 2
		if a.Timeout <= 0 {
			period = time.Second // ACM off: poll for a change of setting
		}
		t := time.NewTimer(period)
		select {
		case <-c.done:
			t.Stop()
			return
		case <-c.acmChanged:
			t.Stop()
			continue
		case <-t.C:
		}
		if a.Timeout > 0 {
			c.monitorTick(a)
		}
	}
}

func (c *Connection) monitorTick(a ACM) {
	idleFor := time.Duration(monotonicNow() - c.activity.Load())
	c.mu.Lock()
	dispatching, pending, state := c.dispatching, len(c.pending), c.state
	c.mu.Unlock()
	if state != stateActive {
		return
	}
	if a.Heartbeat == HeartbeatAlways ||
		(a.Heartbeat != HeartbeatOff && idleFor >= a.Timeout/4 &&
			(a.Heartbeat != HeartbeatOnDispatch || dispatching > 0)) {
		if err := c.Heartbeat(); err != nil {
			c.fail(err)
			return
		}
	}
	if a.Close == CloseOff || idleFor < a.Timeout {
		return
	}
	switch {
	case a.Close == CloseOnIdleForceful || (a.Close != CloseOnIdle && pending > 0):
		c.fail(ErrConnectionTimeout)
	case a.Close != CloseOnInvocation && dispatching == 0 && pending == 0:
		go c.closeWithin(5 * time.Second)
	}
}
