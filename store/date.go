package store

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// This file holds partial dates (Date: a year, a month or a day) and
// spans of them (DateRange), with their parsing, order and JSON form.

// Precision says how much of a Date is known.
type Precision uint8

// The precisions of a Date, coarsest first. The zero Precision marks an
// unset Date.
const (
	PrecisionNone Precision = iota
	PrecisionYear
	PrecisionMonth
	PrecisionDay
)

// Date is a partial calendar date: a year ("2009"), a month ("2017-07") or a
// day ("2017-07-05"). It keeps its precision and stands for the whole
// interval it names: "2017" is every day from 2017-01-01 to 2017-12-31.
// The zero Date is unset and means "unknown" (an open bound).
type Date struct {
	year      int16
	month     uint8
	day       uint8
	precision Precision
}

// ParseDate parses "YYYY", "YYYY-MM" or "YYYY-MM-DD" (years 0000 to 9999).
// The empty string gives the zero Date. Anything else is an Invalid error
// that names the value.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	bad := func(why string) (Date, error) {
		return Date{}, Errorf(Invalid, "invalid date %q: %s (use YYYY, YYYY-MM or YYYY-MM-DD)", s, why)
	}
	digits := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	var d Date
	switch len(s) {
	case 4, 7, 10:
	default:
		return bad("wrong length")
	}
	y, ok := digits(0, 4)
	if !ok {
		return bad("year is not four digits")
	}
	d.year, d.precision = int16(y), PrecisionYear
	if len(s) == 4 {
		return d, nil
	}
	if s[4] != '-' {
		return bad("expected '-' after the year")
	}
	m, ok := digits(5, 7)
	if !ok || m < 1 || m > 12 {
		return bad("month must be 01 to 12")
	}
	d.month, d.precision = uint8(m), PrecisionMonth
	if len(s) == 7 {
		return d, nil
	}
	if s[7] != '-' {
		return bad("expected '-' after the month")
	}
	day, ok := digits(8, 10)
	if !ok || day < 1 || day > daysIn(y, m) {
		return bad(fmt.Sprintf("day must be 01 to %02d in %04d-%02d", daysIn(y, m), y, m))
	}
	d.day, d.precision = uint8(day), PrecisionDay
	return d, nil
}

// MustParseDate is ParseDate for literals in tests and seed code; it panics
// on a malformed value.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the day-precision Date of t (in t's location).
func DateOf(t time.Time) Date {
	return Date{year: int16(t.Year()), month: uint8(t.Month()), day: uint8(t.Day()), precision: PrecisionDay}
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.precision == PrecisionNone }

// Precision returns how much of d is known.
func (d Date) Precision() Precision { return d.precision }

// Year returns the year of d (0 when unset).
func (d Date) Year() int { return int(d.year) }

// String formats d at its own precision; the zero Date formats as "".
func (d Date) String() string {
	if d.precision < PrecisionYear || d.precision > PrecisionDay {
		return ""
	}
	var buf [16]byte
	return string(d.AppendTo(buf[:0]))
}

// AppendTo appends d as String writes it to b. A chart of a neighbourhood
// writes thousands of dates, and a string for each was an allocation.
func (d Date) AppendTo(b []byte) []byte {
	// Appended by hand rather than with fmt.Sprintf: Sprintf was most of
	// the cost of writing a chart's relations (fmt's %04d and %02d
	// exactly).
	if d.precision < PrecisionYear || d.precision > PrecisionDay {
		return b
	}
	b = appendZeroPadded(b, int(d.year), 4)
	if d.precision >= PrecisionMonth {
		b = appendZeroPadded(append(b, '-'), int(d.month), 2)
	}
	if d.precision == PrecisionDay {
		b = appendZeroPadded(append(b, '-'), int(d.day), 2)
	}
	return b
}

// appendZeroPadded appends v as fmt's %0<width>d writes it: the sign
// counts in the width.
func appendZeroPadded(b []byte, v, width int) []byte {
	// The years, months and days of every date a chart writes fit
	// their widths: their digits directly, without strconv's general
	// conversion, which was most of the time of a dated relation.
	switch {
	case width == 4 && v >= 0 && v < 10000:
		return append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
	case width == 2 && v >= 0 && v < 100:
		return append(b, byte('0'+v/10), byte('0'+v%10))
	}
	if v < 0 {
		b = append(b, '-')
		v, width = -v, width-1
	}
	var digits [20]byte
	ds := strconv.AppendInt(digits[:0], int64(v), 10)
	for range width - len(ds) {
		b = append(b, '0')
	}
	return append(b, ds...)
}

// First returns the first day d covers, as an ordinal day number that
// orders like the calendar. It is meaningless for the zero Date.
func (d Date) First() int32 {
	switch d.precision {
	case PrecisionYear:
		return ordinal(int(d.year), 1, 1)
	case PrecisionMonth:
		return ordinal(int(d.year), int(d.month), 1)
	}
	return ordinal(int(d.year), int(d.month), int(d.day))
}

// Last returns the last day d covers, as an ordinal day number.
func (d Date) Last() int32 {
	switch d.precision {
	case PrecisionYear:
		return ordinal(int(d.year), 12, 31)
	case PrecisionMonth:
		return ordinal(int(d.year), int(d.month), daysIn(int(d.year), int(d.month)))
	}
	return ordinal(int(d.year), int(d.month), int(d.day))
}

// ordinal numbers days so that comparing numbers compares dates; it is
// y*512+m*32+d, which is monotonic and cheap, not a day count.
func ordinal(y, m, d int) int32 { return int32(y*512 + m*32 + d) }

// Compare orders dates by their first day, then coarser before finer, so
// that 2017 < 2017-01 < 2017-01-01 < 2017-01-02. The zero Date sorts first.
func (d Date) Compare(o Date) int {
	if d.IsZero() || o.IsZero() {
		switch {
		case d.IsZero() && o.IsZero():
			return 0
		case d.IsZero():
			return -1
		}
		return 1
	}
	a, b := d.First(), o.First()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case d.precision < o.precision:
		return -1
	case d.precision > o.precision:
		return 1
	}
	return 0
}

// ValidAt reports whether a fact valid from `from` to `to` (either may be
// unset, meaning open) may hold at some day of `at`. Intervals compare
// leniently: a fact valid from "2017" holds at "2017-07-15", and one valid
// to "2017" holds at "2017" too. An unset `at` matches everything.
func ValidAt(from, to, at Date) bool {
	return DateRange{at, at}.Overlaps(from, to)
}

// MarshalText formats d at its precision.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses d with ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes d as a string, or null when unset.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads a date string or null. A JSON number such as 2009 is
// accepted as a year, since spreadsheets and hand-written files produce it.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n json.Number
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return Errorf(Invalid, "invalid date %s: want a string such as \"2017-07\"", b)
		}
		s = n.String()
		// A number is a year. Spreadsheets and data frames write a year
		// column with a gap as floats (2009.0): the same whole year.
		if f, err := n.Float64(); err == nil && f == math.Trunc(f) && f >= 0 && f <= 9999 {
			s = strconv.Itoa(int(f))
		}
	}
	return d.UnmarshalText([]byte(s))
}

// DateRange is a span of valid time between two partial dates, either of
// which may be zero for an open end: 2010 to 2015 runs from the first day
// of 2010 to the last of 2015.
type DateRange struct {
	From, To Date
}

// IsZero reports whether r restricts nothing.
func (r DateRange) IsZero() bool { return r.From.IsZero() && r.To.IsZero() }

// Overlaps reports whether a fact valid from from to to (zero ends open)
// held at some time within r: the "during" of valid time, where ValidAt
// is its "at".
func (r DateRange) Overlaps(from, to Date) bool {
	if !from.IsZero() && !r.To.IsZero() && from.First() > r.To.Last() {
		return false
	}
	if !to.IsZero() && !r.From.IsZero() && to.Last() < r.From.First() {
		return false
	}
	return true
}

// check returns an Invalid error naming field when r ends before it
// begins.
func (r DateRange) check(field string) error {
	if !r.From.IsZero() && !r.To.IsZero() && r.From.First() > r.To.Last() {
		return FieldError("", field, "from %s is after to %s", r.From, r.To)
	}
	return nil
}
