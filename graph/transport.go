package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ties-graph/ties/store"
)

// Media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// httpTransport serves GraphQL over HTTP GET and POST as the GraphQL over
// HTTP specification says, which gqlgen's stock transports do not quite
// do: request errors (parse, validation, variables, limits) are answered
// with 200 under application/json and 400 under
// application/graphql-response+json, without a data entry; a malformed
// request is 400; mutations over GET are 405; bodies over the limit are
// 413 without being read.
type httpTransport struct {
	maxBody int64
	// buffers lends the buffers answers are built in, the same pool as
	// direct's; nil allocates.
	buffers *answerBuffers
	// present codes the error of a request whose context ended before
	// execution began.
	present graphql.ErrorPresenterFunc
	// direct answers the dashboard's neighbourhood without gqlgen's
	// dispatch of the operation; nil: gqlgen answers every operation.
	direct *directQuery
}

var _ graphql.Transport = httpTransport{}

// Supports claims GET and POST requests (not websocket upgrades).
func (t httpTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && (r.Method == http.MethodGet || r.Method == http.MethodPost)
}

// Do answers one request.
func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := responseMedia(r.Header.Get("Accept"))
	if !ok {
		writeHTTPError(w, mediaJSON, http.StatusNotAcceptable, codeBadRequest,
			"the Accept header allows neither application/json nor application/graphql-response+json")
		return
	}
	start := graphql.Now()
	var (
		params *graphql.RawParams
		status int
		err    error
	)
	if r.Method == http.MethodGet {
		params, err = paramsFromURL(r)
		status = http.StatusBadRequest
	} else {
		params, status, err = t.paramsFromBody(w, r)
	}
	if err != nil {
		code := codeBadRequest
		if status == http.StatusRequestEntityTooLarge {
			code = string(store.TooLarge)
		}
		writeHTTPError(w, media, status, code, err.Error())
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := r.Context()
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		explainMissingOperation(oc, errs)
		explainNumberVariables(params, errs)
		explainPersistedQuery(errs)
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		if s, challenge := refusalStatus(errs); s != 0 {
			status = s
			w.Header().Set("WWW-Authenticate", challenge)
		}
		writeResponse(w, media, status, resp, false)
		return
	}
	if r.Method == http.MethodGet && oc.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		writeHTTPError(w, media, http.StatusMethodNotAllowed, codeBadRequest,
			fmt.Sprintf("a %s cannot be sent with GET; use POST", oc.Operation.Operation))
		return
	}
	if oc.Operation.Operation == ast.Subscription {
		writeHTTPError(w, media, http.StatusBadRequest, codeBadRequest,
			"a subscription needs a stream: open a websocket (graphql-transport-ws) or ask for Server-Sent Events (Accept: text/event-stream)")
		return
	}
	if t.direct.serve(ctx, w, media, oc) {
		return
	}
	var splice *answerSplice
	if t.direct != nil && mayHoldNeighborhood(oc.Operation) {
		splice = &answerSplice{buffers: t.direct.answers}
		ctx = withAnswerSplice(ctx, splice)
		defer splice.release()
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	resp := responses(ctx)
	if resp == nil {
		// gqlgen answers nothing when the context ended before execution.
		err := ctx.Err()
		if err == nil {
			err = context.DeadlineExceeded
		}
		resp = &graphql.Response{Errors: gqlerror.List{t.present(ctx, err)}}
	}
	if parts := splice.data(resp.Data); parts != nil {
		writeResponseParts(ctx, w, media, http.StatusOK, resp, true, parts, t.buffers)
		return
	}
	writeResponseBuffered(ctx, w, media, http.StatusOK, resp, true, t.buffers)
}

// explainMissingOperation rewrites gqlgen's "operation  not found", which
// is all a client gets when its document holds several operations and it
// named none, into a message that says what to send.
func explainMissingOperation(oc *graphql.OperationContext, errs gqlerror.List) {
	if oc == nil || oc.Doc == nil || oc.Operation != nil || len(errs) != 1 || !strings.HasSuffix(errs[0].Message, " not found") {
		return
	}
	ops := oc.Doc.Operations
	names := make([]string, 0, len(ops))
	for _, op := range ops {
		if op.Name != "" {
			names = append(names, op.Name)
		}
	}
	switch {
	case len(ops) == 0:
		errs[0].Message = "the document has no operation; send a query or a mutation"
	case oc.OperationName == "":
		errs[0].Message = fmt.Sprintf("the document has %d operations; name the one to run with operationName (%s)", len(ops), strings.Join(names, ", "))
	case len(names) == 0:
		errs[0].Message = fmt.Sprintf("operationName %q names no operation of the document: its operation has no name, so leave operationName out (or name the operation)", oc.OperationName)
	default:
		errs[0].Message = fmt.Sprintf("operationName %q names no operation of the document (it has %s)", oc.OperationName, strings.Join(names, ", "))
	}
}

// explainNumberVariables puts the value back into gqlparser's message for
// a number variable that is not an Int ($n: 1.5), which names the zero it
// failed to convert to: "cannot use value 0 as Int".
func explainNumberVariables(params *graphql.RawParams, errs gqlerror.List) {
	for _, e := range errs {
		if len(e.Path) != 2 || e.Path[0] != ast.PathName("variable") || !strings.HasPrefix(e.Message, "cannot use value ") {
			continue
		}
		name, _ := e.Path[1].(ast.PathName)
		n, ok := params.Variables[string(name)].(json.Number)
		if !ok {
			continue
		}
		typ := e.Message[strings.LastIndex(e.Message, " as ")+len(" as "):]
		e.Message = fmt.Sprintf("cannot use %s as %s", n, typ)
		switch {
		case typ != "Int":
		case strings.ContainsAny(string(n), ".eE"):
			e.Message += ": want a whole number"
		default:
			e.Message += ": out of range"
		}
	}
}

// apqMessages are the uncoded errors of gqlgen's persisted-query
// extension, all the client's doing, with what to send instead.
var apqMessages = map[string]string{
	"invalid APQ extension data":             "extensions.persistedQuery must be an object {\"version\": 1, \"sha256Hash\": \"...\"}",
	"unsupported APQ version":                "extensions.persistedQuery.version must be 1",
	"provided APQ hash does not match query": "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it",
}

// explainPersistedQuery codes the persisted-query errors as BAD_REQUEST;
// left uncoded they would be presented as INTERNAL, a fault of the server.
func explainPersistedQuery(errs gqlerror.List) {
	for _, e := range errs {
		msg, ok := apqMessages[e.Message]
		if !ok || e.Extensions["code"] != nil {
			continue
		}
		e.Message = msg
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		e.Extensions["code"] = codeBadRequest
	}
}

// responseMedia picks the response media type from an Accept header:
// application/graphql-response+json when asked for, application/json for
// an absent header, a wildcard or application/json. ok is false when the
// header allows neither.
func responseMedia(accept string) (media string, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	switch accept {
	case mediaGraphQLResponse:
		return mediaGraphQLResponse, true
	case mediaJSON, "*/*":
		return mediaJSON, true
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			return mediaGraphQLResponse, true
		case mediaJSON, "*/*", "application/*":
			return mediaJSON, true
		}
	}
	return "", false
}

// requestBody is the JSON body of a POST; fields are decoded loosely so
// that a wrong type is reported as such.
type requestBody struct {
	Query         any `json:"query"`
	OperationName any `json:"operationName"`
	Variables     any `json:"variables"`
	Extensions    any `json:"extensions"`
}

// paramsFromBody reads a POST body. The status goes with the error.
func (t httpTransport) paramsFromBody(w http.ResponseWriter, r *http.Request) (*graphql.RawParams, int, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, http.StatusUnsupportedMediaType, errors.New("a POST needs Content-Type: application/json")
	}
	if !plainMedia(ct) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || mt != mediaJSON {
			return nil, http.StatusUnsupportedMediaType, fmt.Errorf("unsupported Content-Type %q; send application/json", ct)
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return nil, http.StatusUnsupportedMediaType, fmt.Errorf("unsupported charset %q; send utf-8", cs)
		}
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		// Read as it is, a compressed body fails as "not a JSON object:
		// invalid character '\x1f'", which does not say what is wrong.
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("unsupported Content-Encoding %q; send the body uncompressed", ce)
	}
	if t.maxBody > 0 && r.ContentLength > t.maxBody {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the request body of %d bytes is over the limit of %d bytes", r.ContentLength, t.maxBody)
	}
	body := r.Body
	if t.maxBody > 0 {
		body = http.MaxBytesReader(w, r.Body, t.maxBody)
	}
	b, err := readBody(body, r.ContentLength)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the request body is over the limit of %d bytes", t.maxBody)
		}
		return nil, http.StatusBadRequest, fmt.Errorf("read the request body: %v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, http.StatusBadRequest, errors.New("the request body is empty; send {\"query\": \"...\"}")
	}
	rb, ok := decodeRequestBody(b)
	if !ok {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&rb); err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("the request body is not a JSON object: %v", err)
		}
		if dec.More() {
			return nil, http.StatusBadRequest, errors.New("the request body holds more than one JSON value")
		}
	}
	p, err := rawParams(rb)
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	return p, 0, nil
}

// paramsFromURL reads the parameters of a GET.
func paramsFromURL(r *http.Request) (*graphql.RawParams, error) {
	q := r.URL.Query()
	rb := requestBody{}
	if q.Has("query") {
		rb.Query = q.Get("query")
	}
	if q.Has("operationName") {
		rb.OperationName = q.Get("operationName")
	}
	for name, dst := range map[string]*any{"variables": &rb.Variables, "extensions": &rb.Extensions} {
		s := q.Get(name)
		if s == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if err := dec.Decode(dst); err != nil {
			return nil, fmt.Errorf("the %s parameter is not JSON: %v", name, err)
		}
	}
	return rawParams(rb)
}

// rawParams checks the types of the request parameters.
func rawParams(rb requestBody) (*graphql.RawParams, error) {
	p := &graphql.RawParams{}
	var err error
	if p.Extensions, err = optional[map[string]any](rb.Extensions, "extensions must be a JSON object"); err != nil {
		return nil, err
	}
	switch q := rb.Query.(type) {
	case string:
		p.Query = q
	case nil:
		if _, apq := p.Extensions["persistedQuery"]; !apq {
			return nil, errors.New("the query parameter is missing")
		}
	default:
		return nil, errors.New("the query parameter must be a string")
	}
	if p.OperationName, err = optional[string](rb.OperationName, "operationName must be a string"); err != nil {
		return nil, err
	}
	if p.Variables, err = optional[map[string]any](rb.Variables, "variables must be a JSON object"); err != nil {
		return nil, err
	}
	return p, nil
}

// optional returns the request parameter v as a T, or T's zero value when
// v is absent or null; of any other type, message is the error.
func optional[T any](v any, message string) (T, error) {
	var zero T
	switch x := v.(type) {
	case nil:
		return zero, nil
	case T:
		return x, nil
	}
	return zero, errors.New(message)
}

// writeHTTPError answers a request that never reached GraphQL.
func writeHTTPError(w http.ResponseWriter, media string, status int, code, msg string) {
	resp := &graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": code}}}}
	writeResponse(w, media, status, resp, false)
}

// writeResponse writes a GraphQL response. The data is copied as gqlgen
// built it rather than re-encoded, which matters for large results; the
// data entry is left out when withData is false (a request error).
//
// The whole body is known before the first byte is written, so it goes
// out with a Content-Length: without one, net/http sends any answer over
// its 4 KiB buffer chunked, which costs the server the chunk framing and
// a flush per chunk, and the client a read per chunk, on every
// neighbourhood of more than about 60 entities.
func writeResponse(w http.ResponseWriter, media string, status int, resp *graphql.Response, withData bool) {
	writeResponseBuffered(context.Background(), w, media, status, resp, withData, nil)
}

// writeResponseBuffered is writeResponse building the answer in a buffer
// of buffers (nil: a new one), sent in one write where ctx's connection
// allows (holdFor).
func writeResponseBuffered(ctx context.Context, w http.ResponseWriter, media string, status int, resp *graphql.Response, withData bool, buffers *answerBuffers) {
	var one [1][]byte
	if resp != nil {
		one[0] = resp.Data
	}
	writeResponseParts(ctx, w, media, status, resp, withData, one[:], buffers)
}

// writeResponseParts is writeResponseBuffered with the data given as
// parts written one after the other (answerSplice), in place of
// resp.Data; no bytes at all are null.
func writeResponseParts(ctx context.Context, w http.ResponseWriter, media string, status int, resp *graphql.Response, withData bool, data [][]byte, buffers *answerBuffers) {
	h := w.Header()
	setResponseHeaders(h, media)
	if resp != nil && hasCode(resp.Errors, store.Busy) {
		h.Set("Retry-After", strconv.Itoa(int(store.BusyRetryAfter.Seconds())))
	}
	if resp == nil {
		const null = `{"data":null}`
		h.Set("Content-Length", strconv.Itoa(len(null)))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, null)
		return
	}
	// The envelope is written around the data: head, data, tail. A large
	// answer (a neighbourhood of thousands of entities) is not copied
	// into the buffer but written after the head in writes of its own,
	// which costs less than copying, and zeroing a buffer for, a megabyte.
	size := 0
	if withData {
		for _, p := range data {
			size += len(p)
		}
		if size == 0 {
			data, size = [][]byte{[]byte("null")}, len("null")
		}
	}
	direct := size > directData
	room := envelopeRoom
	if !direct {
		room += size
	}
	buf := buffers.get(room)
	defer buffers.put(buf)
	b := append(buf.b, '{')
	sep := ""
	if len(resp.Errors) > 0 {
		e, err := json.Marshal(resp.Errors)
		if err != nil {
			e = []byte(`[{"message":"internal error","extensions":{"code":"INTERNAL"}}]`)
		}
		b = append(b, `"errors":`...)
		b = append(b, e...)
		sep = ","
	}
	if withData {
		b = append(b, sep...)
		b = append(b, `"data":`...)
		if !direct {
			for _, p := range data {
				b = append(b, p...)
			}
		}
		sep = ","
	}
	head := len(b) // the bytes before the data when direct
	if len(resp.Extensions) > 0 {
		if e, err := json.Marshal(resp.Extensions); err == nil {
			b = append(b, sep...)
			b = append(b, `"extensions":`...)
			b = append(b, e...)
		}
	}
	b = append(b, '}')
	buf.b = b // what append grew goes back to the pool
	n := len(b)
	if direct {
		n += size
	}
	h.Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(status)
	c := holdFor(ctx, n)
	defer c.send(w)
	if direct {
		_, _ = w.Write(b[:head])
		for _, p := range data {
			if len(p) > 0 {
				_, _ = w.Write(p)
			}
		}
		_, _ = w.Write(b[head:])
		return
	}
	_, _ = w.Write(b)
}

// envelopeRoom is the room writeResponseParts asks for besides the data
// it copies: the envelope's keys and braces of an answer without errors
// or extensions.
const envelopeRoom = 64

// directData is the size of data above which writeResponse writes it
// without copying it into its buffer.
const directData = 32 << 10

// hasCode reports whether any of errs carries the extensions.code code.
func hasCode(errs gqlerror.List, code store.Code) bool {
	for _, e := range errs {
		if c, _ := e.Extensions["code"].(string); c == string(code) {
			return true
		}
	}
	return false
}

// withTimeout bounds every request by the per-request timeout.
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
