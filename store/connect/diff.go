package connect

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/ties-graph/ties/store"
)

// Diff compares the neighbourhood of entity id on two sides. A side is a
// snapshot (from and to may be the same Reader, for a diff on valid time
// alone, or two snapshots at different recorded instants) and a valid date
// (opts.From, opts.To; a zero date follows every relation). On each side
// the neighbourhood is the one breadth-first walk of Reader.Neighborhood
// with opts.Depth and opts.Types, in both directions, following only the
// relations that held at the side's date, and with every relation that
// held between two of its entities.
//
// A relation of the to side's neighbourhood that did not hold on the from
// side (absent from that snapshot, or its dates there not holding at the
// from date) began; the reverse ended. A relation that held on both sides
// but was reached on one only (its far end joined through another path) is
// neither: its entity says so, entering or leaving. Entities are compared
// as members of the two neighbourhoods, records by value: a relation or
// entity present on both sides with different records is changed.
//
// An entity that does not exist on one side has an empty neighbourhood
// there. Errors: NotFound when id exists on neither side, Invalid for a
// negative depth or limit or an unknown type, TooComplex when a side
// reaches more entities than opts.Limit (a partial diff would be a wrong
// one), Timeout when the request's deadline passes, and the snapshots'.
func Diff(from, to *store.Reader, id string, opts store.DiffOptions) (_ *store.NetworkDiff, err error) {
	defer wrap(&err, "diff of %s", id)
	if opts.Depth < 0 {
		return nil, store.FieldError("", "depth", "depth must not be negative, got %d", opts.Depth)
	}
	limit, err := store.SizeOr(opts.Limit, store.DefaultNeighborhoodLimit, "limit")
	if err != nil {
		return nil, err
	}
	a, err := walkSide(from, id, opts.From, opts, limit)
	if err != nil {
		return nil, err
	}
	b, err := walkSide(to, id, opts.To, opts, limit)
	if err != nil {
		return nil, err
	}
	if !a.exists && !b.exists {
		_, err := to.LookupEntity(id)
		return nil, err
	}
	sameSnapshot := from == to
	d := &store.NetworkDiff{
		Began: []*store.Relation{}, Ended: []*store.Relation{}, Entered: []*store.Entity{}, Left: []*store.Entity{},
		ChangedRelations: []*store.Relation{}, ChangedEntities: []*store.Entity{},
	}
	for _, rel := range b.rels {
		old, held, err := a.held(rel.ID)
		if err != nil {
			return nil, err
		}
		switch {
		case !held:
			d.Began = append(d.Began, rel)
		case !sameSnapshot && !sameRecord(old, rel):
			d.ChangedRelations = append(d.ChangedRelations, rel)
		}
	}
	for _, rel := range a.rels {
		cur, held, err := b.held(rel.ID)
		if err != nil {
			return nil, err
		}
		switch {
		case !held:
			d.Ended = append(d.Ended, rel)
		case !sameSnapshot && !b.inWalk(rel.ID) && !sameRecord(cur, rel):
			// Held on both sides but reached on the from side only: the
			// loop over the to side did not see it.
			d.ChangedRelations = append(d.ChangedRelations, cur)
		}
	}
	for _, e := range b.ents {
		old, ok := a.entity[e.ID]
		switch {
		case !ok:
			d.Entered = append(d.Entered, e)
		case !sameSnapshot && !sameRecord(old, e):
			d.ChangedEntities = append(d.ChangedEntities, e)
		}
	}
	for _, e := range a.ents {
		if _, ok := b.entity[e.ID]; !ok {
			d.Left = append(d.Left, e)
		}
	}
	return d, nil
}

// side is one side of a diff: a snapshot, the filter of its date, and the
// neighbourhood walked there.
type side struct {
	r        *store.Reader
	f        *store.EdgeFilter
	exists   bool // the start entity exists in this snapshot
	ents     []*store.Entity
	rels     []*store.Relation
	entity   map[string]*store.Entity
	relation map[string]*store.Relation
}

func walkSide(r *store.Reader, id string, at store.Date, opts store.DiffOptions, limit int) (*side, error) {
	f, err := filterOf(r, opts.Types, store.Both, at, opts.DatedOnly, nil)
	if err != nil {
		return nil, err
	}
	s := &side{r: r, f: f, entity: map[string]*store.Entity{}, relation: map[string]*store.Relation{}}
	start, ok, err := r.Lookup(id)
	if err != nil || !ok {
		return s, err
	}
	s.exists = true
	nodes, rels, truncated, err := r.Neighborhood(start, f, opts.Depth, limit, true)
	if err != nil {
		return nil, err
	}
	if truncated {
		return nil, &store.Error{Code: store.TooComplex, Message: fmt.Sprintf(
			"the neighbourhood reaches more than %d entities; ask for fewer hops or relation types", limit)}
	}
	if s.ents, err = r.Entities(nodes); err != nil {
		return nil, err
	}
	if s.rels, err = r.Relations(rels); err != nil {
		return nil, err
	}
	for _, e := range s.ents {
		s.entity[e.ID] = e
	}
	for _, rel := range s.rels {
		s.relation[rel.ID] = rel
	}
	return s, nil
}

func (s *side) inWalk(id string) bool {
	_, ok := s.relation[id]
	return ok
}

// held returns relation id as this side's snapshot has it, and whether it
// held at this side's date: those of the walk did; any other is read from
// the snapshot, since a relation may hold without being reached.
func (s *side) held(id string) (*store.Relation, bool, error) {
	if rel, ok := s.relation[id]; ok {
		return rel, true, nil
	}
	rel, err := s.r.RelationByID(id)
	if err != nil || rel == nil {
		return nil, false, err
	}
	return rel, s.f.Holds(rel.ValidFrom, rel.ValidTo), nil
}

// sameRecord reports whether two records (entities or relations) read from
// two snapshots say the same, compared as their JSON: a decoded time's
// location is a new value on every read, so values that are equal may not
// be deeply equal.
func sameRecord(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
