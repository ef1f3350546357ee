package rewards

import (
	"context"
	"database/sql"
	"fmt"
)

// Mismatch is an account whose balance is not what the vouchers or statements say.
type Mismatch struct {
	What     string `db:"what"`     // outstanding, merchant, settlement, statement
	Owner    string `db:"owner"`    // the merchant (or statement) id; "" for the city
	Balance  int64  `db:"balance"`  // what the ledger holds
	Expected int64  `db:"expected"` // what the vouchers or statements say
}

// AuditReport compares vouchers and statements with the ledger. On a sound platform it is empty.
type AuditReport struct {
	Mismatches []Mismatch
}

// OK reports whether nothing differs.
func (r *AuditReport) OK() bool { return len(r.Mismatches) == 0 }

// Problems describes every difference, one line each.
func (r *AuditReport) Problems() []string {
	out := make([]string, 0, len(r.Mismatches))
	for _, m := range r.Mismatches {
		out = append(out, fmt.Sprintf("%s %s: ledger %d, expected %d", m.What, m.Owner, m.Balance, m.Expected))
	}
	return out
}

// Audit checks, in one snapshot, that every merchant's vouchers-outstanding balance is the
// sum of the prices of its issued vouchers, every merchant balance the sum of its accepted
// vouchers not settled yet, each statement the sum of the vouchers it settled, and the city's
// settlement account the sum of all statements. It only reads.
func (s *Service) Audit(ctx context.Context) (*AuditReport, error) {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin audit: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	r := &AuditReport{}
	if err := tx.SelectContext(ctx, &r.Mismatches, `
		WITH acc AS (
			SELECT kind, coalesce(owner_id::text, '') AS owner, balance FROM ledger_accounts
			WHERE kind IN ('VOUCHERS_OUTSTANDING', 'MERCHANT', 'SETTLEMENT')
		), want AS (
			SELECT 'VOUCHERS_OUTSTANDING' AS kind, merchant_id::text AS owner, sum(price) AS expected
			FROM vouchers WHERE state = 'ISSUED' GROUP BY merchant_id
			UNION ALL
			SELECT 'MERCHANT', merchant_id::text, sum(price) FROM vouchers
			WHERE state = 'ACCEPTED' AND statement_id IS NULL GROUP BY merchant_id
			UNION ALL
			SELECT 'SETTLEMENT', '', sum(coins) FROM settlement_statements
		)
		SELECT CASE coalesce(acc.kind, want.kind) WHEN 'VOUCHERS_OUTSTANDING' THEN 'outstanding'
				WHEN 'MERCHANT' THEN 'merchant' ELSE 'settlement' END AS what,
			coalesce(acc.owner, want.owner) AS owner, coalesce(acc.balance, 0) AS balance,
			coalesce(want.expected, 0)::bigint AS expected
		FROM acc FULL JOIN want ON want.kind = acc.kind AND want.owner = acc.owner
		WHERE coalesce(acc.balance, 0) <> coalesce(want.expected, 0)
		UNION ALL
		SELECT 'statement', st.id::text, st.coins, coalesce(sum(v.price), 0)::bigint
		FROM settlement_statements st LEFT JOIN vouchers v ON v.statement_id = st.id
		GROUP BY st.id HAVING st.coins <> coalesce(sum(v.price), 0)
		ORDER BY 1, 2 LIMIT 1000`); err != nil {
		return nil, fmt.Errorf("audit vouchers: %w", err)
	}
	return r, nil
}
