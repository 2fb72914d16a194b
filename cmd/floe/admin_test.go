package main

import (
	"slices"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`object add 'hello@A' ::Demo::Hello`, []string{"object", "add", "hello@A", "::Demo::Hello"}},
		{`object add "a b:tcp -p 1"`, []string{"object", "add", "a b:tcp -p 1"}},
		{`  adapter   list `, []string{"adapter", "list"}},
		{`object remove a\ b`, []string{"object", "remove", "a b"}},
		{`x ''`, []string{"x", ""}},
	}
	for _, tt := range tests {
		got, err := tokenize(tt.in)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("tokenize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := tokenize(`object add 'unterminated`); err == nil {
		t.Error("tokenize(unterminated quote) succeeded")
	}
}

func TestSplitCommands(t *testing.T) {
	got := splitCommands(`adapter list; object add 'a;b' T ;; object list`)
	want := []string{"adapter list", " object add 'a;b' T ", " object list"}
	if !slices.Equal(got, want) {
		t.Errorf("splitCommands = %q, want %q", got, want)
	}
}

func TestLineDiff(t *testing.T) {
	got := lineDiff([]string{"a", "b", "c", "d"}, []string{"a", "c", "x", "d"})
	want := []string{"- b", "+ x"}
	if !slices.Equal(got, want) {
		t.Errorf("lineDiff = %q, want %q", got, want)
	}
	if got := lineDiff([]string{"same"}, []string{"same"}); len(got) != 0 {
		t.Errorf("lineDiff(equal) = %q, want nothing", got)
	}
}
