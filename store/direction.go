package store

// RelationLabel is how a relation of type t reads from one of its ends:
// its own type name from the entity it starts at (outgoing), and the
// ontology's inverse name from the entity it ends at (HAS_MAYOR for
// MAYOR_OF seen from the city), or the type name again when the ontology
// gives no inverse, so that a client can always print "X label Y" with
// the direction beside it. A symmetric type is its own inverse.
func (r *Reader) RelationLabel(t TypeID, outgoing bool) string {
	return r.sch.relationLabel(t, outgoing)
}

func (sch *schema) relationLabel(t TypeID, outgoing bool) string {
	ti := sch.info(t)
	if ti == nil {
		return ""
	}
	if !outgoing && ti.def.Inverse != "" {
		return ti.def.Inverse
	}
	return ti.def.Name
}

// directionOf is the direction of an edge seen from the node it was
// expanded from: Out when that node is where the relation starts (a
// self-loop included), In when it is where the relation ends.
func directionOf(e Edge) Direction {
	if e.Outgoing {
		return Out
	}
	return In
}
