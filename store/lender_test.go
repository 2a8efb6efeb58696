package store

import "testing"

// lists is a lendable value for TestLender: its room is what it says.
type lists struct {
	bytes   int
	emptied bool
}

func (l *lists) room() int { return l.bytes }
func (l *lists) empty()    { l.emptied = true }

// TestLender: a value given back is emptied before it is lent again, and
// one whose lists outgrew maxLent is never lent again; a nil lender lends
// new values and keeps none.
func TestLender(t *testing.T) {
	var l lender[lists, *lists]
	big := &lists{bytes: maxLent + 1}
	l.put(big)
	if big.emptied {
		t.Error("a value over maxLent was emptied to be kept")
	}
	small := &lists{bytes: maxLent}
	l.put(small)
	if !small.emptied {
		t.Error("a value given back was not emptied")
	}
	for range 10 {
		if v := l.get(); v == big {
			t.Fatal("a value over maxLent was lent again")
		} else if v != small && (v.bytes != 0 || v.emptied) {
			t.Fatalf("a new value is not new: %+v", v)
		}
	}
	var none *lender[lists, *lists]
	none.put(small)
	if v := none.get(); v == nil || v == small {
		t.Errorf("a nil lender lent %p, want a new value", v)
	}
}
