package connect

import "github.com/ties-graph/ties/store"

// filterOf is Reader.Filter with datedOnly (EdgeFilter.RestrictDatedOnly)
// applied: how every query of this package compiles its filter.
func filterOf(r *store.Reader, types []string, dir store.Direction, validAt store.Date, datedOnly bool, entityTypes []string) (*store.EdgeFilter, error) {
	f, err := r.Filter(types, dir, validAt, entityTypes)
	if err != nil {
		return nil, err
	}
	if datedOnly {
		f.RestrictDatedOnly()
	}
	return f, nil
}
