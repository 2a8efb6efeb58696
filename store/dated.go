package store

// Holds reports whether a fact valid from `from` to `to` passes f's test of
// valid time: it overlaps the filter's date or span (any fact does when
// the filter has none), and, when f keeps dated facts only, its start is
// on record. It is the test every traversal applies to each edge, exported
// so that a question asked over two snapshots (a diff) can ask it of a
// relation read from the other one.
func (f *EdgeFilter) Holds(from, to Date) bool {
	if f.datedOnly && from.IsZero() {
		return false
	}
	return f.valid.Overlaps(from, to)
}

// RestrictDatedOnly narrows f to facts whose dates show that they held:
// a fact with no validFrom is left out, whatever its validTo, because an
// unknown start proves nothing about any date. An unset validTo still
// reads as "holds on", since that is how the data records a tie that has
// not ended (Dalian's sister-city tie, from 2017). Without a date or span
// on f, it keeps every fact that has a validFrom.
func (f *EdgeFilter) RestrictDatedOnly() { f.datedOnly = true }
