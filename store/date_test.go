package store

import "testing"

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" for the zero Date
		prec Precision
		bad  bool
	}{
		{in: "", want: "", prec: PrecisionNone},
		{in: "2009", want: "2009", prec: PrecisionYear},
		{in: "0000", want: "0000", prec: PrecisionYear},
		{in: "2017-07", want: "2017-07", prec: PrecisionMonth},
		{in: "2017-07-05", want: "2017-07-05", prec: PrecisionDay},
		{in: "2016-02-29", want: "2016-02-29", prec: PrecisionDay},
		{in: "2017-02-29", bad: true},
		{in: "2017-13", bad: true},
		{in: "2017-00", bad: true},
		{in: "2017-07-00", bad: true},
		{in: "2017-07-32", bad: true},
		{in: "17", bad: true},
		{in: "20170", bad: true},
		{in: "2017/07", bad: true},
		{in: "2017-7-5", bad: true},
		{in: "-201", bad: true},
		{in: "２０１７", bad: true},
		{in: "2017-07-05T00:00", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseDate(tc.in)
			if tc.bad {
				if got, want := ErrorCode(err), Invalid; got != want {
					t.Fatalf("ParseDate(%q): got %v, want an Invalid error", tc.in, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := d.String(); got != tc.want {
				t.Errorf("String: got %q, want %q", got, tc.want)
			}
			if got := d.Precision(); got != tc.prec {
				t.Errorf("Precision: got %d, want %d", got, tc.prec)
			}
		})
	}
}

func TestValidAt(t *testing.T) {
	d := MustParseDate
	var zero Date
	for _, tc := range []struct {
		name         string
		from, to, at Date
		want         bool
	}{
		{"Open", zero, zero, d("2017"), true},
		{"NoAt", d("2017"), d("2018"), zero, true},
		{"YearHoldsAtDay", d("2017"), zero, d("2017-07-15"), true},
		{"BeforeStart", d("2017"), zero, d("2016-12-31"), false},
		{"ToYearHoldsInYear", zero, d("2017"), d("2017"), true},
		{"ToYearHoldsAtItsLastDay", zero, d("2017"), d("2017-12-31"), true},
		{"AfterEnd", zero, d("2017"), d("2018-01-01"), false},
		{"MonthInsideYear", d("2017-07"), d("2017-07"), d("2017"), true},
		{"DalianIn2012", d("2009"), d("2017"), d("2012"), true},
		{"SisterIn2012", d("2017"), zero, d("2012"), false},
		{"SisterIn2018", d("2017"), zero, d("2018"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValidAt(tc.from, tc.to, tc.at); got != tc.want {
				t.Errorf("ValidAt(%v, %v, %v): got %v, want %v", tc.from, tc.to, tc.at, got, tc.want)
			}
		})
	}
}

func TestDateCompare(t *testing.T) {
	order := []string{"", "2016-12-31", "2017", "2017-01", "2017-01-01", "2017-01-02", "2017-02", "2018"}
	for i, a := range order {
		for j, b := range order {
			da, db := MustParseDate(a), MustParseDate(b)
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := da.Compare(db); got != want {
				t.Errorf("Compare(%q, %q): got %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestDateJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"2017-07"`, "2017-07"},
		{`2009`, "2009"},
		{`2009.0`, "2009"},
		{`2.009e3`, "2009"},
		{`null`, ""},
	} {
		var d Date
		if err := d.UnmarshalJSON([]byte(tc.in)); err != nil {
			t.Fatalf("UnmarshalJSON(%s): %v", tc.in, err)
		}
		if got := d.String(); got != tc.want {
			t.Errorf("UnmarshalJSON(%s): got %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{`"July 2017"`, `2009.5`, `17`, `-2009`, `20090`} {
		var d Date
		if err := d.UnmarshalJSON([]byte(in)); ErrorCode(err) != Invalid {
			t.Errorf("UnmarshalJSON(%s): got %v, want Invalid", in, err)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2009", "2017-07", "2017-07-05", "", "2017-02-29", "abcd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		back, err := ParseDate(d.String())
		if err != nil {
			t.Fatalf("ParseDate(%q).String() = %q does not parse: %v", s, d.String(), err)
		}
		if back != d {
			t.Fatalf("round trip of %q: got %+v, want %+v", s, back, d)
		}
		if !d.IsZero() && d.First() > d.Last() {
			t.Fatalf("%q: first day after last", s)
		}
	})
}
