package ha_test

import "syscall"

// sysProcAttr makes the kernel SIGKILL a child when the thread that started it dies, which
// happens when the test binary exits without running its cleanups (panic, timeout).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
