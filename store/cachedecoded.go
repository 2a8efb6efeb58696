package store

import "unsafe"

// This file keeps entity bodies decoded beside their cached bytes, for the
// reads that hand out whole entities by the hundred (Store.Neighborhood):
// decoding a body costs more than walking to it, most of it the
// Properties map, which a Go map makes an allocation of some 900 bytes
// however few properties there are.

// decodedEntity is an entity body decoded once. Its strings are substrings
// of the body; its Properties, Labels, Aliases and Sources are shared by
// every answer copied from it, which therefore must never change them.
// Type is left empty: each reader names typ from its own snapshot's
// ontology, as entityFrom does.
type decodedEntity struct {
	e   Entity
	typ TypeID
}

// size approximates the bytes d holds beyond the body it was decoded
// from: the entity, its lists, and its map (a group of eight slots until
// it holds more than eight properties).
func (d *decodedEntity) size() int64 {
	n := int64(unsafe.Sizeof(*d))
	n += int64(cap(d.e.Labels))*int64(unsafe.Sizeof(Label{})) + int64(cap(d.e.Aliases))*16
	n += int64(cap(d.e.Sources)) * int64(unsafe.Sizeof(Source{}))
	const slot = 16 + int64(unsafe.Sizeof(Value{}))
	n += 48 + 8 + 8*slot*int64(1+len(d.e.Properties)/8)
	for _, v := range d.e.Properties {
		n += int64(len(v.List)) * int64(unsafe.Sizeof(Value{}))
	}
	return n
}

// decodedEntities sets dec[i] to the decoded entity ids[i] for a reader at
// ts where the cache holds one, and otherwise bodies[i] to its cached body
// where it holds that; it leaves the rest nil and "". The decoded form
// lives in the body's entry, so it is seen exactly when the body would be,
// and goes when the body goes. Lookups run as in cachedRuns.
func (c *readCache) decodedEntities(ids []NodeID, ts uint64, dec []*decodedEntity, bodies []string) {
	if c == nil || c.max <= 0 {
		return
	}
	const run = 256 // lookups per hold of the lock, as in cachedRuns
	for lo := 0; lo < len(ids); lo += run {
		hi := min(lo+run, len(ids))
		c.mu.RLock()
		for i := lo; i < hi; i++ {
			k := cacheKey{cacheEntity, uint64(ids[i])}
			j, ok := c.at(k)
			if !ok {
				continue
			}
			e := &c.entries[j]
			if e.key != k || e.ts > ts {
				continue
			}
			if !e.ref.Load() {
				e.ref.Store(true)
			}
			if e.ent != nil {
				dec[i] = e.ent
			} else {
				bodies[i] = e.body
			}
		}
		c.mu.RUnlock()
	}
}

// attachDecoded keeps dec[i], decoded from bodies[i], in the entry of
// entity ids[i], for every i with both, and evicts what the cache must to
// stay in its bounds. A decoded body is a function of the body alone, so
// it may join the entry of any reader's snapshot; it joins only an entry
// that still holds that very string (the same bytes at the same address,
// which the caller's reference keeps from being reused), never one that a
// writer has since forgotten or replaced.
func (c *readCache) attachDecoded(ids []NodeID, bodies []string, dec []*decodedEntity) {
	if c == nil || c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, d := range dec {
		if d == nil || bodies[i] == "" {
			continue
		}
		k := cacheKey{cacheEntity, uint64(ids[i])}
		j, ok := c.at(k)
		if !ok {
			continue
		}
		e := &c.entries[j]
		if e.key != k || e.ent != nil || !sameString(e.body, bodies[i]) {
			continue
		}
		n := d.size()
		if e.size+n > c.max/16 {
			continue // as put keeps any one value to a sixteenth
		}
		e.ent = d
		e.size += n
		c.size += n
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
