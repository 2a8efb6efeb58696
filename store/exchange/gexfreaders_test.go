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
