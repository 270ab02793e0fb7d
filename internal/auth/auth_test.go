package auth

import (
	"strings"
	"testing"
)

func TestNewParseMatches(t *testing.T) {
	text, s, err := New(PrefixFleet)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(text)
	if err != nil || got.Prefix != PrefixFleet || got.ID != s.ID {
		t.Fatalf("Parse(%q) = %+v, %v", text, got, err)
	}
	if !got.Matches(s.Hash()) {
		t.Fatal("a secret does not match its own hash")
	}
	other, _, _ := New(PrefixFleet)
	o, _ := Parse(other)
	if o.Matches(s.Hash()) {
		t.Fatal("another secret matches")
	}
	// A changed last character must not match: the whole secret counts.
	tampered, _ := Parse(text[:len(text)-1] + string(rune(text[len(text)-1])^1))
	if tampered.Matches(s.Hash()) {
		t.Fatal("a tampered secret matches")
	}
	if strings.Contains(string(s.Hash()), got.secret) {
		t.Fatal("the stored hash contains the secret")
	}
}

func TestParseRefusesForeignStrings(t *testing.T) {
	for _, text := range []string{"", "hunter2", "ipk_short_" + strings.Repeat("x", 43), "xyz_0123456789ab_" + strings.Repeat("x", 43),
		"ipk_0123456789ab_tooshort", "Bearer ipa_0123456789ab_" + strings.Repeat("x", 43)} {
		if _, err := Parse(text); err != ErrMalformed {
			t.Errorf("Parse(%q) = %v, want ErrMalformed", text, err)
		}
	}
}

func TestEqualText(t *testing.T) {
	if !EqualText("a-configured-token", "a-configured-token") || EqualText("a-configured-tokeN", "a-configured-token") {
		t.Fatal("EqualText compares wrongly")
	}
	if EqualText("", "") {
		t.Fatal("an empty configured token must match nothing")
	}
}
