package reference

import (
	"strings"

	"floe/ice/encoding"
)

// IdentityString formats id as Ice.identityToString does in the 3.7 default ("Unicode") mode:
// "name", or "category/name" when the category is not empty, each part escaped, with '/' escaped
// as "\/" (ice-protocol.md §6.3).
func IdentityString(id encoding.Identity) string {
	if id.Category == "" {
		return escape(id.Name, "/")
	}
	return escape(id.Category, "/") + "/" + escape(id.Name, "/")
}

// ParseIdentity parses the output of IdentityString, as Ice.stringToIdentity does: the string is
// split at the first '/' that is not escaped (a second one is an error), and both parts are
// unescaped. "" gives the empty identity; ParseIdentity does not reject an empty name (Parse does).
func ParseIdentity(s string) (encoding.Identity, error) {
	slash := -1
	for pos := range len(s) {
		if s[pos] != '/' {
			continue
		}
		escapes := 0
		for pos-escapes > 0 && s[pos-escapes-1] == '\\' {
			escapes++
		}
		if escapes%2 != 0 {
			continue
		}
		if slash >= 0 {
			return encoding.Identity{}, parseErrorf(s, "unescaped '/' in identity")
		}
		slash = pos
	}
	var id encoding.Identity
	var err error
	if slash < 0 {
		if id.Name, err = unescape(s, "/"); err != nil {
			return encoding.Identity{}, &ParseError{Input: s, Reason: "invalid identity name: " + err.Error()}
		}
		return id, nil
	}
	if id.Category, err = unescape(s[:slash], "/"); err != nil {
		return encoding.Identity{}, &ParseError{Input: s, Reason: "invalid category in identity: " + err.Error()}
	}
	if id.Name, err = unescape(s[slash+1:], "/"); err != nil {
		return encoding.Identity{}, &ParseError{Input: s, Reason: "invalid name in identity: " + err.Error()}
	}
	return id, nil
}

// quoteToken wraps an escaped identity, facet or adapter id in double quotes when it contains a
// character that separates proxy words (" :@"), or when force is set. A final escaped backslash
// would make the closing quote look escaped to the parser (Ice prints it that way and cannot read
// it back), so it is written as the equivalent octal escape \134.
func quoteToken(escaped string, force bool) string {
	if !force && !strings.ContainsAny(escaped, " :@") {
		return escaped
	}
	if strings.HasSuffix(escaped, `\\`) {
		escaped = escaped[:len(escaped)-2] + `\134`
	}
	return `"` + escaped + `"`
}
