package rewards

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/i18n"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

// Coin expiry.
//
// The rule, in one sentence: when the policy sets an expiry of N months, whatever a wallet
// holds beyond the coins it received in the last N months expires.
//
// "Received" means minted, given (a gift) or transferred to it, not reversed since; coins that
// come back from a cancelled or expired voucher or from a reversal are not new coins. This is
// first in, first out: spending always uses the oldest coins, so a balance B with R coins
// received in the last N months holds max(0, B − R) coins older than N months, and those expire.
// Days are calendar days in Europe/Brussels: on day D the coins received before D − N months
// (at midnight) expire. When in doubt the rule lets a coin live longer, never shorter.
//
// ExpireCoins moves them from the wallet to the city's expired account, with the key
// "expire:<person>:<day>": run twice on a day, it does nothing the second time (the balance
// beyond the window is then zero, and a concurrent run replays the same transaction).

// freshSince is the SQL for the coins a wallet ($1) received since $2 (see the rule above).
const freshSince = `SELECT coalesce(sum(p.amount), 0) FROM ledger_postings p
	JOIN ledger_transactions t ON t.id = p.transaction_id
	WHERE p.account_id = $1 AND p.amount > 0 AND t.created_at >= $2 AND t.kind IN ('MINT', 'GIFT', 'TRANSFER')
	AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses = t.id)`

// dayStart is the start of t's calendar day in the platform's zone.
func dayStart(t time.Time) time.Time {
	y, m, d := t.In(Zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Zone)
}

// ExpiryCutoff is the moment before which received coins are expired on now's day, for an
// expiry of months (coins received at or after it are kept).
func ExpiryCutoff(now time.Time, months int) time.Time {
	return dayStart(now).AddDate(0, -months, 0)
}

// ExpireCoinsKey is the ledger idempotency key of a person's expiry on a day.
func ExpireCoinsKey(personID string, day time.Time) string {
	return "expire:" + personID + ":" + day.In(Zone).Format(time.DateOnly)
}

// ExpiryResult says what a run of ExpireCoins did.
type ExpiryResult struct {
	Wallets int   // wallets that lost coins
	Coins   int64 // coins expired
}

type expiryCandidate struct {
	AccountID string `db:"id"`
	PersonID  string `db:"owner_id"`
	Due       int64  `db:"due"`
}

// candidates lists wallets holding more than they received since cutoff.
func (s *Service) candidates(ctx context.Context, cutoff time.Time) ([]expiryCandidate, error) {
	var out []expiryCandidate
	if err := s.db.SelectContext(ctx, &out, `SELECT a.id, a.owner_id, a.balance - f.fresh AS due
		FROM ledger_accounts a
		CROSS JOIN LATERAL (`+strings.NewReplacer("$1", "a.id", "$2", "$1").Replace(freshSince)+`) AS f (fresh)
		WHERE a.kind = 'WALLET' AND a.balance > 0 AND a.balance > f.fresh ORDER BY a.id`, cutoff); err != nil {
		return nil, fmt.Errorf("wallets with old coins: %w", err)
	}
	return out, nil
}

// ExpireCoins expires, on now's day, the coins older than the policy's expiry period (see the
// rule above), wallet by wallet, each in its own transaction. Nothing when the policy has no
// expiry. Idempotent per person and day.
func (s *Service) ExpireCoins(ctx context.Context, now time.Time) (ExpiryResult, error) {
	var res ExpiryResult
	policy, err := s.ledger.Policy(ctx)
	if err != nil {
		return res, err
	}
	if policy.ExpiryMonths == nil || *policy.ExpiryMonths <= 0 {
		return res, nil
	}
	months := *policy.ExpiryMonths
	cutoff := ExpiryCutoff(now, months)
	list, err := s.candidates(ctx, cutoff)
	if err != nil {
		return res, err
	}
	if len(list) == 0 {
		return res, nil
	}
	expired, err := s.ledger.Account(ctx, ledger.KindExpired, "")
	if err != nil {
		return res, err
	}
	for _, c := range list {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		var moved int64
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			balances, err := lockAccounts(ctx, tx, c.AccountID, expired.ID)
			if err != nil {
				return err
			}
			var fresh int64
			if err := tx.GetContext(ctx, &fresh, freshSince, c.AccountID, cutoff); err != nil {
				return fmt.Errorf("coins received: %w", err)
			}
			due := balances[c.AccountID] - fresh
			if due <= 0 {
				return nil
			}
			t, err := s.ledger.TransferTx(ctx, tx, ledger.TransferRequest{IdempotencyKey: ExpireCoinsKey(c.PersonID, now),
				Kind: ledger.TxExpire, From: c.AccountID, To: expired.ID, Amount: due,
				Metadata: map[string]any{"personId": c.PersonID, "expiryMonths": months, "receivedBefore": cutoff.Format(time.RFC3339)}})
			if u, ok := errs.AsUserErrors(err); ok {
				// Expired before today by a run that saw another balance: the rest waits for tomorrow.
				s.log.WarnContext(ctx, "coin expiry skipped", "person", c.PersonID, "err", u.Error())
				return nil
			}
			if err != nil {
				return err
			}
			if !t.Replayed {
				moved = due
			}
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("expire coins of %s: %w", c.PersonID, err)
		}
		if moved > 0 {
			res.Wallets++
			res.Coins += moved
		}
	}
	if res.Coins > 0 {
		s.log.InfoContext(ctx, "coins expired", "wallets", res.Wallets, "coins", res.Coins, "receivedBefore", cutoff)
	}
	return res, nil
}

// ExpiringCoins returns how many of a person's coins expire by the day of at (if not spent
// first; 0 when the policy has no expiry).
func (s *Service) ExpiringCoins(ctx context.Context, personID string, at time.Time) (int64, error) {
	policy, err := s.ledger.Policy(ctx)
	if err != nil || policy.ExpiryMonths == nil {
		return 0, err
	}
	w, err := s.ledger.Wallet(ctx, personID)
	if err != nil {
		return 0, err
	}
	var fresh int64
	if err := s.db.GetContext(ctx, &fresh, freshSince, w.ID, ExpiryCutoff(at, *policy.ExpiryMonths)); err != nil {
		return 0, fmt.Errorf("coins received: %w", err)
	}
	return max(w.Balance-fresh, 0), nil
}

// NoticeExpiringCoins tells every person whose coins will expire within NoticeDays of now
// (unless spent first) how many and by when, in their language, with a notification of kind
// COINS_EXPIRING. A person is told at most once per calendar month of that day. Returns how
// many it told; run it daily.
func (s *Service) NoticeExpiringCoins(ctx context.Context, now time.Time) (int, error) {
	policy, err := s.ledger.Policy(ctx)
	if err != nil {
		return 0, err
	}
	if policy.ExpiryMonths == nil || *policy.ExpiryMonths <= 0 {
		return 0, nil
	}
	by := dayStart(now).AddDate(0, 0, NoticeDays)
	list, err := s.candidates(ctx, ExpiryCutoff(by, *policy.ExpiryMonths))
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, c := range list {
		var lang string
		err := s.db.GetContext(ctx, &lang, `SELECT preferred_language FROM people WHERE id = $1 AND deleted_at IS NULL`, c.PersonID)
		if err != nil { // no such person (any more): nobody to tell
			continue
		}
		msg := expiringNotice(lang, c.Due, by)
		r, err := s.db.ExecContext(ctx, `INSERT INTO notifications (person_id, kind, message, dedupe_key)
			VALUES ($1, $2, $3, $4) ON CONFLICT (dedupe_key) DO NOTHING`,
			c.PersonID, NotificationCoinsExpires, msg, "coins-expiring:"+c.PersonID+":"+by.Format("2006-01"))
		if err != nil {
			return sent, fmt.Errorf("notify expiring coins: %w", err)
		}
		if n, _ := r.RowsAffected(); n > 0 {
			sent++
		}
	}
	return sent, nil
}

// expiringNotice is the notice in lang (the date as DD/MM/YYYY).
func expiringNotice(lang string, coins int64, by time.Time) string {
	return i18n.T(lang, MsgCoinsExpiringNotice, map[string]any{"Coins": coins, "Date": by.Format("02/01/2006")})
}
