package store

import "fmt"

// DiffOptions bound a diff of a neighbourhood between two sides, each a
// valid date read in a recorded-time snapshot (see package connect, Diff).
type DiffOptions struct {
	Depth int      // hops from the start, as Neighborhood's
	Types []string // relation types to follow; empty = all
	// From and To are the valid dates of the two sides: a side follows
	// only the relations that held at its date. A zero date follows every
	// relation, whatever its dates (a diff on recorded time alone).
	From, To Date
	// DatedOnly counts a relation as holding at a date only when its
	// dates show it (see EdgeFilter.RestrictDatedOnly).
	DatedOnly bool
	Limit     *int // most entities on each side; nil = DefaultNeighborhoodLimit
}

// NetworkDiff is how the neighbourhood of an entity differs between two
// sides (see package connect, Diff). Relations and entities are read on
// the side where they are found: Began, Entered and Changed*
// as the "to" side has them, Ended and Left as the "from" side had them.
type NetworkDiff struct {
	Began   []*Relation // in the neighbourhood on the to side, not holding on the from side
	Ended   []*Relation // in the neighbourhood on the from side, not holding on the to side
	Entered []*Entity   // in the neighbourhood on the to side only
	Left    []*Entity   // in the neighbourhood on the from side only
	// ChangedRelations and ChangedEntities are in both neighbourhoods,
	// recorded differently on the two sides; always empty when both sides
	// read the same snapshot.
	ChangedRelations []*Relation
	ChangedEntities  []*Entity
}

// RelationByID returns the relation with external id id as the snapshot
// has it, or nil when there is none (or id names an entity). It returns
// the snapshot's errors.
func (r *Reader) RelationByID(id string) (*Relation, error) {
	ref, ok, err := r.lookupAny(id)
	if err != nil {
		return nil, fmt.Errorf("look up relation %s: %w", id, err)
	}
	if !ok || ref.kind != kindRelation {
		return nil, nil
	}
	return r.relation(RelID(ref.id))
}
