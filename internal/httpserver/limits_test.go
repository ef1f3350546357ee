package httpserver

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// limitsSchema is a tiny schema with a recursive type, enough to nest as deep as we like.
var limitsSchema = gqlparser.MustLoadSchema(&ast.Source{Name: "limits.graphqls", Input: `
	type Query { node: Node, nodes: [Node!]!, ping: Boolean }
	interface Named { name: String }
	type Node implements Named { name: String, child: Node, children: [Node!]! }
`})

// limitsOperation parses and validates query against limitsSchema, as gqlgen does before
// running operation context mutators.
func limitsOperation(t *testing.T, query, operationName string) *graphql.OperationContext {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(limitsSchema, query)
	if len(errs) > 0 {
		t.Fatalf("invalid test query %q: %v", query, errs)
	}
	return &graphql.OperationContext{Doc: doc, Operation: doc.Operations.ForName(operationName), OperationName: operationName}
}

// limitsNested returns a query nested depth levels deep: { node { child { ... name } } }.
func limitsNested(depth int) string {
	if depth < 2 {
		return "{ ping }"
	}
	return "{ node { " + strings.Repeat("child { ", depth-2) + "name" + strings.Repeat(" }", depth-2) + " } }"
}

func limitsCheck(t *testing.T, l QueryLimits, rc *graphql.OperationContext, wantRefused bool) {
	t.Helper()
	err := l.MutateOperationContext(context.Background(), rc)
	if wantRefused {
		if err == nil {
			t.Fatalf("accepted, want refused")
		}
		if code, _ := err.Extensions["code"].(string); code != "QUERY_TOO_COMPLEX" {
			t.Errorf("code = %v, want QUERY_TOO_COMPLEX", err.Extensions["code"])
		}
		return
	}
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
}

func TestQueryLimitsDepth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		maxDepth int
		query    string
		refused  bool
	}{
		{"one level", 1, `{ ping }`, false},
		{"exactly at the limit", 5, limitsNested(5), false},
		{"one over the limit", 5, limitsNested(6), true},
		{"far over the limit", 5, limitsNested(60), true},
		{"only the deepest branch counts", 4, `{ ping node { name } nodes { child { child { name } } } }`, false},
		{"a deep branch after shallow ones", 3, `{ ping node { name } nodes { child { child { name } } } }`, true},
		{"leaf of an object is one level more", 2, `{ node { child { name } } }`, true},
		{"fragment spreads count as their fields", 3, `{ node { ...F } } fragment F on Node { child { child { name } } }`, true},
		{"fragment within the limit", 4, `{ node { ...F } } fragment F on Node { child { child { name } } }`, false},
		{"nested fragment spreads", 4, `{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { child { name } } }`, true},
		{"inline fragments count as their fields", 3, `{ node { ... on Node { child { child { name } } } } }`, true},
		{"inline fragment on an interface", 3, `{ node { ... on Named { ... on Node { child { child { name } } } } } }`, true},
		{"introspection is not counted", 2, `{ __schema { types { fields { type { ofType { ofType { name } } } } } } }`, false},
		{"__typename is not counted", 1, `{ __typename ping }`, false},
		{"zero means no limit", 0, limitsNested(200), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limitsCheck(t, QueryLimits{MaxDepth: tt.maxDepth}, limitsOperation(t, tt.query, ""), tt.refused)
		})
	}
}

func TestQueryLimitsAliases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		maxAliases int
		query      string
		refused    bool
	}{
		{"no aliases", 1, `{ ping node { name } }`, false},
		{"at the limit", 2, `{ a: ping b: ping }`, false},
		{"over the limit", 2, `{ a: ping b: ping c: ping }`, true},
		{"nested aliases count", 2, `{ a: node { b: name c: name } }`, true},
		{"aliases in a fragment count each time it is spread", 3,
			`{ x: node { ...F } y: node { ...F } } fragment F on Node { a: name }`, true},
		{"aliases in inline fragments count", 1, `{ node { ... on Node { a: name b: name } } }`, true},
		{"an alias that equals the field name is not counted", 1, `{ ping: ping node: node { name: name } a: ping }`, false},
		{"zero means no limit", 0, `{ a: ping b: ping c: ping d: ping e: ping }`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limitsCheck(t, QueryLimits{MaxAliases: tt.maxAliases}, limitsOperation(t, tt.query, ""), tt.refused)
		})
	}
}

func TestQueryLimitsOperations(t *testing.T) {
	t.Parallel()
	doc := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString("query Q" + string(rune('a'+i)) + " { ping }\n")
		}
		return b.String()
	}
	limitsCheck(t, QueryLimits{MaxOperations: 3}, limitsOperation(t, doc(3), "Qa"), false)
	limitsCheck(t, QueryLimits{MaxOperations: 3}, limitsOperation(t, doc(4), "Qa"), true)
	limitsCheck(t, QueryLimits{}, limitsOperation(t, doc(20), "Qa"), false)
}

// The limits apply to the operation that runs, not to the others in the document.
func TestQueryLimitsMeasureTheSelectedOperation(t *testing.T) {
	t.Parallel()
	q := `query Shallow { ping } query Deep ` + limitsNested(10)
	limitsCheck(t, QueryLimits{MaxDepth: 3}, limitsOperation(t, q, "Shallow"), false)
	limitsCheck(t, QueryLimits{MaxDepth: 3}, limitsOperation(t, q, "Deep"), true)
}

func TestQueryLimitsWithoutDocumentOrOperation(t *testing.T) {
	t.Parallel()
	l := QueryLimits{MaxDepth: 1, MaxAliases: 1, MaxOperations: 1}
	if err := l.MutateOperationContext(context.Background(), &graphql.OperationContext{}); err != nil {
		t.Errorf("no document: %v", err)
	}
	doc, _ := gqlparser.LoadQuery(limitsSchema, `{ ping }`)
	if err := l.MutateOperationContext(context.Background(), &graphql.OperationContext{Doc: doc}); err != nil {
		t.Errorf("no operation: %v", err)
	}
}

// Validation refuses fragment cycles before the limits run, but the walker must not loop
// forever on one either (defence in depth): here the cycle is wired up by hand.
func TestQueryLimitsSurviveFragmentCycles(t *testing.T) {
	t.Parallel()
	doc, err := parser.ParseQuery(&ast.Source{Input: `{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { ...A } }`})
	if err != nil {
		t.Fatal(err)
	}
	var link func(ast.SelectionSet)
	link = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				link(s.SelectionSet)
			case *ast.FragmentSpread:
				s.Definition = doc.Fragments.ForName(s.Name)
			}
		}
	}
	link(doc.Operations[0].SelectionSet)
	for _, f := range doc.Fragments {
		link(f.SelectionSet)
	}
	rc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
	type result struct{ small, big bool }
	done := make(chan result, 1)
	go func() {
		// With the limits, the cycle is cut where it repeats and measured: node, child, child.
		small := QueryLimits{MaxDepth: 2}.MutateOperationContext(context.Background(), rc) != nil
		big := QueryLimits{MaxDepth: 3, MaxAliases: 1}.MutateOperationContext(context.Background(), rc) != nil
		done <- result{small, big}
	}()
	select {
	case r := <-done:
		if !r.small || r.big {
			t.Errorf("refused with depth 2: %v (want true); with depth 3: %v (want false)", r.small, r.big)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the walker loops on a fragment cycle")
	}
}
