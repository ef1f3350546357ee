package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/i18n"
)

func isUnauthenticated(err error) bool { return errors.Is(err, errs.ErrUnauthenticated) }

// presentError maps errors to GraphQL errors with extensions.code, in the user's language.
// Errors the domain did not mean for the user become INTERNAL and say nothing of internals.
func (s *Server) presentError(ctx context.Context, err error) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	lang := i18n.FromContext(ctx)
	set := func(code, key string, args map[string]any) *gqlerror.Error {
		gerr.Message = i18n.T(lang, key, args)
		if gerr.Extensions == nil {
			gerr.Extensions = map[string]any{}
		}
		gerr.Extensions["code"] = code
		return gerr
	}
	var rl *errs.RateLimitedError
	switch {
	case errors.Is(err, errs.ErrUnauthenticated):
		return set("UNAUTHENTICATED", "err_unauthenticated", nil)
	case errors.Is(err, errs.ErrForbidden):
		return set("FORBIDDEN", "err_forbidden", nil)
	case errors.Is(err, errs.ErrNotFound):
		return set("NOT_FOUND", "err_not_found", nil)
	case errors.As(err, &rl):
		secs := int(math.Ceil(rl.RetryAfter.Seconds()))
		gerr = set("RATE_LIMITED", "err_rate_limited", map[string]any{"Seconds": secs})
		gerr.Extensions["retryAfter"] = secs
		if w, ok := ctx.Value(responseWriterKey{}).(http.ResponseWriter); ok {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
		return gerr
	}
	if ue, ok := errs.AsUserErrors(err); ok && len(ue) > 0 {
		// Bad arguments of a query (mutations return user errors in their payload).
		gerr = set("BAD_USER_INPUT", ue[0].Message, ue[0].Args)
		gerr.Extensions["field"] = ue[0].Field
		return gerr
	}
	if strings.HasSuffix(err.Error(), "introspection disabled") {
		return set("FORBIDDEN", "err_introspection_off", nil)
	}
	if code, _ := gerr.Extensions["code"].(string); code == "COMPLEXITY_LIMIT_EXCEEDED" || code == "QUERY_TOO_COMPLEX" {
		return set("QUERY_TOO_COMPLEX", "err_too_complex", nil)
	}
	if code, _ := gerr.Extensions["code"].(string); code == "PERSISTED_QUERY_NOT_FOUND" {
		return gerr
	}
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err == nil {
		// Made by the GraphQL engine (parse, validation, variables) or on purpose by us: keep it.
		return gerr
	}
	var input inputError
	if errors.As(err, &input) {
		return gerr
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		// The client went away (a closed tab, a newer search): nobody reads this answer,
		// and nothing went wrong on our side.
		s.log.DebugContext(ctx, "request abandoned by the client", "path", gerr.Path.String())
		gerr.Extensions = nil
		return set("INTERNAL", "err_internal", nil)
	}
	s.log.ErrorContext(ctx, "internal error", "err", err, "path", gerr.Path.String())
	s.metrics.internalErrors.Inc()
	gerr.Extensions = nil
	return set("INTERNAL", "err_internal", nil)
}

// inputError marks errors about malformed input values (scalars) that may be shown as is.
type inputError interface{ InputError() bool }

func (s *Server) recoverPanic(ctx context.Context, p any) error {
	s.log.ErrorContext(ctx, "panic in resolver", "panic", p)
	return errors.New("internal error")
}

// writeGraphQLError answers a request that never reached GraphQL execution with a
// GraphQL-shaped error body.
func writeGraphQLError(w http.ResponseWriter, r *http.Request, status int, key, code string) {
	lang := i18n.FromContext(r.Context())
	body := map[string]any{"errors": []map[string]any{{"message": i18n.T(lang, key, nil), "extensions": map[string]any{"code": code}}}}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
