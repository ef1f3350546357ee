package rewards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

// Voucher states. ISSUED → ACCEPTED (final) | CANCELLED | EXPIRED.
const (
	StateIssued    = "ISSUED"
	StateAccepted  = "ACCEPTED"
	StateCancelled = "CANCELLED"
	StateExpired   = "EXPIRED"
)

// Voucher is a redeemed reward, to be accepted once by its merchant.
type Voucher struct {
	ID             string     `db:"id"`
	Code           string     `db:"code"` // canonical (no dashes); FormatCode writes it in groups
	RewardID       string     `db:"reward_id"`
	MerchantID     string     `db:"merchant_id"`
	PersonID       string     `db:"person_id"` // the holder
	IdempotencyKey string     `db:"idempotency_key"`
	Price          int        `db:"price"`
	State          string     `db:"state"`
	IssuedAt       time.Time  `db:"issued_at"`
	ValidUntil     time.Time  `db:"valid_until"`
	ClosedAt       *time.Time `db:"closed_at"` // accepted, cancelled or expired at
	ClosedBy       *string    `db:"closed_by"` // who accepted or cancelled (nil: expired)
	RedeemTx       string     `db:"redeem_tx"`
	CloseTx        *string    `db:"close_tx"`
	StatementID    *string    `db:"statement_id"`
	// Replayed: the idempotency key was used before for this request; this is that voucher.
	Replayed bool `db:"-"`
}

const voucherColumns = `id, code, reward_id, merchant_id, person_id, idempotency_key, price, state, issued_at, valid_until,
	closed_at, closed_by, redeem_tx, close_tx, statement_id`

// FormattedCode is the code in groups, as printed: "K7QM-4XRT-P9".
func (v *Voucher) FormattedCode() string { return FormatCode(v.Code) }

// Ledger idempotency keys of voucher transactions.
func redeemKey(personID, key string) string { return "redeem:" + personID + ":" + key }
func acceptKey(voucherID string) string     { return "voucher:" + voucherID + ":accept" }
func returnKey(voucherID string) string     { return "voucher:" + voucherID + ":return" }

// Redeem exchanges coins from the viewer's wallet for a voucher, in one database transaction:
// the reward is locked, checked (active, valid now, in stock) and its stock taken down by one,
// the price moves from the wallet to the merchant's vouchers-outstanding account, and the
// voucher is written. The same key with the same reward returns the same voucher (Replayed);
// with another reward it is refused.
func (s *Service) Redeem(ctx context.Context, viewer *accounts.Viewer, rewardID, idempotencyKey string) (*Voucher, error) {
	by, err := viewerID(viewer)
	if err != nil {
		return nil, err
	}
	var v errs.UserErrors
	checkKey(&v, idempotencyKey)
	if !validID(rewardID) {
		v.Add("rewardId", errs.UnknownReference, MsgRewardNotFound, nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	wallet, err := s.ledger.Wallet(ctx, by)
	if err != nil {
		return nil, err
	}
	code, err := NewCode()
	if err != nil {
		return nil, err
	}
	policy, err := s.ledger.Policy(ctx)
	if err != nil {
		return nil, err
	}
	var merchantID string // never changes
	err = s.db.GetContext(ctx, &merchantID, `SELECT merchant_id FROM rewards WHERE id = $1`, rewardID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.One("rewardId", errs.UnknownReference, MsgRewardNotFound, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("load reward: %w", err)
	}
	outstanding, err := s.ledger.Account(ctx, ledger.KindVouchersOutstanding, merchantID)
	if err != nil {
		return nil, err
	}
	var out Voucher
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var r struct {
			Reward
			MerchantStatus string `db:"merchant_status"`
		}
		err := tx.GetContext(ctx, &r, `SELECT r.id, r.merchant_id, r.title, r.description, r.language, r.price, r.stock,
			r.valid_from, r.valid_until, r.photo_url, r.district_key, r.themes, r.active, r.created_by, r.created_at,
			r.updated_at, o.status AS merchant_status
			FROM rewards r JOIN organisations o ON o.id = r.merchant_id WHERE r.id = $1 FOR UPDATE OF r`, rewardID)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.One("rewardId", errs.UnknownReference, MsgRewardNotFound, nil)
		}
		if err != nil {
			return fmt.Errorf("lock reward: %w", err)
		}
		// Under the reward's lock: a request with this key that committed before is seen now.
		if found, err := s.voucherByKey(ctx, tx, by, idempotencyKey); err != nil {
			return err
		} else if found != nil {
			if found.RewardID != rewardID {
				return errs.One("idempotencyKey", errs.InvalidState, MsgIdempotencyConflict, nil)
			}
			out, out.Replayed = *found, true
			return nil
		}
		now := s.Now()
		switch {
		case !r.Active || r.MerchantStatus != "APPROVED":
			return errs.One("rewardId", errs.InvalidState, MsgRewardNotActive, nil)
		case now.Before(r.ValidFrom):
			return errs.One("rewardId", errs.InvalidState, MsgRewardNotYetValid, nil)
		case r.ValidUntil != nil && !now.Before(*r.ValidUntil):
			return errs.One("rewardId", errs.InvalidState, MsgRewardExpired, nil)
		case r.Stock <= 0:
			return errs.One("rewardId", errs.InvalidState, MsgOutOfStock, nil)
		}
		balances, err := lockAccounts(ctx, tx, wallet.ID, outstanding.ID)
		if err != nil {
			return err
		}
		if balances[wallet.ID] < int64(r.Price) {
			return errs.One("rewardId", errs.InvalidState, MsgInsufficientBalance, nil)
		}
		if policy.MerchantCap != nil {
			// The cap counts the merchant's coins of this calendar year: accepted, plus the
			// vouchers outstanding (which it will accept), plus this one.
			var accepted int64
			yearStart := time.Date(now.In(Zone).Year(), 1, 1, 0, 0, 0, 0, Zone)
			if err := tx.GetContext(ctx, &accepted, `SELECT coalesce(sum(price), 0) FROM vouchers
				WHERE merchant_id = $1 AND state = 'ACCEPTED' AND closed_at >= $2`, r.MerchantID, yearStart); err != nil {
				return fmt.Errorf("merchant cap: %w", err)
			}
			if accepted+balances[outstanding.ID]+int64(r.Price) > int64(*policy.MerchantCap) {
				return errs.One("rewardId", errs.InvalidState, MsgMerchantCapReached, nil)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rewards SET stock = stock - 1 WHERE id = $1`, r.ID); err != nil {
			return fmt.Errorf("take from stock: %w", err)
		}
		t, err := s.ledger.TransferTx(ctx, tx, ledger.TransferRequest{IdempotencyKey: redeemKey(by, idempotencyKey),
			Kind: ledger.TxRedeem, From: wallet.ID, To: outstanding.ID, Amount: int64(r.Price), Memo: r.Title,
			Metadata: map[string]any{"rewardId": r.ID, "merchantId": r.MerchantID}, CreatedBy: by})
		if err != nil {
			return withField(err, "rewardId")
		}
		if t.Replayed { // the voucher of that transaction would have been found above
			return fmt.Errorf("redeem: ledger transaction %s exists without its voucher", t.ID)
		}
		validUntil := now.Add(VoucherValidity)
		if r.ValidUntil != nil && r.ValidUntil.Before(validUntil) {
			validUntil = *r.ValidUntil
		}
		if err := tx.GetContext(ctx, &out, `INSERT INTO vouchers (code, reward_id, merchant_id, person_id, idempotency_key,
			price, issued_at, valid_until, redeem_tx) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+voucherColumns,
			code, r.ID, r.MerchantID, by, idempotencyKey, r.Price, now, validUntil, t.ID); err != nil {
			return fmt.Errorf("write voucher: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !out.Replayed {
		s.log.InfoContext(ctx, "reward redeemed", "voucher", out.ID, "reward", rewardID, "price", out.Price)
		s.bump(ctx, out.RewardID) // one less in stock
	}
	return &out, nil
}

func (s *Service) voucherByKey(ctx context.Context, q sqlx.QueryerContext, personID, key string) (*Voucher, error) {
	var v Voucher
	err := sqlx.GetContext(ctx, q, &v, `SELECT `+voucherColumns+` FROM vouchers WHERE person_id = $1 AND idempotency_key = $2`,
		personID, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find voucher: %w", err)
	}
	return &v, nil
}

// findVoucher loads a voucher by id or code (as typed), FOR UPDATE when lock; a user error
// when there is none.
func findVoucher(ctx context.Context, q sqlx.QueryerContext, ref string, lock bool) (*Voucher, error) {
	var v Voucher
	var err error
	suffix := ""
	if lock {
		suffix = " FOR UPDATE"
	}
	if validID(ref) {
		err = sqlx.GetContext(ctx, q, &v, `SELECT `+voucherColumns+` FROM vouchers WHERE id = $1`+suffix, ref)
	} else {
		code, ok := ParseCode(ref)
		if !ok {
			return nil, errs.One("code", errs.Invalid, MsgVoucherCodeInvalid, nil)
		}
		err = sqlx.GetContext(ctx, q, &v, `SELECT `+voucherColumns+` FROM vouchers WHERE code = $1`+suffix, code)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.One("code", errs.NotFoundCode, MsgVoucherNotFound, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("lock voucher: %w", err)
	}
	return &v, nil
}

// voucherAccounts are the ledger accounts a voucher's coins move between.
type voucherAccounts struct{ outstanding, merchant, wallet string }

// accountsOf looks the accounts up (before a transaction: it needs connections of its own).
func (s *Service) accountsOf(ctx context.Context, v *Voucher) (voucherAccounts, error) {
	var a voucherAccounts
	o, err := s.ledger.Account(ctx, ledger.KindVouchersOutstanding, v.MerchantID)
	if err != nil {
		return a, err
	}
	m, err := s.ledger.Account(ctx, ledger.KindMerchant, v.MerchantID)
	if err != nil {
		return a, err
	}
	w, err := s.ledger.Wallet(ctx, v.PersonID)
	if err != nil {
		return a, err
	}
	return voucherAccounts{outstanding: o.ID, merchant: m.ID, wallet: w.ID}, nil
}

// closedError is the user error for a voucher that is no longer ISSUED (or whose time is up).
func closedError(v *Voucher, now time.Time) error {
	switch v.State {
	case StateAccepted:
		return errs.One("code", errs.InvalidState, MsgVoucherAccepted, map[string]any{"At": v.ClosedAt.In(Zone).Format("02/01/2006 15:04")})
	case StateCancelled:
		return errs.One("code", errs.InvalidState, MsgVoucherCancelled, nil)
	case StateExpired:
		return errs.One("code", errs.InvalidState, MsgVoucherExpired, nil)
	}
	if !now.Before(v.ValidUntil) {
		return errs.One("code", errs.InvalidState, MsgVoucherExpired, nil)
	}
	return nil
}

// Accept is the merchant taking a voucher (by its code, as typed or scanned): only a member
// of the voucher's merchant, only while it is issued and valid, and only once. The coins move
// from the merchant's vouchers outstanding to the merchant's account.
func (s *Service) Accept(ctx context.Context, viewer *accounts.Viewer, code string) (*Voucher, error) {
	by, err := viewerID(viewer)
	if err != nil {
		return nil, err
	}
	found, err := findVoucher(ctx, s.db, code, false)
	if err != nil {
		return nil, err
	}
	if member, err := isMember(ctx, s.db, by, found.MerchantID); err != nil {
		return nil, err
	} else if !member {
		return nil, errs.One("code", errs.InvalidState, MsgVoucherWrongMerchant, nil)
	}
	acc, err := s.accountsOf(ctx, found)
	if err != nil {
		return nil, err
	}
	var out *Voucher
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		v, err := findVoucher(ctx, tx, found.ID, true)
		if err != nil {
			return err
		}
		member, err := isMember(ctx, tx, by, v.MerchantID)
		if err != nil {
			return err
		}
		if !member {
			return errs.One("code", errs.InvalidState, MsgVoucherWrongMerchant, nil)
		}
		now := s.Now()
		if err := closedError(v, now); err != nil {
			return err
		}
		t, err := s.ledger.TransferTx(ctx, tx, ledger.TransferRequest{IdempotencyKey: acceptKey(v.ID), Kind: ledger.TxAccept,
			From: acc.outstanding, To: acc.merchant, Amount: int64(v.Price),
			Metadata: map[string]any{"voucherId": v.ID, "rewardId": v.RewardID}, CreatedBy: by})
		if err != nil {
			return withField(err, "code")
		}
		out = &Voucher{}
		if err := tx.GetContext(ctx, out, `UPDATE vouchers SET state = 'ACCEPTED', closed_at = $2, closed_by = $3, close_tx = $4
			WHERE id = $1 RETURNING `+voucherColumns, v.ID, now, by, t.ID); err != nil {
			return fmt.Errorf("accept voucher: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "voucher accepted", "voucher", out.ID, "merchant", out.MerchantID, "price", out.Price)
	return out, nil
}

// Cancel gives an issued voucher back (by its holder or a member of its merchant; ref is the
// voucher's id or code): the coins go back to the holder's wallet and the item to stock, in
// one transaction. Cancelling a cancelled voucher changes nothing; an accepted or expired one
// cannot be cancelled.
func (s *Service) Cancel(ctx context.Context, viewer *accounts.Viewer, ref string) (*Voucher, error) {
	by, err := viewerID(viewer)
	if err != nil {
		return nil, err
	}
	found, err := findVoucher(ctx, s.db, ref, false)
	if err != nil {
		return nil, err
	}
	if found.PersonID != by {
		if member, err := isMember(ctx, s.db, by, found.MerchantID); err != nil {
			return nil, err
		} else if !member {
			return nil, errs.One("code", errs.NotFoundCode, MsgVoucherNotFound, nil)
		}
	}
	acc, err := s.accountsOf(ctx, found)
	if err != nil {
		return nil, err
	}
	var out *Voucher
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		v, err := findVoucher(ctx, tx, found.ID, true)
		if err != nil {
			return err
		}
		if v.PersonID != by {
			member, err := isMember(ctx, tx, by, v.MerchantID)
			if err != nil {
				return err
			}
			if !member {
				return errs.One("code", errs.NotFoundCode, MsgVoucherNotFound, nil)
			}
		}
		if v.State == StateCancelled {
			out = v
			return nil
		}
		if v.State != StateIssued {
			return closedError(v, s.Now())
		}
		out, err = s.giveBack(ctx, tx, v, acc, StateCancelled, by, s.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	s.bump(ctx, out.RewardID) // back in stock
	return out, nil
}

// CloseAccount cancels, inside tx, every issued voucher of a person who is deleting their
// account: the coins go back to the wallet (which stays, under the pseudonym, for the books)
// and the items back to stock, so no merchant keeps an item aside for nobody. after bumps the
// catalogue's cache tags; call it once tx has committed.
func (s *Service) CloseAccount(ctx context.Context, tx *sqlx.Tx, personID string) (after func(context.Context), err error) {
	var ids []string
	if err := tx.SelectContext(ctx, &ids, `SELECT id FROM vouchers WHERE person_id = $1 AND state = 'ISSUED' ORDER BY id`, personID); err != nil {
		return nil, fmt.Errorf("issued vouchers: %w", err)
	}
	var rewards []string
	for _, id := range ids {
		v, err := findVoucher(ctx, tx, id, true)
		if err != nil {
			return nil, err
		}
		if v.State != StateIssued {
			continue
		}
		acc, err := s.accountsOf(ctx, v)
		if err != nil {
			return nil, err
		}
		if _, err := s.giveBack(ctx, tx, v, acc, StateCancelled, personID, s.Now()); err != nil {
			return nil, err
		}
		rewards = append(rewards, v.RewardID)
	}
	return func(ctx context.Context) {
		for _, r := range rewards {
			s.bump(ctx, r)
		}
	}, nil
}

// giveBack returns an issued voucher's coins to the holder and its item to stock, and marks
// it cancelled or expired. v is locked by the caller.
func (s *Service) giveBack(ctx context.Context, tx *sqlx.Tx, v *Voucher, acc voucherAccounts, state, by string,
	now time.Time) (*Voucher, error) {
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM rewards WHERE id = $1 FOR UPDATE`, v.RewardID); err != nil {
		return nil, fmt.Errorf("lock reward: %w", err)
	}
	t, err := s.ledger.TransferTx(ctx, tx, ledger.TransferRequest{IdempotencyKey: returnKey(v.ID), Kind: ledger.TxCancel,
		From: acc.outstanding, To: acc.wallet, Amount: int64(v.Price),
		Metadata: map[string]any{"voucherId": v.ID, "rewardId": v.RewardID, "state": state}, CreatedBy: by})
	if err != nil {
		return nil, withField(err, "code")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE rewards SET stock = stock + 1 WHERE id = $1`, v.RewardID); err != nil {
		return nil, fmt.Errorf("back to stock: %w", err)
	}
	var out Voucher
	if err := tx.GetContext(ctx, &out, `UPDATE vouchers SET state = $2, closed_at = $3, closed_by = $4, close_tx = $5
		WHERE id = $1 RETURNING `+voucherColumns, v.ID, state, now, nullable(by), t.ID); err != nil {
		return nil, fmt.Errorf("close voucher: %w", err)
	}
	s.log.InfoContext(ctx, "voucher given back", "voucher", v.ID, "state", state, "price", v.Price)
	return &out, nil
}

// ExpireVouchers expires every issued voucher whose time is up at now, as Cancel does (coins
// back to the wallet, item back to stock), and returns how many it expired. Idempotent; run it
// periodically.
func (s *Service) ExpireVouchers(ctx context.Context, now time.Time) (int, error) {
	n := 0
	for {
		var ids []string
		if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM vouchers WHERE state = 'ISSUED' AND valid_until <= $1
			ORDER BY valid_until, id LIMIT 500`, now); err != nil {
			return n, fmt.Errorf("due vouchers: %w", err)
		}
		done := 0
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				return n, err
			}
			found, err := findVoucher(ctx, s.db, id, false)
			if err != nil {
				return n, err
			}
			acc, err := s.accountsOf(ctx, found)
			if err != nil {
				return n, err
			}
			err = s.inTx(ctx, func(tx *sqlx.Tx) error {
				v, err := findVoucher(ctx, tx, id, true)
				if err != nil {
					return err
				}
				if v.State != StateIssued || v.ValidUntil.After(now) { // accepted or cancelled meanwhile
					return nil
				}
				if _, err := s.giveBack(ctx, tx, v, acc, StateExpired, "", now); err != nil {
					return err
				}
				done++
				return nil
			})
			if err != nil {
				return n, fmt.Errorf("expire voucher %s: %w", id, err)
			}
			s.bump(ctx, found.RewardID) // back in stock (when it expired now)
		}
		n += done
		if len(ids) < 500 {
			return n, nil
		}
	}
}

// Voucher returns a voucher by id or code, for its holder, a member of its merchant or an
// administrator; errs.ErrNotFound for anyone else.
func (s *Service) Voucher(ctx context.Context, viewer *accounts.Viewer, ref string) (*Voucher, error) {
	by, err := viewerID(viewer)
	if err != nil {
		return nil, err
	}
	var v Voucher
	if validID(ref) {
		err = s.db.GetContext(ctx, &v, `SELECT `+voucherColumns+` FROM vouchers WHERE id = $1`, ref)
	} else if code, ok := ParseCode(ref); ok {
		err = s.db.GetContext(ctx, &v, `SELECT `+voucherColumns+` FROM vouchers WHERE code = $1`, code)
	} else {
		return nil, errs.ErrNotFound
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load voucher: %w", err)
	}
	if v.PersonID != by && !viewer.IsAdmin {
		member, err := isMember(ctx, s.db, by, v.MerchantID)
		if err != nil {
			return nil, err
		}
		if !member {
			return nil, errs.ErrNotFound
		}
	}
	return &v, nil
}

// VoucherCursor is a position in a list of vouchers.
type VoucherCursor struct {
	At time.Time `json:"t"`
	ID string    `json:"i"`
}

// VoucherPage is one page of vouchers, newest first.
type VoucherPage struct {
	Vouchers    []Voucher
	HasNextPage bool
}

// VoucherFilter chooses whose vouchers to list: the viewer's own (MerchantID ""), or a
// merchant's (for its members). States narrows them (none: all).
type VoucherFilter struct {
	MerchantID string
	States     []string
}

// Vouchers lists vouchers newest first, first (1..100) at a time after a cursor.
func (s *Service) Vouchers(ctx context.Context, viewer *accounts.Viewer, f VoucherFilter, first int, after *VoucherCursor) (VoucherPage, error) {
	var page VoucherPage
	by, err := viewerID(viewer)
	if err != nil {
		return page, err
	}
	first = min(max(first, 1), 100)
	where := []string{`person_id = $1`}
	args := []any{by}
	if f.MerchantID != "" {
		if !validID(f.MerchantID) {
			return page, errs.ErrForbidden
		}
		member, err := isMember(ctx, s.db, by, f.MerchantID)
		if err != nil {
			return page, err
		}
		if !member && !viewer.IsAdmin {
			return page, errs.ErrForbidden
		}
		where[0], args[0] = `merchant_id = $1`, f.MerchantID
	}
	args = append(args, append(pq.StringArray{}, f.States...))
	where = append(where, `(cardinality($2::text[]) = 0 OR state = ANY ($2::text[]))`)
	if after != nil && validID(after.ID) {
		args = append(args, after.At, after.ID)
		where = append(where, `(issued_at, id) < ($3, $4::uuid)`)
	}
	args = append(args, first+1)
	q := `SELECT ` + voucherColumns + ` FROM vouchers WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(` ORDER BY issued_at DESC, id DESC LIMIT $%d`, len(args))
	if err := s.db.SelectContext(ctx, &page.Vouchers, q, args...); err != nil {
		return page, fmt.Errorf("list vouchers: %w", err)
	}
	if len(page.Vouchers) > first {
		page.HasNextPage, page.Vouchers = true, page.Vouchers[:first]
	}
	return page, nil
}
