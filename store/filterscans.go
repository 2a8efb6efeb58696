package store

import (
	"slices"
	"sync"
)

// scanPlan is what compileFilter derives from the ontology alone for a
// filter that names no relation type: the prefix scans of one direction
// and the symmetric types. Every neighbourhood a dashboard asks for is
// such a filter, and building it per request (type lists gathered and
// sorted, a map made) was a twentieth of a small request's allocations;
// the ontology is immutable once published, so each of its snapshots
// builds the plan of a direction once.
type scanPlan struct {
	once      sync.Once
	scans     []edgeScan
	symmetric map[TypeID]bool
}

// scanPlans holds a schema's plans, one per Direction.
type scanPlans [3]scanPlan

// filterScans returns the scans of a filter over the relation types in
// types (nil: all) in direction dir, and the symmetric types among them.
// Both may be shared with other filters: their holders never change them.
func (s *schema) filterScans(types map[TypeID]bool, dir Direction) ([]edgeScan, map[TypeID]bool) {
	if types == nil && s.plans != nil && int(dir) < len(s.plans) {
		p := &s.plans[dir]
		p.once.Do(func() { p.scans, p.symmetric = buildScans(s, nil, dir) })
		return p.scans, p.symmetric
	}
	return buildScans(s, types, dir)
}

// buildScans computes what filterScans returns. Symmetric relations are
// stored once, so a walk OUT also scans the in-keys of symmetric types and
// a walk IN their out-keys.
func buildScans(sch *schema, types map[TypeID]bool, dir Direction) ([]edgeScan, map[TypeID]bool) {
	var listed, sym []TypeID
	for _, ti := range sch.types {
		if ti == nil || !ti.relation || (types != nil && !types[ti.id]) {
			continue
		}
		listed = append(listed, ti.id)
		if ti.def.Symmetric {
			sym = append(sym, ti.id)
		}
	}
	slices.Sort(listed)
	slices.Sort(sym)
	symmetric := make(map[TypeID]bool, len(sym))
	for _, t := range sym {
		symmetric[t] = true
	}
	var scans []edgeScan
	add := func(d byte, ts []TypeID, all bool) {
		if all {
			scans = append(scans, edgeScan{dir: d})
			return
		}
		for _, t := range ts {
			scans = append(scans, edgeScan{dir: d, typ: t})
		}
	}
	any := types == nil
	switch dir {
	case Out:
		add(pOut, listed, any)
		add(pIn, sym, false)
	case In:
		add(pOut, sym, false)
		add(pIn, listed, any)
	default:
		add(pOut, listed, any)
		add(pIn, listed, any)
	}
	return scans, symmetric
}
