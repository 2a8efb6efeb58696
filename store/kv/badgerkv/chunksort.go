package badgerkv

import "slices"

// Sorting each chunk of a bulk load by key was about an eighth of the
// load's CPU with slices.SortFunc: some twenty levels of comparisons, each
// through a closure, each swap moving two 40-byte entries. The keys of
// the graph are a prefix byte and big-endian ids, so the sixteen bytes of
// an entry's head spread them well a byte at a time: a radix sort on the
// head (in place, most significant byte first, American flag style) puts
// most entries in place in a few passes, skipping bytes every entry shares
// (the high bytes of node ids); keys that tie on the whole head (a hub's
// relations of one type) go on by the bytes after it in the arena. Small
// buckets, and keys that end together, go to the comparison sort.
// The order is exactly the comparison sort's: by key, then by offset.

// radixCutoff is the bucket size below which the comparison sort is
// cheaper than another counting pass over the buckets.
const radixCutoff = 64

// sortEntries sorts es by key, equal keys by offset (the order of their
// Sets).
func (c *chunk) sortEntries(es []chunkEntry) { c.radixSort(es, 0) }

// digit returns the bucket of e at byte depth: 1 + the byte, or 0 past
// the end of the key. Within the head the byte is the head's, whose
// padding of a short key with zeros orders keys as the head comparison
// does; so that bucket 0 first appears at depth 16, for the keys of at
// most 16 bytes that tie on the whole head, and afterwards holds only
// keys that end at depth, all equal.
func (c *chunk) digit(e *chunkEntry, depth int) int {
	if depth < 16 {
		return 1 + int(byte(e.head[depth>>3]>>(56-8*(depth&7))))
	}
	if int(e.keyLen) <= depth {
		return 0
	}
	return 1 + int(c.arena[e.off+depth])
}

// radixSort sorts es, whose keys share their first depth bytes.
func (c *chunk) radixSort(es []chunkEntry, depth int) {
	for len(es) > radixCutoff {
		var count [257]int
		for i := range es {
			count[c.digit(&es[i], depth)]++
		}
		if d := c.digit(&es[0], depth); count[d] == len(es) {
			if d == 0 {
				break // equal keys, or short keys tied on the head
			}
			depth++ // every entry shares this byte
			continue
		}
		var next, end [257]int
		sum := 0
		for b := range 257 {
			next[b] = sum
			sum += count[b]
			end[b] = sum
		}
		// Permute in place: take the entry at the next free place of each
		// bucket and swap it to its own bucket until one belongs there.
		for b := range 257 {
			for next[b] < end[b] {
				v := es[next[b]]
				for d := c.digit(&v, depth); d != b; d = c.digit(&v, depth) {
					es[next[d]], v = v, es[next[d]]
					next[d]++
				}
				es[next[b]] = v
				next[b]++
			}
		}
		c.compareSort(es[:count[0]])
		start := count[0]
		for b := 1; b < 257; b++ {
			if count[b] > 1 {
				c.radixSort(es[start:start+count[b]], depth+1)
			}
			start += count[b]
		}
		return
	}
	c.compareSort(es)
}

// compareSort sorts es by comparing keys, then offsets.
func (c *chunk) compareSort(es []chunkEntry) {
	if len(es) < 2 {
		return
	}
	slices.SortFunc(es, func(x, y chunkEntry) int {
		if r := c.compareKeys(&x, &y); r != 0 {
			return r
		}
		return x.off - y.off
	})
}
