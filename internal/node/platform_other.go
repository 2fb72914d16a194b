//go:build !linux

package node

import "runtime"

// uname returns what Go knows of the platform where uname(2) is not wrapped by package syscall.
func uname() Platform { return Platform{OS: runtime.GOOS, Machine: runtime.GOARCH} }
