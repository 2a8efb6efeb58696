package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds Check and its detailed walk: every key decoded, every
// record's index entries (as index.go says they should be) present, every
// index entry pointing at a live record that needs it, the counters equal
// to the counts, the ontology whole, the change log in order. It runs
// only when the sequential proof of checkscan.go finds something amiss,
// to name each problem.

// maxProblems is how many problems Check lists.
const maxProblems = 100

// checker collects the problems Check finds.
type checker struct {
	tx       kv.Txn
	sch      *schema
	problems []string
	more     int
	// counts found by walking, to compare with the counters.
	entities, relations int64
	byType              map[TypeID]int64
	maxNode, maxRel     uint64
	maxType             TypeID
	// terms caches the expected name index keys of recently seen nodes
	// (only for the detailed pass over the name index).
	terms map[NodeID]map[string]string
	// names counts the name index entries; wantNames those the entities
	// need, each of which entity() found. Equal counts mean no stale ones.
	names, wantNames int64
	// texts counts the text index entries, wantTexts those the entities
	// need: equal counts mean no stale ones (see staleTexts).
	texts, wantTexts int64
}

func (c *checker) problem(format string, args ...any) {
	if len(c.problems) >= maxProblems {
		c.more++
		return
	}
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// bad notes err, a key that does not parse, as a problem, and reports
// whether there was one.
func (c *checker) bad(err error) bool {
	if err != nil {
		c.problem("%v", err)
		return true
	}
	return false
}

// get reads k; ok is false when it does not exist.
func (c *checker) get(k []byte) ([]byte, bool, error) {
	v, err := c.tx.Get(k)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// Check walks the whole store and verifies every invariant: every key
// decodes; each adjacency key has its mirror and agrees with the relation
// body; every index entry (external ids, nodes, types, names) points at
// live data and every entity and relation has all of its entries; no
// relation lacks an endpoint; the counters equal the counts; the ontology
// is whole; change-log records decode. It returns nil, or an error listing
// the problems found (up to 100).
func (s *Store) Check(ctx context.Context) error {
	tx, err := s.db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	defer tx.Discard()
	c := &checker{tx: tx, byType: map[TypeID]int64{}, terms: map[NodeID]map[string]string{}}
	sch, err := loadSchema(tx)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	c.sch = sch
	// The scan proves a sound store sound in one sequential pass; only
	// when it finds something amiss does the detailed walk, with its
	// point reads, name each problem.
	sound, err := scanCheck(ctx, tx, sch)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if sound {
		return nil
	}
	if err := c.walk(ctx, c); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	c.staleTexts()
	if c.names != c.wantNames {
		if err := c.staleNames(ctx); err != nil {
			return fmt.Errorf("check: %w", err)
		}
	}
	if len(c.problems) == 0 {
		c.problem("the index entries differ from what the entities and relations imply, but no entry could be named")
	}
	msg := strings.Join(c.problems, "\n  ")
	if c.more > 0 {
		msg += fmt.Sprintf("\n  ... and %d more", c.more)
	}
	return fmt.Errorf("check: %d problems:\n  %s", len(c.problems)+c.more, msg)
}

// recordChecker checks the records and index entries of a walk: the
// detailed checker by point reads, the scan check by comparing them with
// what the bodies imply.
type recordChecker interface {
	ext(k, v []byte) error
	node(k, v []byte) error
	entity(k, v []byte) error
	relation(k, v []byte) error
	adjacency(k, v []byte) error
	// indexEntry checks an entry of an index that points back at a
	// record: types, names, properties, text, citations.
	indexEntry(k, v []byte) error
}

// indexEntry checks an entry of one of the indexes that point back at a
// record, by its index.
func (c *checker) indexEntry(k, v []byte) error {
	switch k[0] {
	case pTypeIdx:
		return c.typeIdx(k, v)
	case pNameFull, pNameTok:
		return c.nameTarget(k, v)
	case pPropIdx:
		return c.propEntry(k, v)
	case pTextTok:
		return c.textTarget(k, v)
	default: // pCite
		return c.citation(k, v)
	}
}

var _ recordChecker = (*checker)(nil)

// walk visits every key in order, checking metadata, counters, type
// names, API keys and the change log itself and handing records and index
// entries to rc.
func (c *checker) walk(ctx context.Context, rc recordChecker) error {
	it := c.tx.Iterate(kv.IterOptions{KeysOnly: true})
	defer it.Close()
	var lastLog uint64
	haveFormat := false
	nkeys := 0
	counters := map[string][]byte{}
	for i := 0; ; i++ {
		if i == 0 {
			it.Rewind()
		} else {
			it.Next()
		}
		if !it.Valid() {
			break
		}
		nkeys++
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// Key and value are valid until the iterator moves, which is all
		// the checks need: only the counters are kept, copied.
		k := it.Key()
		v, err := it.Value()
		if err != nil {
			return fmt.Errorf("read %x: %w", k, err)
		}
		switch k[0] {
		case pMeta:
			if string(k[1:]) == metaFormat {
				haveFormat = true
				if len(v) != 1 || v[0] != formatVersion {
					c.problem("format marker %x, want %d", v, formatVersion)
				}
			} else {
				c.problem("unknown metadata key %q", k[1:])
			}
		case pCounter:
			counters[string(k)] = bytes.Clone(v)
		case pTypeName:
			c.typeName(k, v)
		case pTypeDef:
			// loadSchema decoded every definition; typeName checks the
			// pairing.
			if t, err := parseTypeDefKey(k); err == nil && t > c.maxType {
				c.maxType = t
			}
		case pExtID:
			err = rc.ext(k, v)
		case pNode:
			err = rc.node(k, v)
		case pEntity:
			err = rc.entity(k, v)
		case pRelation:
			err = rc.relation(k, v)
		case pOut, pIn:
			err = rc.adjacency(k, v)
		case pTypeIdx, pNameFull, pNameTok, pPropIdx, pTextTok, pCite:
			err = rc.indexEntry(k, v)
		case pAPIKey:
			// API keys may be created in a store that holds no graph yet.
			nkeys--
			name, perr := parseAPIKeyKey(k)
			if perr == nil {
				_, perr = decodeKeyEntry(name, v)
			}
			c.bad(perr)
		case pLog:
			if len(v) > 0 && !haveFormat {
				nkeys-- // the change log of API keys, see above
			}
			ts, perr := parseLogKey(k)
			switch {
			case perr != nil:
				c.problem("%v", perr)
			case ts <= lastLog:
				c.problem("change log out of order: %d after %d", ts, lastLog)
			case ts > c.tx.ReadTs():
				c.problem("change log record at %d, after the last commit %d", ts, c.tx.ReadTs())
			default:
				var rec ChangeRecord
				if err := json.Unmarshal(v, &rec); err != nil {
					c.problem("change log record at %d: %v", ts, err)
				}
			}
			lastLog = ts
		case pHist:
			_, _, prev, perr := parseHistKey(k)
			switch {
			case perr != nil:
				c.problem("%v", perr)
			case prev >= c.tx.ReadTs():
				c.problem("history key %x names a commit after %d, the last", k, c.tx.ReadTs())
			}
		default:
			c.problem("key %x has an unknown prefix", k)
		}
		if err != nil {
			return err
		}
	}
	if !haveFormat && nkeys > 0 {
		c.problem("no format marker")
	}
	c.counters(counters)
	return nil
}

// nameTarget checks that a name index entry names a live entity with the
// type and id its value says; whether the entity still has that name is
// settled by counting (see checker.names).
func (c *checker) nameTarget(k, v []byte) error {
	c.names++
	return c.termTarget("name index", k, v)
}

// termTarget checks that an entry of a term index (names or text) names a
// live entity with the type and id its value says.
func (c *checker) termTarget(index string, k, v []byte) error {
	_, term, n, err := parseNameKey(k)
	if c.bad(err) {
		return nil
	}
	nv, err := parseNameValue(v)
	if err != nil {
		c.problem("%s entry %q of node %d: %v", index, term, n, err)
		return nil
	}
	node, ok, err := c.get(nodeKey(n))
	if err != nil {
		return err
	}
	if !ok {
		c.problem("%s has %q for node %d, which no live entity has", index, term, n)
		return nil
	}
	if t, ext, err := parseNodeValue(node); err != nil || t != nv.typ || ext != nv.ext {
		c.problem("%s entry %q of node %d says %q of type %d, the node is %q of type %d", index, term, n, nv.ext, nv.typ, ext, t)
	}
	return nil
}

// staleNames runs when the name index has more entries than the entities
// need, to say which.
func (c *checker) staleNames(ctx context.Context) error {
	if c.names < c.wantNames {
		// entity() has named the missing ones.
		return nil
	}
	it := c.tx.Iterate(kv.IterOptions{KeysOnly: true})
	defer it.Close()
	for _, p := range []byte{pNameFull, pNameTok} {
		for it.Seek([]byte{p}); it.Valid() && it.Key()[0] == p; it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			k := bytes.Clone(it.Key())
			v, err := it.Value()
			if err != nil {
				return fmt.Errorf("read %x: %w", k, err)
			}
			if err := c.name(k, bytes.Clone(v)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *checker) typeName(k, v []byte) {
	kind, name, err := parseTypeNameKey(k)
	if c.bad(err) {
		return
	}
	if len(v) != 4 {
		c.problem("type name %q: bad value %x", name, v)
		return
	}
	t := TypeID(binary.BigEndian.Uint32(v))
	ti := c.sch.info(t)
	switch {
	case ti == nil:
		c.problem("type name %q names type %d, which has no definition", name, t)
	case ti.def.Name != name || ti.relation != (kind == kindRelation):
		c.problem("type name %q (kind %d) names type %d, defined as %q", name, kind, t, ti.def.Name)
	}
}

func (c *checker) ext(k, v []byte) error {
	ext, err := parseExtKey(k)
	if c.bad(err) {
		return nil
	}
	kind, id, err := parseExtValue(v)
	if err != nil {
		c.problem("id %q: %v", ext, err)
		return nil
	}
	if kind == kindEntity {
		c.entities++
		nv, ok, err := c.get(nodeKey(NodeID(id)))
		if err != nil {
			return err
		}
		if !ok {
			c.problem("id %q names node %d, which does not exist", ext, id)
			return nil
		}
		if _, got, err := parseNodeValue(nv); err != nil || got != ext {
			c.problem("id %q names node %d, whose id is %q", ext, id, got)
		}
		return nil
	}
	c.relations++
	rv, ok, err := c.get(relationKey(RelID(id)))
	if err != nil {
		return err
	}
	if !ok {
		c.problem("id %q names relation %d, which does not exist", ext, id)
		return nil
	}
	if rb, err := decodeRelation(rv); err == nil && rb.r.ID != ext {
		c.problem("id %q names relation %d, whose id is %q", ext, id, rb.r.ID)
	}
	return nil
}

// idOf parses the id of a record key of prefix p and raises *top to it
// (the counter must be past every id); ok is false for a key that does not
// parse, which is noted.
func (c *checker) idOf(p byte, k []byte, top *uint64) (id uint64, ok bool) {
	id, err := parseIDKey(p, k)
	if c.bad(err) {
		return 0, false
	}
	*top = max(*top, id)
	return id, true
}

func (c *checker) node(k, v []byte) error {
	n, ok := c.idOf(pNode, k, &c.maxNode)
	if !ok {
		return nil
	}
	t, ext, err := parseNodeValue(v)
	if err != nil {
		c.problem("node %d: %v", n, err)
		return nil
	}
	if ti := c.sch.info(t); ti == nil || ti.relation {
		c.problem("node %d (%q) has type %d, which is no entity type", n, ext, t)
	}
	c.byType[t]++
	// The index entries are checked from the body, by entity.
	if _, ok, err := c.get(entityKey(NodeID(n))); err != nil {
		return err
	} else if !ok {
		c.problem("node %d (%q) has no body", n, ext)
	}
	return nil
}

func (c *checker) entity(k, v []byte) error {
	n, err := parseIDKey(pEntity, k)
	if c.bad(err) {
		return nil
	}
	eb, err := decodeEntity(v)
	if err != nil {
		c.problem("entity %d: %v", n, err)
		return nil
	}
	nv, ok, err := c.get(nodeKey(NodeID(n)))
	if err != nil {
		return err
	}
	if !ok {
		c.problem("entity %d (%q) has no node record", n, eb.e.ID)
		return nil
	}
	if t, ext, err := parseNodeValue(nv); err != nil || t != eb.typ || ext != eb.e.ID {
		c.problem("entity %d (%q, type %d) disagrees with its node record (%q, type %d)", n, eb.e.ID, eb.typ, ext, t)
	}
	if err := c.sources("entity "+eb.e.ID, eb.e.Sources); err != nil {
		return err
	}
	for _, x := range expectedEntity(c.sch, NodeID(n), eb.e, eb.typ) {
		switch x.k[0] {
		case pNode, pEntity:
			continue // compared above, and read from
		case pNameFull, pNameTok:
			c.wantNames++
		case pTextTok:
			c.wantTexts++
		}
		got, ok, err := c.get(x.k)
		if err != nil {
			return err
		}
		if ok && bytes.Equal(got, x.v) {
			continue
		}
		switch x.k[0] {
		case pExtID:
			c.problem("node %d (%q) is not what its id maps to", n, eb.e.ID)
		case pTypeIdx:
			c.problem("node %d (%q) is missing from the index of its type %s", n, eb.e.ID, c.sch.name(eb.typ))
		case pNameFull, pNameTok:
			_, term, _, _ := parseNameKey(x.k)
			c.problem("entity %q is missing from the name index under %q", eb.e.ID, term)
		case pTextTok:
			_, term, _, _ := parseNameKey(x.k)
			c.problem("entity %q is missing from the text index under %q", eb.e.ID, term)
		case pCite:
			c.problem("entity %q lacks the citation entry of its %s", eb.e.ID, citeName(x.k))
		default:
			c.problem("entity %q lacks index entry %x", eb.e.ID, x.k)
		}
	}
	return nil
}

func (c *checker) relation(k, v []byte) error {
	id, ok := c.idOf(pRelation, k, &c.maxRel)
	if !ok {
		return nil
	}
	rid := RelID(id)
	rb, err := decodeRelation(v)
	if err != nil {
		c.problem("relation %d: %v", id, err)
		return nil
	}
	r := rb.r
	ti := c.sch.info(rb.typ)
	if ti == nil || !ti.relation {
		c.problem("relation %q has type %d, which is no relation type", r.ID, rb.typ)
		return nil
	}
	c.byType[rb.typ]++
	if err := c.sources("relation "+r.ID, r.Sources); err != nil {
		return err
	}
	if ti.def.Symmetric && r.To < r.From {
		c.problem("symmetric relation %q is stored from %q to %q, not in canonical order", r.ID, r.From, r.To)
	}
	var types [2]TypeID
	for i, end := range []struct {
		n   NodeID
		ext string
	}{{rb.from, r.From}, {rb.to, r.To}} {
		nv, ok, err := c.get(nodeKey(end.n))
		if err != nil {
			return err
		}
		if !ok {
			c.problem("relation %q names entity %q (node %d), which does not exist", r.ID, end.ext, end.n)
			return nil
		}
		t, ext, _ := parseNodeValue(nv)
		if ext != end.ext {
			c.problem("relation %q names %q at node %d, which is %q", r.ID, end.ext, end.n, ext)
		}
		types[i] = t
	}
	for _, x := range expectedRelation(c.sch, rid, r, rb.typ, rb.from, rb.to, types[0], types[1]) {
		if x.k[0] == pRelation {
			continue // read from
		}
		got, ok, err := c.get(x.k)
		if err != nil {
			return err
		}
		if ok && bytes.Equal(got, x.v) {
			continue
		}
		switch x.k[0] {
		case pExtID:
			c.problem("relation %d (%q) is not what its id maps to", id, r.ID)
		case pTypeIdx:
			c.problem("relation %q is missing from the index of its type %s", r.ID, ti.def.Name)
		case pOut, pIn:
			if !ok {
				c.problem("relation %q has no adjacency key %x", r.ID, x.k)
			} else {
				c.problem("relation %q: adjacency value %x, want %x", r.ID, got, x.v)
			}
		case pCite:
			c.problem("relation %q lacks the citation entry of its %s", r.ID, citeName(x.k))
		default:
			c.problem("relation %q lacks index entry %x", r.ID, x.k)
		}
	}
	return nil
}

func (c *checker) adjacency(k, v []byte) error {
	e, ok := parseAdjKey(k)
	if !ok {
		c.problem("bad adjacency key %x", k)
		return nil
	}
	if _, ok := parseAdjValue(v); !ok {
		c.problem("bad adjacency value %x at %x", v, k)
	}
	rv, ok, err := c.get(relationKey(e.rel))
	if err != nil {
		return err
	}
	if !ok {
		c.problem("adjacency key %x names relation %d, which does not exist", k, e.rel)
		return nil
	}
	rb, err := decodeRelation(rv)
	if err != nil {
		return nil // reported by relation
	}
	from, to := e.self, e.other
	if e.dir == pIn {
		from, to = e.other, e.self
	}
	if rb.typ != e.typ || rb.from != from || rb.to != to {
		c.problem("adjacency key %x disagrees with relation %q", k, rb.r.ID)
	}
	if _, ok, err := c.get(e.mirror().key()); err != nil {
		return err
	} else if !ok {
		c.problem("adjacency key %x has no mirror", k)
	}
	return nil
}

func (c *checker) typeIdx(k, v []byte) error {
	t, ext, err := parseTypeIdxKey(k)
	if c.bad(err) {
		return nil
	}
	id, err := parseUint64(v)
	if err != nil {
		c.problem("type index %x: %v", k, err)
		return nil
	}
	ti := c.sch.info(t)
	if ti == nil {
		c.problem("type index lists %q under type %d, which does not exist", ext, t)
		return nil
	}
	ev, ok, err := c.get(extKey(ext))
	if err != nil {
		return err
	}
	kind, got, _ := parseExtValue(ev)
	if !ok || got != id || (kind == kindRelation) != ti.relation {
		c.problem("type index lists %q under %s, but that id names something else", ext, ti.def.Name)
		return nil
	}
	if ti.relation {
		rv, ok, err := c.get(relationKey(RelID(id)))
		if err != nil {
			return err
		}
		if rb, err := decodeRelation(rv); ok && err == nil && rb.typ != t {
			c.problem("type index lists relation %q under %s, but it is a %s", ext, ti.def.Name, c.sch.name(rb.typ))
		}
		return nil
	}
	nv, ok, err := c.get(nodeKey(NodeID(id)))
	if err != nil {
		return err
	}
	if nt, _, err := parseNodeValue(nv); ok && err == nil && nt != t {
		c.problem("type index lists entity %q under %s, but it is a %s", ext, ti.def.Name, c.sch.name(nt))
	}
	return nil
}

func (c *checker) name(k, v []byte) error {
	p, term, n, err := parseNameKey(k)
	if c.bad(err) {
		return nil
	}
	want, ok := c.terms[n]
	if !ok {
		if len(c.terms) > 10000 {
			clear(c.terms)
		}
		ev, found, err := c.get(entityKey(n))
		if err != nil {
			return err
		}
		want = map[string]string{}
		if found {
			if eb, err := decodeEntity(ev); err == nil {
				for _, x := range expectedEntity(c.sch, n, eb.e, eb.typ) {
					if x.k[0] == pNameFull || x.k[0] == pNameTok {
						want[string(x.k)] = string(x.v)
					}
				}
			}
		}
		c.terms[n] = want
	}
	kind := "token"
	if p == pNameFull {
		kind = "name"
	}
	wv, ok := want[string(k)]
	switch {
	case !ok:
		c.problem("name index has %s %q for node %d, which no live entity has", kind, term, n)
	case wv != string(v):
		c.problem("name index entry %s %q of node %d has value %x, want %x", kind, term, n, v, wv)
	}
	return nil
}

func (c *checker) counters(got map[string][]byte) {
	check := func(name string, k []byte, want uint64) {
		v, ok := got[string(k)]
		delete(got, string(k))
		var n uint64
		if ok {
			var err error
			if n, err = parseUint64(v); err != nil {
				c.problem("counter %s: %v", name, err)
				return
			}
		}
		if n != want {
			c.problem("counter %s is %d, want %d", name, n, want)
		}
	}
	check("entities", counterKey(ctrEntities), uint64(c.entities))
	check("relations", counterKey(ctrRelations), uint64(c.relations))
	for _, ti := range c.sch.types {
		if ti != nil {
			check("of type "+ti.def.Name, typeCountKey(ti.id), uint64(c.byType[ti.id]))
		}
	}
	for t, n := range c.byType {
		if c.sch.info(t) == nil {
			c.problem("%d things have type %d, which does not exist", n, t)
		}
	}
	for _, l := range []struct {
		name string
		ctr  counter
		max  uint64
	}{{"next node", ctrNextNode, c.maxNode}, {"next relation", ctrNextRel, c.maxRel}, {"next type", ctrNextType, uint64(c.maxType)}} {
		v, ok := got[string(counterKey(l.ctr))]
		delete(got, string(counterKey(l.ctr)))
		n, _ := parseUint64(v)
		if (ok || l.max > 0) && n < l.max {
			c.problem("counter %s is %d, below the largest id in use %d", l.name, n, l.max)
		}
	}
	v, ok := got[string(counterKey(ctrOntologyVers))]
	delete(got, string(counterKey(ctrOntologyVers)))
	if n, _ := parseUint64(v); ok && n != c.sch.version {
		c.problem("ontology version %d, loaded %d", n, c.sch.version)
	}
	for k := range got {
		c.problem("unknown counter key %x", k)
	}
}

// sources checks that every source of a body cites an existing Document.
func (c *checker) sources(what string, ss []Source) error {
	doc, _ := c.sch.entityType(documentType)
	for i, src := range ss {
		ev, ok, err := c.get(extKey(src.Document))
		if err != nil {
			return err
		}
		kind, n, _ := parseExtValue(ev)
		if !ok || kind != kindEntity {
			c.problem("%s: sources[%d] cites %q, which is no entity", what, i, src.Document)
			continue
		}
		nv, ok, err := c.get(nodeKey(NodeID(n)))
		if err != nil {
			return err
		}
		if t, _, err := parseNodeValue(nv); ok && err == nil && !c.sch.isA(t, doc) {
			c.problem("%s: sources[%d] cites %q, a %s, not a %s", what, i, src.Document, c.sch.name(t), documentType)
		}
	}
	return nil
}

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

// propEntry checks that a property index entry belongs to a live record
// of its type which has that value: the other direction (every record has
// its entries) is checked from the records.
func (c *checker) propEntry(k, v []byte) error {
	if len(k) < 6 {
		c.problem("bad property index key %x", k)
		return nil
	}
	t := TypeID(binary.BigEndian.Uint32(k[1:]))
	id, err := parsePropValue(v)
	if err != nil {
		c.problem("property index entry %x: %v", k, err)
		return nil
	}
	ti := c.sch.info(t)
	if ti == nil {
		c.problem("property index entry %x names type %d, which does not exist", k, t)
		return nil
	}
	kind := ti.kind()
	var ext string
	var props Properties
	body, ok, err := c.get(bodyKey(kind, id))
	if err != nil {
		return err
	}
	if ok {
		b, err := decodeBody(kind, body)
		ok = err == nil && b.typ == t
		ext, props = b.ext, b.props
	}
	if !ok {
		c.problem("property index entry %x names record %d, which is no live %s", k, id, ti.def.Name)
		return nil
	}
	for _, want := range propEntries(t, ext, props, ti.def.Indexed) {
		if bytes.Equal(want.k, k) {
			if !bytes.Equal(v, propValue(id, want.v)) {
				c.problem("property index entry %x of %q has value %x, want %x", k, ext, v, propValue(id, want.v))
			}
			return nil
		}
	}
	c.problem("property index entry %x of %q is stale: %q has no such indexed value", k, ext, ext)
	return nil
}
