package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ties-graph/ties/store"
)

// remote is a running service that a --url command talks to, with the
// token it authenticates with.
type remote struct {
	base  string // as given, for messages
	url   *url.URL
	token string
}

// newRemote checks base and returns the service it names.
func newRemote(base, token string) (*remote, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageError{fmt.Sprintf("--url %q is not an http(s) URL such as http://localhost:8080", base)}
	}
	return &remote{base: base, url: u, token: token}, nil
}

// tokenFlag declares --token, whose variable is TIES_TOKEN.
func tokenFlag(fs *flag.FlagSet, p *string, env map[string]string) {
	fs.StringVar(p, "token", "", "API key to send to the service with --url (TIES_TOKEN; prefer the variable: a flag shows in the process list)")
	env["token"] = "TIES_TOKEN"
}

// endpoint returns the URL of path with the query q.
func (r *remote) endpoint(path string, q url.Values) string {
	u := *r.url
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	return u.String()
}

// authorize adds the token to req.
func (r *remote) authorize(req *http.Request) {
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
}

// do sends req with the token.
func (r *remote) do(req *http.Request) (*http.Response, error) {
	r.authorize(req)
	return http.DefaultClient.Do(req)
}

// refusal turns a 401 or 403 answer into an error that says what to do,
// or returns nil for any other status.
func (r *remote) refusal(status int, message string) error {
	switch status {
	case http.StatusUnauthorized:
		return refusalAdvice(r.base, r.token, store.Unauthenticated, message)
	case http.StatusForbidden:
		return refusalAdvice(r.base, r.token, store.Forbidden, message)
	}
	return nil
}

// refusalAdvice says which flag or variable carries a key, for a refusal
// coded code; nil for any other code.
func refusalAdvice(base, token string, code store.Code, message string) error {
	switch code {
	case store.Unauthenticated:
		if token == "" {
			return fmt.Errorf("%s needs an API key: give one with --token or TIES_TOKEN (%s)", base, message)
		}
		return fmt.Errorf("%s refused the token: %s", base, message)
	case store.Forbidden:
		return fmt.Errorf("%s refused: %s", base, message)
	}
	return nil
}

// errorMessage reads the message of an error answer to /query: a refusal
// in the JSON of the service's other endpoints, or a GraphQL response.
func errorMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) == nil {
		if e.Error.Message != "" {
			return e.Error.Message
		}
		if len(e.Errors) > 0 {
			return e.Errors[0].Message
		}
	}
	return strings.TrimSpace(string(body))
}

// graphQL runs one operation on the service and returns its response; it
// fails on a refusal or an answer that is not a GraphQL response, not on
// GraphQL errors in it.
func (r *remote) graphQL(ctx context.Context, query string, vars map[string]any) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint("/query", nil), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.do(req)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", r.base, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", r.base, err)
	}
	if err := r.refusal(resp.StatusCode, errorMessage(out)); err != nil {
		return nil, err
	}
	if !json.Valid(out) {
		return nil, fmt.Errorf("query %s: %s: the answer is not JSON: %.200s", r.base, resp.Status, out)
	}
	return out, nil
}

// graphQLData runs an operation that must succeed and decodes its data
// into v.
func (r *remote) graphQLData(ctx context.Context, query string, vars map[string]any, v any) error {
	out, err := r.graphQL(ctx, query, vars)
	if err != nil {
		return err
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return fmt.Errorf("query %s: %w", r.base, err)
	}
	if len(resp.Errors) > 0 {
		return fmt.Errorf("%s", resp.Errors[0].Message)
	}
	return json.Unmarshal(resp.Data, v)
}

// refusalHint turns a service's refusal of an exchange.Client request
// into the advice refusal gives; other errors pass unchanged.
func refusalHint(base, token string, err error) error {
	if advice := refusalAdvice(base, token, store.ErrorCode(err), store.ErrorMessage(err)); advice != nil {
		return advice
	}
	return err
}
