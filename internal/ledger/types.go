// Package ledger is the coin ledger of pillar 3: double entry, append-only, whole coins.
//
// Every account (a person's wallet, an issuer's budget, a merchant, the vouchers outstanding,
// the city's settlement and expired coins, and the city's funding source where coins come from)
// has a balance that is always the sum of its postings. A transaction is two or more postings
// that sum to zero. Transactions and postings are never updated or deleted (the database refuses
// it); mistakes are corrected with a reversing transaction. Every write carries an idempotency
// key: the same key with the same request returns the first result, the same key with another
// request is refused. No account but the funding source goes below zero, whatever the
// concurrency: ledger_post() (see migrations/00003_ledger.sql) locks the accounts of a
// transaction in id order and checks limits, in one round trip. Writes in their own database
// transaction are committed in groups (see batch.go): one flush to disk for several transfers.
//
// The package trusts its callers on authorisation: the GraphQL edge checks who may do what
// (administrators fund issuers, set the policy and run the audit).
package ledger

import (
	"encoding/json"
	"time"
)

// Account kinds.
const (
	// KindFunding is the city's funding source: the only account that goes negative (it is
	// where coins come from). One per ledger, without owner.
	KindFunding = "FUNDING"
	// KindIssuer is an issuer's budget: the city's (no owner) or a funded organisation's.
	KindIssuer = "ISSUER"
	// KindWallet is a person's wallet (owner: the person).
	KindWallet = "WALLET"
	// KindMerchant holds the coins a merchant accepted, until settled (owner: the organisation).
	KindMerchant = "MERCHANT"
	// KindVouchersOutstanding holds coins of vouchers issued but not accepted, cancelled or expired
	// (no owner: the city's; or per merchant).
	KindVouchersOutstanding = "VOUCHERS_OUTSTANDING"
	// KindSettlement receives merchants' coins when the city settles them in euros.
	KindSettlement = "SETTLEMENT"
	// KindExpired receives coins that expired.
	KindExpired = "EXPIRED"
)

// AccountKinds lists every account kind.
var AccountKinds = []string{KindFunding, KindIssuer, KindWallet, KindMerchant, KindVouchersOutstanding, KindSettlement, KindExpired}

// Transaction kinds.
const (
	TxFund     = "FUND"     // funding source → issuer budget
	TxMint     = "MINT"     // issuer → wallet, for confirmed hours
	TxTransfer = "TRANSFER" // any other move
	TxGift     = "GIFT"     // wallet → wallet
	TxRedeem   = "REDEEM"   // wallet → vouchers outstanding
	TxAccept   = "ACCEPT"   // vouchers outstanding → merchant
	TxCancel   = "CANCEL"   // vouchers outstanding → wallet (cancelled or expired voucher)
	TxExpire   = "EXPIRE"   // wallet → expired
	TxSettle   = "SETTLE"   // merchant → settlement
	TxReversal = "REVERSAL" // the exact opposite of an earlier transaction (only via Reverse)
)

// TransactionKinds lists the kinds a caller may post (REVERSAL is made by Reverse).
var TransactionKinds = []string{TxFund, TxMint, TxTransfer, TxGift, TxRedeem, TxAccept, TxCancel, TxExpire, TxSettle}

// Limits.
const (
	// MaxAmount is the largest amount of one posting: 2^31 - 1 coins.
	MaxAmount = 1<<31 - 1
	// MaxKeyLength is the longest idempotency key.
	MaxKeyLength = 200
	// MaxMemoLength is the longest memo, in characters.
	MaxMemoLength = 500
	// MaxPostings is the most postings one transaction may have.
	MaxPostings = 1000
)

// User error message keys of this package (translations live in internal/i18n/locales).
const (
	MsgInsufficientBalance = "insufficient_balance"
	MsgBudgetExceeded      = "budget_exceeded"
	MsgIdempotencyConflict = "idempotency_conflict"
	MsgUnknownAccount      = "unknown_account"
	MsgSameAccount         = "same_account"
	MsgUnbalanced          = "unbalanced"
	MsgAlreadyReversed     = "already_reversed"
	MsgNotReversible       = "not_reversible"
	MsgTransactionNotFound = "transaction_not_found"
	MsgNotAnIssuer         = "not_an_issuer"
)

// Account is one account of the ledger.
type Account struct {
	ID            string    `db:"id"`
	Kind          string    `db:"kind"`
	OwnerID       *string   `db:"owner_id"`
	Balance       int64     `db:"balance"`
	AllowNegative bool      `db:"allow_negative"`
	CreatedAt     time.Time `db:"created_at"`
}

const accountColumns = `id, kind, owner_id, balance, allow_negative, created_at`

// Posting is one line of a transaction: a signed amount on one account (negative: out of it).
type Posting struct {
	AccountID string `db:"account_id" json:"a"`
	Amount    int64  `db:"amount" json:"n"`
	// BalanceAfter is the account's balance right after this posting (set on results).
	BalanceAfter int64 `db:"balance_after" json:"-"`
}

// Transaction is a written transaction.
type Transaction struct {
	ID             string          `db:"id"`
	IdempotencyKey string          `db:"idempotency_key"`
	Kind           string          `db:"kind"`
	Memo           string          `db:"memo"`
	MetadataJSON   json.RawMessage `db:"metadata"`
	Reverses       *string         `db:"reverses"`
	CreatedBy      *string         `db:"created_by"`
	CreatedAt      time.Time       `db:"created_at"`
	Postings       []Posting       `db:"-"`
	// Replayed is true when the key was used before with the same request: this is the first
	// result, and nothing was written now.
	Replayed bool `db:"-"`
}

const transactionColumns = `id, idempotency_key, kind, memo, metadata, reverses, created_by, created_at`

// Metadata decodes the transaction's metadata.
func (t *Transaction) Metadata() map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(t.MetadataJSON, &m)
	return m
}

// Amount is the total moved: the sum of the positive postings.
func (t *Transaction) Amount() int64 {
	var n int64
	for _, p := range t.Postings {
		if p.Amount > 0 {
			n += p.Amount
		}
	}
	return n
}

// Posting returns the transaction's posting on an account, or nil.
func (t *Transaction) Posting(accountID string) *Posting {
	for i := range t.Postings {
		if t.Postings[i].AccountID == accountID {
			return &t.Postings[i]
		}
	}
	return nil
}
