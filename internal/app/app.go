// Package app wires the platform's parts together: it opens PostgreSQL and Redis and
// builds the domain services, the GraphQL resolver and the HTTP server. The command in
// cmd/helpende-handen and the integration tests both start the platform through it.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/graph"
	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/cache"
	"github.com/helpende-handen/helpende-handen/internal/config"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/httpserver"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
	"github.com/helpende-handen/helpende-handen/internal/matchmaking"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/privacy"
	"github.com/helpende-handen/helpende-handen/internal/recommend"
	"github.com/helpende-handen/helpende-handen/internal/reference"
	"github.com/helpende-handen/helpende-handen/internal/rewards"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// App is a running platform's parts.
type App struct {
	Config        config.Config
	DB            *sqlx.DB
	Redis         *cache.Client
	Log           *slog.Logger
	Reference     *reference.Service
	Accounts      *accounts.Service
	Organisations *organisations.Service
	Volunteering  *volunteering.Service
	Broker        *volunteering.Broker
	// Bus carries live updates across API instances (Redis pub/sub, in-process without it).
	Bus *cache.Bus
	// ReadDB is the replica for lagging reads (DATABASE_READ_URL), or nil.
	ReadDB  *sqlx.DB
	Ledger  *ledger.Service
	Rewards *rewards.Service
	// Topics carries live updates by topic (walletChanged).
	Topics graph.Topics
	Server *httpserver.Server
}

// New builds the services on an open database and Redis client.
func New(cfg config.Config, db *sqlx.DB, redis *cache.Client, log *slog.Logger) *App {
	a := &App{Config: cfg, DB: db, Redis: redis, Log: log}
	a.Reference = reference.NewService(db)
	a.Accounts = accounts.NewService(db, redis, cfg.SessionTTL, log)
	a.Accounts.DistrictExists = func(ctx context.Context, key string) bool {
		snap, err := a.Reference.Snapshot(ctx)
		return err == nil && snap.District(key) != nil
	}
	a.Organisations = organisations.NewService(db, a.Reference, log)
	a.Broker = volunteering.NewBroker()
	redis.SetLogger(log)
	a.Bus = cache.NewBus(redis)
	a.Broker.Bus = a.Bus
	a.Volunteering = volunteering.NewService(db, a.Reference, a.Organisations, a.Broker, log)
	bank := talent.NewService(db, a.Reference)
	// Writes bump cache tags in Redis (internal/invalidate) before they return.
	a.Volunteering.Invalidator, a.Organisations.Invalidator, bank.Invalidator = redis.Tags(), redis.Tags(), redis.Tags()
	a.Ledger = ledger.NewService(db, log)
	a.Topics = a.Bus // walletChanged on every instance
	a.Ledger.Changed = a.announceWallets
	a.Rewards = rewards.NewService(db, a.Ledger, log)
	a.Rewards.Invalidator = redis.Tags()
	priv := privacy.NewService(db, a.Accounts)
	// Deleting an account withdraws the person's applications to come and cancels their
	// unused vouchers in the same transaction.
	priv.Closers = []privacy.AccountCloser{a.Volunteering, a.Rewards}
	r := &graph.Resolver{Accounts: a.Accounts, Orgs: a.Organisations, Reference: a.Reference,
		Volunteering: a.Volunteering, Broker: a.Broker, PublicURL: cfg.PublicURL,
		TalentBank: bank, Privacy: priv, Recommend: recommend.NewService(db, bank, a.Volunteering),
		Matchmaking: matchmaking.NewService(db, a.Volunteering), Ledger: a.Ledger, Topics: a.Topics,
		RewardService: a.Rewards}
	routes := map[string]http.Handler{
		"GET /calendar/{file}": calendarHandler(a.Volunteering, log),
		"GET /vouchers/{file}": voucherQRHandler(),
	}
	a.Server = httpserver.New(cfg, db, redis, log, r, routes, r.Matchmaking)
	return a
}

// Open connects to PostgreSQL and Redis as cfg says and builds the App.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	redis, err := cache.Open(cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	if err := redis.Ping(ctx); err != nil {
		log.Warn("redis is not answering; the platform works without it and will use it when it is back", "err", err)
	}
	if cfg.Allowlist != "" && cfg.Allowlist != "registered" {
		if _, _, err := cache.LoadAllowList(cfg.Allowlist); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("GRAPHQL_ALLOWLIST: %w", err)
		}
	}
	a := New(cfg, db, redis, log)
	if cfg.DatabaseReadURL != "" {
		rdb, err := database.Open(ctx, cfg.DatabaseReadURL)
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("read replica: %w", err)
		}
		a.ReadDB, a.Volunteering.ReadDB, a.Organisations.ReadDB = rdb, rdb, rdb
	}
	return a, nil
}

// Close releases connections.
func (a *App) Close() {
	if a.Bus != nil {
		_ = a.Bus.Close()
	}
	if a.ReadDB != nil {
		_ = a.ReadDB.Close()
	}
	if a.Redis != nil {
		_ = a.Redis.Close()
	}
	_ = a.DB.Close()
}

// announceWallets tells the owners of the wallets among the changed accounts (walletChanged).
func (a *App) announceWallets(ctx context.Context, accountIDs []string) {
	var owners []string
	if err := a.DB.SelectContext(context.WithoutCancel(ctx), &owners, `SELECT owner_id FROM ledger_accounts
		WHERE id = ANY ($1::uuid[]) AND kind = 'WALLET'`, pq.StringArray(accountIDs)); err != nil {
		a.Log.WarnContext(ctx, "announce wallet change", "err", err)
		return
	}
	for _, o := range owners {
		a.Topics.Publish(ctx, graph.WalletTopic(o), nil)
	}
}
