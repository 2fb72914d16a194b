package nodeproto

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"floe/internal/descriptor"
	"floe/internal/node"
	"floe/internal/store"
)

// Limits on what a message may hold.
const (
	maxText         = 4096 // names, tokens, proxies, paths
	maxApplications = 10000
	maxReplicas     = 64
	maxServers      = 100000
)

// Registration is registerNode's argument: a node process announcing itself to one replica.
type Registration struct {
	Name  string   `json:"name"`
	Token string   `json:"token"` // random, new for each run of the node process
	Proxy string   `json:"proxy"` // the node's <InstanceName>/FloeNode-<name> object
	Info  NodeInfo `json:"info"`
}

// NodeInfo is the node's part of descriptor.Node: the values of its ${node.*} variables.
type NodeInfo struct {
	Hostname  string `json:"hostname,omitempty"`
	OS        string `json:"os,omitempty"`
	Release   string `json:"release,omitempty"`
	Version   string `json:"version,omitempty"`
	Machine   string `json:"machine,omitempty"`
	DataDir   string `json:"dataDir,omitempty"`
	Locator   string `json:"locator,omitempty"`
	OutputDir string `json:"outputDir,omitempty"`
}

// InfoOf returns the NodeInfo of a descriptor.Node.
func InfoOf(n descriptor.Node) NodeInfo {
	return NodeInfo{Hostname: n.Hostname, OS: n.OS, Release: n.Release, Version: n.Version, Machine: n.Machine,
		DataDir: n.DataDir, Locator: n.Locator, OutputDir: n.OutputDir}
}

// Node returns the descriptor.Node of the node called name.
func (i NodeInfo) Node(name string) descriptor.Node {
	return descriptor.Node{Name: name, Hostname: i.Hostname, OS: i.OS, Release: i.Release, Version: i.Version,
		Machine: i.Machine, DataDir: i.DataDir, Locator: i.Locator, OutputDir: i.OutputDir}
}

// Validate implements Message.
func (r *Registration) Validate() error {
	if err := validName(r.Name); err != nil {
		return err
	}
	if r.Token == "" || r.Proxy == "" {
		return errors.New("token and proxy are required")
	}
	return short(r.Token, r.Proxy, r.Info.Hostname, r.Info.OS, r.Info.Release, r.Info.Version, r.Info.Machine,
		r.Info.DataDir, r.Info.Locator, r.Info.OutputDir)
}

// Session is registerNode's result: the replica's name, how often to keep the session alive,
// the client endpoints of every replica (so that a node finds them all from any one), and the
// node's deployment.
type Session struct {
	Replica    string     `json:"replica"`
	TimeoutMS  int64      `json:"timeoutMs"` // the replica forgets a node it has not heard from for this long
	Replicas   []string   `json:"replicas,omitempty"`
	Deployment Deployment `json:"deployment"`
}

// Timeout returns the session timeout.
func (s *Session) Timeout() time.Duration { return time.Duration(s.TimeoutMS) * time.Millisecond }

// Validate implements Message.
func (s *Session) Validate() error {
	if err := validName(s.Replica); err != nil {
		return fmt.Errorf("replica: %w", err)
	}
	if s.TimeoutMS < 100 || s.TimeoutMS > int64(24*time.Hour/time.Millisecond) {
		return fmt.Errorf("timeout %d ms out of range", s.TimeoutMS)
	}
	if err := validReplicas(s.Replicas); err != nil {
		return err
	}
	if s.Deployment.Replica != s.Replica {
		return fmt.Errorf("deployment from replica %q in a session with %q", s.Deployment.Replica, s.Replica)
	}
	return s.Deployment.Validate()
}

// Deployment is the applications that place servers on one node, as one replica knows them;
// deploy's argument and part of Session. A node applies a deployment only if its Generation is
// higher than the last one it got from that replica.
type Deployment struct {
	Replica string `json:"replica"`
	// Boot identifies the replica's run: generations restart when a replica restarts.
	Boot         string        `json:"boot"`
	Generation   uint64        `json:"generation"`
	Applications []Application `json:"applications"`
}

// Hash identifies the applications of a deployment (not where it came from).
func (d *Deployment) Hash() string {
	h := sha256.New()
	for _, a := range d.Applications {
		fmt.Fprintf(h, "%q %d %d\n", a.Name, a.Revision, len(a.Descriptor))
		h.Write([]byte(a.Descriptor))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Application is one deployed descriptor.
type Application struct {
	Name       string `json:"name"`
	Revision   int    `json:"revision"`
	Descriptor string `json:"descriptor"` // IceGrid XML
}

// Validate implements Message.
func (d *Deployment) Validate() error {
	if err := validName(d.Replica); err != nil {
		return fmt.Errorf("replica: %w", err)
	}
	if err := short(d.Boot); err != nil {
		return err
	}
	if len(d.Applications) > maxApplications {
		return fmt.Errorf("%d applications, more than %d", len(d.Applications), maxApplications)
	}
	seen := map[string]bool{}
	for _, a := range d.Applications {
		if seen[a.Name] {
			return fmt.Errorf("application name %.40q is repeated", a.Name)
		}
		seen[a.Name] = true
		if err := a.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (a *Application) validate() error {
	if !store.ValidKey(a.Name) {
		return fmt.Errorf("application name %.40q is invalid", a.Name)
	}
	if len(a.Descriptor) > store.MaxApplicationSize {
		return fmt.Errorf("application %q: descriptor of %d bytes", a.Name, len(a.Descriptor))
	}
	return nil
}

// KeepAlive is keepAlive's and unregisterNode's argument.
type KeepAlive struct {
	Name  string `json:"name"`
	Token string `json:"token"`
	// Load is the node's load averages when it sends a keep-alive (IceGrid's nodes report it
	// the same way), for adaptive load balancing; NProcessors divides them.
	Load        *node.Load `json:"load,omitempty"`
	NProcessors int        `json:"nProcessors,omitempty"`
}

// Validate implements Message.
func (k *KeepAlive) Validate() error {
	if err := validName(k.Name); err != nil {
		return err
	}
	if k.Token == "" {
		return errors.New("token is required")
	}
	if k.NProcessors < 0 || k.NProcessors > 1<<16 {
		return fmt.Errorf("%d processors", k.NProcessors)
	}
	if k.Load != nil {
		if err := (&LoadReply{Load: *k.Load}).Validate(); err != nil {
			return err
		}
	}
	return short(k.Token)
}

// KeepAliveReply is keepAlive's result. Known is false when the replica does not know this
// node process (it restarted, or forgot the node after missed keep-alives): the node then
// registers again.
type KeepAliveReply struct {
	Known    bool     `json:"known"`
	Replicas []string `json:"replicas,omitempty"`
}

// Validate implements Message.
func (k *KeepAliveReply) Validate() error { return validReplicas(k.Replicas) }

// ServerCommand is the argument of start, stop, setEnabled (Enabled), setProcess (Proxy),
// adapterActivated (Adapter) and setSession (Session).
type ServerCommand struct {
	Server  string `json:"server"`
	Enabled bool   `json:"enabled,omitempty"`
	Proxy   string `json:"proxy,omitempty"`
	Adapter string `json:"adapter,omitempty"`
	Session string `json:"session,omitempty"` // the user id of a client session
}

// Validate implements Message.
func (c *ServerCommand) Validate() error {
	if !store.ValidKey(c.Server) {
		return fmt.Errorf("server id %.40q is invalid", c.Server)
	}
	if c.Adapter != "" && !store.ValidKey(c.Adapter) {
		return fmt.Errorf("adapter id %.40q is invalid", c.Adapter)
	}
	return short(c.Proxy, c.Session)
}

// Shutdown is shutdown's argument: the name of the node the registry means, which the node
// checks, so that a stale proxy (another node now on the same endpoints) stops nothing.
type Shutdown struct {
	Node string `json:"node"`
}

// Validate implements Message.
func (s *Shutdown) Validate() error { return validName(s.Node) }

// Description is describe's result: the node's platform (admin "node describe").
type Description struct {
	Info node.NodeInfo `json:"info"`
}

// Validate implements Message.
func (d *Description) Validate() error {
	i := d.Info
	if err := validName(i.Name); err != nil {
		return err
	}
	if i.NProcessors < 0 || i.NProcessors > 1<<16 {
		return fmt.Errorf("%d processors", i.NProcessors)
	}
	return short(i.Hostname, i.OS, i.Release, i.Version, i.Machine, i.DataDir)
}

// LoadReply is load's result: the node's load averages, -1 when unknown (admin "node load").
type LoadReply struct {
	Load node.Load `json:"load"`
}

// Validate implements Message.
func (l *LoadReply) Validate() error {
	for _, v := range []float32{l.Load.Avg1, l.Load.Avg5, l.Load.Avg15} {
		if v != v || v < -1 || v > 1e6 { // NaN or absurd
			return fmt.Errorf("load average %v", v)
		}
	}
	return nil
}

// OutputRequest is output's argument: part of a server's stdout or stderr (admin "server
// show").
type OutputRequest struct {
	Server string `json:"server"`
	Stream string `json:"stream"` // stdout or stderr
	Head   int    `json:"head,omitempty"`
	Tail   int    `json:"tail,omitempty"`
	From   int64  `json:"from,omitempty"`
}

// Validate implements Message.
func (o *OutputRequest) Validate() error {
	if !store.ValidKey(o.Server) {
		return fmt.Errorf("server id %.40q is invalid", o.Server)
	}
	if o.Stream != "stdout" && o.Stream != "stderr" {
		return fmt.Errorf("stream %.20q: want stdout or stderr", o.Stream)
	}
	if o.Head < 0 || o.Tail < 0 || o.From < 0 {
		return errors.New("negative head, tail or offset")
	}
	return nil
}

// OutputReply is output's result.
type OutputReply struct {
	File node.OutputFile `json:"file"`
}

// Validate implements Message.
func (o *OutputReply) Validate() error {
	f := o.File
	if f.Offset < 0 || f.End < f.Offset || f.Size < 0 {
		return fmt.Errorf("output offsets %d..%d of %d", f.Offset, f.End, f.Size)
	}
	return nil
}

// Status is status's result: the node process's token and its servers.
type Status struct {
	Token   string              `json:"token"`
	Servers []node.ServerStatus `json:"servers"`
}

// Validate implements Message.
func (s *Status) Validate() error {
	if len(s.Servers) > maxServers {
		return fmt.Errorf("%d servers, more than %d", len(s.Servers), maxServers)
	}
	for _, sv := range s.Servers {
		if !store.ValidKey(sv.ID) {
			return fmt.Errorf("server id %.40q is invalid", sv.ID)
		}
		if sv.PID < 0 {
			return fmt.Errorf("server %q: pid %d", sv.ID, sv.PID)
		}
	}
	return short(s.Token)
}

// LiveUpdate is updateLive's argument: the node expands Application and checks (with Apply,
// makes) the update of the servers Updated (their properties only changed) and Removed (they
// leave the node, so must not run) without restarting any.
type LiveUpdate struct {
	Application Application `json:"application"`
	Updated     []string    `json:"updated,omitempty"`
	Removed     []string    `json:"removed,omitempty"`
	Apply       bool        `json:"apply,omitempty"`
}

// Validate implements Message.
func (l *LiveUpdate) Validate() error {
	if err := l.Application.validate(); err != nil {
		return err
	}
	return validServers(append(slices.Clone(l.Updated), l.Removed...))
}

// LiveUpdateReply is updateLive's result: why the node refuses servers, by id (none: it can,
// or did, update them all).
type LiveUpdateReply struct {
	Refused map[string]string `json:"refused,omitempty"`
}

// Validate implements Message.
func (l *LiveUpdateReply) Validate() error {
	if len(l.Refused) > maxServers {
		return fmt.Errorf("%d servers, more than %d", len(l.Refused), maxServers)
	}
	for id, why := range l.Refused {
		if err := validServers([]string{id}); err != nil {
			return err
		}
		if err := short(why); err != nil {
			return err
		}
	}
	return nil
}

func validServers(ids []string) error {
	if len(ids) > maxServers {
		return fmt.Errorf("%d servers, more than %d", len(ids), maxServers)
	}
	for _, id := range ids {
		if !store.ValidKey(id) {
			return fmt.Errorf("server id %.40q is invalid", id)
		}
	}
	return nil
}

func validName(name string) error {
	if !store.ValidKey(name) {
		return fmt.Errorf("name %.40q is invalid", name)
	}
	return nil
}

func validReplicas(eps []string) error {
	if len(eps) > maxReplicas {
		return fmt.Errorf("%d replicas, more than %d", len(eps), maxReplicas)
	}
	if slices.Contains(eps, "") {
		return errors.New("empty replica endpoints")
	}
	return short(eps...)
}

func short(ss ...string) error {
	for _, s := range ss {
		if len(s) > maxText {
			return fmt.Errorf("a field of %d bytes, more than %d", len(s), maxText)
		}
	}
	return nil
}
