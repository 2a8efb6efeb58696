package graph

import (
	"net/http"

	"github.com/ties-graph/ties/store"
)

// readOnlyImport answers POST /import on a read-only service, which has
// no import handler: 403 FORBIDDEN in the error JSON of /import, saying
// why, where the mux would say only "404 page not found" and leave a
// client guessing at its URL.
func readOnlyImport(w http.ResponseWriter, _ *http.Request) {
	writeEndpointError(w, http.StatusForbidden, store.Forbidden,
		"the service is read-only (ties serve --read-only), so imports are refused")
}
