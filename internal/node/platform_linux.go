package node

import "syscall"

// uname returns the fields of uname(2).
func uname() Platform {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return Platform{OS: "Linux"}
	}
	return Platform{OS: utsString(u.Sysname[:]), Hostname: utsString(u.Nodename[:]), Release: utsString(u.Release[:]),
		Version: utsString(u.Version[:]), Machine: utsString(u.Machine[:])}
}

// utsString converts a NUL-terminated utsname field (int8 or uint8 depending on the architecture).
func utsString[T int8 | uint8](b []T) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}
