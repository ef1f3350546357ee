package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// BalanceMismatch is an account whose kept balance is not the sum of its postings.
type BalanceMismatch struct {
	AccountID     string `db:"id"`
	Kind          string `db:"kind"`
	Balance       int64  `db:"balance"`
	SumOfPostings int64  `db:"total"`
}

// AuditReport is the result of rebuilding every balance from the postings. On a sound
// ledger every list is empty and SumOfPostings is zero.
type AuditReport struct {
	At            time.Time
	Accounts      int64
	Transactions  int64
	Postings      int64
	SumOfPostings int64
	// BalanceMismatches: kept balance ≠ sum of postings.
	BalanceMismatches []BalanceMismatch
	// UnbalancedTransactions: postings not summing to zero, or fewer than two.
	UnbalancedTransactions []string
	// RunningBalanceBreaks: accounts where a posting's balance_after is not the running sum.
	RunningBalanceBreaks []string
	// NegativeAccounts: accounts below zero that may not be.
	NegativeAccounts []string
	// BadReversals: reversals that are not the exact opposite of what they reverse.
	BadReversals []string
	// MintMismatches: applications whose mint record does not match the coins the wallet got.
	MintMismatches []string
	// OrphanPostings: postings of a transaction or an account that does not exist.
	OrphanPostings []int64
}

// OK reports whether the audit found nothing wrong.
func (r *AuditReport) OK() bool {
	return r.SumOfPostings == 0 && len(r.BalanceMismatches) == 0 && len(r.UnbalancedTransactions) == 0 &&
		len(r.RunningBalanceBreaks) == 0 && len(r.NegativeAccounts) == 0 && len(r.BadReversals) == 0 &&
		len(r.MintMismatches) == 0 && len(r.OrphanPostings) == 0
}

// Problems describes every difference found, one line each (none on a sound ledger).
func (r *AuditReport) Problems() []string {
	var out []string
	if r.SumOfPostings != 0 {
		out = append(out, fmt.Sprintf("the sum of all postings is %d, not 0", r.SumOfPostings))
	}
	for _, m := range r.BalanceMismatches {
		out = append(out, fmt.Sprintf("account %s (%s): balance %d, postings sum to %d", m.AccountID, m.Kind, m.Balance, m.SumOfPostings))
	}
	for _, id := range r.UnbalancedTransactions {
		out = append(out, "transaction "+id+" does not balance")
	}
	for _, id := range r.RunningBalanceBreaks {
		out = append(out, "account "+id+": a balance_after is not the running sum")
	}
	for _, id := range r.NegativeAccounts {
		out = append(out, "account "+id+" is below zero")
	}
	for _, id := range r.BadReversals {
		out = append(out, "reversal "+id+" is not the opposite of what it reverses")
	}
	for _, id := range r.MintMismatches {
		out = append(out, "mint of application "+id+" does not match its transaction")
	}
	for _, id := range r.OrphanPostings {
		out = append(out, fmt.Sprintf("posting %d has no transaction or no account", id))
	}
	return out
}

// Audit rebuilds every balance from the postings, in one consistent snapshot, and reports
// every difference. It only reads, so it can run while the ledger is in use.
func (s *Service) Audit(ctx context.Context) (*AuditReport, error) {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin audit: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	r := &AuditReport{At: s.Now()}
	if err := tx.QueryRowxContext(ctx, `SELECT (SELECT count(*) FROM ledger_accounts), (SELECT count(*) FROM ledger_transactions),
		count(*), coalesce(sum(amount), 0) FROM ledger_postings`).Scan(&r.Accounts, &r.Transactions, &r.Postings, &r.SumOfPostings); err != nil {
		return nil, fmt.Errorf("audit totals: %w", err)
	}
	if err := tx.SelectContext(ctx, &r.BalanceMismatches, `
		SELECT a.id, a.kind, a.balance, coalesce(s.total, 0) AS total
		FROM ledger_accounts a
		LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_postings GROUP BY account_id) s ON s.account_id = a.id
		WHERE a.balance <> coalesce(s.total, 0) ORDER BY a.id LIMIT 1000`); err != nil {
		return nil, fmt.Errorf("audit balances: %w", err)
	}
	if err := tx.SelectContext(ctx, &r.OrphanPostings, `SELECT p.id FROM ledger_postings p
		WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = p.transaction_id)
		OR NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = p.account_id) ORDER BY p.id LIMIT 1000`); err != nil {
		return nil, fmt.Errorf("audit orphans: %w", err)
	}
	lists := []struct {
		into *[]string
		q    string
	}{
		{&r.UnbalancedTransactions, `SELECT t.id FROM ledger_transactions t LEFT JOIN ledger_postings p ON p.transaction_id = t.id
			GROUP BY t.id HAVING coalesce(sum(p.amount), 0) <> 0 OR count(p.id) < 2 ORDER BY t.id LIMIT 1000`},
		{&r.RunningBalanceBreaks, `SELECT DISTINCT account_id FROM (
				SELECT account_id, balance_after, sum(amount) OVER (PARTITION BY account_id ORDER BY id) AS running
				FROM ledger_postings) x
			WHERE balance_after <> running ORDER BY account_id LIMIT 1000`},
		{&r.NegativeAccounts, `SELECT id FROM ledger_accounts WHERE balance < 0 AND NOT allow_negative
			UNION SELECT p.account_id FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
			WHERE p.balance_after < 0 AND NOT a.allow_negative LIMIT 1000`},
		{&r.BadReversals, `SELECT r.id FROM ledger_transactions r
			JOIN ledger_postings rp ON rp.transaction_id = r.id
			LEFT JOIN ledger_postings op ON op.transaction_id = r.reverses AND op.account_id = rp.account_id AND op.amount = -rp.amount
			WHERE r.reverses IS NOT NULL
			GROUP BY r.id, r.reverses
			HAVING count(op.id) <> count(*) OR count(*) <> (SELECT count(*) FROM ledger_postings o WHERE o.transaction_id = r.reverses)
			ORDER BY r.id LIMIT 1000`},
		{&r.MintMismatches, `SELECT m.application_id FROM mint_records m
			LEFT JOIN ledger_transactions t ON t.id = m.transaction_id
			LEFT JOIN ledger_postings p ON p.transaction_id = m.transaction_id AND p.amount > 0
			GROUP BY m.application_id, m.coins_minted, t.kind, t.idempotency_key
			HAVING coalesce(sum(p.amount), 0) <> m.coins_minted
				OR (m.coins_minted > 0 AND (t.kind <> 'MINT' OR t.idempotency_key <> 'mint:' || m.application_id))
			ORDER BY m.application_id LIMIT 1000`},
	}
	for _, l := range lists {
		if err := tx.SelectContext(ctx, l.into, l.q); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
	}
	return r, nil
}
