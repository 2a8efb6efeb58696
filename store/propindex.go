package store

// eachCandidate calls fn with the internal id of every entity or relation
// of type t that may satisfy w: those of the type index. The caller checks
// w on each.
func (r *Reader) eachCandidate(t TypeID, w where, fn func(id uint64) error) error {
	return r.eachTyped(t, fn)
}
