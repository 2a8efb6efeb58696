package badgerkv

import "slices"

// Sorting each chunk of a bulk load by key was about an eighth of the
// load's CPU with slices.SortFunc: some twenty levels of comparisons, each
// through a closure, each swap moving two 40-byte entries. The keys of
// the graph are a prefix byte and big-endian ids, so the sixteen bytes of
// an entry's head spread them well a byte at a time: a radix sort on the
// head (in place, most significant byte first, American flag style) puts
// most entries in place in a few passes, skipping bytes every entry shares
// (the high bytes of node ids), and leaves small buckets and keys that
// tie on the whole head to the comparison sort, which sees the full key.
// The order is exactly the comparison sort's: by key, then by offset.

// radixCutoff is the bucket size below which the comparison sort is
// cheaper than another counting pass over 256 buckets.
const radixCutoff = 64

// sortEntries sorts es by key, equal keys by offset (the order of their
// Sets).
func (c *chunk) sortEntries(es []chunkEntry) { c.radixSort(es, 0) }

// headByte returns byte d (0 to 15) of e's key head.
func headByte(e *chunkEntry, d int) byte {
	return byte(e.head[d>>3] >> (56 - 8*(d&7)))
}

func (c *chunk) radixSort(es []chunkEntry, depth int) {
	for len(es) > radixCutoff && depth < 16 {
		var count [256]int
		for i := range es {
			count[headByte(&es[i], depth)]++
		}
		if count[headByte(&es[0], depth)] == len(es) {
			depth++ // every entry shares this byte
			continue
		}
		var next, end [256]int
		sum := 0
		for b := range 256 {
			next[b] = sum
			sum += count[b]
			end[b] = sum
		}
		// Permute in place: take the entry at the next free place of each
		// bucket and swap it to its own bucket until one belongs there.
		for b := range 256 {
			for next[b] < end[b] {
				v := es[next[b]]
				for d := int(headByte(&v, depth)); d != b; d = int(headByte(&v, depth)) {
					es[next[d]], v = v, es[next[d]]
					next[d]++
				}
				es[next[b]] = v
				next[b]++
			}
		}
		start := 0
		for b := range 256 {
			if count[b] > 1 {
				c.radixSort(es[start:start+count[b]], depth+1)
			}
			start += count[b]
		}
		return
	}
	slices.SortFunc(es, func(x, y chunkEntry) int {
		if r := c.compareKeys(&x, &y); r != 0 {
			return r
		}
		return x.off - y.off
	})
}
