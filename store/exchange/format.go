// Package exchange moves graphs in and out of the store: decoders that turn
// files (canonical NDJSON, JSON node-link, CSV) into store.Records for
// Store.Load, encoders that stream one Store.View snapshot out as NDJSON,
// node-link JSON, CSV, GraphML, GEXF or DOT, and the HTTP handlers for
// POST /import and GET /export.
//
// Everything streams: decoders read a line or an element at a time and
// re-read their input for each pass of Store.Load; encoders never hold the
// whole graph, only a schema of property names (GraphML, GEXF and CSV
// declare typed columns before the first row) and, for subgraph exports,
// the set of reached entities. Exports list entities in id order, then
// relations in id order.
//
// How each format carries a graph:
//
//   - NDJSON is the canonical format of docs/FORMAT.md, lossless: an
//     export re-imported into an empty store exports byte for byte the same.
//   - JSON is NetworkX's node_link_data shape ({"directed": true,
//     "multigraph": true, "graph", "nodes", "links"}), which D3 reads too.
//     A node has id, type, name and the entity's other fields (labels,
//     aliases, validFrom, validTo, sources, description) where set, and its
//     properties as attributes of their own; a link has source, target, key
//     (the relation id), type, its fields and properties. A property named
//     like a field travels in a "properties" object. The graph object
//     carries the ontology as "entityTypes" and "relationTypes", so this
//     format round-trips losslessly too. On import, "edges" may replace
//     "links", ids may be numbers, a missing name defaults to the id, and an
//     integer key (NetworkX's own) is not taken for a relation id.
//   - CSV follows neo4j-admin database import (see csv.go): nodes.csv with
//     id:ID, :LABEL (the entity type), name, description, validFrom:date,
//     validTo:date, labels (JSON), aliases:string[] (aliases, JSON, when
//     an alias holds ';'), sources (JSON) and a typed column per property; relationships.csv with :START_ID, :END_ID,
//     :TYPE, id, validFrom:date, validTo:date, sources and properties. Numbers
//     are long or double columns, dates date, geo points point, lists typed
//     arrays. It carries everything but the ontology, empty lists and empty
//     strings (an empty cell is no property), and properties whose values mix
//     kinds (written as text).
//   - GraphML declares typed keys (string, long, double, boolean); the
//     entity's fields are string keys (labels, aliases and sources as JSON),
//     "label" repeats the name and the relation type for Gephi and yEd, and
//     edges carry the relation id. Dates are strings at their precision, geo
//     points and lists JSON strings. A property whose value is the empty
//     text is an empty <data> element, which graphology reads as "" (and
//     NetworkX as no attribute).
//   - GEXF 1.3 is written in dynamic mode: a validity interval becomes a
//     spell from the first day of validFrom to the last day of validTo
//     ("2017" starts on 2017-01-01 and ends on 2017-12-31), so Gephi's
//     timeline plays the history of the network. Node labels are names, edge
//     labels and kinds relation types (Gephi keeps parallel edges apart
//     only when their kinds differ). Each attribute's id is its name, as its title
//     is: graphology-gexf (Sigma.js, Gephi Lite) names attributes by id,
//     NetworkX and Gephi by title.
//   - DOT is a Graphviz digraph: nodes labelled with names, edges with
//     relation types (symmetric ones drawn without arrowheads). A node's
//     name is the entity's id as Graphviz reads it back; only an id with
//     an odd run of backslashes before a quote or its end, which DOT
//     cannot spell, gains a backslash.
package exchange

import (
	"path/filepath"
	"strings"

	"github.com/ties-graph/ties/store"
)

// Format is an exchange format.
type Format string

// The formats. Import reads NDJSON, JSON and CSV; export writes all of them.
const (
	NDJSON  Format = "ndjson"
	JSON    Format = "json"
	CSV     Format = "csv"
	GraphML Format = "graphml"
	GEXF    Format = "gexf"
	DOT     Format = "dot"
)

// ParseFormat returns the format named s ("jsonl" is NDJSON, "node-link"
// is JSON), or an Invalid error listing the known ones.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ndjson", "jsonl":
		return NDJSON, nil
	case "json", "node-link", "nodelink":
		return JSON, nil
	case "csv":
		return CSV, nil
	case "graphml":
		return GraphML, nil
	case "gexf":
		return GEXF, nil
	case "dot", "gv":
		return DOT, nil
	}
	return "", store.Errorf(store.Invalid, "unknown format %q (use ndjson, json, csv, graphml, gexf or dot)", s)
}

// ParseImportFormat is ParseFormat for the formats import reads: NDJSON,
// JSON and CSV. Any other name, an export-only format included, is an
// Invalid error that lists those three, so that a client is not sent from
// one refusal to the next.
func ParseImportFormat(s string) (Format, error) {
	f, err := ParseFormat(s)
	if err != nil || !f.importable() {
		return "", store.Errorf(store.Invalid, "cannot import format %q (use ndjson, json or csv)", s)
	}
	return f, nil
}

// importable reports whether import reads f: NDJSON, JSON and CSV.
func (f Format) importable() bool { return f == NDJSON || f == JSON || f == CSV }

// DetectFormat guesses the format of a file from its name: .ndjson, .jsonl,
// .json, .csv, .graphml, .gexf, .dot or .gv, each optionally followed by
// .gz, or .zip (CSV files in a zip, as the CSV export writes them). It returns an Invalid error when the name says nothing.
func DetectFormat(name string) (Format, error) {
	base := strings.ToLower(filepath.Base(name))
	base = strings.TrimSuffix(base, ".gz")
	ext := strings.TrimPrefix(filepath.Ext(base), ".")
	if ext == "zip" {
		// The CSV export: a zip of nodes.csv and relationships.csv.
		return CSV, nil
	}
	if ext != "" {
		if f, err := ParseFormat(ext); err == nil {
			return f, nil
		}
	}
	return "", store.Errorf(store.Invalid, "cannot tell the format of %q from its name; give it with --format (ndjson, json or csv)", name)
}

// ContentType returns the MIME type of an export in format f.
func (f Format) ContentType() string {
	switch f {
	case NDJSON:
		return "application/x-ndjson"
	case JSON:
		return "application/json"
	case CSV:
		return "application/zip"
	case GraphML:
		return "application/graphml+xml"
	case GEXF:
		return "application/gexf+xml"
	case DOT:
		return "text/vnd.graphviz"
	}
	return "application/octet-stream"
}

// Extension returns the file extension of an export in format f, without
// the dot ("zip" for CSV, which exports a zip of two files).
func (f Format) Extension() string {
	if f == CSV {
		return "zip"
	}
	return string(f)
}
