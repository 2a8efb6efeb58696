package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ties-graph/ties/store"
)

// MaxConcurrentImports bounds the uploads the import endpoint takes at
// once. Loads run one at a time anyway (each holds the store's writer
// slot); the bound keeps a crowd of slow or idle uploads from holding
// connections, goroutines and spool files without end. Others are refused
// with UNAVAILABLE and Retry-After.
const MaxConcurrentImports = 4

// MaxImportsPerPrincipal bounds the uploads one API key has in progress
// at once: loads run one at a time anyway, and a member who kept several
// slow uploads going would otherwise keep every other member's import
// out. Anonymous clients, which cannot be told apart, are bounded by
// MaxConcurrentImports alone.
const MaxImportsPerPrincipal = 1

// MaxUploadBytes bounds one upload to the import endpoint: the body is
// spooled to a temporary file, and a disk is finite.
const MaxUploadBytes = 16 << 30

// httpStatus is the HTTP status of each error code; any other is 500.
var httpStatus = map[store.Code]int{
	store.Invalid:         http.StatusBadRequest,
	store.NotFound:        http.StatusNotFound,
	store.Conflict:        http.StatusConflict,
	store.Unauthenticated: http.StatusUnauthorized,
	store.Forbidden:       http.StatusForbidden,
	store.TooComplex:      http.StatusUnprocessableEntity,
	store.TooLarge:        http.StatusRequestEntityTooLarge,
	store.Unavailable:     http.StatusServiceUnavailable,
	store.Busy:            http.StatusServiceUnavailable,
	store.Timeout:         http.StatusGatewayTimeout,
}

// statusOf maps an error code to its HTTP status.
func statusOf(code store.Code) int {
	if s, ok := httpStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON of an error answer: the first error, and for an
// import the list of every error found.
type errorBody struct {
	Error  errorJSON   `json:"error"`
	Errors []errorJSON `json:"errors,omitempty"`
	// Stopped says that the list stopped at the most errors it reports
	// (maxErrors, at most store.MaxLoadErrors); Total then counts every
	// problem found, listed or not.
	Stopped bool `json:"stopped,omitempty"`
	Total   int  `json:"total,omitempty"`
}

type errorJSON struct {
	Code    store.Code `json:"code"`
	Message string     `json:"message"`
	Record  string     `json:"record,omitempty"`
	Field   string     `json:"field,omitempty"`
}

// writeError answers with err as JSON. Uncoded errors are logged in full
// and answered as "internal error", so that no backend detail leaks. A
// list of errors that stopped listing is marked as stopped, with the
// total count.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	if cause := context.Cause(r.Context()); store.ErrorCode(cause) == store.Unauthenticated {
		// The request's API key stopped working while it ran (see
		// graph's access guard): that, not the cancellation it caused,
		// is the answer.
		err = cause
		w.Header().Set("Connection", "close") // its body is not read further
	}
	code := store.ErrorCode(err)
	switch {
	case code == store.Internal && errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away (an import's load is cancelled with its
		// request): not a fault of the server.
		logger.Info("request cancelled by the client", "method", r.Method, "path", r.URL.Path, "err", err)
	case code == store.Internal:
		logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == store.Busy && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", strconv.Itoa(int(store.BusyRetryAfter.Seconds())))
	}
	body := errorBody{Error: errorJSON{Code: code, Message: store.ErrorMessage(err)}}
	var e *store.Error
	if errors.As(err, &e) {
		body.Error.Record, body.Error.Field = e.Record, e.Field
	}
	var all store.Errors
	if errors.As(err, &all) {
		es := all.Listed()
		for _, e := range es {
			body.Errors = append(body.Errors, errorJSON{Code: e.Code, Message: e.Error(), Record: e.Record, Field: e.Field})
		}
		body.Total = all.Total()
		body.Stopped = body.Total > len(es)
		switch {
		case body.Stopped:
			body.Error.Message = fmt.Sprintf("%d errors in all, the first %d listed; the first: %s", body.Total, len(es), es[0].Error())
		case len(es) > 1:
			body.Error.Message = fmt.Sprintf("%d errors; the first: %s", len(es), es[0].Error())
		}
	}
	writeJSON(w, statusOf(code), body)
}

// methodNotAllowed answers 405 with the methods allowed, in the JSON of
// every other error of these endpoints.
func methodNotAllowed(w http.ResponseWriter, allow, msg string) {
	w.Header().Set("Allow", allow)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorJSON{Code: store.Invalid, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func discard(logger *slog.Logger) *slog.Logger {
	if logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return logger
}

// AsTextTrailer is the HTTP trailer of GET /export that names, one value
// each, the properties the export wrote as text though their values are
// not (ExportStats.AsText), so that a client can say what an import of the
// file would turn into text.
const AsTextTrailer = "Ties-As-Text"

// ExportHandler serves GET /export with the query arguments format (ndjson,
// json, csv, graphml, gexf or dot; default ndjson), from and depth (a
// subgraph), types and entityTypes (comma-separated), validAt (a partial
// date) and asOf (RFC 3339, the recorded-time snapshot). It streams the
// export with the format's Content-Type and a Content-Disposition naming a
// file; errors found before the first byte are JSON with a fitting status.
func ExportHandler(st *store.Store, logger *slog.Logger) http.Handler {
	logger = discard(logger)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD", "use GET for /export")
			return
		}
		opts, err := exportOptions(r)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		name := "ties"
		if opts.Scope.From != "" {
			name = "ties-" + opts.Scope.From
		}
		lw := &lazyWriter{w: w, header: func(h http.Header) {
			// Which properties had to be written as text is known only
			// at the end: it follows the stream as a trailer.
			h.Set("Trailer", AsTextTrailer)
			h.Set("Content-Type", opts.Format.ContentType())
			h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + "." + opts.Format.Extension()}))
			h.Set("X-Content-Type-Options", "nosniff")
		}}
		if r.Method == http.MethodHead {
			lw.start()
			return
		}
		start := time.Now()
		stats, err := Export(r.Context(), st, lw, opts)
		if err != nil {
			if !lw.started {
				writeError(w, r, logger, err)
				return
			}
			// The status is sent: break the connection so that the
			// client sees a failed transfer, not a short file. A client
			// that went away is not a fault of the server.
			if r.Context().Err() != nil {
				logger.Info("export cancelled by the client", "format", opts.Format, "err", err)
			} else {
				logger.Error("export failed mid-stream", "format", opts.Format, "err", err)
			}
			panic(http.ErrAbortHandler)
		}
		lw.start()
		for _, p := range stats.AsText {
			w.Header().Add(AsTextTrailer, p)
		}
		logger.Info("exported", "format", opts.Format, "entities", stats.Entities, "relations", stats.Relations, "duration", time.Since(start))
	})
}

// lazyWriter sends the headers of a successful answer with the first byte,
// so that an error found before it can still be answered as JSON.
type lazyWriter struct {
	w       http.ResponseWriter
	header  func(http.Header)
	started bool
}

func (l *lazyWriter) start() {
	if !l.started {
		l.started = true
		l.header(l.w.Header())
		l.w.WriteHeader(http.StatusOK)
	}
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	l.start()
	return l.w.Write(p)
}

// The query arguments each endpoint reads. Any other is refused: a
// misspelt filter (valid-at, as the CLI flag is written, or entitytypes)
// would otherwise be dropped without a word and export the whole graph.
var (
	exportArgs = []string{"format", "from", "depth", "types", "entityTypes", "validAt", "asOf"}
	importArgs = []string{"format", "dryRun", "maxErrors", "name", "onExisting", "delimiter"}
)

// checkArgs refuses a query argument that is not one of known, naming the
// known one it most likely means.
func checkArgs(q url.Values, known []string) error {
	var unknown []string
	for k := range q {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	k := unknown[0]
	fold := func(s string) string { return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(s)) }
	for _, want := range known {
		if fold(want) == fold(k) {
			return store.FieldError("", k, "unknown query argument %q; did you mean %q?", k, want)
		}
	}
	return store.FieldError("", k, "unknown query argument %q (known: %s)", k, strings.Join(known, ", "))
}

// exportOptions reads the query arguments of /export.
func exportOptions(r *http.Request) (ExportOptions, error) {
	q := r.URL.Query()
	opts := ExportOptions{Format: NDJSON}
	if err := checkArgs(q, exportArgs); err != nil {
		return opts, err
	}
	if f := q.Get("format"); f != "" {
		var err error
		if opts.Format, err = ParseFormat(f); err != nil {
			return opts, store.FieldError("", "format", "%s", store.ErrorMessage(err))
		}
	}
	opts.Scope.From = q.Get("from")
	if d := q.Get("depth"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return opts, store.FieldError("", "depth", "want a whole number of hops, got %q", d)
		}
		opts.Scope.Depth = n
	} else if opts.Scope.From != "" {
		opts.Scope.Depth = 1
	}
	opts.Scope.Types = SplitList(q.Get("types"))
	opts.Scope.EntityTypes = SplitList(q.Get("entityTypes"))
	if v := q.Get("validAt"); v != "" {
		d, err := store.ParseDate(v)
		if err != nil {
			return opts, store.FieldError("", "validAt", "%s", store.ErrorMessage(err))
		}
		opts.Scope.ValidAt = d
	}
	if v := q.Get("asOf"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return opts, store.FieldError("", "asOf", "want an RFC 3339 time such as 2024-03-01T10:00:00Z, got %q", v)
		}
		opts.AsOf = t
	}
	return opts, nil
}

// SplitList splits a comma-separated list of names, as the types and
// entityTypes arguments of /export are written (and the export command's
// flags), dropping white space and empty items.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ImportResult is the JSON answer of a successful import.
type ImportResult struct {
	DryRun        bool   `json:"dryRun"`
	EntityTypes   int    `json:"entityTypes"`
	RelationTypes int    `json:"relationTypes"`
	Entities      int    `json:"entities"`
	Relations     int    `json:"relations"`
	CommitTs      uint64 `json:"commitTs,omitempty"`
	// OnExisting is what the import did with records the store held, and
	// Report what it did, or would do, to each record.
	OnExisting string        `json:"onExisting,omitempty"`
	Report     *ImportReport `json:"report,omitempty"`
}

// ImportHandler serves POST /import with the body in the format given by
// the query argument format (ndjson, json or csv; else told by the
// Content-Type), gzip-compressed or not, and dryRun=true to validate only,
// maxErrors=N (100 by default, at most store.MaxLoadErrors) and name (the file name errors cite; default "upload"). A
// multipart/form-data body carries several files, one per part, each
// named by its part's file name; a part's format is the query's, else its
// Content-Type's, else its file name's. The files are loaded together, so one file may refer to
// another's entities, and all or nothing. Bodies are spooled to temporary
// files, since Store.Load reads its input twice. It answers the counts as
// JSON, or 400 with {"error":..., "errors":[...]} listing each invalid
// record, with "stopped":true and "total" when there were more than
// maxErrors.
func ImportHandler(st *store.Store, logger *slog.Logger) http.Handler {
	return ImportHandlerSpooling(st, logger, "")
}

// ImportHandlerSpooling is ImportHandler with the uploads spooled into dir
// ("" is the system's temporary directory). A service spools into its
// data directory, which it holds alone, so that the copies a killed
// process leaves behind can be removed at the next start.
func ImportHandlerSpooling(st *store.Store, logger *slog.Logger, dir string) http.Handler {
	logger = discard(logger)
	slots := make(chan struct{}, MaxConcurrentImports)
	holders := &slotHolders{n: map[string]int{}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost && r.Method != http.MethodPut {
			methodNotAllowed(w, "POST, PUT", "use POST for /import")
			return
		}
		// One slot per API key, so that one member's slow uploads
		// cannot keep every other member's import out. Anonymous
		// clients cannot be told apart, so they are not held to it.
		_, guarded := store.ScopeFrom(r.Context())
		if principal := store.PrincipalFrom(r.Context()); guarded && principal != store.PrincipalAnonymous {
			if !holders.take(principal) {
				w.Header().Set("Retry-After", "10")
				// The body is not read: close rather than drain it
				// first, which would hold the answer for as long as
				// a slow upload goes on.
				w.Header().Set("Connection", "close")
				writeError(w, r, logger, store.Errorf(store.Unavailable,
					"%q already has an upload in progress; loads run one at a time, so send the next when it has finished, or send the files together in one multipart upload", principal))
				return
			}
			defer holders.give(principal)
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		default:
			w.Header().Set("Retry-After", "10")
			w.Header().Set("Connection", "close") // as above
			writeError(w, r, logger, store.Errorf(store.Unavailable,
				"%d imports are already in progress; retry when one has finished", MaxConcurrentImports))
			return
		}
		if err := checkNotCrossSite(r); err != nil {
			writeError(w, r, logger, err)
			return
		}
		q := r.URL.Query()
		if err := checkArgs(q, importArgs); err != nil {
			writeError(w, r, logger, err)
			return
		}
		mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		multi, boundary := mt == "multipart/form-data", params["boundary"]
		var format Format
		var err error
		if multi {
			// Each part's format comes from its file name unless the
			// query names one for all.
			if f := q.Get("format"); f != "" {
				format, err = uploadFormat(f, "")
			}
		} else {
			format, err = uploadFormat(q.Get("format"), r.Header.Get("Content-Type"))
		}
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		opts := ImportOptions{Principal: store.PrincipalFrom(r.Context())}
		if v := q.Get("dryRun"); v != "" {
			// Anything but a boolean is refused rather than read as
			// false, which would write for real what the client meant
			// only to check (dryRun=yes, or Python's dryRun=True).
			if opts.DryRun, err = strconv.ParseBool(v); err != nil {
				writeError(w, r, logger, store.FieldError("", "dryRun", "want true or false, got %q", v))
				return
			}
		}
		if scope, ok := store.ScopeFrom(r.Context()); ok && scope < store.ScopeAdmin {
			// Defining types takes the admin scope, through GraphQL or
			// an import alike.
			opts.KeepOntology = true
		}
		if err := importChoices(q, &opts); err != nil {
			writeError(w, r, logger, err)
			return
		}
		if err := st.CheckSpace(); err != nil {
			writeError(w, r, logger, err)
			return
		}
		// The upload is spooled beside the store: it must stop before the
		// disk fills too.
		r.Body = &spaceGuard{ReadCloser: r.Body, check: st.CheckSpace}
		if m := q.Get("maxErrors"); m != "" {
			n, err := strconv.Atoi(m)
			if err != nil || n < 1 {
				writeError(w, r, logger, store.FieldError("", "maxErrors", "want a positive whole number, got %q", m))
				return
			}
			opts.MaxErrors = min(n, store.MaxLoadErrors)
		}
		var inputs []Input
		if multi {
			var cleanup func()
			inputs, cleanup, err = spoolParts(r, dir, boundary, format)
			defer cleanup()
		} else {
			name := q.Get("name")
			if name == "" {
				name = "upload"
			}
			var in Input
			var cleanup func()
			in, cleanup, err = Spool(r.Body, dir, name, format, MaxUploadBytes)
			defer cleanup()
			inputs = []Input{in}
		}
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		start := time.Now()
		res, err := Import(r.Context(), st, inputs, opts)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		var size int64
		names := make([]string, len(inputs))
		for i, in := range inputs {
			size += in.Size
			names[i] = in.Name
		}
		logger.Info("imported", "principal", opts.Principal, "files", LoadName(names), "fileCount", len(names), "bytes", size, "dryRun", opts.DryRun,
			"entities", res.Entities, "relations", res.Relations, "duration", time.Since(start))
		out := ImportResult{
			DryRun: opts.DryRun, EntityTypes: res.EntityTypes, RelationTypes: res.RelationTypes,
			Entities: res.Entities, Relations: res.Relations,
			OnExisting: opts.OnExisting.String(), Report: reportOf(res.Report),
		}
		if !opts.DryRun {
			out.CommitTs = res.CommitTs
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// slotHolders counts the uploads each principal has in progress.
type slotHolders struct {
	mu sync.Mutex
	n  map[string]int
}

// take notes an upload of principal, unless it has
// MaxImportsPerPrincipal in progress, and reports whether it did.
func (h *slotHolders) take(principal string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n[principal] >= MaxImportsPerPrincipal {
		return false
	}
	h.n[principal]++
	return true
}

// give notes that an upload of principal has ended.
func (h *slotHolders) give(principal string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n[principal]--; h.n[principal] <= 0 {
		delete(h.n, principal)
	}
}

// spoolParts spools each file part of a multipart/form-data upload, within
// MaxUploadBytes in all. The returned cleanup removes every spooled file.
func spoolParts(r *http.Request, dir, boundary string, format Format) ([]Input, func(), error) {
	var inputs []Input
	var cleanups []func()
	cleanup := func() {
		for _, c := range cleanups {
			c()
		}
	}
	if boundary == "" {
		return nil, cleanup, store.Errorf(store.Invalid, "a multipart/form-data upload needs a boundary in its Content-Type")
	}
	mr := multipart.NewReader(r.Body, boundary)
	left := int64(MaxUploadBytes)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, cleanup, store.Errorf(store.Invalid, "malformed multipart upload after %d files: %v", len(inputs), err)
		}
		name := part.FileName()
		if name == "" {
			return nil, cleanup, store.Errorf(store.Invalid, "part %d of the upload (%q) is not a file: every part must carry a filename", len(inputs)+1, part.FormName())
		}
		// The part's Content-Type, when it names an import format, wins
		// over the file name: a client may have been told the format.
		f := format
		if f == "" {
			if f, err = uploadFormat("", part.Header.Get("Content-Type")); err != nil {
				if f, err = DetectFormat(name); err != nil {
					return nil, cleanup, store.Errorf(store.Invalid, "cannot tell the format of %q from its Content-Type or name; name it .ndjson, .json or .csv, or give ?format=", name)
				}
			}
		}
		if left <= 0 {
			return nil, cleanup, store.Errorf(store.TooLarge, "the upload is larger than %d bytes", int64(MaxUploadBytes))
		}
		in, c, err := Spool(part, dir, name, f, left)
		cleanups = append(cleanups, c)
		if err != nil {
			return nil, cleanup, err
		}
		left -= in.Size
		inputs = append(inputs, in)
	}
	if len(inputs) == 0 {
		return nil, cleanup, store.Errorf(store.Invalid, "the multipart upload holds no file")
	}
	return inputs, cleanup, nil
}

// uploadFormat takes the format from the query argument, else from the
// Content-Type.
func uploadFormat(arg, contentType string) (Format, error) {
	if arg != "" {
		f, err := ParseImportFormat(arg)
		if err != nil {
			return "", store.FieldError("", "format", "%s", store.ErrorMessage(err))
		}
		return f, nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines":
		return NDJSON, nil
	case "application/json":
		return JSON, nil
	case "text/csv", "application/zip":
		return CSV, nil
	}
	return "", store.Errorf(store.Invalid, "say the format of the upload with ?format=ndjson, json or csv")
}

// ClientHeader is the header a client of /import sets, with its name as the
// value, when it sends a body whose Content-Type a web form could also send
// (multipart/form-data, as ties import --url does).
const ClientHeader = "X-Ties-Client"

// checkNotCrossSite refuses a write that any web page could send: a
// browser sends a "simple" request (a form post, or a fetch of text/plain
// or without a Content-Type) to any site without asking it first, so a
// page a user opens could import into a service on their machine. A
// request with another Content-Type (application/x-ndjson, ...), with
// Authorization or with ClientHeader cannot be sent cross-site without a
// CORS preflight, which the service does not grant to strangers.
func checkNotCrossSite(r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data":
	default:
		return nil
	}
	if r.Header.Get(ClientHeader) != "" || r.Header.Get("Authorization") != "" {
		return nil
	}
	what := "no Content-Type"
	if mt != "" {
		what = "Content-Type " + mt
	}
	return store.Errorf(store.Forbidden,
		"an upload with %s could come from any web page the user opens (a cross-site request); send the file as application/x-ndjson, application/json or text/csv, or set the header %s: <your client's name>", what, ClientHeader)
}

// spaceGuard asks check for room every spaceGuardEvery bytes read, and
// fails the read when there is none, so that a spooled upload stops before
// it fills the disk under the store.
type spaceGuard struct {
	io.ReadCloser
	check func() error
	since int64
}

const spaceGuardEvery = 8 << 20

func (g *spaceGuard) Read(p []byte) (int, error) {
	if g.since >= spaceGuardEvery {
		g.since = 0
		if err := g.check(); err != nil {
			return 0, err
		}
	}
	n, err := g.ReadCloser.Read(p)
	g.since += int64(n)
	return n, err
}

// BackupHandler serves GET /backup: a consistent backup of the whole
// store, history included, streamed while the service keeps serving
// (Store.Backup), in the format ties restore reads. A backup that fails
// after its first byte aborts the connection, so that the client sees a
// broken transfer rather than a short file that looks whole.
func BackupHandler(st *store.Store, logger *slog.Logger) http.Handler {
	logger = discard(logger)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			methodNotAllowed(w, "GET", "use GET for /backup")
			return
		}
		// As /export and /import refuse arguments they do not know, so
		// that asOf, say, is not taken for honoured while the backup is
		// of now.
		if q := r.URL.Query(); len(q) > 0 {
			keys := slices.Sorted(maps.Keys(q))
			writeError(w, r, logger, store.FieldError("", keys[0],
				"unknown query argument %q: /backup takes none (it streams the whole store, history included, as it is now)", keys[0]))
			return
		}
		// A store that fails its check gives a backup restore refuses:
		// say so, with the problems, instead of streaming one.
		if err := st.Check(r.Context()); err != nil {
			if store.ErrorCode(err) == store.Internal && r.Context().Err() == nil {
				err = store.Errorf(store.Conflict, "no backup written: the store fails its check (run ties check for the full list): %v", err)
			}
			writeError(w, r, logger, err)
			return
		}
		start := time.Now()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="ties.backup"`)
		w.Header().Set("Cache-Control", "no-store")
		cw := &countingWriter{w: w}
		if err := st.Backup(r.Context(), cw); err != nil {
			if cw.n == 0 {
				w.Header().Del("Content-Disposition")
				writeError(w, r, logger, err)
				return
			}
			logger.Error("backup failed while streaming", "principal", store.PrincipalFrom(r.Context()), "bytes", cw.n, "err", err)
			panic(http.ErrAbortHandler)
		}
		logger.Info("backed up", "principal", store.PrincipalFrom(r.Context()), "bytes", cw.n, "duration", time.Since(start))
	})
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
