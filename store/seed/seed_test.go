package seed_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/seed"
	"github.com/ties-graph/ties/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ (and the generated part of docs/FORMAT.md)")

// openStore opens an empty badger store in a temporary directory whose
// cleanup checks every invariant before closing it.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	return storetest.OpenWith(t, store.Options{})
}

// load loads the founding data through the NDJSON decoder, as a service
// does on an empty data directory.
func load(t *testing.T, s *store.Store) store.LoadResult {
	t.Helper()
	in := exchange.BytesInput(seed.FileName, exchange.NDJSON, seed.NDJSON())
	src, err := exchange.NewSource(in, exchange.DecodeOptions{})
	if err != nil {
		t.Fatalf("new source: %v", err)
	}
	res, err := s.Load(context.Background(), src, store.LoadOptions{Source: seed.FileName})
	if err != nil {
		t.Fatalf("load founding data: %v", err)
	}
	return res
}

// rawRecord is the part of a canonical record that these tests read
// straight from the file, without the decoder.
type rawRecord struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Type string `json:"type"`
}

func rawRecords(t *testing.T) []rawRecord {
	t.Helper()
	var out []rawRecord
	sc := bufio.NewScanner(seed.Reader())
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		var r rawRecord
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%s:%d: %v", seed.FileName, n, err)
		}
		if dec.More() {
			t.Fatalf("%s:%d: more than one JSON value on the line", seed.FileName, n)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", seed.FileName, err)
	}
	return out
}

func TestNDJSONIsACopy(t *testing.T) {
	b := seed.NDJSON()
	if len(b) == 0 {
		t.Fatal("founding data is empty")
	}
	b[0] = 'X'
	if got := seed.NDJSON()[0]; got != '{' {
		t.Errorf("first byte after changing a copy: got %q, want '{'", got)
	}
}

func TestRecords(t *testing.T) {
	recs := rawRecords(t)
	kinds := map[string]int{}
	for _, r := range recs {
		kinds[r.Kind]++
	}
	if kinds["entity"] == 0 || kinds["relation"] == 0 {
		t.Fatalf("record kinds: got %v, want entities and relations", kinds)
	}
	if got, want := len(recs), kinds["entity"]+kinds["relation"]; got != want {
		t.Errorf("records of other kinds than entity and relation: got %d records, %d entities and relations (%v)", got, want, kinds)
	}
	found := false
	for _, r := range recs {
		if r.Kind == "entity" && r.ID == seed.DocumentID {
			found = true
			if got, want := r.Type, "Document"; got != want {
				t.Errorf("type of %s: got %q, want %q", seed.DocumentID, got, want)
			}
		}
	}
	if !found {
		t.Errorf("no entity %s", seed.DocumentID)
	}
}

// founding is the store with the founding data loaded, shared by the
// subtests of TestFoundingGraph that only read it.
type founding struct {
	s   *store.Store
	ctx context.Context
}

func (f founding) related(t *testing.T, id string, rf store.RelationFilter) []string {
	t.Helper()
	if rf.First == nil {
		rf.First = new(1000)
	}
	page, err := f.s.FindRelations(f.ctx, id, rf, store.ReadOptions{})
	if err != nil {
		t.Fatalf("relations of %s: %v", id, err)
	}
	ids := make([]string, len(page.Neighbors))
	for i, n := range page.Neighbors {
		if n == nil {
			t.Fatalf("relations of %s: no neighbour for relation %d", id, i)
		}
		ids[i] = n.ID
	}
	sort.Strings(ids)
	return ids
}

func (f founding) types(t *testing.T, id string, rf store.RelationFilter) []string {
	t.Helper()
	rf.First = new(1000)
	page, err := f.s.FindRelations(f.ctx, id, rf, store.ReadOptions{})
	if err != nil {
		t.Fatalf("relations of %s: %v", id, err)
	}
	var ts []string
	for _, r := range page.Relations {
		ts = append(ts, r.Type)
	}
	sort.Strings(ts)
	return ts
}

func TestFoundingGraph(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	res := load(t, s)

	var entities, relations int
	for _, r := range rawRecords(t) {
		switch r.Kind {
		case "entity":
			entities++
		case "relation":
			relations++
		}
	}
	if got, want := res.Entities, entities; got != want {
		t.Errorf("entities loaded: got %d, want %d", got, want)
	}
	if got, want := res.Relations, relations; got != want {
		t.Errorf("relations loaded: got %d, want %d", got, want)
	}
	f := founding{s: s, ctx: ctx}

	t.Run("SisterCitiesOfEnschede", func(t *testing.T) {
		got := f.related(t, "enschede", store.RelationFilter{Types: []string{"SISTER_CITY_OF"}})
		if want := []string{"dalian", "palo-alto"}; !slices.Equal(got, want) {
			t.Errorf("sister cities of Enschede: got %v, want %v", got, want)
		}
	})

	t.Run("SisterCityFromBothEnds", func(t *testing.T) {
		for _, dir := range []store.Direction{store.Both, store.Out, store.In} {
			got := f.related(t, "dalian", store.RelationFilter{Types: []string{"SISTER_CITY_OF"}, Direction: dir})
			if want := []string{"enschede"}; !slices.Equal(got, want) {
				t.Errorf("sister cities of Dalian, direction %v: got %v, want %v", dir, got, want)
			}
		}
	})

	t.Run("SignersOfTheMoU", func(t *testing.T) {
		got := f.related(t, "dalian-mou-2017", store.RelationFilter{Types: []string{"SIGNED"}, Direction: store.In})
		if want := []string{"onno-van-veldhuizen", "xiao-shenfeng"}; !slices.Equal(got, want) {
			t.Fatalf("signers of the MoU: got %v, want %v", got, want)
		}
		mayorOf := map[string]string{"onno-van-veldhuizen": "enschede", "xiao-shenfeng": "dalian"}
		for signer, city := range mayorOf {
			got := f.related(t, signer, store.RelationFilter{Types: []string{"MAYOR_OF"}, Direction: store.Out, ValidAt: store.MustParseDate("2017-07")})
			if want := []string{city}; !slices.Equal(got, want) {
				t.Errorf("%s is mayor of: got %v, want %v", signer, got, want)
			}
		}
		approvers := f.related(t, "dalian-mou-2017", store.RelationFilter{Types: []string{"APPROVED"}, Direction: store.In})
		if want := []string{"ministry-of-foreign-affairs-china"}; !slices.Equal(approvers, want) {
			t.Errorf("approvers of the MoU: got %v, want %v", approvers, want)
		}
	})

	t.Run("GuestsOfTheSmartCityConference", func(t *testing.T) {
		want := []string{"dalian", "heidelberg", "linkoping", "munster", "palo-alto"}
		got := f.related(t, "smart-city-conference-2017", store.RelationFilter{
			Types: []string{"PARTICIPATED_IN"}, Direction: store.In, EntityTypes: []string{"City"},
		})
		if !slices.Equal(got, want) {
			t.Errorf("cities that took part: got %v, want %v", got, want)
		}
		invited := f.related(t, "enschede", store.RelationFilter{
			Types: []string{"INVITED"}, Direction: store.Out, EntityTypes: []string{"City"}, ValidAt: store.MustParseDate("2017-07"),
		})
		if !slices.Equal(invited, want) {
			t.Errorf("cities Enschede invited in July 2017: got %v, want %v", invited, want)
		}
		organizers := f.related(t, "smart-city-conference-2017", store.RelationFilter{Types: []string{"ORGANIZED"}, Direction: store.In})
		if want := []string{"enschede"}; !slices.Equal(organizers, want) {
			t.Errorf("organizers: got %v, want %v", organizers, want)
		}
	})

	t.Run("DalianStatus", func(t *testing.T) {
		twinning := []string{"SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF"}
		tests := []struct {
			name string
			at   string
			want []string
		}{
			{"Before2009", "2008", nil},
			{"In2012", "2012", []string{"FRIENDLY_COOPERATIVE_CITY_OF"}},
			{"In2017", "2017", []string{"FRIENDLY_COOPERATIVE_CITY_OF", "SISTER_CITY_OF"}},
			{"In2018", "2018", []string{"SISTER_CITY_OF"}},
			{"OnADayIn2018", "2018-03-01", []string{"SISTER_CITY_OF"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := f.types(t, "dalian", store.RelationFilter{
					Types: twinning, ValidAt: store.MustParseDate(tt.at), EntityTypes: []string{"City"},
				})
				if !slices.Equal(got, tt.want) {
					t.Errorf("Dalian's ties to Enschede at %s: got %v, want %v", tt.at, got, tt.want)
				}
			})
		}
	})

	t.Run("WorkPlacement", func(t *testing.T) {
		got := f.related(t, "chloe-conghui", store.RelationFilter{Types: []string{"WORKS_FOR", "WORK_PLACEMENT_AT"}, Direction: store.Out})
		if want := []string{"foreign-affairs-office-of-dalian", "municipality-of-enschede"}; !slices.Equal(got, want) {
			t.Errorf("where Chloe Conghui works and did her placement: got %v, want %v", got, want)
		}
	})

	t.Run("Search", func(t *testing.T) {
		tests := []struct {
			name, text, want string
		}{
			{"FoldedAccent", "munster", "munster"},
			{"Alias", "Muenster", "munster"},
			{"Upper", "MÜNSTER", "munster"},
			{"Prefix", "palo", "palo-alto"},
			{"ChineseLabel", "大连", "dalian"},
			{"SwedishAlias", "Linkoping", "linkoping"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				hits, err := s.Search(ctx, tt.text, nil, new(5), store.ReadOptions{})
				if err != nil {
					t.Fatalf("search %q: %v", tt.text, err)
				}
				if len(hits) == 0 {
					t.Fatalf("search %q: no hits, want %s", tt.text, tt.want)
				}
				if got := hits[0].Entity.ID; got != tt.want {
					t.Errorf("search %q: first hit %s, want %s", tt.text, got, tt.want)
				}
			})
		}
	})

	t.Run("ExcerptsQuoteTheReport", func(t *testing.T) {
		report, err := os.ReadFile(storetest.Shared(t, "seed", "enschede-international-annual-report-2017.txt"))
		if err != nil {
			t.Fatal(err)
		}
		text := string(report)
		checked := 0
		check := func(what string, srcs []store.Source) {
			for i, src := range srcs {
				if got, want := src.Document, seed.DocumentID; got != want {
					t.Errorf("%s source %d: document %q, want %q", what, i, got, want)
				}
				if src.Excerpt == "" {
					t.Errorf("%s source %d: no excerpt", what, i)
					continue
				}
				checked++
				if !strings.Contains(text, src.Excerpt) {
					t.Errorf("%s source %d: excerpt is not in the report: %q", what, i, src.Excerpt)
				}
				if src.Locator != "" && !strings.Contains(text, "\n"+src.Locator+"\n") {
					t.Errorf("%s source %d: locator is not a heading of the report: %q", what, i, src.Locator)
				}
				if c := src.Confidence; c == nil || *c <= 0 || *c > 1 {
					t.Errorf("%s source %d: confidence %v, want a number in (0, 1]", what, i, c)
				}
			}
		}
		err = s.View(ctx, store.ReadOptions{}, func(r *store.Reader) error {
			if err := r.EachEntity(func(e *store.Entity) error {
				check("entity "+e.ID, e.Sources)
				return nil
			}); err != nil {
				return err
			}
			return r.EachRelation(func(rel *store.Relation) error {
				what := fmt.Sprintf("relation %s %s %s", rel.From, rel.Type, rel.To)
				if len(rel.Sources) == 0 && rel.Properties["basis"].Text != "general knowledge" {
					t.Errorf("%s: no source, and not marked as general knowledge", what)
				}
				check(what, rel.Sources)
				return nil
			})
		})
		if err != nil {
			t.Fatalf("read store: %v", err)
		}
		if checked == 0 {
			t.Error("no excerpts checked")
		}
	})

	t.Run("Golden", func(t *testing.T) {
		golden(t, filepath.Join("testdata", "founding-graph.golden"), listing(t, s))
	})

	t.Run("LoadingTwiceChangesNothing", func(t *testing.T) {
		before := listing(t, s)
		statsBefore, err := s.Stats(ctx, store.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		load(t, s)
		if got := listing(t, s); got != before {
			t.Errorf("listing after loading twice differs:\n%s", diffLines(before, got))
		}
		statsAfter, err := s.Stats(ctx, store.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := statsAfter.Relations, statsBefore.Relations; got != want {
			t.Errorf("relations after loading twice: got %d, want %d", got, want)
		}
		if got, want := statsAfter.Entities, statsBefore.Entities; got != want {
			t.Errorf("entities after loading twice: got %d, want %d", got, want)
		}
	})
}

// listing lists the entities (id and type) and relations (type, from, to,
// validFrom, validTo) of the store, one a line, sorted.
func listing(t *testing.T, s *store.Store) string {
	t.Helper()
	var ents, rels []string
	err := s.View(context.Background(), store.ReadOptions{}, func(r *store.Reader) error {
		if err := r.EachEntity(func(e *store.Entity) error {
			ents = append(ents, fmt.Sprintf("%s %s", e.ID, e.Type))
			return nil
		}); err != nil {
			return err
		}
		return r.EachRelation(func(rel *store.Relation) error {
			rels = append(rels, strings.TrimRight(fmt.Sprintf("%s %s %s %s %s",
				rel.Type, rel.From, rel.To, orDash(rel.ValidFrom), orDash(rel.ValidTo)), " "))
			return nil
		})
	})
	if err != nil {
		t.Fatalf("list store: %v", err)
	}
	sort.Strings(ents)
	sort.Strings(rels)
	var b strings.Builder
	fmt.Fprintf(&b, "# %d entities (id type)\n", len(ents))
	for _, e := range ents {
		b.WriteString(e + "\n")
	}
	fmt.Fprintf(&b, "\n# %d relations (type from to validFrom validTo; - is unset)\n", len(rels))
	for _, r := range rels {
		b.WriteString(r + "\n")
	}
	return b.String()
}

func orDash(d store.Date) string {
	if d.IsZero() {
		return "-"
	}
	return d.String()
}

// golden compares got with the file at path, or rewrites the file with
// -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (refresh with -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (refresh with -update if the change is meant):\n%s", path, diffLines(string(want), got))
	}
}

// diffLines lists the lines only in want (-) and only in got (+), enough to
// see what changed in a sorted listing.
func diffLines(want, got string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	w, g := count(want), count(got)
	var out []string
	for l, n := range w {
		if g[l] < n {
			out = append(out, "- "+l)
		}
	}
	for l, n := range g {
		if w[l] < n {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
