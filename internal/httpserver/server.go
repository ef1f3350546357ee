// Package httpserver serves the platform over HTTP: the GraphQL endpoint (POST, GET and
// WebSocket), health and readiness checks, Prometheus metrics, the GraphQL IDE in
// development, and the web client.
package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	coderws "github.com/coder/websocket"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/helpende-handen/helpende-handen/graph"
	"github.com/helpende-handen/helpende-handen/graph/generated"
	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/cache"
	"github.com/helpende-handen/helpende-handen/internal/config"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// OnBehalf lets a matchmaker act for a person who consented, and keeps a log of it.
type OnBehalf interface {
	ActiveConsent(ctx context.Context, matchmakerID, personID string) (bool, error)
	Log(ctx context.Context, personID, matchmakerID, action string) error
}

// notOnBehalf are the mutations only the person can do: consent, identity and leaving.
var notOnBehalf = map[string]bool{"deleteMyAccount": true, "changePassword": true, "exportMyData": true,
	"setProfileVisibility": true, "actOnBehalfConsent": true, "withdrawOnBehalfConsent": true, "logout": true, "login": true, "register": true,
	"updateMe": true, "calendarFeed": true}

// Server is the HTTP side of the platform.
type Server struct {
	cfg      config.Config
	db       *sqlx.DB
	redis    *cache.Client
	log      *slog.Logger
	accounts *accounts.Service
	metrics  *metrics
	handler  http.Handler
	onBehalf OnBehalf
	// queryCache is the hot-query cache (nil when off).
	queryCache *QueryCache
}

// New builds the server around the resolver's services.
func New(cfg config.Config, db *sqlx.DB, redis *cache.Client, log *slog.Logger, r *graph.Resolver, routes map[string]http.Handler,
	onBehalf OnBehalf) *Server {
	s := &Server{cfg: cfg, db: db, redis: redis, log: log, accounts: r.Accounts, metrics: newMetrics(), onBehalf: onBehalf}
	r.Sessions = cookies{s: s}
	if redis != nil {
		s.metrics.registry.MustRegister(redis.Collectors()...)
		s.metrics.registry.MustRegister(redis.Tags().Collectors()...)
	}

	gql := s.graphqlHandler(r)
	mux := http.NewServeMux()
	gqlChain := s.limitBody(s.authenticate(csrf(gql)))
	mux.Handle("/graphql", s.requestLog("/graphql", gqlChain))
	mux.Handle("GET /healthz", s.requestLog("/healthz", http.HandlerFunc(s.healthz)))
	mux.Handle("GET /readyz", s.requestLog("/readyz", http.HandlerFunc(s.readyz)))
	mux.Handle("GET /metrics", s.requestLog("/metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})))
	if cfg.Dev() {
		mux.Handle("GET /graphiql", s.requestLog("/graphiql", playground.Handler("Helpende Handen — GraphQL", "/graphql")))
	}
	for pattern, h := range routes {
		mux.Handle(pattern, s.requestLog(pattern, h))
	}
	mux.Handle("/", s.requestLog("/", s.webClient()))
	s.handler = securityHeaders(mux)
	return s
}

// Handler returns the root HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) graphqlHandler(r *graph.Resolver) http.Handler {
	es := generated.NewExecutableSchema(graph.NewConfig(r))
	srv := handler.New(es)

	origins := []string{}
	for _, o := range append([]string{s.cfg.PublicURL}, s.cfg.AllowedOrigins...) {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			origins = append(origins, u.Host)
		}
	}
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 15 * time.Second,
		InitTimeout:           10 * time.Second,
		// coder/websocket accepts same-origin handshakes and those from these hosts only.
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{OriginPatterns: origins}},
		InitFunc:       s.websocketInit,
	})
	srv.AddTransport(transport.Options{AllowedMethods: []string{"GET", "POST", "OPTIONS"}})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})

	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(s.cfg.ParserTokens)
	srv.SetErrorPresenter(s.presentError)
	srv.SetRecoverFunc(s.recoverPanic)
	if s.cfg.Dev() {
		srv.Use(extension.Introspection{})
	} else {
		srv.SetDisableSuggestion(true)
	}
	srv.Use(QueryLimits{MaxDepth: s.cfg.MaxDepth, MaxAliases: s.cfg.MaxAliases, MaxOperations: 10})
	srv.Use(extension.FixedComplexityLimit(s.cfg.MaxComplexity))
	srv.AroundResponses(s.metrics.aroundResponses)
	// Fresh batch loaders for each operation (each need's organisation in one query).
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(r.WithLoaders(ctx))
	})
	s.useRedis(srv)
	srv.AroundRootFields(s.onBehalfGuard)
	return srv
}

// websocketInit authenticates a WebSocket connection: by the session cookie of the
// handshake (already in ctx) or by an authToken in the connection_init payload.
func (s *Server) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	tok := payload.GetString("authToken")
	if tok == "" {
		if a := payload.Authorization(); a != "" {
			_, tok, _ = strings.Cut(a, " ")
		}
	}
	if tok != "" {
		v, err := s.accounts.Authenticate(ctx, tok)
		if err != nil {
			return ctx, nil, errors.New("UNAUTHENTICATED")
		}
		accounts.SetViewer(ctx, v)
	}
	return ctx, nil, nil
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// readyz reports whether PostgreSQL is reachable and migrated (required) and whether
// Redis answers (reported, not required: the platform works without it).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	res := map[string]string{"postgres": "ok", "migrations": "ok", "redis": "ok"}
	ready := true
	if err := s.db.PingContext(ctx); err != nil {
		res["postgres"], res["migrations"], ready = "unreachable", "unknown", false
	} else if err := database.CheckCurrent(ctx, s.db); err != nil {
		res["migrations"], ready = "behind", false
	}
	// Redis is optional: "degraded" (the API answers from PostgreSQL) keeps the instance ready.
	res["redis"] = s.redis.Status(ctx)
	if res["redis"] == "ok" {
		s.metrics.redisUp.Set(1)
	} else {
		s.metrics.redisUp.Set(0)
	}
	res["status"] = "ready"
	code := http.StatusOK
	if !ready {
		res["status"], code = "not ready", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(res)
}

// ListenAndServe serves until ctx is cancelled, then shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// onBehalfGuard refuses, when a matchmaker acts on a person's behalf, what only the person
// may do, and logs every mutation done on the person's behalf (visible to the person).
func (s *Server) onBehalfGuard(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	v := accounts.ViewerFrom(ctx)
	if v == nil || v.OnBehalfOf == "" || s.onBehalf == nil {
		return next(ctx)
	}
	fc := graphql.GetRootFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil || oc.Operation == nil || oc.Operation.Operation != "mutation" {
		return next(ctx)
	}
	if notOnBehalf[fc.Field.Name] {
		graphql.AddError(ctx, errs.ErrForbidden)
		return graphql.Null
	}
	if err := s.onBehalf.Log(ctx, v.PersonID, v.OnBehalfOf, fc.Field.Name); err != nil {
		graphql.AddError(ctx, err)
		return graphql.Null
	}
	return next(ctx)
}
