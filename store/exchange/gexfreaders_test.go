package exchange

import (
	"encoding/xml"
	"strconv"
	"testing"
)

// gexfDoc is the part of a GEXF file that readers turn into attributes.
type gexfDoc struct {
	Attributes []struct {
		Class string `xml:"class,attr"`
		Attrs []struct {
			ID    string `xml:"id,attr"`
			Title string `xml:"title,attr"`
		} `xml:"attribute"`
	} `xml:"graph>attributes"`
	Nodes []struct {
		ID     string `xml:"id,attr"`
		Values []struct {
			For   string `xml:"for,attr"`
			Value string `xml:"value,attr"`
		} `xml:"attvalues>attvalue"`
	} `xml:"graph>nodes>node"`
}

// TestGEXFAttributeNamesAgree checks the fixture's GEXF export against
// the two rules readers use to name an attribute. NetworkX's read_gexf
// and Gephi name it by its title; graphology-gexf, which Sigma.js and
// Gephi Lite load files with, names it by its id unless the id is a
// number, and takes the title only then. An attribute whose id is
// neither a number nor its title reaches graphology under a name nobody
// chose ("n_type" for "type").
func TestGEXFAttributeNamesAgree(t *testing.T) {
	st, _ := fixture(t)
	var doc gexfDoc
	if err := xml.Unmarshal(export(t, st, GEXF, Scope{}), &doc); err != nil {
		t.Fatal(err)
	}
	graphologyName := map[string]string{} // by class and id
	for _, as := range doc.Attributes {
		for _, a := range as.Attrs {
			name := a.ID
			if _, err := strconv.ParseFloat(a.ID, 64); err == nil {
				name = a.Title
			}
			if name != a.Title {
				t.Errorf("%s attribute %q: graphology-gexf reads it as %q, NetworkX and Gephi as %q", as.Class, a.ID, name, a.Title)
			}
			graphologyName[as.Class+"/"+a.ID] = name
		}
	}
	got := map[string]string{}
	for _, n := range doc.Nodes {
		if n.ID != "enschede" {
			continue
		}
		for _, v := range n.Values {
			got[graphologyName["node/"+v.For]] = v.Value
		}
	}
	for name, want := range map[string]string{
		"type":            "City",
		"validFrom":       "1325",
		"population":      "160000",
		"name":            "property called name",
		"properties.type": "property called type",
	} {
		if got[name] != want {
			t.Errorf("enschede as graphology-gexf reads it: %s = %q, want %q", name, got[name], want)
		}
	}
}

// TestGEXFParallelEdgesKeepTheirKind checks the fixture's GEXF export
// against Gephi's rule for parallel edges: since GEXF 1.3, edges between
// the same two nodes are kept apart only when their kind differs, and
// Gephi merges the others into one. Enschede and Dalian are joined by a
// FRIENDLY_COOPERATIVE_CITY_OF and a SISTER_CITY_OF relation; each edge's
// kind is its relation type, so Gephi shows both.
func TestGEXFParallelEdgesKeepTheirKind(t *testing.T) {
	st, _ := fixture(t)
	var doc struct {
		Edges []struct {
			ID     string `xml:"id,attr"`
			Source string `xml:"source,attr"`
			Target string `xml:"target,attr"`
			Kind   string `xml:"kind,attr"`
			Label  string `xml:"label,attr"`
		} `xml:"graph>edges>edge"`
	}
	if err := xml.Unmarshal(export(t, st, GEXF, Scope{}), &doc); err != nil {
		t.Fatal(err)
	}
	kinds := map[[2]string]map[string]int{}
	for _, e := range doc.Edges {
		if e.Kind != e.Label {
			t.Errorf("edge %s: kind %q, want its relation type %q", e.ID, e.Kind, e.Label)
		}
		pair := [2]string{e.Source, e.Target}
		if kinds[pair] == nil {
			kinds[pair] = map[string]int{}
		}
		kinds[pair][e.Kind]++
	}
	if got := kinds[[2]string{"dalian", "enschede"}]; len(got) != 2 {
		t.Errorf("dalian to enschede: Gephi sees the kinds %v, want two, one per relation type", got)
	}
}

// TestGEXFEdgeAttributesReaders checks the edge attributes of a GEXF
// export against what readers take for their own: NetworkX's read_gexf
// declares an edge attribute with the id "weight" a double whatever the
// file says (a workaround for Gephi 0.7), so a text weight ("heavy") made
// it fail, and it passes an edge's attributes to add_edge beside the
// key, so an attribute named "key" failed it too; graphology-gexf sets
// an edge's label, kind and weight from the <edge> element's own
// attributes, which an attribute of those names would overwrite.
func TestGEXFEdgeAttributesReaders(t *testing.T) {
	st, _ := fixture(t)
	mustLoad(t, st, "weights.ndjson", NDJSON, []byte(`{"kind":"relation","id":"heavy-tie","type":"KNOWS","from":"onno","to":"xiao","properties":{"weight":"heavy","kind":"personal","label":"friends","key":"k"}}`+"\n"))
	var doc gexfDoc
	if err := xml.Unmarshal(export(t, st, GEXF, Scope{}), &doc); err != nil {
		t.Fatal(err)
	}
	for _, as := range doc.Attributes {
		if as.Class != "edge" {
			continue
		}
		for _, a := range as.Attrs {
			switch a.ID {
			case "weight", "kind", "label", "key":
				t.Errorf("edge attribute id %q (title %q): NetworkX or graphology has an edge %s of its own", a.ID, a.Title, a.ID)
			}
		}
	}
}
