package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Entry is one line of an account's statement: a posting with its transaction.
type Entry struct {
	PostingID     int64  `db:"id"`
	TransactionID string `db:"transaction_id"`
	Kind          string `db:"kind"`
	Amount        int64  `db:"amount"` // signed: negative is out of the account
	BalanceAfter  int64  `db:"balance_after"`
	Memo          string `db:"memo"`
	// Metadata says what the transaction was for (a need and application for a mint, a reward
	// and voucher for a redemption, ...), as its writer recorded it.
	Metadata   json.RawMessage `db:"metadata"`
	Reverses   *string         `db:"reverses"`    // the transaction this one reverses
	ReversedBy *string         `db:"reversed_by"` // the transaction that reversed this one
	CreatedBy  *string         `db:"created_by"`
	CreatedAt  time.Time       `db:"created_at"`
	// Counterparties are the other accounts of the transaction.
	Counterparties pq.StringArray `db:"counterparties"`
}

// EntryCursor is a position in a statement.
type EntryCursor struct {
	ID int64 `json:"i"`
}

// Cursor returns the position of this entry.
func (e *Entry) Cursor() EntryCursor { return EntryCursor{ID: e.PostingID} }

// EntryPage is one page of a statement, newest first.
type EntryPage struct {
	Entries     []Entry
	HasNextPage bool
}

// Entries lists an account's postings, newest first, first at a time (1..100) after a cursor.
// Posting ids grow in commit order per account (they are drawn under the account's lock), so
// the keyset is stable while new postings arrive.
func (s *Service) Entries(ctx context.Context, accountID string, first int, after *EntryCursor) (EntryPage, error) {
	var page EntryPage
	if first < 1 {
		first = 1
	}
	if first > 100 {
		first = 100
	}
	if !validID(accountID) {
		return page, nil
	}
	var afterID *int64
	if after != nil {
		afterID = &after.ID
	}
	if err := s.db.SelectContext(ctx, &page.Entries, `
		SELECT p.id, p.transaction_id, t.kind, p.amount, p.balance_after, t.memo, t.metadata, t.reverses, r.id AS reversed_by,
			t.created_by, t.created_at,
			ARRAY(SELECT o.account_id::text FROM ledger_postings o
				WHERE o.transaction_id = p.transaction_id AND o.account_id <> p.account_id ORDER BY o.id) AS counterparties
		FROM ledger_postings p
		JOIN ledger_transactions t ON t.id = p.transaction_id
		LEFT JOIN ledger_transactions r ON r.reverses = t.id
		WHERE p.account_id = $1 AND ($3::bigint IS NULL OR p.id < $3)
		ORDER BY p.id DESC LIMIT $2`, accountID, first+1, afterID); err != nil {
		return page, fmt.Errorf("list entries: %w", err)
	}
	if len(page.Entries) > first {
		page.HasNextPage, page.Entries = true, page.Entries[:first]
	}
	return page, nil
}

// Meta decodes the entry's metadata.
func (e *Entry) Meta() map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(e.Metadata, &m)
	return m
}

// Statement sums up an account's calendar year: the balance at its start and end, and what
// came in and went out by kind of transaction (REVERSAL counted apart).
type Statement struct {
	Year    int
	Opening int64
	Closing int64
	// In and Out are by transaction kind; Out holds positive numbers.
	In  map[string]int64
	Out map[string]int64
}

// YearStatement returns an account's statement for a calendar year in the zone loc.
func (s *Service) YearStatement(ctx context.Context, accountID string, year int, loc *time.Location) (*Statement, error) {
	st := &Statement{Year: year, In: map[string]int64{}, Out: map[string]int64{}}
	if !validID(accountID) {
		return st, nil
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	to := from.AddDate(1, 0, 0)
	var rows []struct {
		Kind string `db:"kind"`
		In   int64  `db:"in"`
		Out  int64  `db:"out"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT t.kind,
			coalesce(sum(p.amount) FILTER (WHERE p.amount > 0), 0) AS in,
			coalesce(-sum(p.amount) FILTER (WHERE p.amount < 0), 0) AS out
		FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
		WHERE p.account_id = $1 AND t.created_at >= $2 AND t.created_at < $3
		GROUP BY t.kind`, accountID, from, to); err != nil {
		return nil, fmt.Errorf("year statement: %w", err)
	}
	var moved int64
	for _, r := range rows {
		if r.In > 0 {
			st.In[r.Kind] = r.In
		}
		if r.Out > 0 {
			st.Out[r.Kind] = r.Out
		}
		moved += r.In - r.Out
	}
	// The opening balance is the balance after the last posting before the year.
	if err := s.db.GetContext(ctx, &st.Opening, `SELECT coalesce((SELECT p.balance_after FROM ledger_postings p
		JOIN ledger_transactions t ON t.id = p.transaction_id
		WHERE p.account_id = $1 AND t.created_at < $2 ORDER BY p.id DESC LIMIT 1), 0)`, accountID, from); err != nil {
		return nil, fmt.Errorf("year statement opening: %w", err)
	}
	st.Closing = st.Opening + moved
	return st, nil
}
