package graph

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// TestDirectQueryServes says which operations directQuery answers itself
// (TestDirectQuery holds its answers to gqlgen's) and that it writes
// nothing for the others, which gqlgen's path then answers.
func TestDirectQueryServes(t *testing.T) {
	st := storetest.Open(t)
	if _, err := st.Load(context.Background(), seedSource(), store.LoadOptions{Source: "seed"}); err != nil {
		t.Fatal(err)
	}
	exec := executor.New(NewExecutableSchema(Config{Resolvers: &Resolver{store: st}}))
	held := newAdmission(1, 0)
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		heavy *admission
		want  bool
	}{
		{"Nodes", `{ neighborhood(id: "enschede", depth: 2) { nodes { id name type } } }`, nil, nil, true},
		{"Variables", `query ($id: ID!, $d: Int) { n: neighborhood(id: $id, depth: $d) { truncated nodeLink } }`, map[string]any{"id": "dalian", "d": 2}, nil, true},
		{"HeavyFree", `{ neighborhood(id: "enschede", depth: 3) { edges { fromId toId } } }`, nil, newAdmission(1, 0), true},
		{"HeavyTaken", `{ neighborhood(id: "enschede", depth: 3) { edges { fromId toId } } }`, nil, held, false},
		{"CheapTaken", `{ neighborhood(id: "enschede", depth: 2) { truncated } }`, nil, held, true},
		{"TwoFields", `{ a: neighborhood(id: "enschede") { truncated } b: neighborhood(id: "dalian") { truncated } }`, nil, nil, false},
		{"OtherField", `{ entity(id: "enschede") { name } }`, nil, nil, false},
		{"Typename", `{ __typename }`, nil, nil, false},
		{"Directive", `{ neighborhood(id: "enschede") @include(if: true) { truncated } }`, nil, nil, false},
		{"OtherArgument", `{ neighborhood(id: "enschede", validAt: "2018") { truncated } }`, nil, nil, false},
		{"OtherSelection", `{ neighborhood(id: "enschede") { nodes { id description } } }`, nil, nil, false},
		{"NotFound", `{ neighborhood(id: "nobody") { truncated } }`, nil, nil, false},
		{"Mutation", `mutation { deleteEntities(ids: ["nobody"]) }`, nil, nil, false},
	}
	if err := held.acquire(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := graphql.StartOperationTrace(context.Background())
			oc, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: c.query, Variables: c.vars})
			if errs != nil {
				if c.want {
					t.Fatalf("CreateOperationContext: %v", errs)
				}
				return // an operation gqlgen refuses never reaches the transport's dispatch
			}
			d := &directQuery{store: st, shapes: newShapeCache(), admission: c.heavy, answers: newAnswerBuffers()}
			rec := httptest.NewRecorder()
			if got := d.serve(graphql.WithOperationContext(ctx, oc), rec, mediaJSON, oc); got != c.want {
				t.Fatalf("served %v, want %v", got, c.want)
			}
			if !c.want && (rec.Body.Len() > 0 || len(rec.Header()) > 0) {
				t.Errorf("wrote %v %q for an operation left to gqlgen", rec.Header(), rec.Body)
			}
			if c.want && rec.Header().Get("Content-Length") == "" {
				t.Errorf("no Content-Length: %v", rec.Header())
			}
		})
	}
	if got := held.sem.TryAcquire(1); got {
		t.Error("the held worker was released by a query that did not take it")
	}
	held.sem.Release(1)
	free := newAdmission(1, 0)
	d := &directQuery{store: st, shapes: newShapeCache(), admission: free, answers: newAnswerBuffers()}
	oc, errs := exec.CreateOperationContext(graphql.StartOperationTrace(context.Background()), &graphql.RawParams{Query: `{ neighborhood(id: "enschede", depth: 3) { truncated } }`})
	if errs != nil {
		t.Fatal(errs)
	}
	if !d.serve(context.Background(), httptest.NewRecorder(), mediaJSON, oc) {
		t.Fatal("not served")
	}
	if !free.sem.TryAcquire(1) {
		t.Error("an expensive neighbourhood kept its worker after its answer")
	}
}
