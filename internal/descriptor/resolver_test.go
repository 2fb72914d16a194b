package descriptor

import (
	"strconv"
	"strings"
	"testing"

	"floe/internal/slice/icegrid"
)

func TestSubstitute(t *testing.T) {
	app := &icegrid.ApplicationDescriptor{Name: "App", Variables: map[string]string{
		"a": "A", "nested": "${a}-${a}", "self": "${self}x", "empty": "",
	}}
	tests := []struct {
		in, want, err string
		escape        bool
	}{
		{in: "plain", want: "plain"},
		{in: "${a}", want: "A"},
		{in: "x${a}y${a}", want: "xAyA"},
		{in: "${nested}", want: "A-A"},
		{in: "${application}", want: "App"},
		{in: "$${a}", want: "$${a}"},
		{in: "$${a}", want: "${a}", escape: true},
		{in: "$$${a}", want: "$A"},
		{in: "$$$${a}", want: "$$$${a}"},
		{in: "$$$${a}", want: "$${a}", escape: true},
		{in: "${node.data}/x", want: "${node.data}/x"},
		{in: "${server.data}", err: "undefined variable `server'"},
		{in: "${param}", want: "p"},
		{in: "${empty}", want: ""},
		{in: "${nope}", err: "undefined variable `nope'"},
		{in: "${a", err: "malformed variable name `${a'"},
		{in: "$a", want: "$a"},
		{in: "${}", err: "undefined variable `'"},
	}
	for _, tt := range tests {
		r := newAppResolver(app, nil).derive(map[string]string{"param": "p"}, true)
		r.escape = tt.escape
		got, err := r.substitute(tt.in)
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("substitute(%q) = %q, %v, want error %q", tt.in, got, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("substitute(%q, escape %v) = %q, %v, want %q", tt.in, tt.escape, got, err, tt.want)
		}
	}
}

// TestParametersAreNotRecursive checks a parameter value is inserted as it is, while a
// variable's value is substituted again.
func TestParametersAreNotRecursive(t *testing.T) {
	app := &icegrid.ApplicationDescriptor{Name: "App", Variables: map[string]string{"v": "${a}", "a": "A"}}
	r := newAppResolver(app, nil).derive(map[string]string{"p": "$${a}"}, true)
	if got, err := r.substitute("${p} ${v}"); err != nil || got != "$${a} A" {
		t.Errorf("substitute = %q, %v, want %q", got, err, "$${a} A")
	}
}

func TestReservedNames(t *testing.T) {
	for _, name := range []string{"application", "node", "server", "service", "session.id", "node.data", "server.data"} {
		app := &icegrid.ApplicationDescriptor{Name: "App", Variables: map[string]string{name: "x"}}
		f := catchFailure(func() { newAppResolver(app, nil) })
		want := "application `App': invalid variable `" + name + "': reserved variable name"
		if f == nil || f.msg != want {
			t.Errorf("variable %q: failure %v, want %q", name, f, want)
		}
	}
}

// TestSelfReferenceIsAnError checks the bounds IceGrid lacks: a variable that refers to itself
// crashes IceGrid's registry (stack overflow), Floe reports it.
func TestSelfReferenceIsAnError(t *testing.T) {
	app := &icegrid.ApplicationDescriptor{Name: "App", Variables: map[string]string{
		"self": "${self}", "d0": strings.Repeat("x", 1024),
	}}
	for i := 1; i <= 20; i++ {
		prev := "${d" + strconv.Itoa(i-1) + "}"
		app.Variables["d"+strconv.Itoa(i)] = prev + prev
	}
	r := newAppResolver(app, nil)
	if _, err := r.substitute("${self}"); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("substitute(${self}) error = %v, want a nesting error", err)
	}
	if _, err := r.substitute("${d20}"); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("substitute(${d20}) error = %v, want a length error", err)
	}
	app.Variables["e0"] = ""
	for i := 1; i <= 40; i++ {
		prev := "${e" + strconv.Itoa(i-1) + "}"
		app.Variables["e"+strconv.Itoa(i)] = prev + prev
	}
	r = newAppResolver(app, nil)
	if _, err := r.substitute("${e40}"); err == nil || !strings.Contains(err.Error(), "variable references") {
		t.Errorf("substitute(${e40}) error = %v, want a work limit error", err)
	}
}
