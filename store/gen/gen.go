// Package gen generates reproducible relationship graphs of any size for
// tests and benchmarks: typed entities (cities, people, organisations,
// companies, networks, events, topics, agreements, documents) joined by
// relations whose types and endpoints obey store.DefaultOntology, with
// heavy-tailed degrees, validity dates on some relations, readable ids
// ("city-000123") and names built from syllables, so that name search sees
// realistic shared prefixes.
//
// The generator streams: it holds no edge list, only a few numbers per
// entity kind, so ten million relations cost no more memory than ten. Degrees
// follow a Chung-Lu model: every entity has a weight that falls as a power of
// its rank, and each endpoint of a relation is drawn in proportion to those
// weights from the kinds the relation type allows. Ranks are spread over the
// ids by a seeded permutation, so hubs are not simply the first ids.
//
// The same Config always yields the same records in the same order.
package gen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/ties-graph/ties/store"
)

// Config describes a graph to generate. The zero values of the optional
// fields choose the defaults documented on each.
type Config struct {
	// Seed makes the graph reproducible: one seed, one graph.
	Seed int64
	// Relations is the number of relations to generate.
	Relations int
	// Entities is the number of entities; 0 means Relations/3 (a mean
	// degree of six), and never fewer than 100.
	Entities int
	// Exponent is the power-law exponent of the degree distribution,
	// between 2 and 3 (real social and city networks measure 2.1 to 2.5);
	// 0 means 2.3.
	Exponent float64
	// CommunitySize is the number of entities per community; 0 means
	// 1,000. Real relationship graphs are clustered (a region's cities,
	// firms and people know each other), which keeps neighbourhoods of a
	// few hops far smaller than in a graph wired at random.
	CommunitySize int
	// GlobalShare is the share of relations whose endpoints are drawn from
	// the whole graph rather than one community, in (0, 1]; 0 means 0.1,
	// and 1 gives a pure Chung-Lu graph without communities.
	GlobalShare float64
}

// DefaultExponent is the degree exponent used when Config.Exponent is 0.
const DefaultExponent = 2.3

// Errors of Validate.
var (
	ErrRelations = errors.New("relations must be at least 1")
	ErrEntities  = errors.New("entities must be 0 (derived) or at least 100")
	ErrExponent  = errors.New("exponent must be 0 (default) or in (2, 3]")
	ErrCommunity = errors.New("community size must be 0 (default) or at least 10")
	ErrGlobal    = errors.New("global share must be 0 (default) or in (0, 1]")
)

// Validate reports a Config that cannot be generated: ErrRelations,
// ErrEntities, ErrExponent, ErrCommunity or ErrGlobal.
func (c Config) Validate() error {
	switch {
	case c.Relations < 1:
		return ErrRelations
	case c.Entities != 0 && c.Entities < 100:
		return ErrEntities
	case c.Exponent != 0 && (c.Exponent <= 2 || c.Exponent > 3):
		return ErrExponent
	case c.CommunitySize != 0 && c.CommunitySize < 10:
		return ErrCommunity
	case c.GlobalShare < 0 || c.GlobalShare > 1:
		return ErrGlobal
	}
	return nil
}

func (c Config) globalShare() float64 {
	if c.GlobalShare > 0 {
		return c.GlobalShare
	}
	return 0.1
}

func (c Config) communitySize() int {
	if c.CommunitySize > 0 {
		return c.CommunitySize
	}
	return 1000
}

func (c Config) entities() int {
	if c.Entities > 0 {
		return c.Entities
	}
	return max(100, c.Relations/3)
}

func (c Config) exponent() float64 {
	if c.Exponent > 0 {
		return c.Exponent
	}
	return DefaultExponent
}

// Generate calls yield for every record of the graph: all entities first,
// kind by kind in id order, then the relations, numbered by Record.Line from 1. It returns the first error
// of yield, or a Config error from Validate. Records and everything they
// point to are fresh for each call of yield, so yield may keep them.
func Generate(cfg Config, yield func(store.Record) error) error {
	p, err := NewPlan(cfg)
	if err != nil {
		return err
	}
	// Line numbers count records as exchange.WriteNDJSON writes them, one
	// a line, so an error
	// from Store.Load names the same line as one from `ties import`.
	var line int64
	numbered := func(r store.Record) error {
		line++
		r.Line = line
		return yield(r)
	}
	if err := p.eachEntity(numbered); err != nil {
		return err
	}
	return p.eachRelation(numbered)
}

// Source returns the graph as a store.RecordSource for Store.Load. It
// yields the same records on every call, as Load requires, and stops when
// ctx is done.
func Source(cfg Config) store.RecordSource {
	return func(ctx context.Context, yield func(store.Record) error) error {
		var n int
		return Generate(cfg, func(r store.Record) error {
			n++
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			return yield(r)
		})
	}
}

// Kind is one kind of generated entity: its ontology type, the prefix of
// its ids, and how many there are.
type Kind struct {
	Type   string // entity type in store.DefaultOntology
	Prefix string // id prefix: "city" gives "city-000123"
	Count  int
	First  int // index of its first entity among all entities
	share  float64
	mult   int // rank permutation: index = (rank*mult + off) mod Count
	off    int
	width  int // digits of the id number
	index  int // position in Plan.Kinds
}

// kindSpecs lists the kinds with their shares of all entities, largest
// first. Networks and topics are few, so they gather high degrees, as
// Eurocities and "smart cities" do in real data.
var kindSpecs = []struct {
	typ, prefix string
	share       float64
}{
	{"Person", "person", 0.42},
	{"City", "city", 0.18},
	{"Company", "company", 0.12},
	{"Organization", "org", 0.08},
	{"Event", "event", 0.10},
	{"Document", "doc", 0.04},
	{"Agreement", "mou", 0.03},
	{"Network", "network", 0.02},
	{"Topic", "topic", 0.01},
}

// Plan is the layout of a generated graph: which entity kinds it has and
// how many of each, so that callers can name entities without generating
// them (to pick random start entities for queries, or to map ids to dense
// indexes for an adjacency array).
type Plan struct {
	Config
	Kinds       []Kind
	Entities    int // total entities
	Communities int
	byType      map[string]*Kind
	byPrefix    map[string]*Kind
	a           float64 // weight of rank r is (r+1)^-a
}

// NewPlan lays out the graph of cfg. It returns a Config error from
// Validate.
func NewPlan(cfg Config) (*Plan, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("generate graph: %w", err)
	}
	n := cfg.entities()
	p := &Plan{
		Config:   cfg,
		Entities: n,
		byType:   map[string]*Kind{},
		byPrefix: map[string]*Kind{},
		a:        1 / (cfg.exponent() - 1),
	}
	p.Communities = max(1, n/cfg.communitySize())
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6b696e6473))
	left := n
	for i, s := range kindSpecs {
		c := max(1, int(math.Round(float64(n)*s.share)))
		if i == len(kindSpecs)-1 {
			c = max(1, left)
		}
		c = min(c, left-(len(kindSpecs)-1-i)) // leave one for each later kind
		left -= c
		k := Kind{Type: s.typ, Prefix: s.prefix, Count: c, First: n - left - c, share: s.share, index: i}
		k.width = max(6, len(strconv.Itoa(c-1)))
		k.mult, k.off = permutation(r, c)
		p.Kinds = append(p.Kinds, k)
	}
	for i := range p.Kinds {
		k := &p.Kinds[i]
		p.byType[k.Type] = k
		p.byPrefix[k.Prefix] = k
	}
	return p, nil
}

// permutation picks a multiplier coprime to n and an offset, so that
// rank -> (rank*mult + off) mod n is a bijection that scatters hubs.
func permutation(r *rand.Rand, n int) (mult, off int) {
	if n == 1 {
		return 1, 0
	}
	for {
		m := 1 + r.IntN(n-1)
		if gcd(m, n) == 1 {
			return m, r.IntN(n)
		}
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Kind returns the kind of entity type typ, or nil.
func (p *Plan) Kind(typ string) *Kind { return p.byType[typ] }

// EntityID returns the id of the entity with global index i
// (0 <= i < p.Entities). Indexes are dense, so an adjacency array can use
// them directly.
func (p *Plan) EntityID(i int) string {
	k := p.kindOf(i)
	return k.ID(i - k.First)
}

// EntityType returns the entity type of the entity with global index i.
func (p *Plan) EntityType(i int) string { return p.kindOf(i).Type }

func (p *Plan) kindOf(i int) *Kind {
	for j := range p.Kinds {
		k := &p.Kinds[j]
		if i < k.First+k.Count {
			return k
		}
	}
	panic(fmt.Sprintf("gen: entity index %d out of range [0, %d)", i, p.Entities))
}

// Index returns the global index of a generated entity id, and false for
// an id this plan did not generate.
func (p *Plan) Index(id string) (int, bool) {
	dash := strings.LastIndexByte(id, '-')
	if dash < 0 {
		return 0, false
	}
	k := p.byPrefix[id[:dash]]
	if k == nil {
		return 0, false
	}
	num := id[dash+1:]
	if len(num) != k.width {
		return 0, false
	}
	i, err := strconv.Atoi(num)
	if err != nil || i < 0 || i >= k.Count {
		return 0, false
	}
	return k.First + i, true
}

// ID returns the id of the i-th entity of the kind: the prefix and the
// number, zero-padded so that ids sort in index order.
func (k *Kind) ID(i int) string {
	s := strconv.Itoa(i)
	if pad := k.width - len(s); pad > 0 {
		s = strings.Repeat("0", pad) + s
	}
	return k.Prefix + "-" + s
}

// rank draws a rank in [0, n) with weight (rank+1)^-a: a continuous power
// law inverted in closed form, so no weight table is needed.
func rank(r *rand.Rand, n int, a float64) int {
	u := r.Float64()
	var x float64
	if a == 1 {
		x = math.Pow(float64(n)+1, u)
	} else {
		b := 1 - a
		x = math.Pow(1+u*(math.Pow(float64(n)+1, b)-1), 1/b)
	}
	return min(max(int(x)-1, 0), n-1)
}

// part returns the index range of the kind's members in community c.
func (k *Kind) part(c, communities int) (lo, hi int) {
	return c * k.Count / communities, (c + 1) * k.Count / communities
}

// community returns the community of the kind's i-th member.
func (k *Kind) community(i, communities int) int {
	c := i * communities / k.Count
	for lo, _ := k.part(c, communities); lo > i; lo, _ = k.part(c, communities) {
		c--
	}
	for _, hi := k.part(c, communities); hi <= i; _, hi = k.part(c, communities) {
		c++
	}
	return c
}

// draw picks a member of kind k by weight, from community c or, when c is
// negative or holds no member of k, from the whole kind. Ranks map to
// members through a permutation (coprime multiplier and offset), so the
// heaviest members are scattered over the ids.
func (p *Plan) draw(r *rand.Rand, k *Kind, c int) int {
	if c >= 0 {
		lo, hi := k.part(c, p.Communities)
		if n := hi - lo; n > 0 {
			return lo + (rank(r, n, p.a)*localMultiplier(n)+c)%n
		}
	}
	return (rank(r, k.Count, p.a)*k.mult + k.off) % k.Count
}

// localMultiplier returns a prime larger than n, hence coprime to it, so
// rank*m mod n permutes a community's members without a table.
func localMultiplier(n int) int {
	for _, m := range []int{7919, 104729, 1299709, 15485863, 179424673} {
		if m > n {
			return m
		}
	}
	return 2147483647
}

// entityRand returns the random stream of one entity, independent of the
// order entities are generated in.
func (p *Plan) entityRand(k *Kind, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(p.Seed)^uint64(k.index+1)<<56, uint64(i)))
}

func (p *Plan) eachEntity(yield func(store.Record) error) error {
	for ki := range p.Kinds {
		k := &p.Kinds[ki]
		for i := 0; i < k.Count; i++ {
			e := p.entity(k, i)
			if err := yield(store.Record{Entity: e}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Entity returns the entity with global index i, exactly as Generate
// yields it.
func (p *Plan) Entity(i int) *store.Entity {
	k := p.kindOf(i)
	return p.entity(k, i-k.First)
}

func (p *Plan) entity(k *Kind, i int) *store.Entity {
	r := p.entityRand(k, i)
	e := &store.Entity{ID: k.ID(i), Type: k.Type, Name: name(k.Type, r, i)}
	decorate(r, e)
	return e
}
