package exchange

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ties-graph/ties/store"
)

// TestDownloadRetriesBusy: exports and backups wait for a worker of the
// service's expensive requests and may be refused BUSY with Retry-After;
// the client asks again after it, a few times, and gives up with the
// service's refusal when the service stays busy. Other refusals are not
// asked again.
func TestDownloadRetriesBusy(t *testing.T) {
	busy := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"error":{"code":"BUSY","message":"an export waited 10s for the one worker; retry in a few seconds"}}`)
	}
	for _, tc := range []struct {
		name      string
		busyTimes int64 // answers BUSY this many times, then the export
		status    int   // a refusal other than BUSY, when not 0
		wantAsked int64
		wantErr   store.Code
	}{
		{name: "BusyThenServed", busyTimes: 2, wantAsked: 3},
		{name: "AlwaysBusy", busyTimes: 1 << 30, wantAsked: busyRetries + 1, wantErr: store.Busy},
		{name: "OtherRefusal", status: http.StatusForbidden, wantAsked: 1, wantErr: store.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asked atomic.Int64
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := asked.Add(1)
				switch {
				case tc.status != 0:
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(tc.status)
					io.WriteString(w, `{"error":{"code":"FORBIDDEN","message":"an export needs a read key"}}`)
				case n <= tc.busyTimes:
					busy(w)
				default:
					io.WriteString(w, `{"kind":"entity","id":"enschede"}`+"\n")
				}
			}))
			defer ts.Close()
			c, err := NewClient(ts.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			body, err := c.Export(context.Background(), ExportOptions{Format: NDJSON})
			if got := asked.Load(); got != tc.wantAsked {
				t.Errorf("asked %d times, want %d", got, tc.wantAsked)
			}
			if tc.wantErr != "" {
				if err == nil || store.ErrorCode(err) != tc.wantErr {
					t.Fatalf("err %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer body.Close()
			b, _ := io.ReadAll(body)
			if !strings.Contains(string(b), `"enschede"`) {
				t.Errorf("export %q", b)
			}
		})
	}
}
