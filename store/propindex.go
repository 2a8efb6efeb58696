package store

// eachCandidate calls fn with the internal id of every entity or relation
// of type t that may satisfy w: those of the type index. The caller checks
// w on each.
func (r *Reader) eachCandidate(t TypeID, w where, fn func(id uint64) error) error {
	return r.eachTyped(t, fn)
}

// Indexed reports whether every type of types (relation types when
// relations; every type of the kind when empty) has a property index on
// key. An unknown type has none.
func (s *Store) Indexed(relations bool, types []string, key string) bool {
	return false
}
