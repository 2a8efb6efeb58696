package exchange

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ties-graph/ties/store"
)

// BenchmarkAppendNodeLinkHeads measures the writing of a chart document
// alone, for neighbourhoods of the sizes of a median depth-2 and depth-3
// answer on the generated graph (59 and 511 entities, 89 and 1,370
// relations at 1M relations) and of a median depth-3 answer on its power
// law (10,130 and 53,607), with ids, names and dates as the generator
// makes them. The response's own buffer is reused, as a sized one would
// be.
func BenchmarkAppendNodeLinkHeads(b *testing.B) {
	for _, size := range []struct{ nodes, links int }{{59, 89}, {511, 1370}, {10130, 53607}} {
		g := chartHeads(size.nodes, size.links)
		b.Run(fmt.Sprintf("nodes=%d,links=%d", size.nodes, size.links), func(b *testing.B) {
			buf := make([]byte, 0, NodeLinkHeadsSize(g))
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendNodeLinkHeads(buf[:0], g)
			}
			b.ReportMetric(float64(len(buf)), "doc-bytes")
		})
	}
}

// chartHeads returns a random neighbourhood as links of the given size.
func chartHeads(nodes, links int) *store.SubgraphHeads {
	rng := rand.New(rand.NewPCG(3, 14))
	kinds := []struct{ prefix, typ string }{{"person", "Person"}, {"org", "Organisation"}, {"city", "City"}, {"event", "Event"}, {"doc", "Document"}, {"topic", "Topic"}}
	g := &store.SubgraphHeads{LinkTypes: []string{"", "WORKS_FOR", "MEMBER_OF", "LOCATED_IN", "MENTIONS"}}
	for i := range nodes {
		k := kinds[rng.IntN(len(kinds))]
		n := rng.IntN(100000)
		g.Nodes = append(g.Nodes, store.EntityHead{ID: fmt.Sprintf("%s-%06d", k.prefix, n), Type: k.typ, Name: fmt.Sprintf("%s %d of %d", k.typ, n, i)})
	}
	// As the generator dates them: 30% of relations have a validFrom (a
	// year, a month or a day), 40% of those a validTo (a year).
	dates := []store.Date{store.MustParseDate("2009"), store.MustParseDate("2017-07"), store.MustParseDate("2017-07-05")}
	for i := range links {
		l := store.HeadLink{From: int32(rng.IntN(nodes)), To: int32(rng.IntN(nodes)), Type: int32(1 + rng.IntN(4))}
		if rng.Float64() < 0.3 {
			l.ValidFrom = dates[rng.IntN(len(dates))]
			if rng.Float64() < 0.4 {
				l.ValidTo = dates[0]
			}
		}
		g.Links = append(g.Links, l)
		g.LinkIDs = append(g.LinkIDs, fmt.Sprintf("rel-%08d", rng.IntN(1000000)+i))
	}
	return g
}
