package store

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

// FuzzIsNFC checks the ASCII shortcut of isNFC against the full check on
// any text: ASCII, composed and decomposed forms, broken UTF-8.
func FuzzIsNFC(f *testing.F) {
	for _, s := range []string{"", "enschede", "palo-alto_2017", "São", "Sa\u0303o", "\u212b", "a\u0301", "\xff", "e\xcc", "恩斯赫德", "\x7f\x80"} {
		f.Add(s)
	}
	for b := range 256 {
		f.Add(string([]byte{byte(b)}))
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isNFC(s), norm.NFC.IsNormalString(s); got != want {
			t.Errorf("isNFC(%q) = %v, norm says %v", s, got, want)
		}
	})
}
