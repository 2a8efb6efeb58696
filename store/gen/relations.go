package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/ties-graph/ties/store"
)

// end is an entity type at one end of a relation type, with the share of
// that end's draws it receives.
type end struct {
	typ    string
	weight float64
}

// relSpec is a relation type the generator emits, how often, and between
// which kinds; every pairing obeys store.DefaultOntology's endpoint rules.
type relSpec struct {
	typ      string
	weight   float64
	from, to []end
}

// relSpecs mixes the relation types roughly as city-network and
// organisational data do: employment and participation dominate, twinning
// and membership tie the places together.
var relSpecs = []relSpec{
	{"WORKS_FOR", 16, []end{{"Person", 1}}, []end{{"Company", 3}, {"Organization", 1}, {"City", 0.5}}},
	{"PARTICIPATED_IN", 14, []end{{"Person", 4}, {"City", 2}, {"Organization", 1}, {"Company", 1}}, []end{{"Event", 1}}},
	{"MEMBER_OF", 12, []end{{"Person", 5}, {"City", 4}, {"Organization", 1}, {"Company", 1}}, []end{{"Network", 4}, {"Organization", 1}}},
	{"LOCATED_IN", 10, []end{{"Company", 2}, {"Organization", 1}, {"Event", 2}}, []end{{"City", 1}}},
	{"COOPERATES_WITH", 6, []end{{"City", 2}, {"Organization", 1}, {"Company", 2}}, []end{{"City", 2}, {"Organization", 1}, {"Company", 2}}},
	{"SISTER_CITY_OF", 6, []end{{"City", 1}}, []end{{"City", 1}}},
	{"MENTIONS", 6, []end{{"Document", 1}}, []end{{"City", 2}, {"Person", 1}, {"Company", 1}, {"Event", 1}}},
	{"FOCUSES_ON", 5, []end{{"Organization", 1}, {"Network", 1}, {"Event", 1}, {"Company", 1}}, []end{{"Topic", 1}}},
	{"INVITED", 4, []end{{"City", 2}, {"Organization", 1}, {"Person", 1}}, []end{{"Person", 2}, {"City", 2}}},
	{"SIGNED", 4, []end{{"Person", 2}, {"City", 2}, {"Organization", 1}}, []end{{"Agreement", 1}}},
	{"BASED_IN", 4, []end{{"Network", 1}, {"Organization", 1}, {"Person", 1}}, []end{{"City", 1}}},
	{"ORGANIZED", 3, []end{{"Organization", 2}, {"City", 1}, {"Network", 1}}, []end{{"Event", 1}}},
	{"COOPERATES_ON", 2, []end{{"City", 2}, {"Network", 1}}, []end{{"Topic", 1}}},
	{"PART_OF", 2, []end{{"Event", 1}, {"Organization", 1}}, []end{{"Event", 1}, {"Network", 1}}},
	{"FRIENDLY_COOPERATIVE_CITY_OF", 1, []end{{"City", 1}}, []end{{"City", 1}}},
	{"WORK_PLACEMENT_AT", 1, []end{{"Person", 1}}, []end{{"Company", 1}, {"City", 1}}},
	{"MAYOR_OF", 1, []end{{"Person", 1}}, []end{{"City", 1}}},
	{"APPROVED", 1, []end{{"City", 1}, {"Organization", 1}}, []end{{"Agreement", 1}}},
}

// Shares of relations that carry each optional part.
const (
	datedShare    = 0.30 // validFrom set
	endedShare    = 0.40 // of the dated ones, validTo set too
	weightedShare = 0.50 // a numeric "weight" property, for weighted paths
	sourcedShare  = 0.10 // a source citing a generated Document
)

// RelationTypes returns the relation types the generator emits, most
// frequent first.
func RelationTypes() []string {
	out := make([]string, len(relSpecs))
	for i, s := range relSpecs {
		out[i] = s.typ
	}
	return out
}

// relationID returns the id of the j-th relation, zero-padded to the width
// of the largest so that ids sort in generation order. The digits-only
// tail never collides with store.RelationID's hex digests, which are
// longer.
func (p *Plan) relationID(j int) string {
	w := max(8, len(strconv.Itoa(p.Relations-1)))
	s := strconv.Itoa(j)
	return "rel-" + strings.Repeat("0", max(0, w-len(s))) + s
}

// pickWeighted draws one of xs, each with a chance proportional to its
// weight.
func pickWeighted[T any](r *rand.Rand, xs []T, weight func(T) float64) T {
	x := r.Float64() * totalWeight(xs, weight)
	for _, v := range xs {
		if x < weight(v) {
			return v
		}
		x -= weight(v)
	}
	return xs[len(xs)-1]
}

func totalWeight[T any](xs []T, weight func(T) float64) float64 {
	total := 0.0
	for _, v := range xs {
		total += weight(v)
	}
	return total
}

// pickEnd draws the entity type of one end of a relation.
func pickEnd(r *rand.Rand, ends []end) string { return pickWeighted(r, ends, endWeight).typ }

func endWeight(e end) float64       { return e.weight }
func anchorWeight(a anchor) float64 { return a.weight }

// anchor is a way to give an entity of some kind a relation: a relation
// type and the side the entity takes.
type anchor struct {
	spec   *relSpec
	isFrom bool
	weight float64
}

// anchors lists, for each entity type, the relation types it may take part
// in, weighted by how often the generator draws it for that side.
func anchors() map[string][]anchor {
	out := map[string][]anchor{}
	for i := range relSpecs {
		s := &relSpecs[i]
		for side, ends := range [][]end{s.from, s.to} {
			total := totalWeight(ends, endWeight)
			for _, e := range ends {
				out[e.typ] = append(out[e.typ], anchor{s, side == 0, s.weight * e.weight / total})
			}
		}
	}
	return out
}

// eachRelation draws the relations. The first ones anchor every entity in
// turn (while relations last, up to half of them), so no entity is left
// without a relation as pure Chung-Lu would leave a quarter of them; the
// rest draw both ends by weight. Each relation stays inside one community
// unless it is one of the GlobalShare drawn from the whole graph.
func (p *Plan) eachRelation(yield func(store.Record) error) error {
	r := rand.New(rand.NewPCG(uint64(p.Seed), 0x72656c6174696f6e))
	total := 0.0
	for _, s := range relSpecs {
		total += s.weight
	}
	byKind := anchors()
	nAnchors := min(p.Entities, p.Relations/2)
	global := p.globalShare()
	docs := p.byType["Document"]
	for j := 0; j < p.Relations; j++ {
		var (
			spec     *relSpec
			fk, tk   *Kind
			from, to = -1, -1
			comm     = -1
		)
		local := r.Float64() >= global
		if j < nAnchors {
			k := p.kindOf(j)
			i := j - k.First
			a := pickWeighted(r, byKind[k.Type], anchorWeight)
			spec = a.spec
			if a.isFrom {
				fk, from, tk = k, i, p.byType[pickEnd(r, spec.to)]
			} else {
				tk, to, fk = k, i, p.byType[pickEnd(r, spec.from)]
			}
			if local {
				comm = k.community(i, p.Communities)
			}
		} else {
			x := r.Float64() * total
			spec = &relSpecs[len(relSpecs)-1]
			for i := range relSpecs {
				if x < relSpecs[i].weight {
					spec = &relSpecs[i]
					break
				}
				x -= relSpecs[i].weight
			}
			fk, tk = p.byType[pickEnd(r, spec.from)], p.byType[pickEnd(r, spec.to)]
			if local {
				comm = r.IntN(p.Communities)
			}
		}
		anchoredTo := to >= 0
		if from < 0 {
			from = p.draw(r, fk, comm)
		}
		if to < 0 {
			to = p.draw(r, tk, comm)
		}
		// A self-loop says nothing; draw the free end again, and as a last
		// resort take the next entity, so the relation count stays exact.
		for try := 0; fk == tk && from == to && try < 8; try++ {
			if anchoredTo {
				from = p.draw(r, fk, comm)
			} else {
				to = p.draw(r, tk, comm)
			}
		}
		if fk == tk && from == to {
			if anchoredTo {
				from = (from + 1) % fk.Count
			} else {
				to = (to + 1) % tk.Count
			}
		}
		rel := &store.Relation{ID: p.relationID(j), Type: spec.typ, From: fk.ID(from), To: tk.ID(to)}
		if r.Float64() < datedShare {
			rel.ValidFrom = date(r, 1990, 2024)
			if r.Float64() < endedShare {
				rel.ValidTo = year(r, rel.ValidFrom.Year()+1, 2025)
			}
		}
		if r.Float64() < weightedShare {
			rel.Properties = store.Properties{"weight": store.Number(float64(1 + r.IntN(10)))}
		}
		if r.Float64() < sourcedShare {
			c := 0.5 + float64(r.IntN(6))/10
			rel.Sources = []store.Source{{
				Document:   docs.ID(p.draw(r, docs, comm)),
				Excerpt:    "The report states that " + rel.From + " " + strings.ToLower(strings.ReplaceAll(spec.typ, "_", " ")) + " " + rel.To + ".",
				Locator:    "p. " + strconv.Itoa(1+r.IntN(120)),
				Confidence: &c,
			}}
		}
		if err := yield(store.Record{Relation: rel}); err != nil {
			return err
		}
	}
	return nil
}
