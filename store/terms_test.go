package store

import (
	"math/rand/v2"
	"testing"
)

// TestFoldASCII checks the ASCII fast path of fold against the Unicode
// passes it stands in for: every string of up to two ASCII bytes, and
// random longer ones weighted towards spaces, controls and capitals.
func TestFoldASCII(t *testing.T) {
	check := func(s string) {
		t.Helper()
		got, ok := foldASCII(s)
		if !ok {
			t.Fatalf("foldASCII(%q) refused an ASCII string", s)
		}
		if want := foldUnicode(s); got != want {
			t.Fatalf("foldASCII(%q) = %q, the Unicode passes give %q", s, got, want)
		}
	}
	for a := range 128 {
		check(string(rune(a)))
		for b := range 128 {
			check(string([]byte{byte(a), byte(b)}))
		}
	}
	alphabet := []byte(" \t\n\v\f\r\x00\x1c\x1f\x7fAZaz09-'.")
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := make([]byte, 3+rng.IntN(14))
		for i := range b {
			if rng.IntN(2) == 0 {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			} else {
				b[i] = byte(rng.IntN(128))
			}
		}
		check(string(b))
	}
	if _, ok := foldASCII("Münster"); ok {
		t.Error("foldASCII accepted a string that is not ASCII")
	}
}

// FuzzFoldASCII holds the fast path to the Unicode passes on any input.
func FuzzFoldASCII(f *testing.F) {
	for _, s := range []string{"Palo Alto", "  Palo \t Alto ", "a\x00b", "ENSCHEDE", "Münster"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := foldASCII(s)
		if !ok {
			return
		}
		if want := foldUnicode(s); got != want {
			t.Fatalf("foldASCII(%q) = %q, the Unicode passes give %q", s, got, want)
		}
	})
}
