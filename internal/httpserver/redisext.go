package httpserver

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/cache"
	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// useRedis adds the extensions that use Redis: automatic persisted queries (and the
// allow-list), rate limits and the hot-query cache. Each works without Redis: persisted
// queries from this instance's memory, rate limits fail open, the cache is bypassed.
func (s *Server) useRedis(srv *handler.Server) {
	apq := cache.NewPersistedQueries(s.redis)
	switch s.cfg.Allowlist {
	case "":
		srv.Use(extension.AutomaticPersistedQuery{Cache: apq})
	case "registered":
		apq.ReadOnly = true
		srv.Use(extension.AutomaticPersistedQuery{Cache: apq})
		srv.Use(allowList{store: apq})
	default:
		hashes, queries, err := cache.LoadAllowList(s.cfg.Allowlist)
		if err != nil {
			// Fail closed: production asked for an allow-list.
			s.log.Error("GRAPHQL_ALLOWLIST unreadable: no operation will run", "err", err)
			hashes = map[string]bool{}
		}
		apq.ReadOnly = true
		apq.Pin(queries)
		srv.Use(extension.AutomaticPersistedQuery{Cache: apq})
		srv.Use(allowList{hashes: hashes})
	}
	if s.redis != nil && (s.cfg.RateMutations > 0 || s.cfg.RateAnonCost > 0) {
		srv.Use(rateLimits{s: s, window: time.Minute})
	}
	if s.redis != nil && s.cfg.QueryCache {
		s.queryCache = NewQueryCache(s.redis, s.log)
		s.metrics.registry.MustRegister(s.queryCache.Collectors()...)
		srv.Use(s.queryCache)
	}
}

// allowList lets only listed operations run (GRAPHQL_ALLOWLIST). It runs after the APQ
// extension, so a request by hash alone has its query by then.
type allowList struct {
	hashes map[string]bool
	store  *cache.PersistedQueries // "registered": the persisted queries in Redis
}

func (allowList) ExtensionName() string                   { return "AllowList" }
func (allowList) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (a allowList) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	h := cache.Hash(p.Query)
	if a.hashes[h] || a.store != nil && a.store.Known(ctx, h) {
		return nil
	}
	return &gqlerror.Error{Message: "this operation is not on the allow-list", Extensions: map[string]any{"code": "FORBIDDEN"}}
}

// rateLimits counts, per fixed one-minute window in Redis, the mutations of each person
// (anonymous: each address) and the query cost (complexity) of each anonymous address.
// Over the limit the operation is refused with RATE_LIMITED, extensions.retryAfter and a
// Retry-After header. When Redis does not answer, everything is let through.
type rateLimits struct {
	s      *Server
	window time.Duration
}

func (rateLimits) ExtensionName() string                   { return "RateLimits" }
func (rateLimits) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse implements graphql.ResponseInterceptor (after the complexity has been
// computed, before the query cache, so cached answers count too).
func (l rateLimits) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	rc := graphql.GetOperationContext(ctx)
	if rc.Operation == nil {
		return next(ctx)
	}
	v := accounts.ViewerFrom(ctx)
	who := "ip:" + accounts.ClientMetaFrom(ctx).IP
	if v != nil {
		who = "person:" + v.PersonID
	}
	var key string
	var cost, limit int64
	switch rc.Operation.Operation {
	case ast.Mutation:
		key, cost, limit = "mut:"+who, int64(len(rc.Operation.SelectionSet)), int64(l.s.cfg.RateMutations)
	case ast.Query:
		if v != nil {
			return next(ctx)
		}
		stats := extension.GetComplexityStats(ctx)
		cost = 1
		if stats != nil && stats.Complexity > 0 {
			cost = int64(stats.Complexity)
		}
		key, limit = "cost:"+who, int64(l.s.cfg.RateAnonCost)
	default:
		return next(ctx)
	}
	if limit <= 0 || !l.s.redis.Available() {
		return next(ctx)
	}
	ok, retry, err := l.s.redis.RateLimit(ctx, key, cost, limit, l.window)
	if err != nil || ok {
		return next(ctx)
	}
	return &graphql.Response{Errors: gqlerror.List{l.s.presentError(ctx, &errs.RateLimitedError{RetryAfter: retry})}}
}
