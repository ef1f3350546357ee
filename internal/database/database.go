// Package database opens PostgreSQL and applies the embedded migrations with goose.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // PostgreSQL driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/helpende-handen/helpende-handen/migrations"
)

// Open connects to PostgreSQL and checks the connection.
func Open(ctx context.Context, url string) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// 20 connections keep a 2-core database busy; more only queue inside PostgreSQL, and
	// several instances (or test servers) must stay under its max_connections (100).
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return db, nil
}

func provider(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true),
		// Migrations made on parallel branches may land in another order than their numbers.
		goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// MigrationResult is one applied migration.
type MigrationResult struct {
	Version  int64
	Name     string
	Duration time.Duration
}

// Migrate applies every pending migration, under a PostgreSQL advisory lock so that
// several processes can call it at once.
func Migrate(ctx context.Context, db *sqlx.DB) ([]MigrationResult, error) {
	p, err := provider(db.DB)
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	out := make([]MigrationResult, 0, len(res))
	for _, r := range res {
		out = append(out, MigrationResult{Version: r.Source.Version, Name: r.Source.Path, Duration: r.Duration})
	}
	return out, nil
}

// MigrationStatus is the state of one migration.
type MigrationStatus struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Status lists every migration and whether it is applied.
func Status(ctx context.Context, db *sqlx.DB) ([]MigrationStatus, error) {
	p, err := provider(db.DB)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{
			Version: s.Source.Version, Name: s.Source.Path,
			Applied: s.State == goose.StateApplied, AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// ErrBehind says the database misses migrations that this binary has.
var ErrBehind = errors.New("the database is behind this version of the platform")

// CheckCurrent returns ErrBehind (wrapped, with the versions) when migrations are pending.
func CheckCurrent(ctx context.Context, db *sqlx.DB) error {
	p, err := provider(db.DB)
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read migration version: %w", err)
	}
	if current < target {
		return fmt.Errorf("%w: database at version %d, binary needs %d", ErrBehind, current, target)
	}
	return nil
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled back otherwise.
func InTx(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
