package volunteering

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// Calendar feeds: a private, revocable address that serves a volunteer's accepted shifts
// as iCalendar (RFC 5545). Only the token's SHA-256 is stored.

func feedHash(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// NewCalendarFeed makes a new feed token for a person, ending any earlier one.
func (s *Service) NewCalendarFeed(ctx context.Context, personID string) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO calendar_feeds (person_id, token_hash) VALUES ($1, $2)
		ON CONFLICT (person_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()`, personID, feedHash(tok)); err != nil {
		return "", fmt.Errorf("save calendar feed: %w", err)
	}
	return tok, nil
}

// RevokeCalendarFeed ends a person's feed address.
func (s *Service) RevokeCalendarFeed(ctx context.Context, personID string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM calendar_feeds WHERE person_id = $1`, personID); err != nil {
		return fmt.Errorf("revoke calendar feed: %w", err)
	}
	return nil
}

// CalendarFeed renders the accepted shifts (from 30 days ago on) of the feed's owner.
func (s *Service) CalendarFeed(ctx context.Context, token string) ([]byte, error) {
	if token == "" || len(token) > 100 {
		return nil, errs.ErrNotFound
	}
	var personID string
	err := s.db.GetContext(ctx, &personID, `SELECT person_id FROM calendar_feeds WHERE token_hash = $1`, feedHash(token))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find calendar feed: %w", err)
	}
	var rows []struct {
		AppID    string    `db:"app_id"`
		Starts   time.Time `db:"starts_at"`
		Ends     time.Time `db:"ends_at"`
		Title    string    `db:"title"`
		Org      string    `db:"org"`
		Street   string    `db:"street"`
		Postcode string    `db:"postcode"`
		City     string    `db:"city"`
		Updated  time.Time `db:"updated_at"`
	}
	err = s.db.SelectContext(ctx, &rows, `
		SELECT a.id AS app_id, sh.starts_at, sh.ends_at, n.title, o.name AS org, n.street, n.postcode, n.city, a.updated_at
		FROM applications a JOIN shifts sh ON sh.id = a.shift_id JOIN needs n ON n.id = a.need_id
		JOIN organisations o ON o.id = n.organisation_id
		WHERE a.person_id = $1 AND a.status IN ('ACCEPTED', 'ATTENDED') AND sh.status = 'SCHEDULED'
		AND sh.starts_at > now() - interval '30 days'
		ORDER BY sh.starts_at LIMIT 1000`, personID)
	if err != nil {
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//Helpende Handen//Antwerpen//NL")
	cal.SetName("Helpende Handen")
	cal.SetXWRTimezone("Europe/Brussels")
	for _, r := range rows {
		ev := cal.AddEvent(r.AppID + "@helpendehanden")
		ev.SetStartAt(r.Starts.UTC())
		ev.SetEndAt(r.Ends.UTC())
		ev.SetDtStampTime(r.Updated.UTC())
		ev.SetSummary(r.Title + " — " + r.Org)
		if r.Street != "" {
			ev.SetLocation(r.Street + ", " + r.Postcode + " " + r.City)
		}
	}
	return []byte(cal.Serialize()), nil
}
