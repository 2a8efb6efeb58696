package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ties-graph/ties/store"
)

// Client is the other half of ImportHandler, ExportHandler and
// BackupHandler: it imports files into, exports from and backs up a
// running service, speaking the protocol those handlers define in this
// package.
type Client struct {
	base  *url.URL
	http  *http.Client
	token string
}

// WithToken returns c sending token as its API key
// (Authorization: Bearer), or no key when token is empty.
func (c *Client) WithToken(token string) *Client {
	d := *c
	d.token = token
	return &d
}

// do sends req with the client's key and the header that tells the
// service it comes from a client, not a web form (see checkNotCrossSite).
func (c *Client) do(req *http.Request) (*http.Response, error) {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set(ClientHeader, "ties")
	return c.http.Do(req)
}

// NewClient returns a client of the service at base, such as
// http://localhost:8080, sending its requests with hc (nil is
// http.DefaultClient). It returns an Invalid error when base is not an
// http or https URL.
func NewClient(base string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, store.Errorf(store.Invalid, "%q is not an http(s) URL", base)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: u, http: hc}, nil
}

func (c *Client) endpoint(path string, q url.Values) string {
	u := *c.base
	u.Path += path
	u.RawQuery = q.Encode()
	return u.String()
}

// Import streams inputs to the service's POST /import: one file as the
// request body, several as the parts of one multipart upload, which the
// service loads together, all or nothing, as Import does. opts.Progress,
// when set, hears of the upload as Pass 0; of opts.Decode only the CSV
// delimiter travels.
// It returns the service's answer; a refused import is the store.Errors
// the service reported (each message complete, naming file, line and
// field), other failures are wrapped transport errors.
func (c *Client) Import(ctx context.Context, inputs []Input, opts ImportOptions) (ImportResult, error) {
	if len(inputs) == 0 {
		return ImportResult{}, store.Errorf(store.Invalid, "nothing to import: name at least one file")
	}
	formats := make([]Format, len(inputs))
	var total int64
	for i, in := range inputs {
		if formats[i] = in.Format; formats[i] == "" {
			var err error
			if formats[i], err = DetectFormat(in.Name); err != nil {
				return ImportResult{}, err
			}
		}
		total += in.Size
	}
	q := url.Values{}
	if opts.MaxErrors > 0 {
		q.Set("maxErrors", strconv.Itoa(opts.MaxErrors))
	}
	if opts.DryRun {
		q.Set("dryRun", "true")
	}
	// Always sent: the service merges when the argument is absent, and
	// the zero value of ImportOptions replaces, as Import does.
	q.Set("onExisting", opts.OnExisting.String())
	if d := opts.Decode.Delimiter; d != 0 {
		q.Set("delimiter", string(d))
	}
	var body io.Reader
	contentType := "application/octet-stream"
	var size int64 = -1
	if len(inputs) == 1 {
		q.Set("format", string(formats[0]))
		q.Set("name", filepath.Base(inputs[0].Name))
		rc, err := inputs[0].Open()
		if err != nil {
			return ImportResult{}, fmt.Errorf("open %s: %w", inputs[0].Name, err)
		}
		defer rc.Close()
		body, size = rc, inputs[0].Size
	} else {
		pr, pw := io.Pipe()
		defer pr.Close()
		mw := multipart.NewWriter(pw)
		contentType = mw.FormDataContentType()
		go func() { pw.CloseWithError(writeParts(mw, inputs, formats)) }()
		body = pr
	}
	if opts.Progress != nil && total > 0 {
		body = &uploadCounter{r: body, n: func(n int64) {
			opts.Progress(Progress{Pass: 0, Done: float64(n) / float64(total)})
		}}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint("/import", q), body)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import: %w", err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", contentType)
	resp, err := c.do(req)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import through %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ImportResult{}, c.answerError(resp)
	}
	var res ImportResult
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return res, fmt.Errorf("import through %s: read the answer: %w", c.base, err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return res, fmt.Errorf("import through %s: the answer is not an import result: %.200s", c.base, b)
	}
	return res, nil
}

// writeParts writes each input as one file part, its format told by the
// part's Content-Type (a file may have been given a format whatever its
// name says).
func writeParts(mw *multipart.Writer, inputs []Input, formats []Format) error {
	for i, in := range inputs {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": filepath.Base(in.Name)}))
		// CSV's type is the zip of its export; the endpoint reads a plain
		// CSV part under it too, as the format is the same.
		h.Set("Content-Type", formats[i].ContentType())
		w, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		rc, err := in.Open()
		if err != nil {
			return fmt.Errorf("open %s: %w", in.Name, err)
		}
		_, err = io.Copy(w, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", in.Name, err)
		}
	}
	return mw.Close()
}

// uploadCounter reports the bytes read through it so far.
type uploadCounter struct {
	r    io.Reader
	read int64
	n    func(int64)
}

func (c *uploadCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	c.n(c.read)
	return n, err
}

// Export asks the service's GET /export for opts and returns the stream of
// the export, which the caller reads to its end and closes. It returns the
// service's refusal as store.Errors, or a wrapped transport error. A
// failure after the answer has begun shows as a read error of the stream,
// since the service then breaks the connection.
func (c *Client) Export(ctx context.Context, opts ExportOptions) (*ExportStream, error) {
	resp, err := c.download(ctx, "export", "/export", exportQuery(opts))
	if err != nil {
		return nil, err
	}
	return &ExportStream{resp: resp}, nil
}

// ExportStream is the body of an export that Client.Export streams.
type ExportStream struct{ resp *http.Response }

// Read reads the export.
func (s *ExportStream) Read(p []byte) (int, error) { return s.resp.Body.Read(p) }

// Close closes the stream.
func (s *ExportStream) Close() error { return s.resp.Body.Close() }

// AsText names the properties the service wrote as text though their
// values are not (ExportStats.AsText); it is known only once the stream
// has been read to its end, and nil before.
func (s *ExportStream) AsText() []string { return s.resp.Trailer.Values(AsTextTrailer) }

// Backup asks the service's GET /backup (BackupHandler; admin keys) for a
// backup of its whole store and returns the stream, which the caller
// reads to its end and closes. Errors are those of Export.
func (c *Client) Backup(ctx context.Context) (io.ReadCloser, error) {
	resp, err := c.download(ctx, "backup", "/backup", nil)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// download GETs path with the query q and returns the answer, or
// the service's refusal as store.Errors; what names the request in
// transport errors.
//
// A download refused BUSY (it waited its time for a worker of the
// service's expensive requests, or their queue was full) is asked again
// after the answer's Retry-After, up to busyRetries times: a script's
// nightly export should not fail because the team was busy for a moment.
func (c *Client) download(ctx context.Context, what, path string, q url.Values) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint(path, q), nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		resp, err := c.do(req)
		if err != nil {
			return nil, fmt.Errorf("%s through %s: %w", what, c.base, err)
		}
		if resp.StatusCode == http.StatusOK {
			return resp, nil
		}
		err = c.answerError(resp)
		resp.Body.Close()
		wait, ok := busyWait(resp, err)
		if !ok || attempt == busyRetries {
			return nil, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
	}
}

// busyRetries is how many times download asks again after BUSY.
const busyRetries = 5

// busyWait reports whether err, the refusal resp carried, is BUSY, and how
// long its Retry-After says to wait (at most a minute; 2 s when it says
// nothing readable).
func busyWait(resp *http.Response, err error) (time.Duration, bool) {
	if resp.StatusCode != http.StatusServiceUnavailable || store.ErrorCode(err) != store.Busy {
		return 0, false
	}
	n, perr := strconv.Atoi(resp.Header.Get("Retry-After"))
	if perr != nil || n < 0 {
		return 2 * time.Second, true
	}
	return min(time.Duration(n)*time.Second, time.Minute), true
}

// exportQuery is the query of GET /export that exportOptions reads back
// as opts.
func exportQuery(opts ExportOptions) url.Values {
	q := url.Values{}
	if opts.Format != "" {
		q.Set("format", string(opts.Format))
	}
	if opts.Scope.From != "" {
		q.Set("from", opts.Scope.From)
		q.Set("depth", strconv.Itoa(opts.Scope.Depth))
	}
	if len(opts.Scope.Types) > 0 {
		q.Set("types", strings.Join(opts.Scope.Types, ","))
	}
	if len(opts.Scope.EntityTypes) > 0 {
		q.Set("entityTypes", strings.Join(opts.Scope.EntityTypes, ","))
	}
	if !opts.Scope.ValidAt.IsZero() {
		q.Set("validAt", opts.Scope.ValidAt.String())
	}
	if !opts.AsOf.IsZero() {
		q.Set("asOf", opts.AsOf.Format(time.RFC3339Nano))
	}
	return q
}

// answerError reads the JSON error answer the handlers write (errorBody)
// as store.Errors, one per error listed. The messages are complete, so
// the errors carry no Record or Field to prefix them twice.
func (c *Client) answerError(resp *http.Response) error {
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s answered %s: %w", c.base, resp.Status, err)
	}
	var e errorBody
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" {
		return fmt.Errorf("%s answered %s: %.200s", c.base, resp.Status, b)
	}
	list := e.Errors
	if len(list) == 0 {
		list = []errorJSON{e.Error}
	}
	es := make(store.Errors, len(list))
	for i, x := range list {
		es[i] = &store.Error{Code: x.Code, Message: x.Message}
	}
	return es.WithOmitted(e.Total)
}
