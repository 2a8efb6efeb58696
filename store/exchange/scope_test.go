package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// scopeOf exports sc as NDJSON and lists the entity ids and the relations
// ("from TYPE to") it holds.
func scopeOf(t *testing.T, st *store.Store, sc Scope) (entities, relations string, err error) {
	t.Helper()
	var b bytes.Buffer
	if _, err := Export(context.Background(), st, &b, ExportOptions{Format: NDJSON, Scope: sc}); err != nil {
		return "", "", err
	}
	var es, rs []string
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if !strings.HasPrefix(line, `{"kind":"entity",`) && !strings.HasPrefix(line, `{"kind":"relation",`) {
			continue
		}
		var rec struct{ Kind, ID, Type, From, To string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		switch rec.Kind {
		case kindEntity:
			es = append(es, rec.ID)
		case kindRelation:
			rs = append(rs, rec.From+" "+rec.Type+" "+rec.To)
		}
	}
	if !sort.StringsAreSorted(es) {
		t.Errorf("entities not in id order: %v", es)
	}
	sort.Strings(rs)
	return strings.Join(es, ","), strings.Join(rs, ","), nil
}

func TestExportScope(t *testing.T) {
	st, _ := fixture(t)
	date := store.MustParseDate
	tests := []struct {
		name      string
		scope     Scope
		entities  string
		relations string
	}{
		{"Whole", Scope{}, `dalian,enschede,onno,palo-alto,report,weird id/"x",xiao`,
			`dalian FRIENDLY_COOPERATIVE_CITY_OF enschede,dalian SISTER_CITY_OF enschede,enschede SISTER_CITY_OF palo-alto,onno KNOWS xiao,onno MAYOR_OF enschede,report MENTIONS weird id/"x"`},
		{"OneHop", Scope{From: "enschede", Depth: 1}, "dalian,enschede,onno,palo-alto,report",
			"dalian FRIENDLY_COOPERATIVE_CITY_OF enschede,dalian SISTER_CITY_OF enschede,enschede SISTER_CITY_OF palo-alto,onno MAYOR_OF enschede"},
		{"TwoHops", Scope{From: "enschede", Depth: 2}, "dalian,enschede,onno,palo-alto,report,xiao",
			"dalian FRIENDLY_COOPERATIVE_CITY_OF enschede,dalian SISTER_CITY_OF enschede,enschede SISTER_CITY_OF palo-alto,onno KNOWS xiao,onno MAYOR_OF enschede"},
		{"ZeroHops", Scope{From: "enschede"}, "enschede,report", ""},
		{"Types", Scope{From: "enschede", Depth: 3, Types: []string{"SISTER_CITY_OF"}}, "dalian,enschede,palo-alto,report",
			"dalian SISTER_CITY_OF enschede,enschede SISTER_CITY_OF palo-alto"},
		{"ValidAt2012", Scope{From: "enschede", Depth: 1, ValidAt: date("2012")}, "dalian,enschede,onno,palo-alto,report",
			"dalian FRIENDLY_COOPERATIVE_CITY_OF enschede,enschede SISTER_CITY_OF palo-alto,onno MAYOR_OF enschede"},
		{"EntityTypesWithSubtypes", Scope{From: "enschede", Depth: 2, EntityTypes: []string{"City"}}, "dalian,enschede,palo-alto,report",
			"dalian FRIENDLY_COOPERATIVE_CITY_OF enschede,dalian SISTER_CITY_OF enschede,enschede SISTER_CITY_OF palo-alto"},
		{"StartOutsideEntityTypes", Scope{From: "enschede", Depth: 2, EntityTypes: []string{"Person"}}, "enschede,onno,report,xiao",
			"onno KNOWS xiao,onno MAYOR_OF enschede"},
		{"WholeEntityTypes", Scope{EntityTypes: []string{"Person"}}, "onno,xiao", "onno KNOWS xiao"},
		{"WholeTypes", Scope{Types: []string{"MENTIONS"}}, `dalian,enschede,onno,palo-alto,report,weird id/"x",xiao`, `report MENTIONS weird id/"x"`},
		{"WholeValidAt2018", Scope{ValidAt: date("2018")}, `dalian,enschede,onno,palo-alto,report,weird id/"x",xiao`,
			`dalian SISTER_CITY_OF enschede,enschede SISTER_CITY_OF palo-alto,onno KNOWS xiao,onno MAYOR_OF enschede,report MENTIONS weird id/"x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, rs, err := scopeOf(t, st, tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			if es != tt.entities {
				t.Errorf("entities:\ngot  %s\nwant %s", es, tt.entities)
			}
			if rs != tt.relations {
				t.Errorf("relations:\ngot  %s\nwant %s", rs, tt.relations)
			}
		})
	}
}

// TestExportSubgraphCarriesEvidence checks that an NDJSON subgraph holds
// the documents its facts cite, so that it loads into an empty store, and
// that the formats that only draw do not gain unconnected document nodes
// (the other importable formats: TestSubgraphExportLoadsAlone).
func TestExportSubgraphCarriesEvidence(t *testing.T) {
	st, _ := fixture(t)
	sc := Scope{From: "enschede", Depth: 1}
	var dump bytes.Buffer
	if _, err := Export(context.Background(), st, &dump, ExportOptions{Format: NDJSON, Scope: sc}); err != nil {
		t.Fatal(err)
	}
	empty := storetest.Open(t)
	src, err := NewSource(bytesInput("sub.ndjson", NDJSON, dump.Bytes()), DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := empty.Load(context.Background(), src, store.LoadOptions{Source: "sub.ndjson"}); err != nil {
		t.Fatalf("the subgraph does not load into an empty store: %v", err)
	}
	var dot bytes.Buffer
	if _, err := Export(context.Background(), st, &dot, ExportOptions{Format: DOT, Scope: sc}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dot.String(), `"report"`) {
		t.Errorf("the DOT subgraph gained the cited document as a node:\n%s", dot.String())
	}
}

func TestExportScopeErrors(t *testing.T) {
	st, _ := fixture(t)
	tests := []struct {
		name  string
		scope Scope
		code  store.Code
	}{
		{"UnknownFrom", Scope{From: "atlantis", Depth: 1}, store.NotFound},
		{"UnknownType", Scope{Types: []string{"TWINNED"}}, store.Invalid},
		{"UnknownEntityType", Scope{EntityTypes: []string{"Province"}}, store.Invalid},
		{"DepthWithoutFrom", Scope{Depth: 2}, store.Invalid},
		{"NegativeDepth", Scope{From: "enschede", Depth: -1}, store.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := scopeOf(t, st, tt.scope)
			if got := store.ErrorCode(err); got != tt.code {
				t.Errorf("code: got %s (%v), want %s", got, err, tt.code)
			}
		})
	}
}

// An export of some entity types in a format import reads carries the
// documents their facts cite, as a subgraph does, so that it loads into an
// empty store; the documents come without relations of their own, and the
// formats that only draw (DOT) without them.
func TestExportEntityTypesCarryEvidence(t *testing.T) {
	st := founding(t)
	sc := Scope{EntityTypes: []string{"Person"}}
	es, rs, err := scopeOf(t, st, sc)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := es, "chloe-conghui,enschede-international-annual-report-2017,onno-van-veldhuizen,xiao-shenfeng"; got != want {
		t.Errorf("entities:\ngot  %s\nwant %s", got, want)
	}
	if strings.Contains(rs, "enschede-international-annual-report-2017") {
		t.Errorf("the cited document brought relations of its own: %s", rs)
	}
	dump := export(t, st, NDJSON, sc)
	empty := storetest.Open(t)
	src, err := NewSource(bytesInput("people.ndjson", NDJSON, dump), DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := empty.Load(context.Background(), src, store.LoadOptions{Source: "people.ndjson"}); err != nil {
		t.Fatalf("the export does not load into an empty store: %v", err)
	}
	if g := export(t, st, JSON, sc); !bytes.Contains(g, []byte(`"id":"enschede-international-annual-report-2017"`)) {
		t.Errorf("the node-link export, which import reads too, lacks the cited document")
	}
	if g := export(t, st, DOT, sc); bytes.Contains(g, []byte(`"enschede-international-annual-report-2017" [`)) {
		t.Errorf("the DOT export gained the cited document")
	}
}
