package zktest

import "syscall"

// sysProcAttr makes the kernel SIGKILL a server when the thread that started it dies, which
// happens when the test binary exits without running its cleanups (panic, timeout, os.Exit).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
