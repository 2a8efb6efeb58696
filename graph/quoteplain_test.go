package graph

import "testing"

// TestQuotePlain checks the eight-bytes-at-a-time test against the
// definition, for every byte value at every place of strings long enough
// for one, two and three words and a tail.
func TestQuotePlain(t *testing.T) {
	for c := range 256 {
		for n := 1; n <= 19; n++ {
			for pos := range n {
				b := []byte("abcdefghijklmnopqrs"[:n])
				b[pos] = byte(c)
				want := c >= 0x20 && c != '"' && c != '\\'
				if got := quotePlain(string(b)); got != want {
					t.Fatalf("quotePlain(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}
