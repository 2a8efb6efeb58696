package exchange

import (
	"encoding/xml"
	"testing"
)

// TestGraphMLEmptyText checks that a property whose value is the empty
// text reaches GraphML readers: graphology-graphml gives the node the
// attribute "", as the node-link and GEXF exports do, where a missing
// <data> element would say the entity has no such property.
func TestGraphMLEmptyText(t *testing.T) {
	st, _ := fixture(t)
	mustLoad(t, st, "empty.ndjson", NDJSON, []byte(`{"kind":"entity","id":"blank","type":"Topic","name":"Blank","properties":{"note":"","n":1}}`+"\n"))
	var doc struct {
		Keys []struct {
			ID   string `xml:"id,attr"`
			For  string `xml:"for,attr"`
			Name string `xml:"attr.name,attr"`
		} `xml:"key"`
		Nodes []struct {
			ID   string `xml:"id,attr"`
			Data []struct {
				Key   string `xml:"key,attr"`
				Value string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"graph>node"`
	}
	if err := xml.Unmarshal(export(t, st, GraphML, Scope{}), &doc); err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, k := range doc.Keys {
		if k.For == "node" {
			names[k.ID] = k.Name
		}
	}
	for _, n := range doc.Nodes {
		if n.ID != "blank" {
			continue
		}
		got := map[string]string{}
		for _, d := range n.Data {
			got[names[d.Key]] = d.Value
		}
		if v, ok := got["note"]; !ok || v != "" {
			t.Errorf("node blank: note = %q, present %v; want the empty text (attributes %q)", v, ok, got)
		}
		if _, ok := got["description"]; ok {
			t.Errorf("node blank: an unset description is written: %q", got)
		}
		return
	}
	t.Fatal("no node blank in the GraphML export")
}

// TestGraphMLEdgeIDAttribute checks that no edge property is declared
// under the name "id": NetworkX's read_graphml gives each edge of a graph
// without parallel edges the attribute id, the relation id from the
// <edge> element, over any attribute of that name.
func TestGraphMLEdgeIDAttribute(t *testing.T) {
	st, _ := fixture(t)
	mustLoad(t, st, "edgeid.ndjson", NDJSON, []byte(`{"kind":"relation","id":"knows-2","type":"KNOWS","from":"onno","to":"xiao","validFrom":"2019","properties":{"id":"external-7"}}`+"\n"))
	var doc struct {
		Keys []struct {
			For  string `xml:"for,attr"`
			Name string `xml:"attr.name,attr"`
		} `xml:"key"`
	}
	if err := xml.Unmarshal(export(t, st, GraphML, Scope{}), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range doc.Keys {
		if k.For == "edge" && k.Name == "id" {
			t.Errorf("an edge key is named id, which NetworkX overwrites with the edge's own id")
		}
	}
}
