package store

// This file holds the filters of valid time that entities and relations
// share: whether a fact held at a date or within a span (EdgeFilter.Holds)
// and the same test on an entity's own dates (EntityFilter.validity).

// entityValidity is the valid-time filter of an EntityFilter: the
// relations' EdgeFilter test applied to an entity's own dates, so that
// validAt, during and datedOnly mean the same on entities as on relations.
type entityValidity struct {
	f    EdgeFilter
	seen int // entities tested, to check the deadline now and then
}

// validity compiles f's valid-time filter, or returns nil when f has
// none. It returns an Invalid error for a during that ends before it
// begins or comes with validAt.
func (f EntityFilter) validity() (*entityValidity, error) {
	if !f.hasValidity() {
		return nil, nil
	}
	v := &entityValidity{f: EdgeFilter{valid: DateRange{f.ValidAt, f.ValidAt}}}
	if err := v.f.restrictDuring(f.During); err != nil {
		return nil, err
	}
	if f.DatedOnly {
		v.f.RestrictDatedOnly()
	}
	return v, nil
}

// keeps reports whether entity n passes the filter. It returns the
// request's error once its context ends, since a filtered scan reads
// every entity of the types.
func (v *entityValidity) keeps(r *Reader, n NodeID) (bool, error) {
	if v.seen++; v.seen%1024 == 0 {
		if err := r.ctx.Err(); err != nil {
			return false, err
		}
	}
	e, err := r.entity(n)
	if err != nil || e == nil {
		return false, err
	}
	return v.f.Holds(e.ValidFrom, e.ValidTo), nil
}

// hasValidity reports whether f filters on valid time.
func (f EntityFilter) hasValidity() bool {
	return !f.ValidAt.IsZero() || !f.During.IsZero() || f.DatedOnly
}

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
