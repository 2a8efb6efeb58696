package exchange

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/connect"
	"github.com/ties-graph/ties/store/storetest"
)

// convert runs an example converter with its inputs, writes the output
// beside dir, and imports it into st as ties import does: against a dump of
// st (--match) when match is true, as twin-cities.sh converts.
func convert(t *testing.T, py string, st *store.Store, dir, script string, match bool, args ...string) store.LoadResult {
	t.Helper()
	out := filepath.Join(dir, script+".ndjson")
	argv := append([]string{filepath.Join("..", "..", "examples", script)}, args...)
	argv = append(argv, out)
	if match {
		dumpFile := filepath.Join(dir, "dump.ndjson")
		if err := os.WriteFile(dumpFile, []byte(dump(t, st)), 0o644); err != nil {
			t.Fatal(err)
		}
		argv = append(argv, "--match", dumpFile)
	}
	runScript(t, py, argv...)
	return importFile(t, st, out)
}

func neighbourIDs(t *testing.T, st *store.Store, id, typ string, dir store.Direction) []string {
	t.Helper()
	page, err := st.FindRelations(context.Background(), id, store.RelationFilter{Types: []string{typ}, Direction: dir, First: new(500)}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, rel := range page.Relations {
		if rel.From == id {
			ids = append(ids, rel.To)
		} else {
			ids = append(ids, rel.From)
		}
	}
	slices.Sort(ids)
	return ids
}

func relationBetween(t *testing.T, st *store.Store, a, b, typ string) []*store.Relation {
	t.Helper()
	page, err := st.FindRelations(context.Background(), a, store.RelationFilter{Types: []string{typ}, Direction: store.Both, First: new(500)}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rels []*store.Relation
	for _, rel := range page.Relations {
		if rel.From == b || rel.To == b {
			rels = append(rels, rel)
		}
	}
	return rels
}

func locators(rel *store.Relation) []string {
	var out []string
	for _, s := range rel.Sources {
		out = append(out, s.Locator)
	}
	slices.Sort(out)
	return out
}

// citations lists what e cites, "document locator" each, sorted.
func citations(e *store.Entity) []string {
	var out []string
	for _, s := range e.Sources {
		out = append(out, s.Document+" "+s.Locator)
	}
	slices.Sort(out)
	return out
}

// TestWikipediaTwinTownsConversion converts Wikipedia's lists of twin towns
// on their own into a new store: one entity per city within its country,
// spellings that differ only in how a font writes a letter as one city, and
// one relation per pair however often and however spelled it is listed.
func TestWikipediaTwinTownsConversion(t *testing.T) {
	py := examplesPython(t)
	data := storetest.Shared(t, "data", "sister-cities", "wikipedia-twin-towns")
	st := storetest.Open(t)
	ctx := context.Background()
	convert(t, py, st, t.TempDir(), "wikipedia_twin_towns_to_ndjson.py", false,
		filepath.Join(data, "twin_cities_raw.csv"), filepath.Join(data, "app_public_twin_cities.csv"))

	stats, err := st.Stats(ctx, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	twins := 0
	for _, c := range stats.ByRelationType {
		if c.Type == "SISTER_CITY_OF" {
			twins = c.Count
		}
	}
	// 26,114 rows, less 3 that twin a name with itself (two Nienburgs in
	// Germany) and 1,276 that list a pair again: from the other city's
	// page, with "England" for "England, United Kingdom", "United
	// Kingdom" for "Northern Ireland", or a cedilla for the comma below.
	if got, want := twins, 24835; got != want {
		t.Errorf("SISTER_CITY_OF relations: got %d, want %d", got, want)
	}

	// Rows 12116, 4383 and 25195: Münster, Dalian and Palo Alto.
	if got, want := neighbourIDs(t, st, "wp-netherlands--enschede", "SISTER_CITY_OF", store.Both),
		[]string{"wp-china--dalian", "wp-germany--münster", "wp-united-states--palo-alto"}; !slices.Equal(got, want) {
		t.Errorf("Enschede's twins: got %v, want %v", got, want)
	}
	for _, tc := range []struct {
		name, a, b string
		rows       []string
	}{
		// "York,England,Münster,Germany" and
		// "Münster,Germany,York,"England, United Kingdom"".
		{"England and England, United Kingdom", "wp-germany--münster", "wp-england--york", []string{"twin_cities_raw.csv:12123", "twin_cities_raw.csv:7286"}},
		// "Yerevan,Armenia,Chişinău,Moldova" (cedilla) and
		// "Chișinău,Moldova,Yerevan,Armenia" (comma below).
		{"cedilla and comma below", "wp-moldova--chișinău", "wp-armenia--yerevan", []string{"twin_cities_raw.csv:17713", "twin_cities_raw.csv:311"}},
		// "Velke Opatovice" and "Velké Opatovice", 0 km apart.
		{"without and with diacritics", "wp-czechia--velké-opatovice", "wp-croatia--stari-grad", []string{"twin_cities_raw.csv:25006", "twin_cities_raw.csv:5676"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rels := relationBetween(t, st, tc.a, tc.b, "SISTER_CITY_OF")
			if len(rels) != 1 {
				t.Fatalf("%s–%s: got %d relations, want one", tc.a, tc.b, len(rels))
			}
			if got := locators(rels[0]); !slices.Equal(got, tc.rows) {
				t.Errorf("%s–%s cites %v, want %v", tc.a, tc.b, got, tc.rows)
			}
		})
	}
	chisinau, err := st.FindEntityByID(ctx, "wp-moldova--chișinău", store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if chisinau.Name != "Chișinău" || !slices.Contains(chisinau.Aliases, "Chişinău") {
		t.Errorf("Chișinău: name %q, aliases %q; want the comma below, and the cedilla as an alias", chisinau.Name, chisinau.Aliases)
	}
	// Names that differ in a diacritic are different towns unless their
	// coordinates agree: Lohne and Löhne, Fürth and Furth.
	for _, id := range []string{"wp-germany--lohne", "wp-germany--löhne", "wp-germany--fürth", "wp-germany--furth"} {
		if _, err := st.FindEntityByID(ctx, id, store.ReadOptions{}); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	// Newburgh in England and Newburgh in the United States are twins,
	// listed from both sides (rows 7432 and 26010).
	if rels := relationBetween(t, st, "wp-england--newburgh", "wp-united-states--newburgh", "SISTER_CITY_OF"); len(rels) != 1 || len(rels[0].Sources) != 2 {
		t.Errorf("Newburgh–Newburgh: %+v, want one relation citing two rows", rels)
	}
	// "Varna, Bulgaria" with a blank country is Varna in Bulgaria.
	if got := neighbourIDs(t, st, "wp-bulgaria--varna", "SISTER_CITY_OF", store.Both); !slices.Contains(got, "wp-china--ningbo") || !slices.Contains(got, "wp-germany--rostock") {
		t.Errorf("Varna's twins %v lack Ningbo and Rostock", got)
	}
	if got, want := neighbourIDs(t, st, "wp-england--york", "LOCATED_IN", store.Out), []string{"country-england"}; !slices.Equal(got, want) {
		t.Errorf("York is located in %v, want %v", got, want)
	}
	if got, want := neighbourIDs(t, st, "country-england", "LOCATED_IN", store.Out), []string{"country-united-kingdom"}; !slices.Equal(got, want) {
		t.Errorf("England is located in %v, want %v", got, want)
	}
	enschede, err := st.FindEntityByID(ctx, "wp-netherlands--enschede", store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if loc := enschede.Properties["location"]; loc.Kind != store.KindGeo || loc.Geo.Lat != 52.2225 {
		t.Errorf("Enschede's location: %+v, want lat 52.2225 from app_public_twin_cities.csv", loc)
	}
	if doc, err := st.FindEntityByID(ctx, "wikipedia-twin-towns", store.ReadOptions{}); err != nil || doc.Properties["licence"].Text != "CC BY-SA 4.0" {
		t.Errorf("the source document: %+v, %v; want its licence CC BY-SA 4.0", doc, err)
	}
}

// TestCityDataConversions imports everything twin-cities.sh does, in its
// order and each file against a dump of the store (--match), then asks the
// questions an analyst would, and checks that each city is one entity:
// Enschede's twins, who signed the mayors'
// declaration, the common twins of two cities, a path from a city to a
// mayor through twinnings and the declaration.
func TestCityDataConversions(t *testing.T) {
	py := examplesPython(t)
	st := founding(t)
	ctx := context.Background()
	dir := t.TempDir()
	wp := storetest.Shared(t, "data", "sister-cities", "wikipedia-twin-towns")
	p190 := storetest.Shared(t, "data", "sister-cities", "wikidata-p190")
	mayors := storetest.Shared(t, "data", "city-networks", "global-parliament-of-mayors", "declaration-of-mayors-for-democracy-signatures.csv")
	wikipedia := func() store.LoadResult {
		return convert(t, py, st, dir, "wikipedia_twin_towns_to_ndjson.py", true,
			filepath.Join(wp, "twin_cities_raw.csv"), filepath.Join(wp, "app_public_twin_cities.csv"))
	}
	declaration := func() store.LoadResult {
		return convert(t, py, st, dir, "mayors_declaration_to_ndjson.py", true, mayors)
	}
	convert(t, py, st, dir, "eurocities_to_ndjson.py", true,
		storetest.Shared(t, "data", "city-networks", "eurocities", "members-wikidata-enriched.json"))
	convert(t, py, st, dir, "sister_cities_to_ndjson.py", true,
		filepath.Join(p190, "relations.tsv"), filepath.Join(p190, "names.tsv"))
	// The mayors' file names Wikidata items and countries: it goes in
	// before Wikipedia's lists, whose cities are then found by name and
	// country (Balta, Ukraine; Lakewood, United States).
	declaration()
	wikipedia()

	// The founding data's Enschede, with Dalian and Palo Alto from its
	// report and Münster from Wikipedia (row 12116): the Wikipedia rows for
	// Dalian and Palo Alto add nothing, and no second Enschede appears.
	if got, want := neighbourIDs(t, st, "enschede", "SISTER_CITY_OF", store.Both), []string{"dalian", "munster", "palo-alto"}; !slices.Equal(got, want) {
		t.Errorf("Enschede's twins: got %v, want %v", got, want)
	}
	hits, err := st.Search(ctx, "Enschede", []string{"City"}, new(5), store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var named []string
	for _, h := range hits {
		if h.Entity.Name == "Enschede" {
			named = append(named, h.Entity.ID)
		}
	}
	if !slices.Equal(named, []string{"enschede"}) {
		t.Errorf("cities named Enschede: %v, want the founding data's alone", named)
	}
	// Münster's twins on Wikipedia, rows 648 to 12123: eleven cities (York
	// listed twice), which Wikidata's crawl names in German ("Rjasan",
	// "Rischon LeZion", "Mühlhausen/Thüringen"); each must be one entity.
	if got, want := len(neighbourIDs(t, st, "munster", "SISTER_CITY_OF", store.Both)), 11; got != want {
		t.Errorf("Münster's twins: got %d, want %d: %v", got, want, neighbourIDs(t, st, "munster", "SISTER_CITY_OF", store.Both))
	}
	common, err := store.Read(ctx, st, store.ReadOptions{}, func(r *store.Reader) ([]*store.Entity, error) {
		return connect.CommonNeighbors(r, []string{"munster", "wd-Q37333"}, store.RelationFilter{Types: []string{"SISTER_CITY_OF"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Rows 12121 (Münster–Rishon LeZion) and 19167 (Lublin–Rishon LeZion).
	if len(common) != 1 || common[0].ID != "wd-Q201051" {
		t.Errorf("common twins of Münster and Lublin: %+v, want Rishon LeZion (wd-Q201051)", common)
	}

	// A city matched by name in two countries is two cities wrongly made
	// one (Peterborough in England and in Canada both found a twin of
	// Wikidata's Peterborough).
	types, located := map[string]string{}, map[string][]string{}
	names, items := map[string]string{}, map[string][]string{}
	for _, line := range strings.Split(dump(t, st), "\n") {
		var rec struct {
			Kind, ID, Type, Name string
			From, To             any // lists in relation type records
			Properties           struct{ Wikidata string }
		}
		if line == "" {
			continue
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		switch {
		case rec.Kind == "entity":
			types[rec.ID] = rec.Type
			if rec.Type == "City" {
				names[rec.ID] = strings.ToLower(rec.Name)
				if q := rec.Properties.Wikidata; q != "" {
					items[q] = append(items[q], rec.ID)
				}
			}
		case rec.Kind == "relation" && rec.Type == "LOCATED_IN":
			located[rec.From.(string)] = append(located[rec.From.(string)], rec.To.(string))
		}
	}
	namesakes := map[string][]string{}
	for city, in := range located {
		var countries []string
		for _, c := range in {
			switch {
			case types[c] == "Country":
				countries = append(countries, c)
			case types[c] == "Region" && strings.HasPrefix(c, "country-"):
				// England, Scotland, Wales, Northern Ireland: in the UK.
				countries = append(countries, located[c]...)
			}
		}
		slices.Sort(countries)
		countries = slices.Compact(countries)
		if types[city] == "City" && len(countries) > 1 {
			t.Errorf("%s is located in %v", city, countries)
		}
		if types[city] == "City" && len(countries) == 1 {
			key := names[city] + ", " + countries[0]
			namesakes[key] = append(namesakes[key], city)
		}
	}
	for q, ids := range items {
		if len(ids) > 1 {
			t.Errorf("Wikidata's %s is %d cities: %v", q, len(ids), ids)
		}
	}
	// Cities of one name in one country that stay apart, because the
	// sources give them apart: Wikidata items for a city and for its
	// region, state, province or municipality ("Bremen" the state and the
	// city), two places of one name (two Athens in the United States, San
	// Martín and General San Martín), a town Wikipedia spells two ways with
	// no twin in common (Mombetsu, Monbetsu), the founding data's
	// Linköping (another item than the crawl's), Wikipedia's own errors
	// (Milford Haven in England and in Wales) and a Bangor in Northern
	// Ireland with the coordinates of the one in Wales. Any other pair is a
	// converter's fault.
	var split []string
	for key, ids := range namesakes {
		if len(ids) > 1 {
			slices.Sort(ids)
			split = append(split, key+": "+strings.Join(ids, " "))
		}
	}
	slices.Sort(split)
	if want := []string{
		"athens, united-states: wd-Q203263 wd-Q755425",
		"bangor, wd-Q145: wd-Q234178 wd-Q806551 wp-northern-ireland--bangor",
		"bremen, germany: wd-Q1209 wd-Q24879",
		"burgas, wd-Q219: wd-Q167807 wd-Q6509",
		"larnaka, wd-Q229: wd-Q171882 wd-Q55099871",
		"linköping, sweden: linkoping wd-Q499410",
		"milford haven, wd-Q145: wp-england--milford-haven wp-wales--milford-haven",
		"mombetsu, country-japan: wd-Q692745 wp-japan--mombetsu",
		"québec, country-canada: wd-Q176 wd-Q2145",
		"saint-denis, wd-Q142: wd-Q131575588 wd-Q160506",
		"san martín, country-argentina: wd-Q781245 wp-argentina--san-martín",
		"são paulo, country-brazil: wd-Q174 wd-Q175",
		"taoyuan, country-taiwan: wd-Q115256 wd-Q715975",
		"tartu, wd-Q191: wd-Q1266078 wd-Q13972",
	}; !slices.Equal(split, want) {
		t.Errorf("cities of one name in one country:\n got %q\nwant %q", split, want)
	}

	signed, err := st.Degree(ctx, "declaration-of-mayors-for-democracy", store.RelationFilter{Types: []string{"SIGNED"}, Direction: store.In}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := signed, 252; got != want {
		t.Errorf("mayors who signed: got %d, want %d", got, want)
	}
	for _, tc := range []struct{ mayor, city string }{
		{"gpm-femke-halsema", "wd-Q727"},                              // Amsterdam: Q9899 in the file
		{"gpm-konstantinos-bakogiannis", "wd-Q1524"},                  // Athens, Greece
		{"gpm-steve-patterson", "wd-Q755425"},                         // Athens, USA
		{"gpm-markus-lewe", "munster"},                                // Q2742, the founding data's Münster
		{"gpm-isaam-bahnam-matti", "gpm-iraq--al-hamdanyia-district"}, // no Wikidata id
	} {
		if got := neighbourIDs(t, st, tc.mayor, "MAYOR_OF", store.Out); !slices.Equal(got, []string{tc.city}) {
			t.Errorf("%s is mayor of %v, want %s", tc.mayor, got, tc.city)
		}
	}
	// Amsterdam is Q727 in Eurocities and Q9899 (the municipality) in the
	// mayors' file; the twinning statements use both. One city, citing both
	// items, the member list and the mayors' row.
	amsterdam, err := st.FindEntityByID(ctx, "wd-Q727", store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cited := citations(amsterdam)
	for _, want := range []string{
		"wikidata-p190 https://www.wikidata.org/wiki/Q727", "wikidata-p190 https://www.wikidata.org/wiki/Q9899",
		"eurocities-member-list https://eurocities.eu/cities/", "gpm-declaration-signatures declaration-of-mayors-for-democracy-signatures.csv:3",
	} {
		if !slices.Contains(cited, want) {
			t.Errorf("Amsterdam cites %q, want %q among them", cited, want)
		}
	}
	if _, err := st.FindEntityByID(ctx, "wd-Q9899", store.ReadOptions{}); err == nil {
		t.Errorf("wd-Q9899 exists beside wd-Q727: Amsterdam twice")
	}
	// Wikipedia's names meet Wikidata's German labels: Moscow is "Moskau"
	// (16 shared twins), Lazio "Latium" (Bethlehem their only twin); a
	// town Wikipedia lists under Northern Ireland and under the United
	// Kingdom is one town.
	for _, tc := range []struct{ id, listed string }{
		{"wd-Q649", "Moscow, Russia"},
		{"wd-Q1282", "Lazio, Italy"},
		{"wd-Q393", "Szczecin, Poland"},
	} {
		e, err := st.FindEntityByID(ctx, tc.id, store.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(e.Sources, func(s store.Source) bool { return s.Excerpt == tc.listed }) {
			t.Errorf("%s (%s) does not stand for Wikipedia's %q: %+v", tc.id, e.Name, tc.listed, e.Sources)
		}
	}
	for _, id := range []string{"wp-russia--moscow", "wp-italy--lazio", "wp-united-kingdom--armagh", "wp-united-kingdom--ballymoney"} {
		if _, err := st.FindEntityByID(ctx, id, store.ReadOptions{}); err == nil {
			t.Errorf("%s exists: a city twice", id)
		}
	}

	// Two rows give San José, Honduras (Q2394109) two mayors, one spelling
	// each: one city, with both names and both rows cited.
	sanJose, err := st.FindEntityByID(ctx, "wd-Q2394109", store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := neighbourIDs(t, st, "wd-Q2394109", "MAYOR_OF", store.In); len(got) != 2 || len(sanJose.Sources) != 2 || len(sanJose.Aliases) != 1 {
		t.Errorf("San José: mayors %v, sources %+v, aliases %q; want two of each but one alias", got, sanJose.Sources, sanJose.Aliases)
	}

	path, err := store.Read(ctx, st, store.ReadOptions{}, func(r *store.Reader) (*store.Path, error) {
		return connect.ShortestPath(r, "enschede", "gpm-femke-halsema", store.PathOptions{Types: []string{"SISTER_CITY_OF", "MEMBER_OF", "MAYOR_OF", "SIGNED"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Enschede and Amsterdam are both members of Eurocities, whose
	// Amsterdam is the one Halsema is mayor of.
	if path == nil || len(path.Nodes) != 4 || path.Nodes[1].ID != "eurocities" || path.Nodes[2].ID != "wd-Q727" {
		t.Fatalf("path from Enschede to Femke Halsema: %+v, want Enschede, Eurocities, Amsterdam (wd-Q727), Halsema", path)
	}

	// Converting both again against the store as it now is changes
	// nothing: the matches are found again, not made anew.
	for name, again := range map[string]func() store.LoadResult{"wikipedia": wikipedia, "declaration": declaration} {
		if r := again().Report; r.Entities.Changed+r.Entities.New+r.Relations.Changed+r.Relations.New != 0 {
			t.Errorf("a second %s conversion changed the store: %+v", name, r)
		}
	}
}

// fixturePython finds python3 for the converters' tests on the small files
// under testdata/cities, which need no shared data.
func fixturePython(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("python3 is not installed; skipping the example conversion scripts")
	return ""
}

// standsFor maps each excerpt that a document's citations carry in a dump
// of st to the entities citing it: the listed cities each entity stands for.
func standsFor(t *testing.T, st *store.Store, document string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, line := range strings.Split(dump(t, st), "\n") {
		var rec struct {
			Kind, ID string
			Sources  []struct{ Document, Excerpt string }
		}
		if line == "" {
			continue
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		for _, s := range rec.Sources {
			if rec.Kind == "entity" && s.Document == document && s.Excerpt != "" {
				out[s.Excerpt] = append(out[s.Excerpt], rec.ID)
			}
		}
	}
	return out
}

// TestWikipediaMatchingHeuristics converts a few rows of twin towns, made
// up after cases of the real lists, against a small store
// (testdata/cities/store.ndjson, cities as the Wikidata crawl and
// Eurocities give them) and pins which store city each listed city is, by
// each rule of --match.
func TestWikipediaMatchingHeuristics(t *testing.T) {
	py := fixturePython(t)
	data := filepath.Join("testdata", "cities")
	st := storetest.Open(t)
	importFile(t, st, filepath.Join(data, "store.ndjson"))
	dir := t.TempDir()
	wikipedia := func() store.LoadResult {
		return convert(t, py, st, dir, "wikipedia_twin_towns_to_ndjson.py", true,
			filepath.Join(data, "twin_cities_raw.csv"), filepath.Join(data, "app_public_twin_cities.csv"))
	}
	wikipedia()
	cited := standsFor(t, st, "wikipedia-twin-towns")
	for _, tc := range []struct{ name, listed, want string }{
		{"NameAndCountry", "Münster, Germany", "wd-Q51"},
		{"TwinsNamesake", "Tartu, Estonia", "wd-Q20"}, // twinned with a Turku
		{"NameAlone", "Springfield, United States", "wp-united-states--springfield"},
		{"NamesakesUnplaced", "Peterborough, England", "wp-england--peterborough"}, // both find Bourges' twin
		{"NamesakesUnplacedToo", "Peterborough, Canada", "wp-canada--peterborough"},
		{"NamesakeInNation", "Halifax, England", "wd-Q40"}, // the store places it in the United Kingdom
		{"NamesakeElsewhere", "Halifax, Canada", "wp-canada--halifax"},
		{"LabelTwoTwins", "Ryazan, Russia", "wd-Q50"},                 // "Rjasan"
		{"LabelOneTwin", "Kraków, Poland", "wp-poland--kraków"},       // not Parakou
		{"ExonymThreeTwins", "Moscow, Russia", "wd-Q90"},              // "Moskau"
		{"ExonymTwoTwins", "Szczecin, Poland", "wp-poland--szczecin"}, // not "Stettin"
		{"OnlyTwin", "Lazio, Italy", "wd-Q80"},                        // "Latium", both twinned with Bethlehem alone
		{"NationAndKingdom", "Armagh, Northern Ireland", "wp-northern-ireland--armagh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cited[tc.listed]; !slices.Equal(got, []string{tc.want}) {
				t.Errorf("%s is %v, want %s", tc.listed, got, tc.want)
			}
		})
	}
	// "Armagh, United Kingdom" on one row, "Armagh, Northern Ireland,
	// United Kingdom" on the other: one town, one relation citing both.
	if rels := relationBetween(t, st, "wp-northern-ireland--armagh", "wp-bulgaria--razgrad", "SISTER_CITY_OF"); len(rels) != 1 || len(rels[0].Sources) != 2 {
		t.Errorf("Armagh–Razgrad: %+v, want one relation citing two rows", rels)
	}
	if _, err := st.FindEntityByID(context.Background(), "wp-united-kingdom--armagh", store.ReadOptions{}); err == nil {
		t.Errorf("wp-united-kingdom--armagh exists beside wp-northern-ireland--armagh")
	}
	if r := wikipedia().Report; r.Entities.Changed+r.Entities.New+r.Relations.Changed+r.Relations.New != 0 {
		t.Errorf("a second conversion changed the store: %+v", r)
	}
}

// TestSameCityItems converts Amsterdam as Eurocities (Q727), the Wikidata
// twinnings (Q727 and Q9899) and the mayors' file (Q9899) give it: one
// entity, citing both items and the mayors' row.
func TestSameCityItems(t *testing.T) {
	py := fixturePython(t)
	data := filepath.Join("testdata", "cities")
	st := storetest.Open(t)
	ctx := context.Background()
	dir := t.TempDir()
	all := func() (changed int) {
		for _, c := range []struct {
			script string
			args   []string
		}{
			{"eurocities_to_ndjson.py", []string{filepath.Join(data, "members.json")}},
			{"sister_cities_to_ndjson.py", []string{filepath.Join(data, "relations.tsv"), filepath.Join(data, "names.tsv")}},
			{"mayors_declaration_to_ndjson.py", []string{filepath.Join(data, "signatures.csv")}},
		} {
			r := convert(t, py, st, dir, c.script, true, c.args...).Report
			changed += r.Entities.Changed + r.Entities.New + r.Relations.Changed + r.Relations.New
		}
		return changed
	}
	all()
	if _, err := st.FindEntityByID(ctx, "wd-Q9899", store.ReadOptions{}); err == nil {
		t.Errorf("wd-Q9899 exists beside wd-Q727")
	}
	amsterdam, err := st.FindEntityByID(ctx, "wd-Q727", store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cited := citations(amsterdam)
	if want := []string{
		"eurocities-member-list https://eurocities.eu/cities/",
		"gpm-declaration-signatures signatures.csv:2",
		"wikidata-p190 https://www.wikidata.org/wiki/Q727",
		"wikidata-p190 https://www.wikidata.org/wiki/Q9899",
	}; !slices.Equal(cited, want) {
		t.Errorf("Amsterdam cites %q, want %q", cited, want)
	}
	if got := amsterdam.Properties["wikidata"].Text; got != "Q727" {
		t.Errorf("Amsterdam's wikidata: %q, want Q727", got)
	}
	if got := neighbourIDs(t, st, "gpm-femke-halsema", "MAYOR_OF", store.Out); !slices.Equal(got, []string{"wd-Q727"}) {
		t.Errorf("Femke Halsema is mayor of %v, want wd-Q727", got)
	}
	// Managua states the twinning with Q727, Q727 and Q9899 with Managua:
	// one relation citing the three statements.
	rels := relationBetween(t, st, "wd-Q727", "wd-Q3274", "SISTER_CITY_OF")
	if len(rels) != 1 {
		t.Fatalf("Amsterdam–Managua: %d relations, want one", len(rels))
	}
	if got, want := locators(rels[0]), []string{
		"https://www.wikidata.org/wiki/Q3274#P190", "https://www.wikidata.org/wiki/Q727#P190", "https://www.wikidata.org/wiki/Q9899#P190",
	}; !slices.Equal(got, want) {
		t.Errorf("Amsterdam–Managua cites %v, want %v", got, want)
	}
	if got, want := neighbourIDs(t, st, "wd-Q727", "SISTER_CITY_OF", store.Both), []string{"wd-Q1031004", "wd-Q3274"}; !slices.Equal(got, want) {
		t.Errorf("Amsterdam's twins: %v, want %v", got, want)
	}
	if changed := all(); changed != 0 {
		t.Errorf("a second conversion changed %d records", changed)
	}
}
