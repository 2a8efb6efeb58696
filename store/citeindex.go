package store

// citeKeys returns the citation index keys of the sources ss of the entity
// or relation (kind, id): one per source, so that a fact citing one
// document twice (two excerpts) is listed twice, once with each.
func citeKeys(kind byte, id uint64, ss []Source) [][]byte {
	keys := make([][]byte, len(ss))
	for i, s := range ss {
		keys[i] = citeKey(s.Document, kind, id, i)
	}
	return keys
}
