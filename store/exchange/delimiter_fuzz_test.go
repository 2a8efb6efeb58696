package exchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// FuzzCSVDelimiter writes a CSV file with a comma, a semicolon or a tab
// and checks that the detected delimiter reads it as the comma version
// reads: the same records, or the same refusal.
func FuzzCSVDelimiter(f *testing.F) {
	for _, s := range []string{
		"from,to,type\nmunster,york,SISTER_CITY_OF\n",
		"from,to,type,fromType,fromName\nmunster,york,SISTER_CITY_OF,City,\"Münster; Westf.\"\n",
		"id:ID,:LABEL,name,aliases:string[]\nmunster,City,Münster,Muenster;Munster\n",
		":START_ID,:END_ID,:TYPE,since:long\na,b,KNOWS,12\n",
	} {
		for _, sep := range []byte{',', ';', '\t'} {
			f.Add([]byte(s), sep)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, sep byte) {
		comma := rune(',')
		switch sep % 3 {
		case 1:
			comma = ';'
		case 2:
			comma = '\t'
		}
		// detectDelimiter never fails, and picks one of its three.
		if d := detectDelimiter(data); !strings.ContainsRune(",;\t", d) {
			t.Fatalf("detectDelimiter(%q) = %q", data, d)
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil || len(rows) == 0 {
			return
		}
		for _, cell := range rows[0] {
			if strings.ContainsAny(cell, ",;\t\"\r\n") {
				return // a header no spreadsheet writes: detection may differ
			}
		}
		if len(rows[0]) < 2 {
			return // one column: no delimiter to detect
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Comma = comma
		if err := w.WriteAll(rows); err != nil {
			return
		}
		var plain bytes.Buffer
		pw := csv.NewWriter(&plain)
		if err := pw.WriteAll(rows); err != nil {
			return
		}
		if got := detectDelimiter(buf.Bytes()); got != comma {
			t.Fatalf("detected %q in a file written with %q:\n%s", got, comma, buf.Bytes())
		}
		want, wantErr := decodeAll(t, bytesInput("f.csv", CSV, plain.Bytes()), DecodeOptions{})
		got, gotErr := decodeAll(t, bytesInput("f.csv", CSV, buf.Bytes()), DecodeOptions{})
		if !slices.Equal(got, want) || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("written with %q:\n%v %v\nwith ',':\n%v %v", comma, got, gotErr, want, wantErr)
		}
	})
}

// FuzzMergeCSV merges two CSV rows of one entity, the second over the
// first, and checks what a merge promises: the first row's aliases and
// properties are all still there, a field the second row leaves empty
// keeps the first's value, and merging the second row again changes
// nothing.
func FuzzMergeCSV(f *testing.F) {
	f.Add("Münster", "A city.", "Muenster;Munster", "DE", "", "", "Monasterium", "")
	f.Add("a", "", "", "", "b", "c", "d;d", "e")
	f.Fuzz(func(t *testing.T, name1, desc1, aliases1, country1, name2, desc2, aliases2, country2 string) {
		ctx := context.Background()
		row := func(name, desc, aliases, country string) []byte {
			var b bytes.Buffer
			w := csv.NewWriter(&b)
			_ = w.Write([]string{"id:ID", ":LABEL", "name", "description", "aliases:string[]", "country"})
			_ = w.Write([]string{"x", "City", name, desc, aliases, country})
			w.Flush()
			return b.Bytes()
		}
		st := storetest.Open(t)
		load := func(data []byte) (store.LoadResult, bool) {
			res, err := Import(ctx, st, []Input{bytesInput("x.csv", CSV, data)}, ImportOptions{OnExisting: store.OnExistingMerge, Decode: DecodeOptions{Delimiter: ','}})
			return res, err == nil
		}
		if _, ok := load(row(name1, desc1, aliases1, country1)); !ok {
			return
		}
		first, err := st.FindEntityByID(ctx, "x", store.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		second := row(name2, desc2, aliases2, country2)
		if _, ok := load(second); !ok {
			return
		}
		got, err := st.FindEntityByID(ctx, "x", store.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range first.Aliases {
			if !slices.Contains(got.Aliases, a) {
				t.Errorf("alias %q lost: %v", a, got.Aliases)
			}
		}
		for k := range first.Properties {
			if _, ok := got.Properties[k]; !ok {
				t.Errorf("property %q lost: %v", k, got.Properties)
			}
		}
		if desc2 == "" && got.Description != first.Description {
			t.Errorf("description %q became %q, though the row left it empty", first.Description, got.Description)
		}
		if name2 == "" && got.Name != first.Name {
			t.Errorf("name %q became %q, though the row left it empty", first.Name, got.Name)
		}
		res, ok := load(second)
		if !ok || res.Report.Entities.Unchanged != 1 {
			t.Errorf("merging the same row again: %+v, ok %v; want it unchanged", res.Report, ok)
		}
	})
}
