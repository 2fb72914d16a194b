//go:build !linux

package ha_test

import "syscall"

// sysProcAttr: only Linux can tie a child's life to its parent's thread.
func sysProcAttr() *syscall.SysProcAttr { return nil }
