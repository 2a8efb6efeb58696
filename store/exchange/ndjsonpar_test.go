package exchange

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
)

// TestDecodeNDJSONInOrder checks that decoding lines side by side gives
// what a loop over the lines gives: the same records with the same lines,
// the same errors in the same order, over many batches.
func TestDecodeNDJSONInOrder(t *testing.T) {
	const n, maxLine = 5*linesPerBatch + 17, 200
	var in strings.Builder
	var want, wantErrs []string
	for i := 1; i <= n; i++ {
		var line string
		switch {
		case i%50 == 0:
			line = "  "
		case i%97 == 0:
			line = `{"kind":"entity","id":`
		case i%333 == 0:
			line = `{"kind":"entity","id":"` + strings.Repeat("x", maxLine) + `","type":"City","name":"x"}`
		default:
			line = fmt.Sprintf(`{"kind":"entity","id":"e%d","type":"City","name":"E %d"}`, i, i)
		}
		in.WriteString(line + "\n")
		switch {
		case len(line) > maxLine:
			wantErrs = append(wantErrs, fmt.Sprintf("big.ndjson:%d: line longer than %d bytes", i, maxLine))
		case strings.TrimSpace(line) == "":
		default:
			rec, err := decodeNDJSONLine([]byte(line), "big.ndjson", int64(i))
			if err != nil {
				wantErrs = append(wantErrs, err.Record+": "+err.Message)
				continue
			}
			var b bytes.Buffer
			if err := EncodeNDJSONRecord(&b, rec); err != nil {
				t.Fatal(err)
			}
			want = append(want, fmt.Sprintf("%d %s", i, strings.TrimSuffix(b.String(), "\n")))
		}
	}
	opts := DecodeOptions{MaxLineBytes: maxLine, MaxErrors: store.MaxLoadErrors}
	src, err := NewSource(bytesInput("big.ndjson", NDJSON, []byte(in.String())), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = src(context.Background(), func(r store.Record) error {
		var b bytes.Buffer
		if err := EncodeNDJSONRecord(&b, r); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %s", r.Line, strings.TrimSuffix(b.String(), "\n")))
		return nil
	})
	var es store.Errors
	if !errors.As(err, &es) {
		t.Fatalf("err = %v, want store.Errors", err)
	}
	var gotErrs []string
	for _, e := range es.Listed() {
		gotErrs = append(gotErrs, e.Record+": "+e.Message)
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("records differ from a line-by-line decode: got %d, want %d", len(got), len(want))
	}
	if g, w := strings.Join(gotErrs, "\n"), strings.Join(wantErrs, "\n"); g != w {
		t.Errorf("errors differ from a line-by-line decode:\ngot  %.300s\nwant %.300s", g, w)
	}

	t.Run("YieldFails", func(t *testing.T) {
		stop := errors.New("stop")
		var seen int
		err := src(context.Background(), func(store.Record) error {
			seen++
			if seen == linesPerBatch+3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) {
			t.Errorf("err = %v, want %v", err, stop)
		}
		if seen != linesPerBatch+3 {
			t.Errorf("yield called %d times, want %d", seen, linesPerBatch+3)
		}
	})
}
