package store

// textTerms returns the distinct folded tokens of e's description and of
// the excerpts of its sources that its name index does not already hold:
// a word of the name is found as a name, which ranks higher, so filing it
// again here would only grow the index.
func textTerms(e *Entity) []string {
	_, named := nameTerms(e)
	ts := termSet{seen: make(map[string]bool, len(named))}
	for _, t := range named {
		ts.seen[t] = true
	}
	ts.addTokens(fold(e.Description))
	for _, s := range e.Sources {
		ts.addTokens(fold(s.Excerpt))
	}
	return ts.terms
}

// textKeys returns every text index key of entity e at node n.
func textKeys(e *Entity, n NodeID) [][]byte {
	ts := textTerms(e)
	keys := make([][]byte, len(ts))
	for i, t := range ts {
		keys[i] = nameKey(pTextTok, t, n)
	}
	return keys
}
