package httpserver

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// QueryLimits refuses operations that nest too deeply, use too many aliases, or send
// too many operations in one document. gqlgen has no depth limit of its own.
// Introspection fields (__schema, __type) are not counted: they are off in production.
type QueryLimits struct {
	MaxDepth      int
	MaxAliases    int
	MaxOperations int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = QueryLimits{}

// ExtensionName implements graphql.HandlerExtension.
func (QueryLimits) ExtensionName() string { return "QueryLimits" }

// Validate implements graphql.HandlerExtension.
func (QueryLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (l QueryLimits) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Doc == nil {
		return nil
	}
	if l.MaxOperations > 0 && len(rc.Doc.Operations) > l.MaxOperations {
		return tooComplex("too many operations in one document")
	}
	op := rc.Operation
	if op == nil {
		return nil
	}
	w := walker{limits: l}
	depth := w.depth(op.SelectionSet, 1, map[string]bool{})
	if w.err != nil {
		return w.err
	}
	if l.MaxDepth > 0 && depth > l.MaxDepth {
		return tooComplex("query is nested too deeply")
	}
	return nil
}

func tooComplex(msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": "QUERY_TOO_COMPLEX"}}
}

type walker struct {
	limits  QueryLimits
	aliases int
	err     *gqlerror.Error
}

// depth returns the deepest field nesting below set; fragments count as their fields.
func (w *walker) depth(set ast.SelectionSet, level int, visiting map[string]bool) int {
	deepest := level - 1
	for _, sel := range set {
		if w.err != nil {
			return deepest
		}
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			if s.Alias != "" && s.Alias != s.Name {
				w.aliases++
				if w.limits.MaxAliases > 0 && w.aliases > w.limits.MaxAliases {
					w.err = tooComplex("too many aliases")
					return deepest
				}
			}
			d = level
			if len(s.SelectionSet) > 0 {
				d = w.depth(s.SelectionSet, level+1, visiting)
			}
		case *ast.InlineFragment:
			d = w.depth(s.SelectionSet, level, visiting)
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue
			}
			visiting[s.Name] = true
			d = w.depth(s.Definition.SelectionSet, level, visiting)
			delete(visiting, s.Name)
		}
		if d > deepest {
			deepest = d
		}
		if w.limits.MaxDepth > 0 && deepest > w.limits.MaxDepth {
			w.err = tooComplex("query is nested too deeply")
			return deepest
		}
	}
	return deepest
}
