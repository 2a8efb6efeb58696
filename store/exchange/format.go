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
// the set of reached entities.
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

// DetectFormat guesses the format of a file from its name: .ndjson, .jsonl,
// .json, .csv, .graphml, .gexf, .dot or .gv, each optionally followed by
// .gz. It returns an Invalid error when the name says nothing.
func DetectFormat(name string) (Format, error) {
	base := strings.ToLower(filepath.Base(name))
	base = strings.TrimSuffix(base, ".gz")
	ext := strings.TrimPrefix(filepath.Ext(base), ".")
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
