package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// TransferRequest moves Amount coins from one account to another.
type TransferRequest struct {
	// IdempotencyKey identifies this write: the same key with the same request returns the
	// first result; with another request it is refused (idempotency_conflict).
	IdempotencyKey string
	Kind           string // one of TransactionKinds
	From           string // account id
	To             string // account id
	Amount         int64  // whole coins, 1..MaxAmount
	Memo           string
	Metadata       map[string]any
	CreatedBy      string // person id; "" for the platform itself
}

// PostRequest writes a transaction of two or more postings (one per account) that sum to zero.
type PostRequest struct {
	IdempotencyKey string
	Kind           string
	Postings       []Posting // AccountID and signed Amount (negative: out of the account)
	Memo           string
	Metadata       map[string]any
	CreatedBy      string
}

// ReverseRequest writes the exact opposite of an earlier transaction.
type ReverseRequest struct {
	TransactionID  string
	IdempotencyKey string
	Memo           string
	CreatedBy      string
}

// request is what ledger_post receives, with the field paths of its parts for user errors.
type request struct {
	key       string
	kind      string
	postings  []Posting
	memo      string
	metadata  []byte
	createdBy string
	reverses  string
	// accountField and amountField give the input field of posting i.
	accountField func(i int) string
	amountField  func(i int) string
}

// hash is the request's fingerprint, stored with the idempotency key.
func (r *request) hash() []byte {
	b, _ := json.Marshal(struct {
		K string          `json:"k"`
		P []Posting       `json:"p"`
		M string          `json:"m"`
		D json.RawMessage `json:"d"`
		B string          `json:"b"`
		R string          `json:"r"`
	}{r.kind, r.postings, r.memo, r.metadata, r.createdBy, r.reverses})
	h := sha256.Sum256(b)
	return h[:]
}

func checkKey(v *errs.UserErrors, key string) {
	switch {
	case key == "":
		v.Add("idempotencyKey", errs.Required, "required", nil)
	case len(key) > MaxKeyLength || !utf8.ValidString(key):
		v.Add("idempotencyKey", errs.TooLong, "too_long", map[string]any{"Max": MaxKeyLength})
	}
}

func checkMemo(v *errs.UserErrors, memo string) {
	switch {
	case !utf8.ValidString(memo) || slices.Contains([]byte(memo), 0):
		v.Add("memo", errs.Invalid, "invalid", nil)
	case utf8.RuneCountInString(memo) > MaxMemoLength:
		v.Add("memo", errs.TooLong, "too_long", map[string]any{"Max": MaxMemoLength})
	}
}

func checkAmount(v *errs.UserErrors, field string, amount int64) {
	if amount < 1 || amount > MaxAmount {
		v.Add(field, errs.OutOfRange, "out_of_range", map[string]any{"Min": 1, "Max": MaxAmount})
	}
}

func encodeMetadata(v *errs.UserErrors, m map[string]any) []byte {
	if len(m) == 0 {
		return []byte("{}")
	}
	b, err := json.Marshal(m)
	if err != nil {
		v.Add("metadata", errs.Invalid, "invalid", nil)
		return nil
	}
	if len(b) > 8192 {
		v.Add("metadata", errs.TooLong, "too_long", map[string]any{"Max": 8192})
	}
	return b
}

func checkCreatedBy(createdBy string) error {
	if createdBy != "" && !validID(createdBy) {
		return fmt.Errorf("ledger: created by %q is not a person id", createdBy)
	}
	return nil
}

// Transfer moves coins from one account to another, in one round trip to the database.
func (s *Service) Transfer(ctx context.Context, in TransferRequest) (*Transaction, error) {
	return s.TransferTx(ctx, nil, in)
}

// TransferTx is Transfer inside the caller's database transaction (nil: its own), so that
// other writes (a voucher, say) commit or roll back with it. Business refusals
// (insufficient balance, ...) are returned as user errors and leave tx usable.
func (s *Service) TransferTx(ctx context.Context, tx *sqlx.Tx, in TransferRequest) (*Transaction, error) {
	var v errs.UserErrors
	checkKey(&v, in.IdempotencyKey)
	if !slices.Contains(TransactionKinds, in.Kind) {
		v.Add("kind", errs.Invalid, "invalid", nil)
	}
	checkAmount(&v, "amount", in.Amount)
	if !validID(in.From) {
		v.Add("from", errs.UnknownReference, MsgUnknownAccount, nil)
	}
	if !validID(in.To) {
		v.Add("to", errs.UnknownReference, MsgUnknownAccount, nil)
	}
	if in.From == in.To && validID(in.From) {
		v.Add("to", errs.Invalid, MsgSameAccount, nil)
	}
	checkMemo(&v, in.Memo)
	meta := encodeMetadata(&v, in.Metadata)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkCreatedBy(in.CreatedBy); err != nil {
		return nil, err
	}
	return s.write(ctx, tx, &request{
		key: in.IdempotencyKey, kind: in.Kind, memo: in.Memo, metadata: meta, createdBy: in.CreatedBy,
		postings:     []Posting{{AccountID: in.From, Amount: -in.Amount}, {AccountID: in.To, Amount: in.Amount}},
		accountField: func(i int) string { return []string{"from", "to"}[i] },
		amountField:  func(int) string { return "amount" },
	})
}

// Post writes a transaction of several postings (one per account, summing to zero).
func (s *Service) Post(ctx context.Context, in PostRequest) (*Transaction, error) {
	return s.PostTx(ctx, nil, in)
}

// PostTx is Post inside the caller's database transaction (nil: its own).
func (s *Service) PostTx(ctx context.Context, tx *sqlx.Tx, in PostRequest) (*Transaction, error) {
	var v errs.UserErrors
	checkKey(&v, in.IdempotencyKey)
	if !slices.Contains(TransactionKinds, in.Kind) {
		v.Add("kind", errs.Invalid, "invalid", nil)
	}
	switch {
	case len(in.Postings) < 2:
		v.Add("postings", errs.Invalid, "invalid", nil)
	case len(in.Postings) > MaxPostings:
		v.Add("postings", errs.OutOfRange, "too_many", map[string]any{"Max": MaxPostings})
	}
	seen := map[string]bool{}
	var sum int64
	for i, p := range in.Postings {
		field := "postings." + strconv.Itoa(i)
		switch {
		case !validID(p.AccountID):
			v.Add(field+".accountId", errs.UnknownReference, MsgUnknownAccount, nil)
		case seen[p.AccountID]:
			v.Add(field+".accountId", errs.Invalid, MsgSameAccount, nil)
		}
		seen[p.AccountID] = true
		a := p.Amount
		if a < 0 {
			a = -a
		}
		checkAmount(&v, field+".amount", a)
		sum += p.Amount
	}
	if len(v) == 0 && sum != 0 {
		v.Add("postings", errs.Invalid, MsgUnbalanced, nil)
	}
	checkMemo(&v, in.Memo)
	meta := encodeMetadata(&v, in.Metadata)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkCreatedBy(in.CreatedBy); err != nil {
		return nil, err
	}
	postings := make([]Posting, len(in.Postings))
	for i, p := range in.Postings {
		postings[i] = Posting{AccountID: p.AccountID, Amount: p.Amount}
	}
	return s.write(ctx, tx, &request{
		key: in.IdempotencyKey, kind: in.Kind, memo: in.Memo, metadata: meta, createdBy: in.CreatedBy, postings: postings,
		accountField: func(i int) string { return "postings." + strconv.Itoa(i) + ".accountId" },
		amountField:  func(i int) string { return "postings." + strconv.Itoa(i) + ".amount" },
	})
}

// Reverse writes the exact opposite of an earlier transaction (each transaction is reversed at
// most once; a reversal itself is not reversible: post a new transaction instead). It is
// refused like any transaction when an account would go below zero (the coins were spent).
func (s *Service) Reverse(ctx context.Context, in ReverseRequest) (*Transaction, error) {
	return s.ReverseTx(ctx, nil, in)
}

// ReverseTx is Reverse inside the caller's database transaction (nil: its own).
func (s *Service) ReverseTx(ctx context.Context, tx *sqlx.Tx, in ReverseRequest) (*Transaction, error) {
	var v errs.UserErrors
	checkKey(&v, in.IdempotencyKey)
	checkMemo(&v, in.Memo)
	if !validID(in.TransactionID) {
		v.Add("transactionId", errs.NotFoundCode, MsgTransactionNotFound, nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkCreatedBy(in.CreatedBy); err != nil {
		return nil, err
	}
	orig, err := loadTransaction(ctx, queryer(s.db, tx), in.TransactionID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.One("transactionId", errs.NotFoundCode, MsgTransactionNotFound, nil)
	}
	if err != nil {
		return nil, err
	}
	if orig.Kind == TxReversal {
		return nil, errs.One("transactionId", errs.InvalidState, MsgNotReversible, nil)
	}
	postings := make([]Posting, len(orig.Postings))
	for i, p := range orig.Postings {
		postings[i] = Posting{AccountID: p.AccountID, Amount: -p.Amount}
	}
	return s.write(ctx, tx, &request{
		key: in.IdempotencyKey, kind: TxReversal, memo: in.Memo, metadata: []byte("{}"), createdBy: in.CreatedBy,
		reverses: orig.ID, postings: postings,
		accountField: func(int) string { return "transactionId" },
		amountField:  func(int) string { return "transactionId" },
	})
}

func queryer(db *sqlx.DB, tx *sqlx.Tx) sqlx.QueryerContext {
	if tx != nil {
		return tx
	}
	return db
}

type postResult struct {
	Status        string
	TransactionID *string
	CreatedAt     *time.Time
	Balances      pq.Int64Array
	FailedAccount sql.NullString
}

// write posts the request (in tx, or else with the group commit) and turns the status into a
// result or a user error.
func (s *Service) write(ctx context.Context, tx *sqlx.Tx, r *request) (*Transaction, error) {
	var res postResult
	var err error
	if tx != nil {
		res, err = s.postOne(ctx, tx, r)
	} else {
		res, err = s.submit(ctx, r)
	}
	if err != nil {
		return nil, err
	}
	t, err := s.result(ctx, tx, r, res)
	if err == nil && tx == nil && !t.Replayed {
		ids := make([]string, len(t.Postings))
		for i, p := range t.Postings {
			ids[i] = p.AccountID
		}
		s.Announce(ctx, ids...)
	}
	return t, err
}

// postOne calls ledger_post once, in tx (nil: its own transaction).
func (s *Service) postOne(ctx context.Context, tx *sqlx.Tx, r *request) (postResult, error) {
	var res postResult
	accounts := make(pq.StringArray, len(r.postings))
	amounts := make(pq.Int64Array, len(r.postings))
	for i, p := range r.postings {
		accounts[i], amounts[i] = p.AccountID, p.Amount
	}
	args := []any{r.key, r.hash(), r.kind, accounts, amounts, r.memo, string(r.metadata), nullable(r.createdBy), nullable(r.reverses)}
	var row *sqlx.Row
	switch st := s.preparedStmt(&s.postStmt); {
	case tx != nil && st == nil:
		// Not prepared yet: preparing needs a connection of its own, which a caller holding
		// its transaction (and perhaps the last free connection) must not wait for. Run it
		// unprepared in the transaction; a later call without one prepares it.
		row = tx.QueryRowxContext(ctx, postQuery, args...)
	case tx != nil:
		txst := tx.StmtxContext(ctx, st) // re-prepared on the transaction's connection when needed
		defer txst.Close()
		row = txst.QueryRowxContext(ctx, args...)
	default:
		st, err := s.prepared(ctx, &s.postStmt, postQuery)
		if err != nil {
			return res, err
		}
		row = st.QueryRowxContext(ctx, args...)
	}
	if err := row.Scan(&res.Status, &res.TransactionID, &res.CreatedAt, &res.Balances,
		&res.FailedAccount); err != nil {
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "23505" && pqErr.Constraint == "ledger_transactions_reverses" {
			return res, errs.One("transactionId", errs.InvalidState, MsgAlreadyReversed, nil)
		}
		return res, fmt.Errorf("ledger post: %w", err)
	}
	return res, nil
}

// result turns ledger_post's answer into the transaction or a user error.
func (s *Service) result(ctx context.Context, tx *sqlx.Tx, r *request, res postResult) (*Transaction, error) {
	failedIndex := func() int {
		for i, p := range r.postings {
			if p.AccountID == res.FailedAccount.String {
				return i
			}
		}
		return 0
	}
	switch res.Status {
	case "created":
		t := &Transaction{ID: *res.TransactionID, IdempotencyKey: r.key, Kind: r.kind, Memo: r.memo,
			MetadataJSON: json.RawMessage(r.metadata), Reverses: nullable(r.reverses), CreatedBy: nullable(r.createdBy),
			CreatedAt: *res.CreatedAt, Postings: make([]Posting, len(r.postings))}
		for i, p := range r.postings {
			t.Postings[i] = Posting{AccountID: p.AccountID, Amount: p.Amount, BalanceAfter: res.Balances[i]}
		}
		return t, nil
	case "replayed":
		t, err := loadTransaction(ctx, queryer(s.db, tx), *res.TransactionID)
		if err != nil {
			return nil, err
		}
		t.Replayed = true
		return t, nil
	case "conflict":
		return nil, errs.One("idempotencyKey", errs.InvalidState, MsgIdempotencyConflict, nil)
	case "unknown_account":
		return nil, errs.One(r.accountField(failedIndex()), errs.UnknownReference, MsgUnknownAccount, nil)
	case "insufficient_balance":
		return nil, errs.One(r.amountField(failedIndex()), errs.InvalidState, MsgInsufficientBalance, nil)
	case "budget_exceeded":
		return nil, errs.One(r.amountField(failedIndex()), errs.InvalidState, MsgBudgetExceeded, nil)
	case "already_reversed":
		return nil, errs.One("transactionId", errs.InvalidState, MsgAlreadyReversed, nil)
	}
	return nil, fmt.Errorf("ledger post: unexpected status %q", res.Status)
}

// Transaction returns a transaction with its postings; errs.ErrNotFound when there is none.
func (s *Service) Transaction(ctx context.Context, id string) (*Transaction, error) {
	if !validID(id) {
		return nil, errs.ErrNotFound
	}
	return loadTransaction(ctx, s.db, id)
}

// ReversedBy returns the id of the transaction that reversed id, or nil when none did.
func (s *Service) ReversedBy(ctx context.Context, id string) (*string, error) {
	if !validID(id) {
		return nil, nil
	}
	var by string
	err := s.db.GetContext(ctx, &by, `SELECT id FROM ledger_transactions WHERE reverses = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find reversal: %w", err)
	}
	return &by, nil
}

// TransactionPage is one page of transactions, newest first.
type TransactionPage struct {
	Transactions []Transaction
	HasNextPage  bool
}

// Transactions lists transactions newest first (only of these kinds, when kinds is not
// empty), after the transaction with id after (when not ""), with their postings.
func (s *Service) Transactions(ctx context.Context, kinds []string, first int, after string) (TransactionPage, error) {
	var page TransactionPage
	for _, k := range kinds {
		if !slices.Contains(TransactionKinds, k) && k != TxReversal {
			return page, errs.One("kinds", errs.Invalid, "invalid", nil)
		}
	}
	if after != "" && !validID(after) {
		return page, errs.One("after", errs.Invalid, "invalid", nil)
	}
	if err := s.db.SelectContext(ctx, &page.Transactions, `SELECT `+transactionColumns+` FROM ledger_transactions
		WHERE (coalesce(cardinality($1::text[]), 0) = 0 OR kind = ANY($1)) AND ($2::uuid IS NULL OR id < $2)
		ORDER BY id DESC LIMIT $3`, pq.StringArray(kinds), nullable(after), first+1); err != nil {
		return page, fmt.Errorf("list transactions: %w", err)
	}
	if len(page.Transactions) > first {
		page.Transactions, page.HasNextPage = page.Transactions[:first], true
	}
	if len(page.Transactions) == 0 {
		return page, nil
	}
	ids := make(pq.StringArray, len(page.Transactions))
	at := make(map[string]int, len(ids))
	for i, t := range page.Transactions {
		ids[i], at[t.ID] = t.ID, i
	}
	var postings []struct {
		Transaction string `db:"transaction_id"`
		Posting
	}
	if err := s.db.SelectContext(ctx, &postings, `SELECT transaction_id, account_id, amount, balance_after FROM ledger_postings
		WHERE transaction_id = ANY($1::uuid[]) ORDER BY id`, ids); err != nil {
		return page, fmt.Errorf("load postings: %w", err)
	}
	for _, p := range postings {
		t := &page.Transactions[at[p.Transaction]]
		t.Postings = append(t.Postings, p.Posting)
	}
	return page, nil
}

// TransactionByKey returns the transaction written with an idempotency key; errs.ErrNotFound when there is none.
func (s *Service) TransactionByKey(ctx context.Context, key string) (*Transaction, error) {
	var id string
	err := s.db.GetContext(ctx, &id, `SELECT id FROM ledger_transactions WHERE idempotency_key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find transaction: %w", err)
	}
	return loadTransaction(ctx, s.db, id)
}

func loadTransaction(ctx context.Context, q sqlx.QueryerContext, id string) (*Transaction, error) {
	var t Transaction
	err := sqlx.GetContext(ctx, q, &t, `SELECT `+transactionColumns+` FROM ledger_transactions WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load transaction: %w", err)
	}
	if err := sqlx.SelectContext(ctx, q, &t.Postings, `SELECT account_id, amount, balance_after FROM ledger_postings
		WHERE transaction_id = $1 ORDER BY id`, id); err != nil {
		return nil, fmt.Errorf("load postings: %w", err)
	}
	return &t, nil
}
