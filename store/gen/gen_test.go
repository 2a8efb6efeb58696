package gen

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func digest(t *testing.T, cfg Config) [32]byte {
	t.Helper()
	h := sha256.New()
	if err := writeNDJSON(h, cfg); err != nil {
		t.Fatalf("WriteNDJSON(%+v): %v", cfg, err)
	}
	return [32]byte(h.Sum(nil))
}

func TestGenerateIsReproducible(t *testing.T) {
	base := Config{Seed: 7, Relations: 5000}
	tests := []struct {
		name  string
		other Config
		same  bool
	}{
		{"SameSeed", base, true},
		{"OtherSeed", Config{Seed: 8, Relations: 5000}, false},
		{"OtherExponent", Config{Seed: 7, Relations: 5000, Exponent: 2.1}, false},
		{"NoCommunities", Config{Seed: 7, Relations: 5000, GlobalShare: 1}, false},
	}
	want := digest(t, base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := digest(t, tt.other); (got == want) != tt.same {
				t.Errorf("digest equal to base: got %v, want %v", got == want, tt.same)
			}
		})
	}
}

// subtypeOf reports whether typ is want or one of its subtypes in o.
func subtypeOf(o store.Ontology, typ, want string) bool {
	parent := map[string]string{}
	for _, et := range o.EntityTypes {
		parent[et.Name] = et.Parent
	}
	for t := typ; t != ""; t = parent[t] {
		if t == want {
			return true
		}
	}
	return false
}

func allowed(o store.Ontology, typ string, list []string) bool {
	if len(list) == 0 {
		return true
	}
	for _, w := range list {
		if subtypeOf(o, typ, w) {
			return true
		}
	}
	return false
}

// TestGenerateIsValid checks every record against the default ontology
// and the rules the store enforces, so a generated graph always loads.
func TestGenerateIsValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"Default", Config{Seed: 1, Relations: 20000}},
		{"ChungLuSteep", Config{Seed: 2, Relations: 20000, GlobalShare: 1, Exponent: 2.1}},
		{"FewRelations", Config{Seed: 3, Relations: 50, Entities: 100}},
		{"TinyCommunities", Config{Seed: 4, Relations: 3000, Entities: 2000, CommunitySize: 10}},
	} {
		cfg := tc.cfg
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPlan(cfg)
			if err != nil {
				t.Fatal(err)
			}
			o := store.DefaultOntology()
			entityTypes := map[string]bool{}
			for _, et := range o.EntityTypes {
				entityTypes[et.Name] = true
			}
			relTypes := map[string]store.RelationType{}
			for _, rt := range o.RelationTypes {
				relTypes[rt.Name] = rt
			}
			types := map[string]string{} // entity id -> type
			relIDs := map[string]bool{}
			var line int64
			var docs []string
			err = Generate(cfg, func(rec store.Record) error {
				line++
				if got, want := rec.Line, line; got != want {
					t.Fatalf("Line: got %d, want %d", got, want)
				}
				switch {
				case rec.Entity != nil:
					e := rec.Entity
					if len(relIDs) > 0 {
						t.Fatalf("entity %s after relations", e.ID)
					}
					if !entityTypes[e.Type] {
						t.Errorf("entity %s: unknown type %q", e.ID, e.Type)
					}
					if _, dup := types[e.ID]; dup {
						t.Errorf("entity %s: duplicate id", e.ID)
					}
					if e.Name == "" || !utf8.ValidString(e.Name) {
						t.Errorf("entity %s: bad name %q", e.ID, e.Name)
					}
					if !e.ValidTo.IsZero() && e.ValidTo.Compare(e.ValidFrom) < 0 {
						t.Errorf("entity %s: validTo %s before validFrom %s", e.ID, e.ValidTo, e.ValidFrom)
					}
					if i, ok := p.Index(e.ID); !ok || p.EntityID(i) != e.ID || p.EntityType(i) != e.Type {
						t.Errorf("entity %s: plan index %d, %v", e.ID, i, ok)
					}
					types[e.ID] = e.Type
					if e.Type == "Document" {
						docs = append(docs, e.ID)
					}
				case rec.Relation != nil:
					r := rec.Relation
					rt, ok := relTypes[r.Type]
					if !ok {
						t.Fatalf("relation %s: unknown type %q", r.ID, r.Type)
					}
					if relIDs[r.ID] {
						t.Errorf("relation %s: duplicate id", r.ID)
					}
					relIDs[r.ID] = true
					ft, fok := types[r.From]
					tt, tok := types[r.To]
					if !fok || !tok {
						t.Fatalf("relation %s: dangling endpoint %s or %s", r.ID, r.From, r.To)
					}
					if r.From == r.To {
						t.Errorf("relation %s: self-loop on %s", r.ID, r.From)
					}
					if !allowed(o, ft, rt.From) || !allowed(o, tt, rt.To) {
						t.Errorf("relation %s: %s(%s) %s %s(%s) violates the ontology", r.ID, r.From, ft, r.Type, r.To, tt)
					}
					if !r.ValidTo.IsZero() && r.ValidTo.First() < r.ValidFrom.Last() {
						t.Errorf("relation %s: validTo %s before validFrom %s", r.ID, r.ValidTo, r.ValidFrom)
					}
					for _, s := range r.Sources {
						if types[s.Document] != "Document" {
							t.Errorf("relation %s: source %q is not a Document", r.ID, s.Document)
						}
					}
				default:
					t.Fatalf("line %d: empty record", rec.Line)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(types), p.Entities; got != want {
				t.Errorf("entities: got %d, want %d", got, want)
			}
			if got, want := len(relIDs), cfg.Relations; got != want {
				t.Errorf("relations: got %d, want %d", got, want)
			}
			if len(docs) == 0 {
				t.Errorf("no Document entities to cite")
			}
		})
	}
}

// TestDegreesAreHeavyTailed checks the shape the benchmarks rely on: a few
// hubs far above the mean, every entity tied to something, and a tail
// that grows when the communities are removed.
func TestDegreesAreHeavyTailed(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		minMaxMean float64 // max degree / mean degree, at least
	}{
		{"Communities", Config{Seed: 1, Relations: 200_000}, 30},
		{"ChungLu", Config{Seed: 1, Relations: 200_000, GlobalShare: 1}, 300},
		{"SteepTail", Config{Seed: 1, Relations: 200_000, GlobalShare: 1, Exponent: 2.1}, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			deg := make([]int, p.Entities)
			err = Generate(tt.cfg, func(rec store.Record) error {
				if r := rec.Relation; r != nil {
					f, _ := p.Index(r.From)
					to, _ := p.Index(r.To)
					deg[f]++
					deg[to]++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			mean := 2 * float64(tt.cfg.Relations) / float64(p.Entities)
			slices.Sort(deg)
			maxDeg, median := deg[len(deg)-1], deg[len(deg)/2]
			t.Logf("mean %.1f, median %d, p99 %d, max %d", mean, median, deg[len(deg)*99/100], maxDeg)
			if got := float64(maxDeg) / mean; got < tt.minMaxMean {
				t.Errorf("max/mean degree: got %.0f, want at least %.0f", got, tt.minMaxMean)
			}
			if got := float64(median); got >= mean {
				t.Errorf("median degree: got %v, want below the mean %.1f (a right-skewed distribution)", got, mean)
			}
			if got := deg[0]; got < 1 {
				t.Errorf("min degree: got %d, want at least 1", got)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"OK", Config{Relations: 1}, nil},
		{"ErrRelations", Config{}, ErrRelations},
		{"ErrEntities", Config{Relations: 10, Entities: 5}, ErrEntities},
		{"ErrExponentLow", Config{Relations: 10, Exponent: 2}, ErrExponent},
		{"ErrExponentHigh", Config{Relations: 10, Exponent: 3.5}, ErrExponent},
		{"ErrCommunity", Config{Relations: 10, CommunitySize: 3}, ErrCommunity},
		{"ErrGlobal", Config{Relations: 10, GlobalShare: 1.5}, ErrGlobal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cfg.Validate(); !errors.Is(got, tt.want) {
				t.Errorf("Validate: got %v, want %v", got, tt.want)
			}
			err := Generate(tt.cfg, func(store.Record) error { return nil })
			if got := err; !errors.Is(got, tt.want) {
				t.Errorf("Generate: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPlanIndex(t *testing.T) {
	p, err := NewPlan(Config{Seed: 1, Relations: 30000})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < p.Entities; i++ {
		id := p.EntityID(i)
		if got, ok := p.Index(id); !ok || got != i {
			t.Fatalf("Index(%q): got %d, %v, want %d, true", id, got, ok, i)
		}
	}
	for _, id := range []string{"", "city", "city-", "city-1", "city-0000001", "city-999999", "planet-000001", "city-00000x", "-000001", "city--00001"} {
		t.Run("Reject"+id, func(t *testing.T) {
			if i, ok := p.Index(id); ok {
				t.Errorf("Index(%q): got %d, true, want false", id, i)
			}
		})
	}
}

// FuzzIndex checks that Index never panics and accepts exactly the ids
// EntityID produces.
func FuzzIndex(f *testing.F) {
	p, err := NewPlan(Config{Seed: 1, Relations: 3000})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"city-000001", "person-000000", "topic-000009", "x", "-", "network--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		i, ok := p.Index(id)
		if !ok {
			return
		}
		if got := p.EntityID(i); got != id {
			t.Errorf("EntityID(Index(%q)=%d): got %q", id, i, got)
		}
	})
}

func TestPlanEntityMatchesGenerate(t *testing.T) {
	cfg := Config{Seed: 5, Relations: 3000}
	p, err := NewPlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	err = Generate(cfg, func(rec store.Record) error {
		if rec.Entity == nil {
			return nil
		}
		var want, got bytes.Buffer
		exchange.EncodeNDJSONRecord(&want, rec)
		exchange.EncodeNDJSONRecord(&got, store.Record{Entity: p.Entity(i)})
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("Entity(%d): got %s, want %s", i, got.String(), want.String())
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSourceStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := Source(Config{Seed: 1, Relations: 100_000})(ctx, func(store.Record) error {
		n++
		if n == 10 {
			cancel()
		}
		return nil
	})
	if got, want := err, context.Canceled; !errors.Is(got, want) {
		t.Errorf("error: got %v, want %v", got, want)
	}
	if n > 10_000 {
		t.Errorf("records after cancel: got %d, want fewer than 10000", n)
	}
}

func TestYieldErrorStopsGeneration(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Generate(Config{Seed: 1, Relations: 1000}, func(store.Record) error {
		n++
		if n == 500 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("error: got %v, want %v", err, stop)
	}
	if got, want := n, 500; got != want {
		t.Errorf("records: got %d, want %d", got, want)
	}
}

// TestWriteNDJSONGolden pins the exact output of a small graph, so that a
// change of the generator (and of every benchmark figure made with it) is
// a visible, deliberate diff. Refresh with go test -update.
func TestWriteNDJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := writeNDJSON(&buf, Config{Seed: 42, Relations: 60, Entities: 100, CommunitySize: 50}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "seed42.ndjson")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("output differs from %s; run go test -update if the change is intended", golden)
	}
	sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
	kinds := map[string]int{}
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		kinds[m["kind"].(string)]++
	}
	if got, want := kinds["entity"], 100; got != want {
		t.Errorf("entity lines: got %d, want %d", got, want)
	}
	if got, want := kinds["relation"], 60; got != want {
		t.Errorf("relation lines: got %d, want %d", got, want)
	}
}
