package store

import (
	"fmt"
	"testing"
)

// TestDateStringAsFmt checks Date.String against the fmt formats it
// replaced, over every year a Date holds and the edges of month and day.
func TestDateStringAsFmt(t *testing.T) {
	for y := -32768; y <= 32767; y += 1 {
		for _, md := range [][2]uint8{{1, 1}, {9, 9}, {10, 31}, {12, 5}} {
			for p := PrecisionNone; p <= PrecisionDay+1; p++ {
				d := Date{year: int16(y), month: md[0], day: md[1], precision: p}
				var want string
				switch p {
				case PrecisionYear:
					want = fmt.Sprintf("%04d", d.year)
				case PrecisionMonth:
					want = fmt.Sprintf("%04d-%02d", d.year, d.month)
				case PrecisionDay:
					want = fmt.Sprintf("%04d-%02d-%02d", d.year, d.month, d.day)
				}
				if got := d.String(); got != want {
					t.Fatalf("%+v: got %q, want %q", d, got, want)
				}
				if got := string(d.AppendTo([]byte("x"))); got != "x"+want {
					t.Fatalf("%+v: AppendTo got %q, want %q", d, got, "x"+want)
				}
			}
		}
	}
}
