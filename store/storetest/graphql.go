package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The tests of the GraphQL service and of the commands that serve it ask
// it over HTTP as any client does; the helpers below are that client, so
// that each test reads a response the same way. They speak only
// GraphQL-over-HTTP and import nothing of the service.

// GraphQLError is one error of a GraphQL response.
type GraphQLError struct {
	Message    string           `json:"message"`
	Path       []any            `json:"path"`
	Locations  []map[string]int `json:"locations"`
	Extensions map[string]any   `json:"extensions"`
}

// Response is a GraphQL-over-HTTP response as a client reads it.
type Response struct {
	Status int
	Header http.Header
	Raw    []byte
	Data   json.RawMessage `json:"data"`
	Errors []GraphQLError  `json:"errors"`
	// HasData tells an absent data entry from "data": null.
	HasData bool
}

// Code returns the extensions.code of the response's first error, or ""
// when it has none.
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Do sends req with client (http.DefaultClient when nil) and reads the
// whole response; a body whose Content-Type says JSON is decoded into
// Data and Errors. It returns an error when the request cannot be sent or
// its answer read, or when a JSON body does not parse; any status is a
// response.
func Do(client *http.Client, req *http.Request) (*Response, error) {
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("status %d: read the body: %w", res.StatusCode, err)
	}
	r := &Response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, r); err != nil {
			return nil, fmt.Errorf("status %d: the response is not JSON: %w\n%s", res.StatusCode, err, raw)
		}
		var probe map[string]json.RawMessage
		_ = json.Unmarshal(raw, &probe)
		_, r.HasData = probe["data"]
	}
	return r, nil
}

// PostQuery sends query and vars as a JSON POST to endpoint, the service's
// /query URL, and reads the response as Do does.
func PostQuery(ctx context.Context, client *http.Client, endpoint, query string, vars map[string]any) (*Response, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return Do(client, req)
}

// Query posts an operation that must succeed and decodes its data into v,
// unless v is nil. It returns an error for a transport failure, a
// response with errors (naming the first, with its extensions and so its
// code), a status other than 200, or an answer without data.
func Query(ctx context.Context, client *http.Client, endpoint, query string, vars map[string]any, v any) error {
	r, err := PostQuery(ctx, client, endpoint, query, vars)
	if err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("graphql: %s (%v)", r.Errors[0].Message, r.Errors[0].Extensions)
	}
	if r.Status != http.StatusOK || !r.HasData {
		return fmt.Errorf("status %d without data: %.200s", r.Status, r.Raw)
	}
	if v != nil {
		return json.Unmarshal(r.Data, v)
	}
	return nil
}
