package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// TopicAttendanceConfirmed is the outbox topic minting consumes (written by volunteering when
// an organisation confirms attendance; the payload is volunteering.AttendanceConfirmed).
const TopicAttendanceConfirmed = "attendance.confirmed"

// attendanceConfirmed is the part of the outbox payload minting needs.
type attendanceConfirmed struct {
	ApplicationID  string    `json:"applicationId"`
	PersonID       string    `json:"personId"`
	NeedID         string    `json:"needId"`
	OrganisationID string    `json:"organisationId"`
	Minutes        int       `json:"minutes"`
	WorkedOn       string    `json:"workedOn"`
	ConfirmedAt    time.Time `json:"confirmedAt"`
}

// Reasons why fewer coins were minted than due.
const (
	ReasonYearlyCap       = "yearly_cap"
	ReasonBudgetExhausted = "budget_exhausted"
)

// MintRecord says what minting did for one confirmed application.
type MintRecord struct {
	ApplicationID  string  `db:"application_id"`
	OutboxID       int64   `db:"outbox_id"`
	PersonID       string  `db:"person_id"`
	OrganisationID *string `db:"organisation_id"`
	WorkedYear     int     `db:"worked_year"`
	Minutes        int     `db:"minutes"`
	PolicyID       int64   `db:"policy_id"`
	CoinsPerHour   int     `db:"coins_per_hour"`
	CoinsDue       int64   `db:"coins_due"`
	CoinsMinted    int64   `db:"coins_minted"`
	// Reason is why CoinsMinted < CoinsDue (ReasonYearlyCap, ReasonBudgetExhausted), or nil.
	Reason        *string   `db:"reason"`
	TransactionID *string   `db:"transaction_id"`
	CreatedAt     time.Time `db:"created_at"`
}

const mintRecordColumns = `application_id, outbox_id, person_id, organisation_id, worked_year, minutes, policy_id,
	coins_per_hour, coins_due, coins_minted, reason, transaction_id, created_at`

// MintKey is the idempotency key of the mint for a confirmed application.
func MintKey(applicationID string) string { return "mint:" + applicationID }

// MintPending mints coins for every confirmed attendance not processed yet (outbox topic
// attendance.confirmed, in id order) and returns how many events it processed. Each event is
// handled in one database transaction: the mint (key "mint:"+application id), its mint record
// and the outbox mark commit together, so a crash, a retry, a redelivered event or several
// workers at once never mint twice. An event that cannot be read is logged and left pending.
func (s *Service) MintPending(ctx context.Context) (int, error) {
	var last int64
	processed := 0
	for {
		if err := ctx.Err(); err != nil {
			return processed, err
		}
		var found, skipped bool
		var wallet string
		err := database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
			var ev struct {
				ID      int64  `db:"id"`
				Key     string `db:"key"`
				Payload []byte `db:"payload"`
			}
			err := tx.GetContext(ctx, &ev, `SELECT id, key, payload FROM outbox
				WHERE topic = $1 AND processed_at IS NULL AND id > $2 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
				TopicAttendanceConfirmed, last)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("next outbox event: %w", err)
			}
			found, last = true, ev.ID
			var a attendanceConfirmed
			if err := json.Unmarshal(ev.Payload, &a); err != nil || !validID(a.ApplicationID) || !validID(a.PersonID) ||
				a.ApplicationID != ev.Key || a.Minutes < 0 {
				s.log.ErrorContext(ctx, "mint: unreadable attendance event left pending", "outbox", ev.ID, "err", err)
				skipped = true
				return nil
			}
			return s.mintOne(ctx, tx, ev.ID, a, &wallet)
		})
		if err != nil {
			return processed, err
		}
		if wallet != "" {
			s.Announce(ctx, wallet)
		}
		if !found {
			return processed, nil
		}
		if !skipped {
			processed++
		}
	}
}

// mintOne handles one event; it sets *minted to the wallet when coins moved.
func (s *Service) mintOne(ctx context.Context, tx *sqlx.Tx, outboxID int64, a attendanceConfirmed, minted *string) error {
	markDone := func() error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET processed_at = now() WHERE id = $1`, outboxID); err != nil {
			return fmt.Errorf("mark outbox event: %w", err)
		}
		return nil
	}
	var done bool
	if err := tx.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM mint_records WHERE application_id = $1)`,
		a.ApplicationID); err != nil {
		return fmt.Errorf("check mint record: %w", err)
	}
	if done { // redelivered: minted before
		return markDone()
	}
	policy, err := currentPolicy(ctx, tx)
	if err != nil {
		return err
	}
	var cityID string
	if policy.IssuerAccountID != nil {
		cityID = *policy.IssuerAccountID
	} else {
		issuer, err := accountTx(ctx, tx, KindIssuer, "")
		if err != nil {
			return err
		}
		cityID = issuer.ID
	}
	// An organisation the city funds has a budget of its own: its volunteers' hours are
	// minted from it while it holds enough, then from the city's.
	var orgIssuerID string
	if validID(a.OrganisationID) {
		err := tx.GetContext(ctx, &orgIssuerID, `SELECT id FROM ledger_accounts WHERE kind = $1 AND owner_id = $2`,
			KindIssuer, a.OrganisationID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("organisation's budget: %w", err)
		}
	}
	wallet, err := accountTx(ctx, tx, KindWallet, a.PersonID)
	if err != nil {
		return err
	}
	// Lock the budgets and the wallet (in id order, like ledger_post) so that the cap and the
	// budget read here are still true when the coins move.
	ids := pq.StringArray{cityID, wallet.ID}
	if orgIssuerID != "" {
		ids = append(ids, orgIssuerID)
	}
	var locked []Account
	if err := tx.SelectContext(ctx, &locked, `SELECT `+accountColumns+` FROM ledger_accounts WHERE id = ANY ($1::uuid[])
		ORDER BY id FOR NO KEY UPDATE`, ids); err != nil {
		return fmt.Errorf("lock mint accounts: %w", err)
	}
	balances := map[string]int64{}
	for _, acc := range locked {
		balances[acc.ID] = acc.Balance
	}
	year := a.ConfirmedAt.Year()
	if d, err := time.Parse(time.DateOnly, a.WorkedOn); err == nil {
		year = d.Year()
	}
	due := CoinsFor(a.Minutes, policy.CoinsPerHour)
	amount := due
	var reason *string
	if policy.YearlyCapPerPerson != nil && amount > 0 {
		var used int64
		if err := tx.GetContext(ctx, &used, `SELECT coalesce(sum(m.coins_minted), 0) FROM mint_records m
			WHERE m.person_id = $1 AND m.worked_year = $2 AND m.coins_minted > 0
			AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses = m.transaction_id)`,
			a.PersonID, year); err != nil {
			return fmt.Errorf("coins minted this year: %w", err)
		}
		if left := max(int64(*policy.YearlyCapPerPerson)-used, 0); amount > left {
			amount, reason = left, ptr(ReasonYearlyCap)
		}
	}
	issuerID := cityID
	if orgIssuerID != "" && balances[orgIssuerID] >= amount {
		issuerID = orgIssuerID
	}
	if issuerBalance := balances[issuerID]; amount > issuerBalance {
		amount, reason = max(issuerBalance, 0), ptr(ReasonBudgetExhausted)
	}
	var txID *string
	if amount > 0 {
		meta := map[string]any{"applicationId": a.ApplicationID, "personId": a.PersonID, "minutes": a.Minutes,
			"coinsPerHour": policy.CoinsPerHour, "policyId": policy.ID, "workedOn": a.WorkedOn}
		if a.NeedID != "" {
			meta["needId"] = a.NeedID
		}
		if a.OrganisationID != "" {
			meta["organisationId"] = a.OrganisationID
		}
		t, err := s.TransferTx(ctx, tx, TransferRequest{IdempotencyKey: MintKey(a.ApplicationID), Kind: TxMint,
			From: issuerID, To: wallet.ID, Amount: amount, Metadata: meta})
		if err != nil {
			if u, ok := errs.AsUserErrors(err); ok {
				return fmt.Errorf("mint for application %s: %v", a.ApplicationID, u)
			}
			return err
		}
		txID = &t.ID
		if !t.Replayed {
			*minted = wallet.ID
		}
		// A transaction with this key may exist from before (written outside MintPending):
		// then that one counts.
		if p := t.Posting(wallet.ID); t.Replayed && p != nil {
			amount = p.Amount
		}
	}
	var org *string
	if validID(a.OrganisationID) {
		org = &a.OrganisationID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO mint_records (application_id, outbox_id, person_id, organisation_id,
		worked_year, minutes, policy_id, coins_per_hour, coins_due, coins_minted, reason, transaction_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		a.ApplicationID, outboxID, a.PersonID, org, year, a.Minutes, policy.ID, policy.CoinsPerHour, due, amount,
		reason, txID); err != nil {
		return fmt.Errorf("write mint record: %w", err)
	}
	if reason != nil {
		s.log.InfoContext(ctx, "minted less than due", "application", a.ApplicationID, "due", due, "minted", amount,
			"reason", *reason)
	}
	return markDone()
}

func ptr[T any](v T) *T { return &v }

// MintRecord returns what minting did for an application; errs.ErrNotFound when nothing yet.
func (s *Service) MintRecord(ctx context.Context, applicationID string) (*MintRecord, error) {
	if !validID(applicationID) {
		return nil, errs.ErrNotFound
	}
	var m MintRecord
	err := s.db.GetContext(ctx, &m, `SELECT `+mintRecordColumns+` FROM mint_records WHERE application_id = $1`, applicationID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load mint record: %w", err)
	}
	return &m, nil
}

// MintRecords lists a person's mint records of a calendar year (of the work), oldest first.
func (s *Service) MintRecords(ctx context.Context, personID string, year int) ([]MintRecord, error) {
	var out []MintRecord
	if !validID(personID) {
		return out, nil
	}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+mintRecordColumns+` FROM mint_records
		WHERE person_id = $1 AND worked_year = $2 ORDER BY created_at, application_id`, personID, year); err != nil {
		return nil, fmt.Errorf("list mint records: %w", err)
	}
	return out, nil
}
