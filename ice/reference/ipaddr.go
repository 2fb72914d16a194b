package reference

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// --sourceAddress takes a numeric IP address. Ice resolves it with getaddrinfo(AI_NUMERICHOST)
// and prints it with getnameinfo(NI_NUMERICHOST); on glibc that means inet_aton for IPv4 (so
// "127.1" and "0x7f.0.0.1" are accepted) and inet_ntop for IPv6 (which prints "::1.2.3.4" and
// "::ffff:1.2.3.4" forms), with zones checked against the host's interfaces. canonicalAddress
// reproduces all three.

// canonicalAddress returns the address s as Ice prints it, or false if Ice rejects it.
func canonicalAddress(s string) (string, bool) {
	if strings.Contains(s, ":") {
		return canonicalIPv6(s)
	}
	v, ok := inetAton(s)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%d.%d.%d.%d", v>>24, v>>16&0xff, v>>8&0xff, v&0xff), true
}

// inetAton mirrors glibc's inet_aton without trailing characters: one to four parts separated by
// dots, each a C integer (0x hex, leading-0 octal, decimal); the last part fills the remaining
// bytes.
func inetAton(s string) (uint32, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return 0, false
	}
	var v uint64
	for i, p := range parts {
		n, ok := parseCNumber(p)
		if !ok {
			return 0, false
		}
		if i < len(parts)-1 {
			if n > 0xff {
				return 0, false
			}
			v |= n << (8 * (3 - i))
			continue
		}
		if n > 0xffffffff>>(8*i) {
			return 0, false
		}
		v |= n
	}
	return uint32(v), true
}

// parseCNumber parses what strtoul(s, &end, 0) accepts when it must consume all of s and s starts
// with a digit. It fails for values above 2^32-1.
func parseCNumber(s string) (uint64, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	base := 10
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil || n > 0xffffffff || strings.ContainsAny(s, "+-_") {
		return 0, false
	}
	return n, true
}

// canonicalIPv6 parses an IPv6 address with an optional zone and prints it as glibc does.
func canonicalIPv6(s string) (string, bool) {
	text, zone, hasZone := strings.Cut(s, "%")
	a, err := netip.ParseAddr(text)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return "", false
	}
	out := ntop6(a.As16())
	if !hasZone {
		return out, true
	}
	suffix, ok := zoneSuffix(a, zone)
	return out + suffix, ok
}

// zoneSuffix resolves a zone as glibc's getaddrinfo does and formats it as getnameinfo does: an
// interface name is accepted for link-local and interface-local addresses if the interface
// exists, a decimal index for any address; index 0 means no zone; link-local addresses print the
// interface name when the index has one, others the index.
func zoneSuffix(a netip.Addr, zone string) (string, bool) {
	var index uint64
	localScope := a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast()
	if ifi, err := net.InterfaceByName(zone); localScope && zone != "" && err == nil {
		index = uint64(ifi.Index)
	} else if n, err := strconv.ParseUint(zone, 10, 32); err == nil && zone[0] >= '0' && zone[0] <= '9' {
		index = n
	} else {
		return "", false
	}
	if index == 0 {
		return "", true
	}
	if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() {
		if ifi, err := net.InterfaceByIndex(int(index)); err == nil {
			return "%" + ifi.Name, true
		}
	}
	return "%" + strconv.FormatUint(index, 10), true
}

// ntop6 formats an IPv6 address as glibc's inet_ntop does: the first longest run of two or more
// zero groups becomes "::", hex digits are lowercase, and an address whose longest zero run is
// exactly the first six groups, or the first five followed by ffff, ends in dotted IPv4.
func ntop6(a [16]byte) string {
	var w [8]uint16
	for i := range w {
		w[i] = uint16(a[2*i])<<8 | uint16(a[2*i+1])
	}
	base, length := longestZeroRun(w)
	var b strings.Builder
	for i := range 8 {
		if base >= 0 && i >= base && i < base+length {
			if i == base {
				b.WriteByte(':')
			}
			continue
		}
		if i != 0 {
			b.WriteByte(':')
		}
		if i == 6 && base == 0 && (length == 6 || length == 5 && w[5] == 0xffff) {
			fmt.Fprintf(&b, "%d.%d.%d.%d", a[12], a[13], a[14], a[15])
			return b.String()
		}
		b.WriteString(strconv.FormatUint(uint64(w[i]), 16))
	}
	if base >= 0 && base+length == 8 {
		b.WriteByte(':')
	}
	return b.String()
}

// longestZeroRun returns the first longest run of zero groups, or -1 if none has two groups.
func longestZeroRun(w [8]uint16) (base, length int) {
	base, cur := -1, -1
	curLen := 0
	for i, v := range w {
		if v != 0 {
			cur = -1
			continue
		}
		if cur < 0 {
			cur, curLen = i, 0
		}
		curLen++
		if base < 0 || curLen > length {
			base, length = cur, curLen
		}
	}
	if length < 2 {
		return -1, 0
	}
	return base, length
}
