package exchange

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/connect"
	"github.com/ties-graph/ties/store/storetest"
)

func examplesPython(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the import of 17,401 real twinnings")
	}
	storetest.Shared(t, "data")
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("python3 is not installed; skipping the example conversion scripts")
	return ""
}

func runScript(t *testing.T, py string, args ...string) {
	t.Helper()
	out, err := exec.Command(py, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(args[0]), err, out)
	}
	t.Logf("%s", out)
}

func importFile(t *testing.T, st *store.Store, path string) store.LoadResult {
	t.Helper()
	in, err := FileInput(path, "")
	if err != nil {
		t.Fatal(err)
	}
	// As twin-cities.sh imports: with ties import, which merges.
	res, err := Import(context.Background(), st, []Input{in}, ImportOptions{OnExisting: store.OnExistingMerge})
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return res
}

// TestExampleConversions runs the example scripts of examples/ on the real
// data and imports their output: the Eurocities members next to the
// founding data, then Wikidata's twinning statements, whose both-sided
// statements must become one relation per pair.
func TestExampleConversions(t *testing.T) {
	py := examplesPython(t)
	examples := filepath.Join("..", "..", "examples")
	dir := t.TempDir()
	st := founding(t)
	ctx := context.Background()

	dumpFile := filepath.Join(dir, "dump.ndjson")
	if err := os.WriteFile(dumpFile, []byte(dump(t, st)), 0o644); err != nil {
		t.Fatal(err)
	}
	euro := filepath.Join(dir, "eurocities.ndjson")
	runScript(t, py, filepath.Join(examples, "eurocities_to_ndjson.py"),
		storetest.Shared(t, "data", "city-networks", "eurocities", "members-wikidata-enriched.json"), euro, "--match", dumpFile)
	importFile(t, st, euro)
	network, err := st.FindEntityByID(ctx, "eurocities", store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(network.Description, "Enschede") {
		t.Errorf("the founding data's Eurocities was replaced: %q", network.Description)
	}
	members, err := st.Degree(ctx, "eurocities", store.RelationFilter{Types: []string{"MEMBER_OF"}, Direction: store.In}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// 209 matched names are 206 cities (the list names Lyon, Marseille and
	// Ampelokipoi-Menemeni twice); the founding data adds Enschede.
	if got, want := members, 207; got != want {
		t.Errorf("Eurocities members: got %d, want %d", got, want)
	}
	page, err := st.FindRelations(ctx, "enschede", store.RelationFilter{Types: []string{"MEMBER_OF"}, Direction: store.Out}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Relations) != 1 || page.Relations[0].Properties["representedBy"].Text != "municipality-of-enschede" || len(page.Relations[0].Sources) < 3 {
		t.Errorf("Enschede's membership lost the founding data's fields: %+v", page.Relations)
	}

	if err := os.WriteFile(dumpFile, []byte(dump(t, st)), 0o644); err != nil {
		t.Fatal(err)
	}
	p190 := storetest.Shared(t, "data", "sister-cities", "wikidata-p190")
	twins := filepath.Join(dir, "twins.ndjson")
	runScript(t, py, filepath.Join(examples, "sister_cities_to_ndjson.py"),
		filepath.Join(p190, "relations.tsv"), filepath.Join(p190, "names.tsv"), twins, "--match", dumpFile)
	before, err := st.Stats(ctx, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res := importFile(t, st, twins)
	pairs, top := twinPairs(t, filepath.Join(p190, "relations.tsv"))
	// Enschede–Dalian and Enschede–Palo Alto are in the founding data, with
	// the report's evidence: left out rather than replaced or doubled.
	if got, want := res.Relations, pairs-2; got != want {
		t.Errorf("relations imported: got %d, want %d, one per unordered pair the store lacks", got, want)
	}
	page, err = st.FindRelations(ctx, "enschede", store.RelationFilter{Types: []string{"SISTER_CITY_OF"}, Direction: store.Both, First: new(10)}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(page.Relations), 2; got != want {
		t.Errorf("Enschede's sister-city relations: got %d, want %d (Dalian and Palo Alto, once each)", got, want)
	}
	for _, rel := range page.Relations {
		if len(rel.Sources) == 0 || rel.Sources[0].Document != "enschede-international-annual-report-2017" {
			t.Errorf("%s %s–%s: sources %+v, want the founding report's", rel.ID, rel.From, rel.To, rel.Sources)
		}
	}
	if pairs > 17401 {
		t.Errorf("%d pairs from 17,401 city pairs", pairs)
	}
	after, err := st.Stats(ctx, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if grown := after.Relations - before.Relations; grown > pairs {
		t.Errorf("the store grew by %d relations, more than the %d pairs", grown, pairs)
	}
	// A city the store knew under another name (Eurocities' "Cologne")
	// keeps it, and gains Wikidata's label as an alias, so that search
	// finds it by either.
	for _, tc := range []struct{ text, id, name string }{
		{"Köln", "wd-Q365", "Cologne"},
		{"Frankfurt am Main", "wd-Q1794", "Frankfurt"},
	} {
		hits, err := st.Search(ctx, tc.text, nil, new(3), store.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].Entity.ID != tc.id || hits[0].Entity.Name != tc.name {
			var got []string
			for _, h := range hits {
				got = append(got, h.Entity.ID+" "+h.Entity.Name)
			}
			t.Errorf("search %q: got %v, want %s (%s) first", tc.text, got, tc.id, tc.name)
		}
	}
	// The label came from the city's Wikidata item, which the city goes on
	// citing beside the member list: --match keeps the store's record but
	// must not drop the converted data's evidence.
	cologne, err := st.FindEntityByID(ctx, "wd-Q365", store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cites := map[string]bool{}
	for _, s := range cologne.Sources {
		cites[s.Document+" "+s.Locator] = true
	}
	for _, want := range []string{"eurocities-member-list https://eurocities.eu/cities/", "wikidata-p190 https://www.wikidata.org/wiki/Q365"} {
		if !cites[want] {
			t.Errorf("Cologne's sources %+v lack %s", cologne.Sources, want)
		}
	}
	// Converting again against the store as it now is adds nothing.
	if err := os.WriteFile(dumpFile, []byte(dump(t, st)), 0o644); err != nil {
		t.Fatal(err)
	}
	runScript(t, py, filepath.Join(examples, "sister_cities_to_ndjson.py"),
		filepath.Join(p190, "relations.tsv"), filepath.Join(p190, "names.tsv"), twins, "--match", dumpFile)
	if res := importFile(t, st, twins); res.Report.Entities.Changed+res.Report.Entities.New+res.Report.Relations.Changed+res.Report.Relations.New != 0 {
		t.Errorf("a second conversion changed the store: %+v", res.Report)
	}
	// Who are the best-connected twin cities? The store's answer agrees
	// with a count straight from the file.
	c, err := store.Read(ctx, st, store.ReadOptions{}, func(r *store.Reader) (store.CentralityResult, error) {
		return connect.Centrality(r, store.CentralityOptions{Measure: store.MeasureDegree, Types: []string{"SISTER_CITY_OF"}, First: new(5)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Ranking) == 0 || int(c.Ranking[0].Score) < top {
		t.Fatalf("best-connected twin city: got %+v, want a degree of at least %d", c.Ranking, top)
	}
	for _, s := range c.Ranking {
		t.Logf("%s (%s): %v sister cities", s.Entity.Name, s.Entity.ID, s.Score)
	}
}

// twinPairs counts the unordered pairs of distinct cities in a P190
// statements file and the largest number of partners of one city.
func twinPairs(t *testing.T, path string) (pairs, top int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[[2]string]bool{}
	degree := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue
		}
		// Amsterdam's two items are one city, as SAME_CITY in
		// examples/ties_ndjson.py says.
		for i, q := range fields {
			if q == "Q9899" {
				fields[i] = "Q727"
			}
		}
		if fields[0] == fields[1] {
			continue
		}
		a, b := min(fields[0], fields[1]), max(fields[0], fields[1])
		if !seen[[2]string{a, b}] {
			seen[[2]string{a, b}] = true
			degree[a]++
			degree[b]++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, d := range degree {
		top = max(top, d)
	}
	return len(seen), top
}
