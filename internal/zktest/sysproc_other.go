//go:build unix && !linux

package zktest

import "syscall"

// sysProcAttr has no parent-death signal outside Linux: a crashed test binary can leave
// servers behind.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
