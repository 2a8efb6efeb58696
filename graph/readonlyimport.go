package graph

import (
	"encoding/json"
	"net/http"

	"github.com/ties-graph/ties/store"
)

// readOnlyImport answers POST /import on a read-only service, which has
// no import handler: 403 FORBIDDEN in the error JSON of /import, saying
// why, where the mux would say only "404 page not found" and leave a
// client guessing at its URL.
func readOnlyImport(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{
		"code":    string(store.Forbidden),
		"message": "the service is read-only (ties serve --read-only), so imports are refused",
	}})
}
