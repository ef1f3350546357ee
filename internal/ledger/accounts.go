package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// validID reports whether s is a UUID in canonical form.
func validID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

func checkOwner(kind, ownerID string) error {
	if !slices.Contains(AccountKinds, kind) {
		return fmt.Errorf("ledger: unknown account kind %q", kind)
	}
	switch {
	case ownerID != "" && !validID(ownerID):
		return errs.One("ownerId", errs.Invalid, "invalid_id", nil)
	case ownerID == "" && (kind == KindWallet || kind == KindMerchant):
		return fmt.Errorf("ledger: a %s account needs an owner", kind)
	case ownerID != "" && kind == KindFunding:
		return fmt.Errorf("ledger: the funding account has no owner")
	}
	return nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Account returns the account of a kind and owner ("" for the city's own accounts),
// creating it (at zero) when it does not exist yet.
func (s *Service) Account(ctx context.Context, kind, ownerID string) (Account, error) {
	return accountTx(ctx, s.db, kind, ownerID)
}

// Wallet returns a person's wallet, creating it when needed.
func (s *Service) Wallet(ctx context.Context, personID string) (Account, error) {
	return s.Account(ctx, KindWallet, personID)
}

// CityIssuer returns the city's issuer account (its minting budget).
func (s *Service) CityIssuer(ctx context.Context) (Account, error) {
	return s.Account(ctx, KindIssuer, "")
}

// Funding returns the city's funding source.
func (s *Service) Funding(ctx context.Context) (Account, error) {
	return s.Account(ctx, KindFunding, "")
}

func accountTx(ctx context.Context, q sqlx.ExtContext, kind, ownerID string) (Account, error) {
	var a Account
	if err := checkOwner(kind, ownerID); err != nil {
		return a, err
	}
	cond := `kind = $1 AND owner_id IS NULL AND $2::uuid IS NULL`
	if ownerID != "" {
		cond = `kind = $1 AND owner_id = $2::uuid`
	}
	// Get first (the common case), then create. When a concurrent call created it first,
	// ON CONFLICT returns nothing and the next read (a new snapshot) finds it.
	for attempt := 0; attempt < 3; attempt++ {
		err := sqlx.GetContext(ctx, q, &a, `SELECT `+accountColumns+` FROM ledger_accounts WHERE `+cond, kind, nullable(ownerID))
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return a, fmt.Errorf("load account: %w", err)
		}
		err = sqlx.GetContext(ctx, q, &a, `INSERT INTO ledger_accounts (kind, owner_id, allow_negative)
			VALUES ($1, $2::uuid, $1 = 'FUNDING') ON CONFLICT (kind, owner_id) DO NOTHING RETURNING `+accountColumns,
			kind, nullable(ownerID))
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return a, fmt.Errorf("create account: %w", err)
		}
	}
	return a, fmt.Errorf("create account %s: gave up", kind)
}

// Accounts returns the accounts of one kind for many owners (in the order of ownerIDs),
// creating those that do not exist yet.
func (s *Service) Accounts(ctx context.Context, kind string, ownerIDs []string) ([]Account, error) {
	for _, o := range ownerIDs {
		if o == "" {
			return nil, fmt.Errorf("ledger: Accounts needs owners")
		}
		if err := checkOwner(kind, o); err != nil {
			return nil, err
		}
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO ledger_accounts (kind, owner_id)
		SELECT $1, o FROM unnest($2::uuid[]) o ORDER BY o ON CONFLICT (kind, owner_id) DO NOTHING`,
		kind, pq.StringArray(ownerIDs)); err != nil {
		return nil, fmt.Errorf("create accounts: %w", err)
	}
	var found []Account
	if err := s.db.SelectContext(ctx, &found, `SELECT `+accountColumns+` FROM ledger_accounts
		WHERE kind = $1 AND owner_id = ANY ($2::uuid[])`, kind, pq.StringArray(ownerIDs)); err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	byOwner := make(map[string]Account, len(found))
	for _, a := range found {
		byOwner[*a.OwnerID] = a
	}
	out := make([]Account, 0, len(ownerIDs))
	for _, o := range ownerIDs {
		out = append(out, byOwner[o])
	}
	return out, nil
}

// AccountByID returns an account; errs.ErrNotFound when there is none.
func (s *Service) AccountByID(ctx context.Context, id string) (Account, error) {
	var a Account
	if !validID(id) {
		return a, errs.ErrNotFound
	}
	err := s.db.GetContext(ctx, &a, `SELECT `+accountColumns+` FROM ledger_accounts WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return a, errs.ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("load account: %w", err)
	}
	return a, nil
}

// Balance returns an account's balance; errs.ErrNotFound when there is no such account.
func (s *Service) Balance(ctx context.Context, accountID string) (int64, error) {
	a, err := s.AccountByID(ctx, accountID)
	return a.Balance, err
}

// KindBalance returns the sum of the balances of every account of a kind.
func (s *Service) KindBalance(ctx context.Context, kind string) (int64, error) {
	var n int64
	if err := s.db.GetContext(ctx, &n, `SELECT coalesce(sum(balance), 0) FROM ledger_accounts WHERE kind = $1`, kind); err != nil {
		return 0, fmt.Errorf("balance of %s accounts: %w", kind, err)
	}
	return n, nil
}

// AccountsOfKind lists every account of a kind (issuers, merchants, ...), the city's own first.
func (s *Service) AccountsOfKind(ctx context.Context, kind string) ([]Account, error) {
	out := []Account{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+accountColumns+` FROM ledger_accounts WHERE kind = $1
		ORDER BY owner_id NULLS FIRST, id LIMIT 1000`, kind); err != nil {
		return nil, fmt.Errorf("list %s accounts: %w", kind, err)
	}
	return out, nil
}

// EntryCount is how many postings an account has.
func (s *Service) EntryCount(ctx context.Context, accountID string) (int, error) {
	var n int
	if !validID(accountID) {
		return 0, nil
	}
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM ledger_postings WHERE account_id = $1`, accountID); err != nil {
		return 0, fmt.Errorf("count entries: %w", err)
	}
	return n, nil
}
