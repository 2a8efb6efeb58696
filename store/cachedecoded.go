package store

import "unsafe"

// This file keeps entity and relation bodies decoded beside their cached
// bytes, for the reads that hand out whole records by the hundred
// (Store.Neighborhood): decoding a body costs more than walking to it,
// most of it the Properties map.
//
// The maps are shared: every decoded body whose properties encode alike
// holds the same map (sharedProps), as answers already share it
// read-only. A Go map of up to eight entries is one group of eight slots
// however few it holds, some 950 bytes for a map[string]Value, five times
// the rest of a decoded entity and most of its pointers: with a map of its
// own each, the decoded share of the cache held a fraction of the
// entities a few large neighbourhoods reach, and the rest were decoded
// afresh, map and all, for every answer. Property sets repeat (no
// properties at all, a birth year, a country, a relation's weight), so
// shared maps fit several times the records in the same bytes; and a
// record decoded afresh takes the shared map too when there is one,
// without allocating its own. Making the map per answer instead, from
// the properties' encoding, was measured: it costs an answer of 530
// entities twice the time of the decode it saves.

// wholeRecord is what a body decodes to: an entity or a relation.
type wholeRecord interface{ Entity | Relation }

// decoded is a body decoded once. Its strings are substrings of the body;
// its lists and its Properties (shared's) are shared by every answer
// copied from it, which therefore must never change them. Type is left
// empty: each reader names typ from its own snapshot's ontology, as
// entityFrom does.
type decoded[T wholeRecord] struct {
	v      T
	typ    TypeID
	shared *sharedProps // v.Properties, once in the cache
	size   int64        // what the cache counts for it, in readCache.decoded too
}

// sharedProps is one Properties map held by the cache's decoded bodies
// whose properties have the encoding key, counted once in
// readCache.decoded and dropped with the last of them.
type sharedProps struct {
	key  string // a copy of the encoding, into which p's strings point
	p    Properties
	refs int   // decoded bodies in the cache holding p
	size int64 // what the cache counts for it
}

// sharedPropsOverhead approximates the bytes of a sharedProps and its
// slot in readCache.props, beyond its key and map.
const sharedPropsOverhead = 96

// decodedShare bounds the decoded bodies, as a divisor of the read cache's
// size, beside the cache's own bound rather than within it (readCache.over):
// the cache's memory is at most max plus max/decodedShare. A decoded entity
// costs several times its body, and counted within the cache the whole
// entities of a few large neighbourhoods pushed the adjacency out: on the
// power law the walks after them ran three to five times slower when they
// were not bounded, twice as slow with a quarter of the cache (BENCHMARKS.md).
// Beside it, a quarter holds the entities of every depth-3 answer of the
// 1M-relation benchmark graph. Past the share, bodies are decoded per
// answer, as they were before they were kept.
const decodedShare = 4

// bodyKind is what the decoded bodies of one kind of wholeRecord need.
type bodyKind[T wholeRecord] struct {
	cache  cacheKind
	prefix byte
	field  func(e *cacheEntry) **decoded[T] // where an entry keeps it
	decode func(body string, v *T) (TypeID, error)
	// decodeLean decodes but for the properties: it leaves them nil and
	// returns their encoding, checked.
	decodeLean func(body string, v *T) (TypeID, string, error)
	props      func(v *T) *Properties
	named      func(v *T, typ string)
	size       func(v *T) int64 // bytes held beyond the body and the Properties
}

// entityDecoding and relationDecoding describe the two kinds; they are
// tables, never changed.
var (
	entityDecoding = bodyKind[Entity]{
		cache: cacheEntity, prefix: pEntity,
		field:  func(e *cacheEntry) **decoded[Entity] { return &e.ent },
		decode: decodeEntityInto,
		decodeLean: func(b string, e *Entity) (TypeID, string, error) {
			return decodeEntityFields(b, e, true)
		},
		props: func(e *Entity) *Properties { return &e.Properties },
		named: func(e *Entity, t string) { e.Type = t },
		size: func(e *Entity) int64 {
			n := int64(unsafe.Sizeof(decoded[Entity]{}))
			n += int64(cap(e.Labels))*int64(unsafe.Sizeof(Label{})) + int64(cap(e.Aliases))*16
			return n + sourcesSize(e.Sources)
		},
	}
	relationDecoding = bodyKind[Relation]{
		cache: cacheRelation, prefix: pRelation,
		field: func(e *cacheEntry) **decoded[Relation] { return &e.rel },
		decode: func(b string, r *Relation) (TypeID, error) {
			t, _, _, err := decodeRelationInto(b, r)
			return t, err
		},
		decodeLean: func(b string, r *Relation) (TypeID, string, error) {
			t, _, _, raw, err := decodeRelationFields(b, r, true)
			return t, raw, err
		},
		props: func(r *Relation) *Properties { return &r.Properties },
		named: func(r *Relation, t string) { r.Type = t },
		size: func(r *Relation) int64 {
			n := int64(unsafe.Sizeof(decoded[Relation]{}))
			return n + sourcesSize(r.Sources)
		},
	}
)

func sourcesSize(ss []Source) int64 {
	n := int64(cap(ss)) * int64(unsafe.Sizeof(Source{}))
	for _, s := range ss {
		if s.Confidence != nil {
			n += 8
		}
		if s.RetrievedAt != nil {
			n += int64(unsafe.Sizeof(*s.RetrievedAt))
		}
	}
	return n
}

// propertiesSize approximates a decoded map: its header, and groups of
// eight slots from the first property on.
func propertiesSize(p Properties) int64 {
	const slot = 16 + int64(unsafe.Sizeof(Value{}))
	n := int64(48)
	if len(p) > 0 {
		groups := int64(1)
		for groups*8*7/8 < int64(len(p)) && len(p) > 8 {
			groups *= 2
		}
		n += groups * (8 + 8*slot)
	}
	for _, v := range p {
		n += int64(cap(v.List)) * int64(unsafe.Sizeof(Value{}))
	}
	return n
}

// cachedDecoded sets dec[i] to the decoded body of ids[i] of kind k for a
// reader at ts where the cache holds one, and otherwise bodies[i] to its
// cached body where it holds that; it leaves the rest nil and "". The
// decoded form lives in the body's entry, so it is seen exactly when the
// body would be, and goes when the body goes. Lookups run as in
// cachedRuns.
func cachedDecoded[T wholeRecord, ID ~uint64](c *readCache, k *bodyKind[T], ids []ID, ts uint64, dec []*decoded[T], bodies []string) {
	if c == nil || c.max <= 0 {
		return
	}
	const run = 256 // lookups per hold of the lock, as in cachedRuns
	for lo := 0; lo < len(ids); lo += run {
		hi := min(lo+run, len(ids))
		c.mu.RLock()
		for i := lo; i < hi; i++ {
			key := cacheKey{k.cache, uint64(ids[i])}
			j, ok := c.at(key)
			if !ok {
				continue
			}
			e := &c.entries[j]
			if e.key != key || e.ts > ts {
				continue
			}
			if !e.ref.Load() {
				e.ref.Store(true)
			}
			if d := *k.field(e); d != nil {
				dec[i] = d
			} else {
				bodies[i] = e.body
			}
		}
		c.mu.RUnlock()
	}
}

// sharedMaps sets props[i] to the cache's shared map of the encoding
// raws[i], for every i with one, and reports whether the decoded share has
// room left: when it has none, a reader need not offer what it decoded
// (attachDecoded), nor take the write lock to be refused.
func (c *readCache) sharedMaps(raws []string, props []*sharedProps) (room bool) {
	if c == nil || c.max <= 0 {
		return false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	for i, raw := range raws {
		if raw != "" && c.props != nil {
			props[i] = c.props[raw]
		}
	}
	return c.decoded < c.max/decodedShare
}

// decodeProps makes the Properties of raw, an encoding rawProps has
// checked.
func decodeProps(raw string) Properties {
	d := decoder{s: raw}
	return d.props()
}

// attachDecoded keeps dec[i], decoded from bodies[i], in the entry of
// ids[i], for every i with both, within decodedShare. A decoded body is
// a function of the body alone, so it may join the entry of any reader's
// snapshot; it joins only an entry that
// still holds that very string (the same bytes at the same address, which
// the caller's reference keeps from being reused), never one that a
// writer has since forgotten or replaced.
//
// raws[i] is the encoding of dec[i]'s properties. Where dec[i].shared is
// set, dec[i] holds that map, which must still be the cache's for raws[i];
// otherwise its own, whose strings point into raws[i], which the cache
// then keeps as the shared map unless it has one already.
func attachDecoded[T wholeRecord, ID ~uint64](c *readCache, k *bodyKind[T], ids []ID, bodies []string, dec []*decoded[T], raws []string) {
	if c == nil || c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, d := range dec {
		if d == nil || bodies[i] == "" {
			continue
		}
		key := cacheKey{k.cache, uint64(ids[i])}
		j, ok := c.at(key)
		if !ok {
			continue
		}
		e := &c.entries[j]
		f := k.field(e)
		if e.key != key || *f != nil || !sameString(e.body, bodies[i]) {
			continue
		}
		sp := c.props[raws[i]]
		var added int64 // a map the cache did not hold
		switch {
		case d.shared != nil && sp != d.shared:
			continue // dropped since it was looked up; rare, and only a miss
		case sp == nil:
			p := *k.props(&d.v)
			sp = &sharedProps{key: raws[i], p: p}
			sp.size = sharedPropsOverhead + int64(len(sp.key)) + propertiesSize(p)
			added = sp.size
		}
		n := k.size(&d.v)
		if e.size+n > c.max/16 {
			continue // as put keeps any one value to a sixteenth
		}
		if c.decoded+n+added > c.max/decodedShare {
			continue
		}
		if added > 0 {
			if c.props == nil {
				c.props = map[string]*sharedProps{}
			}
			c.props[sp.key] = sp
			c.size += added
			c.decoded += added
		}
		sp.refs++
		*k.props(&d.v) = sp.p
		d.shared = sp
		d.size = n
		*f = d
		e.size += n
		c.size += n
		c.decoded += n
	}
	// Nothing to evict: what was added is decoded, bounded above.
}

// dropDecoded takes the decoded bodies of e, which is leaving the cache,
// out of the counts, and a shared map with the last body that held it.
// Must be called with mu held.
func (c *readCache) dropDecoded(e *cacheEntry) {
	if e.ent != nil {
		c.dropShared(e.ent.size, e.ent.shared)
	}
	if e.rel != nil {
		c.dropShared(e.rel.size, e.rel.shared)
	}
}

func (c *readCache) dropShared(size int64, sp *sharedProps) {
	c.decoded -= size
	if sp == nil {
		return
	}
	if sp.refs--; sp.refs == 0 {
		delete(c.props, sp.key)
		c.size -= sp.size
		c.decoded -= sp.size
	}
}

// sameString reports whether a and b are the same string: the same bytes
// at the same address, not merely equal ones.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}
