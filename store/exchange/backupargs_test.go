package exchange

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// GET /backup takes no arguments. One given, such as asOf (which /export
// reads), is refused as /export and /import refuse theirs, rather than
// answered with a backup of now that the client takes for what it asked.
func TestBackupHandlerRefusesArguments(t *testing.T) {
	st, _ := fixture(t)
	srv := httptest.NewServer(BackupHandler(st, nil))
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/backup?asOf=2026-01-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Error struct{ Code, Message, Field string }
	}
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.Error.Code != "INVALID_ARGUMENT" || out.Error.Field != "asOf" || !strings.Contains(out.Error.Message, "takes none") {
		t.Errorf("answer %+v, want INVALID_ARGUMENT naming asOf and saying /backup takes none", out.Error)
	}

	whole, err := http.Get(srv.URL + "/backup")
	if err != nil {
		t.Fatal(err)
	}
	whole.Body.Close()
	if whole.StatusCode != http.StatusOK {
		t.Errorf("plain GET /backup: status %d, want 200", whole.StatusCode)
	}
}
