package ledger

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Service reads and writes the ledger.
type Service struct {
	db  *sqlx.DB
	log *slog.Logger
	// Now is the clock (tests may replace it); the database stamps transactions itself.
	Now func() time.Time
	// Changed, when set, hears which accounts a committed write changed (for live updates such
	// as walletChanged). Writes in a caller's transaction are announced by the caller after
	// its commit, with Announce.
	Changed func(ctx context.Context, accountIDs []string)

	mu        sync.Mutex
	postStmt  *sqlx.Stmt
	batchStmt *sqlx.Stmt
	batch     batcher
}

// NewService returns a ledger service.
func NewService(db *sqlx.DB, log *slog.Logger) *Service {
	return &Service{db: db, log: log, Now: time.Now}
}

const postQuery = `SELECT status, transaction_id, created_at, balances, failed_account
	FROM ledger_post($1, $2, $3, $4::uuid[], $5::bigint[], $6, $7::jsonb, $8::uuid, $9::uuid)`

// prepared returns a prepared statement (prepared on first use), so that a call is one round
// trip (an unprepared query with parameters takes two with lib/pq).
func (s *Service) prepared(ctx context.Context, st **sqlx.Stmt, query string) (*sqlx.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *st != nil {
		return *st, nil
	}
	p, err := s.db.PreparexContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare ledger call: %w", err)
	}
	*st = p
	return p, nil
}

// Announce tells Changed (if set) that the accounts changed; call it after the commit of a
// transaction in which TransferTx, PostTx or ReverseTx wrote.
func (s *Service) Announce(ctx context.Context, accountIDs ...string) {
	if s.Changed != nil && len(accountIDs) > 0 {
		s.Changed(ctx, accountIDs)
	}
}

// preparedStmt returns the statement if it was prepared already, else nil.
func (s *Service) preparedStmt(st **sqlx.Stmt) *sqlx.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *st
}
