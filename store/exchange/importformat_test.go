package exchange

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// An import in a format nobody reads is refused naming only the formats
// import reads: a client once told to "use ndjson, json, csv, graphml,
// gexf or dot" sent GraphML next and was refused again.
func TestImportUnknownFormatNamesImportFormats(t *testing.T) {
	srv := server(t, founding(t))
	for _, format := range []string{"xml", "graphml", "dot"} {
		t.Run(format, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/import?format="+format, strings.NewReader("<graph/>"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set(ClientHeader, "test")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out struct {
				Error struct{ Code, Message string }
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatalf("answer is not JSON: %v", err)
			}
			if got, want := resp.StatusCode, http.StatusBadRequest; got != want {
				t.Errorf("status: got %d, want %d", got, want)
			}
			if got, want := out.Error.Code, "INVALID_ARGUMENT"; got != want {
				t.Errorf("code: got %q, want %q", got, want)
			}
			if msg := out.Error.Message; !strings.Contains(msg, "(use ndjson, json or csv)") || strings.Contains(msg, "gexf") {
				t.Errorf("message %q should name ndjson, json and csv only", msg)
			}
		})
	}
}

func TestParseImportFormat(t *testing.T) {
	for in, want := range map[string]Format{"ndjson": NDJSON, "JSONL": NDJSON, "node-link": JSON, "csv": CSV} {
		if got, err := ParseImportFormat(in); err != nil || got != want {
			t.Errorf("ParseImportFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"xml", "graphml", "gexf", "dot", ""} {
		if _, err := ParseImportFormat(in); err == nil || !strings.Contains(err.Error(), "(use ndjson, json or csv)") {
			t.Errorf("ParseImportFormat(%q): error %v, want one naming ndjson, json and csv", in, err)
		}
	}
}
