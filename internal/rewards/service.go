// Package rewards is what residents do with their coins (pillar 3): a catalogue of rewards at
// local merchants, vouchers with a short code and a QR code that the merchant accepts once,
// gifts between residents, the expiry of unused coins, and the merchants' settlement with the
// city. The coins move in the ledger (internal/ledger), always in the same database
// transaction as the rows here that say what they moved for:
//
//	redeem   wallet              → vouchers outstanding (the merchant's)   REDEEM
//	accept   vouchers outstanding → merchant                               ACCEPT
//	cancel   vouchers outstanding → wallet (cancelled or expired voucher)  CANCEL
//	gift     wallet              → wallet                                  GIFT
//	expire   wallet              → expired                                 EXPIRE
//	settle   merchant            → the city's settlement account           SETTLE
//
// So at every moment: a merchant's vouchers-outstanding balance is the sum of the prices of
// its issued vouchers, its merchant balance the sum of its accepted vouchers not settled yet,
// and the settlement account the sum of all statements (Audit checks it).
//
// Locks are always taken in the same order: a voucher, then its reward, then the ledger
// accounts in id order (as ledger_post does), so concurrent requests never deadlock.
//
// Transactions written here are bound to a voucher or a statement: an administrator must not
// reverse REDEEM, ACCEPT, CANCEL or SETTLE transactions through the ledger (cancel the voucher
// instead); gifts, mints and expiries may be reversed.
package rewards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/invalidate"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

// User error message keys of this package (translations live in internal/i18n/locales).
const (
	MsgNotAMerchant          = "not_a_merchant"
	MsgOrgNotApproved        = "org_not_approved" // existing key
	MsgEndBeforeStart        = "end_before_start" // existing key
	MsgInvalidURL            = "invalid_url"      // existing key
	MsgUnknownDistrict       = "unknown_district" // existing key
	MsgUnknownTheme          = "unknown_theme"    // existing key
	MsgUnknownLanguage       = "unknown_language" // existing key
	MsgRewardNotFound        = "reward_not_found"
	MsgRewardNotActive       = "reward_not_active"
	MsgRewardNotYetValid     = "reward_not_yet_valid"
	MsgRewardExpired         = "reward_expired"
	MsgOutOfStock            = "reward_out_of_stock"
	MsgMerchantCapReached    = "merchant_cap_reached"
	MsgVoucherCodeInvalid    = "voucher_code_invalid"
	MsgVoucherNotFound       = "voucher_not_found"
	MsgVoucherWrongMerchant  = "voucher_wrong_merchant"
	MsgVoucherAccepted       = "voucher_already_accepted"
	MsgVoucherCancelled      = "voucher_cancelled"
	MsgVoucherExpired        = "voucher_expired"
	MsgGiftsNotAllowed       = "gifts_not_allowed"
	MsgGiftToSelf            = "gift_to_self"
	MsgRecipientNotFound     = "recipient_not_found"
	MsgRecipientIsMerchant   = "recipient_is_merchant"
	MsgInvalidPeriod         = "invalid_period"
	MsgPeriodNotClosed       = "period_not_closed"
	MsgInsufficientBalance   = ledger.MsgInsufficientBalance // existing key
	MsgIdempotencyConflict   = ledger.MsgIdempotencyConflict // existing key
	MsgCoinsExpiringNotice   = "coins_expiring_notice"
	MsgNotificationExpiring  = "notification_coins_expiring"
	NotificationCoinsExpires = "COINS_EXPIRING" // notifications.kind
)

// Limits.
const (
	MaxTitle       = 120
	MaxDescription = 2000
	MaxURL         = 500
	MaxPrice       = 1_000_000
	MaxStock       = 1_000_000
	MaxThemes      = 10
	// MaxKeyLength is the longest idempotency key a caller may give (the ledger key adds a prefix).
	MaxKeyLength = 100
	// VoucherValidity is how long a voucher is valid, unless the reward ends earlier.
	VoucherValidity = 90 * 24 * time.Hour
	// NoticeDays: a person is told this many days before coins expire.
	NoticeDays = 30
)

// Zone is the platform's time zone: settlement periods and expiry days are its calendar.
var Zone = mustZone("Europe/Brussels")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return l
}

// MaxConcurrentWrites bounds the database transactions this service has open at once. It
// stays well below the connection pool (40): the ledger may need a connection of the pool
// while one of our transactions holds a lock (to prepare its statement), and with every
// connection held by transactions waiting for that lock, it would wait for ever.
const MaxConcurrentWrites = 16

// Service runs the catalogue, vouchers, gifts, expiry and settlements.
type Service struct {
	db     *sqlx.DB
	ledger *ledger.Service
	log    *slog.Logger
	slots  chan struct{}
	// Now is the clock for validity, expiry and acceptance times (tests may replace it). The
	// ledger stamps its transactions with the database's clock.
	Now func() time.Time
	// Invalidator hears about changes of the catalogue and of rewards' stock, after they
	// commit (the Redis query cache; nil: none).
	Invalidator invalidate.Invalidator
}

// bump makes cached answers about the catalogue and the reward unreachable.
func (s *Service) bump(ctx context.Context, rewardID string) {
	invalidate.Or(s.Invalidator).Bump(ctx, invalidate.Rewards, invalidate.Reward(rewardID))
}

// NewService returns a rewards service on top of the ledger.
func NewService(db *sqlx.DB, l *ledger.Service, log *slog.Logger) *Service {
	return &Service{db: db, ledger: l, log: log, Now: time.Now, slots: make(chan struct{}, MaxConcurrentWrites)}
}

// inTx runs fn in a database transaction, at most MaxConcurrentWrites at once. Everything
// that needs a connection of its own (ledger accounts, the policy) is looked up before.
func (s *Service) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.slots }()
	return database.InTx(ctx, s.db, fn)
}

func validID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ptr[T any](v T) *T { return &v }

func checkKey(v *errs.UserErrors, key string) {
	switch {
	case key == "":
		v.Add("idempotencyKey", errs.Required, "required", nil)
	case len(key) > MaxKeyLength:
		v.Add("idempotencyKey", errs.TooLong, "too_long", map[string]any{"Max": MaxKeyLength})
	}
}

func viewerID(viewer *accounts.Viewer) (string, error) {
	if viewer == nil || viewer.PersonID == "" {
		return "", errs.ErrUnauthenticated
	}
	return viewer.PersonID, nil
}

// checkMerchantMember returns nil when person is a member of orgID and it is an approved
// merchant; errs.ErrForbidden when not a member, a user error when it is no organisation, not a
// merchant or not approved.
func (s *Service) checkMerchantMember(ctx context.Context, q sqlx.QueryerContext, personID, orgID string) error {
	if !validID(orgID) {
		return errs.One("merchantId", errs.UnknownReference, "organisation_not_found", nil)
	}
	var row struct {
		Kind   string  `db:"kind"`
		Status string  `db:"status"`
		Role   *string `db:"role"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT o.kind, o.status, m.role FROM organisations o
		LEFT JOIN organisation_members m ON m.organisation_id = o.id AND m.person_id = $2 WHERE o.id = $1`, orgID, personID)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.One("merchantId", errs.UnknownReference, "organisation_not_found", nil)
	}
	if err != nil {
		return fmt.Errorf("load merchant: %w", err)
	}
	switch {
	case row.Role == nil:
		return errs.ErrForbidden
	case row.Kind != "MERCHANT":
		return errs.One("merchantId", errs.Invalid, MsgNotAMerchant, nil)
	case row.Status != "APPROVED":
		return errs.One("merchantId", errs.InvalidState, MsgOrgNotApproved, nil)
	}
	return nil
}

// checkMemberOrAdmin lets administrators and members of the merchant through; anyone else
// gets errs.ErrForbidden (errs.ErrNotFound for an id that cannot be one).
func checkMemberOrAdmin(ctx context.Context, q sqlx.QueryerContext, viewer *accounts.Viewer, merchantID string) error {
	by, err := viewerID(viewer)
	if err != nil {
		return err
	}
	if !validID(merchantID) {
		return errs.ErrNotFound
	}
	if viewer.IsAdmin {
		return nil
	}
	member, err := isMember(ctx, q, by, merchantID)
	if err != nil {
		return err
	}
	if !member {
		return errs.ErrForbidden
	}
	return nil
}

// isMember reports whether person is a member (any role) of the organisation.
func isMember(ctx context.Context, q sqlx.QueryerContext, personID, orgID string) (bool, error) {
	var ok bool
	if err := sqlx.GetContext(ctx, q, &ok, `SELECT EXISTS (SELECT 1 FROM organisation_members
		WHERE organisation_id = $1 AND person_id = $2)`, orgID, personID); err != nil {
		return false, fmt.Errorf("check membership: %w", err)
	}
	return ok, nil
}

// lockAccounts locks ledger accounts in id order (like ledger_post), so that what is read
// under the lock stays true until the coins move.
func lockAccounts(ctx context.Context, tx *sqlx.Tx, ids ...string) (map[string]int64, error) {
	var rows []struct {
		ID      string `db:"id"`
		Balance int64  `db:"balance"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT id, balance FROM ledger_accounts WHERE id = ANY ($1::uuid[])
		ORDER BY id FOR NO KEY UPDATE`, pq.StringArray(ids)); err != nil {
		return nil, fmt.Errorf("lock accounts: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Balance
	}
	return out, nil
}

// withField re-targets a ledger user error at an input field of this package.
func withField(err error, field string) error {
	u, ok := errs.AsUserErrors(err)
	if !ok {
		return err
	}
	out := make(errs.UserErrors, 0, len(u))
	for _, e := range u {
		out.Add(field, e.Code, e.Message, e.Args)
	}
	return out
}
