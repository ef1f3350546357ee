// Package matchmaking is what matchmakers (social workers, job coaches) do: propose a
// person for a need — the person decides — and act on behalf of a person who is not at
// ease online, only with that person's recorded consent and an end date. Everything done
// on someone's behalf is logged and visible to them, and they can withdraw the consent.
package matchmaking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// Proposal statuses.
const (
	Pending  = "PENDING"
	Accepted = "ACCEPTED"
	Declined = "DECLINED"
)

// MaxConsentDays is the longest a consent to act on someone's behalf can last.
const MaxConsentDays = 366

// Proposal is a matchmaker's suggestion that a person helps with a need.
type Proposal struct {
	ID            string     `db:"id"`
	NeedID        string     `db:"need_id"`
	PersonID      string     `db:"person_id"`
	MatchmakerID  *string    `db:"matchmaker_id"`
	Message       string     `db:"message"`
	Status        string     `db:"status"`
	ApplicationID *string    `db:"application_id"`
	CreatedAt     time.Time  `db:"created_at"`
	DecidedAt     *time.Time `db:"decided_at"`
}

const proposalColumns = `id, need_id, person_id, matchmaker_id, message, status, application_id, created_at, decided_at`

// Consent is a person's consent that a matchmaker acts on their behalf.
type Consent struct {
	ID           string     `db:"id"`
	PersonID     string     `db:"person_id"`
	MatchmakerID string     `db:"matchmaker_id"`
	GrantedAt    time.Time  `db:"granted_at"`
	EndsAt       time.Time  `db:"ends_at"`
	WithdrawnAt  *time.Time `db:"withdrawn_at"`
	Note         string     `db:"note"`
}

const consentColumns = `id, person_id, matchmaker_id, granted_at, ends_at, withdrawn_at, note`

// Active reports whether the consent holds at t.
func (c *Consent) Active(t time.Time) bool { return c.WithdrawnAt == nil && t.Before(c.EndsAt) }

// LogEntry is one thing done on a person's behalf.
type LogEntry struct {
	ID           int64     `db:"id"`
	PersonID     string    `db:"person_id"`
	MatchmakerID *string   `db:"matchmaker_id"`
	Action       string    `db:"action"`
	At           time.Time `db:"at"`
}

// Service runs matchmaking.
type Service struct {
	db  *sqlx.DB
	vol *volunteering.Service
	Now func() time.Time
}

// NewService returns a matchmaking service.
func NewService(db *sqlx.DB, vol *volunteering.Service) *Service {
	return &Service{db: db, vol: vol, Now: time.Now}
}

func requireMatchmaker(viewer *accounts.Viewer) error {
	if viewer == nil {
		return errs.ErrUnauthenticated
	}
	if !viewer.IsMatchmaker || viewer.OnBehalfOf != "" {
		return errs.ErrForbidden
	}
	return nil
}

// Propose suggests a person for an open need. The person must have opened their profile to
// matchmakers; they get a notification and decide.
func (s *Service) Propose(ctx context.Context, viewer *accounts.Viewer, needID, personID, message string) (*Proposal, error) {
	if err := requireMatchmaker(viewer); err != nil {
		return nil, err
	}
	message, ok := accounts.CleanText(message, true)
	if !ok || utf8.RuneCountInString(message) > 1000 {
		return nil, errs.One("message", errs.TooLong, "too_long", map[string]any{"Max": 1000})
	}
	n, err := s.vol.Need(ctx, viewer, needID)
	if err != nil || (n.Status != volunteering.NeedOpen && n.Status != volunteering.NeedFilled) {
		return nil, errs.One("needId", errs.NotFoundCode, "need_not_found", nil)
	}
	var p Proposal
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var visible bool
		if err := tx.GetContext(ctx, &visible, `SELECT EXISTS (SELECT 1 FROM talent_profiles WHERE person_id = $1
			AND visibility IN ('MATCHMAKERS', 'ORGANISATIONS'))`, personID); err != nil {
			return fmt.Errorf("check profile: %w", err)
		}
		if !visible {
			// A private profile behaves as if it did not exist.
			return errs.One("personId", errs.NotFoundCode, "err_not_found", nil)
		}
		err := tx.GetContext(ctx, &p, `INSERT INTO proposals (need_id, person_id, matchmaker_id, message) VALUES ($1, $2, $3, $4)
			ON CONFLICT (need_id, person_id) WHERE status = 'PENDING' DO NOTHING RETURNING `+proposalColumns,
			n.ID, personID, viewer.PersonID, message)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.One("personId", errs.InvalidState, "already_proposed", nil)
		}
		if err != nil {
			return fmt.Errorf("propose: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (person_id, kind, need_id, message) VALUES ($1, 'PROPOSAL_RECEIVED', $2, $3)`,
			personID, n.ID, message); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Respond lets the person accept a proposal (which applies for the chosen shift) or decline
// it. Declining costs nothing.
func (s *Service) Respond(ctx context.Context, viewer *accounts.Viewer, proposalID string, accept bool, shiftID *string) (*Proposal, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	var p Proposal
	err := s.db.GetContext(ctx, &p, `SELECT `+proposalColumns+` FROM proposals WHERE id = $1 AND person_id = $2`,
		validUUID(proposalID), viewer.PersonID)
	if err != nil {
		return nil, errs.One("proposalId", errs.NotFoundCode, "err_not_found", nil)
	}
	if p.Status != Pending {
		return nil, errs.One("proposalId", errs.InvalidState, "invalid", nil)
	}
	var appID *string
	if accept {
		a, err := s.vol.Apply(ctx, viewer, p.NeedID, shiftID, p.Message)
		if err != nil {
			return nil, err
		}
		appID = &a.ID
	}
	status := Declined
	if accept {
		status = Accepted
	}
	if err := s.db.GetContext(ctx, &p, `UPDATE proposals SET status = $2, application_id = $3, decided_at = now() WHERE id = $1
		RETURNING `+proposalColumns, p.ID, status, appID); err != nil {
		return nil, fmt.Errorf("respond to proposal: %w", err)
	}
	return &p, nil
}

// Proposals lists the proposals made to a person, newest first.
func (s *Service) Proposals(ctx context.Context, personID string) ([]Proposal, error) {
	var out []Proposal
	if err := s.db.SelectContext(ctx, &out, `SELECT `+proposalColumns+` FROM proposals WHERE person_id = $1 ORDER BY created_at DESC LIMIT 200`,
		personID); err != nil {
		return nil, fmt.Errorf("load proposals: %w", err)
	}
	return out, nil
}

// RecordConsent records, by a matchmaker, that a person consents to be helped on their
// behalf until endsAt. The person sees it and can withdraw it at any time.
func (s *Service) RecordConsent(ctx context.Context, viewer *accounts.Viewer, personID string, endsAt time.Time, note string) (*Consent, error) {
	if err := requireMatchmaker(viewer); err != nil {
		return nil, err
	}
	now := s.Now()
	switch {
	case !endsAt.After(now):
		return nil, errs.One("until", errs.Invalid, "invalid_date", nil)
	case endsAt.After(now.AddDate(0, 0, MaxConsentDays)):
		return nil, errs.One("until", errs.OutOfRange, "consent_too_long", map[string]any{"Days": MaxConsentDays})
	}
	if personID == viewer.PersonID {
		return nil, errs.One("personId", errs.Invalid, "invalid", nil)
	}
	note, _ = accounts.CleanText(note, true)
	if utf8.RuneCountInString(note) > 1000 {
		return nil, errs.One("note", errs.TooLong, "too_long", map[string]any{"Max": 1000})
	}
	var c Consent
	err := database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var exists bool
		if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM people WHERE id = $1 AND deleted_at IS NULL)`, personID); err != nil {
			return fmt.Errorf("find person: %w", err)
		}
		if !exists {
			return errs.One("personId", errs.NotFoundCode, "err_not_found", nil)
		}
		if err := tx.GetContext(ctx, &c, `INSERT INTO on_behalf_consents (person_id, matchmaker_id, ends_at, note) VALUES ($1, $2, $3, $4)
			RETURNING `+consentColumns, personID, viewer.PersonID, endsAt, note); err != nil {
			return fmt.Errorf("record consent: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO consent_log (person_id, kind, value, actor_id) VALUES ($1, 'ACT_ON_BEHALF', $2, $3)`,
			personID, "granted until "+endsAt.UTC().Format(time.RFC3339), viewer.PersonID); err != nil {
			return fmt.Errorf("log consent: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// WithdrawConsent ends a consent: by the person (always) or by the matchmaker it was given to.
func (s *Service) WithdrawConsent(ctx context.Context, viewer *accounts.Viewer, consentID string) (*Consent, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	var c Consent
	err := database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &c, `UPDATE on_behalf_consents SET withdrawn_at = now(), withdrawn_by = $2
			WHERE id = $1 AND withdrawn_at IS NULL AND (person_id = $3 OR (matchmaker_id = $3 AND $4))
			RETURNING `+consentColumns, validUUID(consentID), viewer.PersonID, realPerson(viewer), viewer.OnBehalfOf == "")
		if err != nil {
			return errs.One("consentId", errs.NotFoundCode, "err_not_found", nil)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO consent_log (person_id, kind, value, actor_id) VALUES ($1, 'ACT_ON_BEHALF', 'withdrawn', $2)`,
			c.PersonID, realPerson(viewer))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// realPerson is the person really at the keyboard: the matchmaker when acting on behalf.
func realPerson(v *accounts.Viewer) string {
	if v.OnBehalfOf != "" {
		return v.OnBehalfOf
	}
	return v.PersonID
}

// Consents lists the consents a person gave (or, for a matchmaker, received), newest first.
func (s *Service) Consents(ctx context.Context, personID string) ([]Consent, error) {
	var out []Consent
	if err := s.db.SelectContext(ctx, &out, `SELECT `+consentColumns+` FROM on_behalf_consents
		WHERE person_id = $1 OR matchmaker_id = $1 ORDER BY granted_at DESC LIMIT 200`, personID); err != nil {
		return nil, fmt.Errorf("load consents: %w", err)
	}
	return out, nil
}

// ActiveConsent reports whether matchmakerID may act on behalf of personID now.
func (s *Service) ActiveConsent(ctx context.Context, matchmakerID, personID string) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM on_behalf_consents c JOIN people p ON p.id = c.matchmaker_id
		WHERE c.person_id = $1 AND c.matchmaker_id = $2 AND c.withdrawn_at IS NULL AND c.ends_at > now() AND p.is_matchmaker)`,
		validUUID(personID), matchmakerID)
	if err != nil {
		return false, fmt.Errorf("check consent: %w", err)
	}
	return ok, nil
}

// Log records something done on a person's behalf.
func (s *Service) Log(ctx context.Context, personID, matchmakerID, action string) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO on_behalf_log (person_id, matchmaker_id, action) VALUES ($1, $2, $3)`,
		personID, matchmakerID, action); err != nil {
		return fmt.Errorf("log on-behalf action: %w", err)
	}
	return nil
}

// LogOf lists what was done on a person's behalf, newest first.
func (s *Service) LogOf(ctx context.Context, personID string) ([]LogEntry, error) {
	var out []LogEntry
	if err := s.db.SelectContext(ctx, &out, `SELECT id, person_id, matchmaker_id, action, at FROM on_behalf_log
		WHERE person_id = $1 ORDER BY id DESC LIMIT 500`, personID); err != nil {
		return nil, fmt.Errorf("load on-behalf log: %w", err)
	}
	return out, nil
}

func validUUID(id string) string {
	if organisations.IsUUID(id) {
		return id
	}
	return "00000000-0000-0000-0000-000000000000"
}
