package store

import "unsafe"

// This file keeps entity and relation bodies decoded beside their cached
// bytes, for the reads that hand out whole records by the hundred
// (Store.Neighborhood): decoding a body costs more than walking to it,
// most of it the Properties map, which a Go map makes an allocation of
// some 900 bytes however few properties there are.

// wholeRecord is what a body decodes to: an entity or a relation.
type wholeRecord interface{ Entity | Relation }

// decoded is a body decoded once. Its strings are substrings of the body;
// its Properties and lists are shared by every answer copied from it,
// which therefore must never change them. Type is left empty: each
// reader names typ from its own snapshot's ontology, as entityFrom does.
type decoded[T wholeRecord] struct {
	v    T
	typ  TypeID
	size int64 // what the cache counts for it, in readCache.decoded too
}

// decodedShare is the most of the read cache decoded bodies may take, as a
// divisor of its size. A decoded entity costs several times its body (its
// Properties map alone some 900 bytes), and the whole entities of a few
// large neighbourhoods would otherwise push every adjacency out: on the
// power law, answers of whole entities once made the walks that followed
// them three to five times slower. Past the share, bodies are decoded per
// answer, as they were before they were kept.
const decodedShare = 8

// bodyKind is what the decoded bodies of one kind of wholeRecord need.
type bodyKind[T wholeRecord] struct {
	cache  cacheKind
	prefix byte
	field  func(e *cacheEntry) **decoded[T] // where an entry keeps it
	decode func(body string, v *T) (TypeID, error)
	named  func(v *T, typ string)
	size   func(v *T) int64 // bytes held beyond the body
}

// entityDecoding and relationDecoding describe the two kinds; they are
// tables, never changed.
var (
	entityDecoding = bodyKind[Entity]{
		cache: cacheEntity, prefix: pEntity,
		field:  func(e *cacheEntry) **decoded[Entity] { return &e.ent },
		decode: decodeEntityInto,
		named:  func(e *Entity, t string) { e.Type = t },
		size: func(e *Entity) int64 {
			n := int64(unsafe.Sizeof(decoded[Entity]{}))
			n += int64(cap(e.Labels))*int64(unsafe.Sizeof(Label{})) + int64(cap(e.Aliases))*16
			return n + sourcesSize(e.Sources) + propertiesSize(e.Properties)
		},
	}
	relationDecoding = bodyKind[Relation]{
		cache: cacheRelation, prefix: pRelation,
		field: func(e *cacheEntry) **decoded[Relation] { return &e.rel },
		decode: func(b string, r *Relation) (TypeID, error) {
			t, _, _, err := decodeRelationInto(b, r)
			return t, err
		},
		named: func(r *Relation, t string) { r.Type = t },
		size: func(r *Relation) int64 {
			n := int64(unsafe.Sizeof(decoded[Relation]{}))
			return n + sourcesSize(r.Sources) + propertiesSize(r.Properties)
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

// attachDecoded keeps dec[i], decoded from bodies[i], in the entry of
// ids[i], for every i with both, and evicts what the cache must to stay
// in its bounds. A decoded body is a function of the body alone, so it may
// join the entry of any reader's snapshot; it joins only an entry that
// still holds that very string (the same bytes at the same address, which
// the caller's reference keeps from being reused), never one that a
// writer has since forgotten or replaced.
func attachDecoded[T wholeRecord, ID ~uint64](c *readCache, k *bodyKind[T], ids []ID, bodies []string, dec []*decoded[T]) {
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
		n := k.size(&d.v)
		if e.size+n > c.max/16 {
			continue // as put keeps any one value to a sixteenth
		}
		if c.decoded+n > c.max/decodedShare {
			continue
		}
		d.size = n
		*f = d
		e.size += n
		c.size += n
		c.decoded += n
	}
	for c.size > c.max && len(c.entries) > 0 {
		c.evictOne()
	}
}

// sameString reports whether a and b are the same string: the same bytes
// at the same address, not merely equal ones.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}
