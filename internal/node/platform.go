package node

import (
	"os"
	"runtime"
	"sync"
)

// Platform is what a node reports about its host: uname's fields and the number of processor
// threads (PlatformInfo.cpp), for ${node.*} and admin "node describe".
type Platform struct {
	OS          string `json:"os"`       // uname sysname, for example "Linux"
	Hostname    string `json:"hostname"` // uname nodename
	Release     string `json:"release"`
	Version     string `json:"version"`
	Machine     string `json:"machine"`     // for example "x86_64"
	NProcessors int    `json:"nProcessors"` // processor threads the node may use
}

// platform returns the host's platform, read once.
var platform = sync.OnceValue(func() Platform {
	p := uname()
	if p.Hostname == "" {
		p.Hostname, _ = os.Hostname()
	}
	p.NProcessors = runtime.NumCPU()
	return p
})

// NodeInfo describes a node (IceGrid::NodeInfo; admin "node describe").
type NodeInfo struct {
	Name string `json:"name"`
	Platform
	DataDir string `json:"dataDir"`
}

// Describe returns the node's description.
func (n *Node) Describe() NodeInfo {
	return NodeInfo{Name: n.cfg.Name, Platform: platform(), DataDir: n.cfg.DataDir}
}
