package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestWriteResponseLargeData checks that an answer over directData,
// written around rather than copied, reads the same as a small one:
// errors, data and extensions in order, one JSON object.
func TestWriteResponseLargeData(t *testing.T) {
	for _, n := range []int{10, directData + 1, 4 * directData} {
		data := []byte(`{"s":"` + strings.Repeat("x", n) + `"}`)
		resp := &graphql.Response{
			Errors:     gqlerror.List{{Message: "partial", Extensions: map[string]any{"code": "NOT_FOUND"}}},
			Data:       data,
			Extensions: map[string]any{"cost": 3},
		}
		rec := httptest.NewRecorder()
		writeResponse(rec, mediaJSON, http.StatusOK, resp, true)
		want := `{"errors":[{"message":"partial","extensions":{"code":"NOT_FOUND"}}],"data":` + string(data) + `,"extensions":{"cost":3}}`
		if got := rec.Body.String(); got != want {
			t.Fatalf("%d bytes of data: got %.200q..., want %.200q...", n, got, want)
		}
		if !json.Valid(rec.Body.Bytes()) || !bytes.Contains(rec.Body.Bytes(), data) {
			t.Fatalf("%d bytes of data: not one JSON object holding the data", n)
		}
		if got, want := rec.Header().Get("Content-Length"), strconv.Itoa(rec.Body.Len()); got != want {
			t.Errorf("%d bytes of data: Content-Length %s, want %s", n, got, want)
		}
	}
}
