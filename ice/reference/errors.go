package reference

import "fmt"

// ParseError reports a string that Ice 3.7 rejects as a proxy, an endpoint or an identity.
type ParseError struct {
	Input  string // the whole string given to Parse, ParseEndpoint or ParseIdentity
	Reason string // what is wrong, worded after Ice's exception messages
	Err    error  // the underlying decoding error for opaque endpoints of a known type, or nil
}

func (e *ParseError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("reference: %s in %q: %v", e.Reason, e.Input, e.Err)
	}
	return fmt.Sprintf("reference: %s in %q", e.Reason, e.Input)
}

// Unwrap returns the underlying decoding error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// parseErrorf builds a *ParseError for input.
func parseErrorf(input, format string, args ...any) *ParseError {
	return &ParseError{Input: input, Reason: fmt.Sprintf(format, args...)}
}
