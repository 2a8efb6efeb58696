package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/ties-graph/ties/store/kv"
)

// Property indexes. A type's definition may name properties to index
// (EntityType.Indexed); each record of the type then has one entry per
// distinct value of each such property (each element of a list) under
// propIdxKey, whose value encoding orders like the values (order.go). The
// entries are written by the indexer (index.go) with every other entry of
// a record, so Apply and Load keep them alike; defining a type's indexed
// list builds and drops them (reindex); Check verifies both directions.
//
// A filter's eq, in and range operators on an indexed property become
// ranges of the index, so only the matching records are read; the filter
// is still checked on each (the ranges are a superset where values of
// another precision may match, such as dates).

// maxIndexed bounds the indexed properties of one type: each costs one
// entry per record and value on every write.
const maxIndexed = 16

// indexedOf checks the indexed list of a type definition named name of
// kind (kindEntity or kindRelation) and returns it deduplicated; a nil
// list keeps what the stored definition has. why is the problem, or "".
func indexedOf(s *schema, kind byte, name string, idx []string) ([]string, string) {
	if idx == nil {
		var t TypeID
		var ok bool
		if kind == kindEntity {
			t, ok = s.entities[name]
		} else {
			t, ok = s.relations[name]
		}
		if ok {
			return slices.Clone(s.types[t].def.Indexed), ""
		}
		return nil, ""
	}
	out := dedupe(idx)
	if len(out) > maxIndexed {
		return nil, fmt.Sprintf("at most %d properties may be indexed, got %d", maxIndexed, len(out))
	}
	for _, k := range out {
		if k == "" {
			return nil, "an indexed property name is empty"
		}
		switch k {
		case "name", "type", "validFrom", "validTo":
			if kind == kindEntity || k != "name" {
				return nil, fmt.Sprintf("%s is a built-in field, not a property; only properties are indexed", k)
			}
		}
	}
	if len(out) == 0 {
		return []string{}, ""
	}
	return out, ""
}

// indexed returns the indexed properties of type t.
func (s *schema) indexed(t TypeID) []string {
	if ti := s.info(t); ti != nil {
		return ti.def.Indexed
	}
	return nil
}

// propEntry is one property index entry of a record: its key and the
// value it indexes.
type propEntry struct {
	k []byte
	v Value
}

// propValue is the value of a property index entry: the record's
// internal id, then the indexed value as written (JSON), which the key
// holds only folded, so that facets count values as written without
// reading bodies.
func propValue(id uint64, v Value) []byte {
	b, _ := v.MarshalJSON() // a stored value always encodes
	return append(binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(b)), id), b...)
}

// parsePropValue returns the internal id of a property index value.
func parsePropValue(v []byte) (uint64, error) {
	if len(v) < 9 {
		return 0, fmt.Errorf("bad property index value %x", v)
	}
	return binary.BigEndian.Uint64(v), nil
}

// propKeys returns the property index keys of the record ext of type t
// with properties p, for the indexed properties keys.
func propKeys(t TypeID, ext string, p Properties, keys []string) [][]byte {
	es := propEntries(t, ext, p, keys)
	out := make([][]byte, len(es))
	for i, e := range es {
		out[i] = e.k
	}
	return out
}

// propEntries returns the property index entries of the record ext of
// type t with properties p, for the indexed properties keys.
func propEntries(t TypeID, ext string, p Properties, keys []string) []propEntry {
	var out []propEntry
	for _, k := range keys {
		v, ok := p[k]
		if !ok {
			continue
		}
		switch v.Kind {
		case KindNull:
		case KindList:
			seen := map[string]bool{}
			for _, e := range v.List {
				if e.Kind == KindNull || e.Kind == KindList {
					continue
				}
				key := propIdxKey(t, k, e, ext)
				if !seen[string(key)] {
					seen[string(key)] = true
					out = append(out, propEntry{key, e})
				}
			}
		default:
			out = append(out, propEntry{propIdxKey(t, k, v, ext), v})
		}
	}
	return out
}

// reindexJob is a change of the indexed properties of one type that an
// ontology change made: the entries of added are built, those of dropped
// deleted.
type reindexJob struct {
	t              TypeID
	added, dropped []string
}

// noteReindex records the index changes between the ontologies base and
// sch for the changed types.
func (w *writer) noteReindex(base, sch *schema, changed map[TypeID]typeDef) {
	for t := range changed {
		var before []string
		if ti := base.info(t); ti != nil {
			before = ti.def.Indexed
		}
		after := sch.indexed(t)
		job := reindexJob{t: t}
		for _, k := range after {
			if !slices.Contains(before, k) {
				job.added = append(job.added, k)
			}
		}
		for _, k := range before {
			if !slices.Contains(after, k) {
				job.dropped = append(job.dropped, k)
			}
		}
		if job.added != nil || job.dropped != nil {
			w.reindex = append(w.reindex, job)
		}
	}
	slices.SortFunc(w.reindex, func(a, b reindexJob) int { return int(a.t) - int(b.t) })
}

// runReindex builds and drops the property indexes the ontology changes
// of this write asked for, reading the records as committed before it,
// and writing to sink: before any record of the write is, so that those
// records' own entries come after and win.
func (w *writer) runReindex(sink indexSink) error {
	jobs := w.reindex
	w.reindex = nil
	for _, j := range jobs {
		for _, k := range j.dropped {
			p := propIdxPrefix(j.t, k)
			it := w.tx.Iterate(kv.IterOptions{Prefix: p, KeysOnly: true})
			for it.Rewind(); it.Valid(); it.Next() {
				if err := sink.del(bytes.Clone(it.Key())); err != nil {
					it.Close()
					return err
				}
			}
			it.Close()
		}
		if len(j.added) == 0 {
			continue
		}
		kind := w.sch.info(j.t).kind()
		err := eachTyped(w.tx, j.t, func(id uint64) error {
			b, err := w.tx.Get(bodyKey(kind, id))
			if err != nil {
				return fmt.Errorf("reindex %s %d: %w", kindName(kind), id, err)
			}
			rb, err := decodeBody(kind, b)
			if err != nil {
				return fmt.Errorf("reindex %s %d: %w", kindName(kind), id, err)
			}
			for _, e := range propEntries(j.t, rb.ext, rb.props, j.added) {
				if err := sink.set(e.k, propValue(id, e.v)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// keyRange is a span of property index keys, lo inclusive, hi exclusive.
type keyRange struct{ lo, hi []byte }

// indexRanges returns the index ranges of type t that hold every record
// for which c may hold, and ok when the index answers c at all (an
// indexed property with eq, in or a range).
func indexRanges(t TypeID, c *condition) (rs []keyRange, ok bool) {
	if c.field != fieldProperty {
		return nil, false
	}
	p := propIdxPrefix(t, c.key)
	enc := func(v Value) []byte { return appendOrderedValue(bytes.Clone(p), v) }
	// exact is the range of one value; for a date, of every date that
	// may overlap it (no interval is longer than a year).
	exact := func(v Value) keyRange {
		if v.Kind == KindDate {
			lo := appendOrderedDateAt(append(bytes.Clone(p), rankDate), v.Date.First()-512)
			hi := appendOrderedDateAt(append(bytes.Clone(p), rankDate), v.Date.Last()+1)
			return keyRange{lo, hi}
		}
		k := enc(v)
		return keyRange{k, kv.PrefixEnd(k)}
	}
	switch {
	case c.eq != nil:
		r := exact(*c.eq)
		return []keyRange{r}, true
	case c.in != nil:
		for _, v := range c.in {
			rs = append(rs, exact(v))
		}
		return rs, true
	}
	var kind Kind
	for _, b := range []*Value{c.gt, c.gte, c.lt, c.lte} {
		if b != nil {
			kind = b.Kind
		}
	}
	if kind == KindNull {
		return nil, false
	}
	rank := map[Kind]byte{KindNumber: rankNumber, KindDate: rankDate, KindText: rankText}[kind]
	r := keyRange{append(bytes.Clone(p), rank), append(bytes.Clone(p), rank+1)}
	raise := func(k []byte) {
		if bytes.Compare(k, r.lo) > 0 {
			r.lo = k
		}
	}
	lower := func(k []byte) {
		if bytes.Compare(k, r.hi) < 0 {
			r.hi = k
		}
	}
	dateAt := func(day int32) []byte { return appendOrderedDateAt(append(bytes.Clone(p), rankDate), day) }
	if b := c.gt; b != nil {
		if kind == KindDate {
			raise(dateAt(b.Date.Last() + 1))
		} else {
			raise(enc(*b))
		}
	}
	if b := c.gte; b != nil {
		if kind == KindDate {
			raise(dateAt(b.Date.First()))
		} else {
			raise(enc(*b))
		}
	}
	if b := c.lt; b != nil {
		if kind == KindDate {
			lower(dateAt(b.Date.First()))
		} else {
			lower(enc(*b))
		}
	}
	if b := c.lte; b != nil {
		if kind == KindDate {
			lower(dateAt(b.Date.Last() + 1))
		} else {
			lower(kv.PrefixEnd(enc(*b)))
		}
	}
	if bytes.Compare(r.lo, r.hi) >= 0 {
		return nil, true
	}
	return []keyRange{r}, true
}

// appendOrderedDateAt appends the smallest date encoding whose first day
// is at least day, for range bounds.
func appendOrderedDateAt(b []byte, day int32) []byte {
	return append(binary.BigEndian.AppendUint32(b, uint32(day)), 0)
}

// eachCandidate calls fn with the internal id of every entity or relation
// of type t that may satisfy w: from the property index of the first
// condition one answers, else every record of the type. The caller checks
// w on each.
func (r *Reader) eachCandidate(t TypeID, w where, fn func(id uint64) error) error {
	idx := r.sch.indexed(t)
	for i := range w {
		c := &w[i]
		if !slices.Contains(idx, c.key) {
			continue
		}
		rs, ok := indexRanges(t, c)
		if !ok {
			continue
		}
		return r.scanIndex(propIdxPrefix(t, c.key), rs, fn)
	}
	return eachTyped(r.tx, t, fn)
}

// scanIndex calls fn with the record of every entry in the ranges, each
// record once (a list may put one record under several values).
//
// The iterator is key-only, with the prefix of the one index: the values
// are a few bytes kept beside the keys, and prefetching values would read
// ahead of the range.
func (r *Reader) scanIndex(prefix []byte, rs []keyRange, fn func(id uint64) error) error {
	seen := map[uint64]bool{}
	it := r.tx.Iterate(kv.IterOptions{Prefix: prefix, KeysOnly: true})
	defer it.Close()
	for _, rg := range rs {
		for it.Seek(rg.lo); it.Valid() && bytes.Compare(it.Key(), rg.hi) < 0; it.Next() {
			v, err := it.Value()
			if err != nil {
				return fmt.Errorf("read property index: %w", err)
			}
			id, err := parsePropValue(v)
			if err != nil {
				return err
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			if err := fn(id); err != nil {
				return err
			}
		}
	}
	return nil
}

// Indexed reports whether every type named in types (relation types
// when relations; every type of the kind when empty) has a property index
// on key: an estimate for pricing queries, which leaves subtypes out (an
// unused subtype without the index costs nothing to scan). An unknown
// type has none.
func (s *Store) Indexed(relations bool, types []string, key string) bool {
	s.mu.Lock()
	sch := s.schema
	s.mu.Unlock()
	if sch == nil {
		return false
	}
	var ts []TypeID
	if len(types) == 0 {
		if relations {
			ts = sch.relationTypesOf(nil)
		} else {
			ts = sch.entityTypesOf(nil)
		}
	}
	for _, name := range types {
		var t TypeID
		var ok bool
		if relations {
			t, ok = sch.relations[name]
		} else {
			t, ok = sch.entities[name]
		}
		if !ok {
			return false
		}
		ts = append(ts, t)
	}
	for _, t := range ts {
		if !slices.Contains(sch.indexed(t), key) {
			return false
		}
	}
	return len(ts) > 0
}
