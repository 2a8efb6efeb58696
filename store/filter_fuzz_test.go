package store

import (
	"bytes"
	"testing"
)

// FuzzPropertyFilter feeds arbitrary JSON operands to a filter and checks
// what must hold whatever they are: compiling never panics, an operand
// that compiles gives a filter that never panics on any value, and a
// property index answers it with ranges that hold every value the filter
// accepts (the index may offer more, never less). The value compared
// against is decoded from the second input.
func FuzzPropertyFilter(f *testing.F) {
	seeds := [][2]string{
		{`5`, `5`}, {`"Münster"`, `"munster"`}, {`{"date":"2017"}`, `{"date":"2017-07-05"}`},
		{`{"date":"2017-07"}`, `{"date":"2017"}`}, {`true`, `false`}, {`[1,2]`, `2`},
		{`{"lat":52,"lon":6}`, `{"lat":52,"lon":6}`}, {`-0`, `0`}, {`"a\u0000b"`, `"a"`},
		{`1e308`, `-1e308`}, {`null`, `"x"`}, {`"2017"`, `{"date":"2017"}`},
	}
	for _, s := range seeds {
		for op := range 6 {
			f.Add([]byte(s[0]), []byte(s[1]), uint8(op))
		}
	}
	sch := defaultSchema()
	f.Fuzz(func(t *testing.T, operand, value []byte, op uint8) {
		var bound Value
		if bound.UnmarshalJSON(operand) != nil {
			return
		}
		var v Value
		if v.UnmarshalJSON(value) != nil {
			return
		}
		pf := PropertyFilter{Key: "p"}
		switch op % 6 {
		case 0:
			pf.Eq = &bound
		case 1:
			pf.In = []Value{bound, Text("other")}
		case 2:
			pf.Gt = &bound
		case 3:
			pf.Gte = &bound
		case 4:
			pf.Lt = &bound
		case 5:
			pf.Lte = &bound
		}
		w, err := compileWhere(sch, []PropertyFilter{pf}, true, "where")
		if err != nil {
			return
		}
		c := &w[0]
		rec := record{props: Properties{"p": v}}
		if !w.matches(rec) {
			return
		}
		rs, ok := indexRanges(1, c)
		if !ok {
			t.Fatalf("the index does not answer %+v", pf)
		}
		keys := propKeys(1, "id", rec.props, []string{"p"})
		for _, k := range keys {
			for _, r := range rs {
				if bytes.Compare(k, r.lo) >= 0 && bytes.Compare(k, r.hi) < 0 {
					return
				}
			}
		}
		t.Fatalf("filter %+v accepts %+v, but no index range %x holds its keys %x", pf, v, rs, keys)
	})
}
