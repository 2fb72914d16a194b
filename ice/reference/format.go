package reference

import "strings"

// String returns r as Ice 3.7's proxyToString prints it (ice-protocol.md §6.3), e.g.
// `hello -t -e 1.1 @ MyAdapter` or `DemoIceGrid/Locator -t -e 1.1:tcp -h 127.0.0.1 -p 4061 -t 60000`:
// the identity, the facet, the mode, -s, -p when not 1.0, always -e, then the endpoints or the
// adapter id. See the package comment for the few inputs where the output differs from Ice's so
// that it can be parsed back. String of nil is "".
func (r *Reference) String() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(quoteToken(IdentityString(r.Identity), false))
	if r.Facet != "" {
		b.WriteString(" -f ")
		b.WriteString(quoteToken(escape(r.Facet, ""), r.Facet[0] == '-'))
	}
	b.WriteString(modeStrings[min(r.Mode, maxMode+1)])
	if r.Secure {
		b.WriteString(" -s")
	}
	if r.Protocol != Protocol10 {
		b.WriteString(" -p ")
		b.WriteString(r.Protocol.String())
	}
	b.WriteString(" -e ")
	b.WriteString(r.Encoding.String())
	for _, ep := range r.Endpoints {
		b.WriteByte(':')
		b.WriteString(ep.String())
	}
	if len(r.Endpoints) == 0 && r.AdapterID != "" {
		b.WriteString(" @ ")
		b.WriteString(quoteToken(escape(r.AdapterID, ""), false))
	}
	return b.String()
}

// modeStrings are the mode options; an invalid mode prints nothing, as in Ice.
var modeStrings = [...]string{" -t", " -o", " -O", " -d", " -D", ""}
