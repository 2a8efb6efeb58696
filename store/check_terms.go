package store

import "fmt"

// textTarget checks that a text index entry names a live entity with the
// type and id its value says; whether the entity still has that word is
// settled by counting (see checker.texts), as for the name index.
func (c *checker) textTarget(k, v []byte) error {
	c.texts++
	return c.termTarget("text index", k, v)
}

// staleTexts reports text index entries that no entity needs. Unlike the
// name index it does not find which: the count says there are some, and
// rewriting the entities they belong to (or a dump and restore) removes
// them.
func (c *checker) staleTexts() {
	if c.texts > c.wantTexts {
		c.problem("the text index has %d entries, the entities need %d: %d are stale", c.texts, c.wantTexts, c.texts-c.wantTexts)
	}
}

// citation checks that a citation index entry names a live entity or
// relation whose source at that position cites that document, and that
// its value is the record's id. The entries every source needs are
// checked from the records (entity, relation).
func (c *checker) citation(k, v []byte) error {
	ct, err := parseCiteKey(k)
	if c.bad(err) {
		return nil
	}
	body, ok, err := c.get(bodyKey(ct.kind, ct.id))
	if err != nil || !ok {
		if err == nil {
			c.problem("citation index has %s, and there is no such %s", citeName(k), kindName(ct.kind))
		}
		return err
	}
	b, err := decodeBody(ct.kind, body)
	if err != nil {
		return nil // entity() or relation() reports it
	}
	ss, id := b.sources, b.ext
	switch {
	case ct.index >= len(ss) || ss[ct.index].Document != ct.doc:
		c.problem("citation index has %s, which %q does not cite", citeName(k), id)
	case string(v) != id:
		c.problem("citation index entry %s names %q, the record is %q", citeName(k), v, id)
	}
	return nil
}

// citeName describes a citation index key for a problem report.
func citeName(k []byte) string {
	ct, err := parseCiteKey(k)
	if err != nil {
		return fmt.Sprintf("%x", k)
	}
	return fmt.Sprintf("source %d of %s %d, citing %q", ct.index+1, kindName(ct.kind), ct.id, ct.doc)
}
