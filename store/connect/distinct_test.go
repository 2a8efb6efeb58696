package connect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
)

// evidenceString is pathString with each hop's evidence: "a -m1+m2- b".
func evidenceString(p *store.Path) string {
	var sb strings.Builder
	for i, n := range p.Nodes {
		if i > 0 {
			ids := make([]string, len(p.Evidence[i-1]))
			for j, r := range p.Evidence[i-1] {
				ids[j] = r.ID
			}
			if ids[0] != p.Edges[i-1].ID {
				return fmt.Sprintf("hop %d: evidence %v does not start with edge %s", i, ids, p.Edges[i-1].ID)
			}
			fmt.Fprintf(&sb, " -%s- ", strings.Join(ids, "+"))
		}
		sb.WriteString(n.ID)
	}
	return sb.String()
}

func TestKShortestPathsDistinct(t *testing.T) {
	distinct := store.PathOptions{Distinct: true}
	tests := []pathsCase{
		{
			name:  "ParallelRelationsAreOneHop",
			graph: "a LINK b id=m1\na LINK b id=m2\nb LINK c id=m3",
			from:  "a", to: "c", n: 5, opts: distinct,
			want: []string{"a -m1+m2- b -m3- c"},
		},
		{
			// Parallel relations no longer crowd out the other routes.
			name:  "OtherRoutesFound",
			graph: "a LINK b id=m1\na LINK b id=m2\na LINK b id=m3\nb LINK d id=m4\na LINK c id=m5\nc LINK d id=m6\na LINK e id=m7\ne LINK d id=m8",
			from:  "a", to: "d", n: 3, opts: distinct,
			want: []string{"a -m1+m2+m3- b -m4- d", "a -m5- c -m6- d", "a -m7- e -m8- d"},
		},
		{
			name:  "ParallelOnTheSpur",
			graph: "a LINK b id=m1\nb LINK c id=m2\nb LINK c id=m3\na LINK c id=m4",
			from:  "a", to: "c", n: 5, opts: distinct,
			want: []string{"a -m4- c", "a -m1- b -m2+m3- c"},
		},
		{
			name:  "DirectionLimitsEvidence",
			graph: "a LINK b id=m1\nb LINK a id=m2\nb LINK c id=m3",
			from:  "a", to: "c", n: 5, opts: store.PathOptions{Distinct: true, Direction: store.Out},
			want: []string{"a -m1- b -m3- c"},
		},
		{
			name:  "WeightedTakesTheCheapestParallel",
			graph: "a LINK b id=m1 w=5\na LINK b id=m2 w=1\nb LINK c id=m3 w=1\na LINK c id=m4 w=3",
			from:  "a", to: "c", n: 5, opts: store.PathOptions{Distinct: true, Weight: "w"},
			want: []string{"a -m2+m1- b -m3- c", "a -m4- c"},
		},
	}
	testPaths(t, viewKShortestPaths, tests)
}
