package volunteering

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/errs"
)

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// notify stores a notification for a person. dedupeKey (optional) makes it happen once.
func notify(ctx context.Context, tx *sqlx.Tx, personID, kind string, needID, shiftID, appID *string, message, dedupeKey string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (person_id, kind, need_id, shift_id, application_id, message, dedupe_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING`,
		personID, kind, needID, shiftID, appID, message, nullable(dedupeKey)); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// notifyMembers tells every member of an organisation about an application.
func (s *Service) notifyMembers(ctx context.Context, tx *sqlx.Tx, orgID, kind string, a *Application) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (person_id, kind, need_id, shift_id, application_id)
		SELECT person_id, $2, $3, $4, $5 FROM organisation_members WHERE organisation_id = $1`,
		orgID, kind, a.NeedID, a.ShiftID, a.ID); err != nil {
		return fmt.Errorf("notify members: %w", err)
	}
	return nil
}

// NotificationCursor is a position in a notification list.
type NotificationCursor struct {
	At time.Time `json:"t"`
	ID string    `json:"i"`
}

// NotificationPage is one page of notifications, newest first.
type NotificationPage struct {
	Notifications []Notification
	HasNextPage   bool
	TotalCount    int
	UnreadCount   int
}

// Notifications lists a person's notifications, newest first.
func (s *Service) Notifications(ctx context.Context, personID string, unreadOnly bool, first int, after *NotificationCursor) (NotificationPage, error) {
	var page NotificationPage
	cond := `person_id = $1 AND (NOT $2 OR read_at IS NULL)`
	if err := s.db.GetContext(ctx, &page.TotalCount, `SELECT count(*) FROM notifications WHERE `+cond, personID, unreadOnly); err != nil {
		return page, fmt.Errorf("count notifications: %w", err)
	}
	if err := s.db.GetContext(ctx, &page.UnreadCount, `SELECT count(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL`,
		personID); err != nil {
		return page, fmt.Errorf("count unread: %w", err)
	}
	args := []any{personID, unreadOnly, first + 1}
	q := `SELECT ` + notificationColumns + ` FROM notifications WHERE ` + cond
	if after != nil {
		q += ` AND (created_at, id) < ($4, $5)`
		args = append(args, after.At, after.ID)
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT $3`
	if err := s.db.SelectContext(ctx, &page.Notifications, q, args...); err != nil {
		return page, fmt.Errorf("list notifications: %w", err)
	}
	if len(page.Notifications) > first {
		page.HasNextPage, page.Notifications = true, page.Notifications[:first]
	}
	return page, nil
}

// MarkRead marks notifications (all when ids is nil) of a person as read and returns the unread count.
func (s *Service) MarkRead(ctx context.Context, personID string, ids []string) (int, error) {
	if personID == "" {
		return 0, errs.ErrUnauthenticated
	}
	var err error
	if ids == nil {
		_, err = s.db.ExecContext(ctx, `UPDATE notifications SET read_at = now() WHERE person_id = $1 AND read_at IS NULL`, personID)
	} else {
		_, err = s.db.ExecContext(ctx, `UPDATE notifications SET read_at = now() WHERE person_id = $1 AND read_at IS NULL
			AND id = ANY($2::uuid[])`, personID, pq.StringArray(validUUIDs(ids)))
	}
	if err != nil {
		return 0, fmt.Errorf("mark read: %w", err)
	}
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL`, personID); err != nil {
		return 0, fmt.Errorf("count unread: %w", err)
	}
	return n, nil
}

func validUUIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, validUUID(id))
	}
	return out
}

// SendReminders tells accepted volunteers about their shift the day before (shifts that
// start in the next 36 hours and were not reminded yet). Idempotent; run it periodically.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	var sent int
	err := s.db.GetContext(ctx, &sent, `
		WITH due AS (
			UPDATE shifts SET reminded_at = now()
			WHERE status = 'SCHEDULED' AND reminded_at IS NULL AND starts_at > now() AND starts_at <= now() + interval '36 hours'
			RETURNING id, need_id
		), ins AS (
			INSERT INTO notifications (person_id, kind, need_id, shift_id, application_id, dedupe_key)
			SELECT a.person_id, 'SHIFT_REMINDER', a.need_id, a.shift_id, a.id, 'reminder:' || a.id
			FROM applications a JOIN due ON due.id = a.shift_id WHERE a.status = 'ACCEPTED'
			ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1
		)
		SELECT count(*) FROM ins`)
	if err != nil {
		return 0, fmt.Errorf("send reminders: %w", err)
	}
	return sent, nil
}
