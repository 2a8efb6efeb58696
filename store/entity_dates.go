package store

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
