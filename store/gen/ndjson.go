package gen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/ties-graph/ties/store"
)

// The line shapes of the canonical NDJSON format (docs/ndjson.md), limited
// to the fields the generator fills.
type (
	entityLine struct {
		Kind        string            `json:"kind"`
		ID          string            `json:"id"`
		Type        string            `json:"type"`
		Name        string            `json:"name"`
		Description string            `json:"description,omitempty"`
		Labels      map[string]string `json:"labels,omitempty"`
		Aliases     []string          `json:"aliases,omitempty"`
		Properties  store.Properties  `json:"properties,omitempty"`
		ValidFrom   string            `json:"validFrom,omitempty"`
		ValidTo     string            `json:"validTo,omitempty"`
	}
	relationLine struct {
		Kind       string           `json:"kind"`
		ID         string           `json:"id"`
		Type       string           `json:"type"`
		From       string           `json:"from"`
		To         string           `json:"to"`
		ValidFrom  string           `json:"validFrom,omitempty"`
		ValidTo    string           `json:"validTo,omitempty"`
		Properties store.Properties `json:"properties,omitempty"`
		Sources    []sourceLine     `json:"sources,omitempty"`
	}
	sourceLine struct {
		Document   string   `json:"document"`
		Excerpt    string   `json:"excerpt,omitempty"`
		Locator    string   `json:"locator,omitempty"`
		Confidence *float64 `json:"confidence,omitempty"`
	}
)

// WriteNDJSON writes the graph of cfg to w in the canonical NDJSON format
// that `ties import` reads, one record per line, entities first. It returns
// a Config error from Validate or the first write error.
func WriteNDJSON(w io.Writer, cfg Config) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	err := Generate(cfg, func(rec store.Record) error {
		line, err := MarshalRecord(rec)
		if err != nil {
			return err
		}
		_, err = bw.Write(line)
		return err
	})
	if err != nil {
		return fmt.Errorf("write NDJSON: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write NDJSON: %w", err)
	}
	return nil
}

// MarshalRecord returns the NDJSON line of an entity or relation record,
// newline included. Ontology records are not generated and are refused.
func MarshalRecord(rec store.Record) ([]byte, error) {
	var v any
	switch {
	case rec.Entity != nil:
		e := rec.Entity
		l := entityLine{Kind: "entity", ID: e.ID, Type: e.Type, Name: e.Name, Description: e.Description,
			Aliases: e.Aliases, Properties: e.Properties, ValidFrom: e.ValidFrom.String(), ValidTo: e.ValidTo.String()}
		if len(e.Labels) > 0 {
			l.Labels = make(map[string]string, len(e.Labels))
			for _, lb := range e.Labels {
				l.Labels[lb.Lang] = lb.Value
			}
		}
		v = l
	case rec.Relation != nil:
		r := rec.Relation
		l := relationLine{Kind: "relation", ID: r.ID, Type: r.Type, From: r.From, To: r.To,
			ValidFrom: r.ValidFrom.String(), ValidTo: r.ValidTo.String(), Properties: r.Properties}
		for _, s := range r.Sources {
			l.Sources = append(l.Sources, sourceLine{Document: s.Document, Excerpt: s.Excerpt, Locator: s.Locator, Confidence: s.Confidence})
		}
		v = l
	default:
		return nil, fmt.Errorf("marshal record at line %d: only entities and relations are generated", rec.Line)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal record: %w", err)
	}
	return append(b, '\n'), nil
}
