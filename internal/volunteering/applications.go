package volunteering

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
)

// MaxMessage is the longest message a volunteer can add to an application.
const MaxMessage = 1000

// liveStatuses are the statuses of an application that is still in play.
var liveStatuses = pq.StringArray{AppPending, AppAccepted, AppWaiting}

// Apply signs the viewer up for a shift (or a flexible need). Places are never oversold:
// the shift row is locked while its places are counted, and the database refuses more
// taken places than there are. When the shift is full the volunteer joins the waiting
// list, in order of arrival.
func (s *Service) Apply(ctx context.Context, viewer *accounts.Viewer, needID string, shiftID *string, message string) (*Application, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	message, ok := accounts.CleanText(message, true)
	if !ok {
		return nil, errs.One("message", errs.Invalid, "invalid", nil)
	}
	if utf8.RuneCountInString(message) > MaxMessage {
		return nil, errs.One("message", errs.TooLong, "too_long", map[string]any{"Max": MaxMessage})
	}
	var app Application
	var need *Need
	err := database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		// One person's applications are made one at a time, so overlap checks hold under concurrency.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, viewer.PersonID); err != nil {
			return fmt.Errorf("lock person: %w", err)
		}
		n, err := s.needByID(ctx, tx, needID, false)
		if errors.Is(err, errs.ErrNotFound) {
			return errs.One("needId", errs.NotFoundCode, "need_not_found", nil)
		}
		if err != nil {
			return err
		}
		need = n
		if n.Status != NeedOpen && n.Status != NeedFilled {
			return errs.One("needId", errs.InvalidState, "need_not_open", nil)
		}
		status, holds := AppPending, false
		if n.Schedule == ScheduleFlexible {
			if shiftID != nil {
				return errs.One("shiftId", errs.Invalid, "flexible_has_no_shifts", nil)
			}
			if err := s.checkAge(ctx, tx, viewer.PersonID, n, s.Now()); err != nil {
				return err
			}
			var exists bool
			if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM applications WHERE need_id = $1 AND shift_id IS NULL
				AND person_id = $2 AND status = ANY($3))`, n.ID, viewer.PersonID, liveStatuses); err != nil {
				return fmt.Errorf("check duplicate: %w", err)
			}
			if exists {
				return errs.One("needId", errs.InvalidState, "already_applied", nil)
			}
			if err := tx.GetContext(ctx, n, `SELECT `+needColumns+` FROM needs WHERE id = $1 FOR UPDATE`, n.ID); err != nil {
				return fmt.Errorf("lock need: %w", err)
			}
			free := n.FlexiblePlaces == nil || n.FlexibleTaken < *n.FlexiblePlaces
			switch {
			case free && n.AutoAccept:
				status, holds = AppAccepted, true
			case !free:
				status = AppWaiting
			}
			if holds {
				if _, err := tx.ExecContext(ctx, `UPDATE needs SET flexible_taken = flexible_taken + 1 WHERE id = $1`, n.ID); err != nil {
					return fmt.Errorf("take place: %w", err)
				}
			}
		} else {
			if shiftID == nil {
				return errs.One("shiftId", errs.Required, "shift_needed", nil)
			}
			var sh Shift
			err := tx.GetContext(ctx, &sh, `SELECT `+shiftColumns+` FROM shifts WHERE id = $1 AND need_id = $2 FOR UPDATE`,
				validUUID(*shiftID), n.ID)
			if errors.Is(err, sql.ErrNoRows) {
				return errs.One("shiftId", errs.NotFoundCode, "shift_not_found", nil)
			}
			if err != nil {
				return fmt.Errorf("lock shift: %w", err)
			}
			if sh.Status != ShiftScheduled {
				return errs.One("shiftId", errs.InvalidState, "shift_cancelled", nil)
			}
			if !sh.StartsAt.After(s.Now()) {
				return errs.One("shiftId", errs.InvalidState, "shift_started", nil)
			}
			// The age that counts is the age on the day of the shift.
			if err := s.checkAge(ctx, tx, viewer.PersonID, n, sh.StartsAt); err != nil {
				return err
			}
			var dup, overlap bool
			if err := tx.GetContext(ctx, &dup, `SELECT EXISTS (SELECT 1 FROM applications WHERE shift_id = $1 AND person_id = $2
				AND status = ANY($3))`, sh.ID, viewer.PersonID, liveStatuses); err != nil {
				return fmt.Errorf("check duplicate: %w", err)
			}
			if dup {
				return errs.One("shiftId", errs.InvalidState, "already_applied", nil)
			}
			if err := tx.GetContext(ctx, &overlap, `SELECT EXISTS (SELECT 1 FROM applications a JOIN shifts o ON o.id = a.shift_id
				WHERE a.person_id = $1 AND a.status = ANY($2) AND o.status = 'SCHEDULED'
				AND o.starts_at < $4 AND o.ends_at > $3)`, viewer.PersonID, liveStatuses, sh.StartsAt, sh.EndsAt); err != nil {
				return fmt.Errorf("check overlap: %w", err)
			}
			if overlap {
				return errs.One("shiftId", errs.InvalidState, "overlapping_shift", nil)
			}
			free := sh.PlacesTaken < sh.Places
			switch {
			case free && n.AutoAccept:
				status, holds = AppAccepted, true
			case !free:
				status = AppWaiting
			}
			if holds {
				if _, err := tx.ExecContext(ctx, `UPDATE shifts SET places_taken = places_taken + 1 WHERE id = $1`, sh.ID); err != nil {
					return fmt.Errorf("take place: %w", err)
				}
			}
		}
		err = tx.GetContext(ctx, &app, `
			INSERT INTO applications (need_id, shift_id, person_id, status, message, holds_place, waiting_since)
			VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $4 = 'WAITING' THEN clock_timestamp() END)
			RETURNING `+applicationColumns, n.ID, shiftID, viewer.PersonID, status, message, holds)
		if err != nil {
			return fmt.Errorf("insert application: %w", err)
		}
		if err := addEvent(ctx, tx, app.ID, status, &viewer.PersonID, ""); err != nil {
			return err
		}
		if err := s.notifyMembers(ctx, tx, n.OrganisationID, NoteApplicationReceived, &app); err != nil {
			return err
		}
		if status == AppAccepted {
			if err := notify(ctx, tx, app.PersonID, NoteApplicationAccepted, &app.NeedID, app.ShiftID, &app.ID, "", ""); err != nil {
				return err
			}
		}
		return refreshNeed(ctx, tx, n)
	})
	if err != nil {
		return nil, err
	}
	_ = need
	s.changed(ctx, app.NeedID)
	s.publish(ctx, &app)
	return &app, nil
}

func validUUID(id string) string {
	if organisations.IsUUID(id) {
		return id
	}
	return "00000000-0000-0000-0000-000000000000"
}

// checkAge refuses volunteers younger than the need's minimum age on the given day (and
// asks for a birth date when unknown).
func (s *Service) checkAge(ctx context.Context, tx *sqlx.Tx, personID string, n *Need, on time.Time) error {
	if n.MinAge == nil || *n.MinAge == 0 {
		return nil
	}
	var birth *time.Time
	if err := tx.GetContext(ctx, &birth, `SELECT birth_date FROM people WHERE id = $1`, personID); err != nil {
		return fmt.Errorf("load birth date: %w", err)
	}
	if birth == nil {
		return errs.One("needId", errs.InvalidState, "birth_date_needed", map[string]any{"Age": *n.MinAge})
	}
	if AgeOn(*birth, on.In(Zone)) < *n.MinAge {
		return errs.One("needId", errs.InvalidState, "below_minimum_age", map[string]any{"Age": *n.MinAge})
	}
	return nil
}

// AgeOn returns a person's age in whole years on a day.
func AgeOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		age--
	}
	return age
}

// transition changes an application under lock of its shift (or flexible need). check
// returns an error when the change is not allowed.
func (s *Service) transition(ctx context.Context, viewer *accounts.Viewer, appID string, asCoordinator bool,
	change func(tx *sqlx.Tx, a *Application, n *Need, sh *Shift) (note string, err error)) (*Application, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	a0, err := s.Application(ctx, appID)
	if err != nil {
		return nil, errs.One("applicationId", errs.NotFoundCode, "application_not_found", nil)
	}
	n0, err := s.needByID(ctx, s.db, a0.NeedID, false)
	if err != nil {
		return nil, err
	}
	if asCoordinator {
		if err := s.canManage(ctx, viewer, n0.OrganisationID); err != nil {
			return nil, err
		}
	} else if a0.PersonID != viewer.PersonID {
		return nil, errs.ErrForbidden
	}
	var a Application
	var promoted []Application
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		a, promoted, err = s.applyTransition(ctx, tx, viewer.PersonID, a0, n0, change)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, a.NeedID)
	s.publish(ctx, &a)
	for i := range promoted {
		s.publish(ctx, &promoted[i])
	}
	return &a, nil
}

// applyTransition changes one application inside tx: it locks the shift (or, for a flexible
// need, the need) and the application, applies change, takes or gives back the place,
// records the event (by actorID) and moves the waiting list up when a place came free. It
// returns the changed application and the ones promoted from the waiting list, for the
// caller to publish once tx has committed.
func (s *Service) applyTransition(ctx context.Context, tx *sqlx.Tx, actorID string, a0 *Application, n0 *Need,
	change func(tx *sqlx.Tx, a *Application, n *Need, sh *Shift) (note string, err error)) (Application, []Application, error) {
	var a Application
	var promoted []Application
	var sh *Shift
	n := n0
	if a0.ShiftID != nil {
		sh = &Shift{}
		if err := tx.GetContext(ctx, sh, `SELECT `+shiftColumns+` FROM shifts WHERE id = $1 FOR UPDATE`, *a0.ShiftID); err != nil {
			return a, nil, fmt.Errorf("lock shift: %w", err)
		}
	} else {
		if err := tx.GetContext(ctx, n, `SELECT `+needColumns+` FROM needs WHERE id = $1 FOR UPDATE`, a0.NeedID); err != nil {
			return a, nil, fmt.Errorf("lock need: %w", err)
		}
	}
	if err := tx.GetContext(ctx, &a, `SELECT `+applicationColumns+` FROM applications WHERE id = $1 FOR UPDATE`, a0.ID); err != nil {
		return a, nil, fmt.Errorf("lock application: %w", err)
	}
	before := a.Status
	hadPlace := a.HoldsPlace
	note, err := change(tx, &a, n, sh)
	if err != nil {
		return a, nil, err
	}
	// Take or give back a place.
	if a.HoldsPlace != hadPlace {
		delta := 1
		if !a.HoldsPlace {
			delta = -1
		}
		if sh != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE shifts SET places_taken = places_taken + $2 WHERE id = $1`, sh.ID, delta); err != nil {
				return a, nil, fmt.Errorf("update places: %w", err)
			}
			sh.PlacesTaken += delta
		} else {
			if _, err := tx.ExecContext(ctx, `UPDATE needs SET flexible_taken = flexible_taken + $2 WHERE id = $1`, n.ID, delta); err != nil {
				return a, nil, fmt.Errorf("update places: %w", err)
			}
			n.FlexibleTaken += delta
		}
	}
	if err := tx.GetContext(ctx, &a, `UPDATE applications SET status = $2, holds_place = $3, minutes = $4, worked_on = $5,
		confirmed_at = $6, confirmed_by = $7, waiting_since = CASE WHEN $2 = 'WAITING' THEN coalesce(waiting_since, clock_timestamp()) END,
		updated_at = now() WHERE id = $1 RETURNING `+applicationColumns,
		a.ID, a.Status, a.HoldsPlace, a.Minutes, a.WorkedOn, a.ConfirmedAt, a.ConfirmedBy); err != nil {
		return a, nil, fmt.Errorf("update application: %w", err)
	}
	if a.Status != before {
		if err := addEvent(ctx, tx, a.ID, a.Status, &actorID, note); err != nil {
			return a, nil, err
		}
	}
	if hadPlace && !a.HoldsPlace {
		p, err := s.promoteWaiting(ctx, tx, n, sh)
		if err != nil {
			return a, nil, err
		}
		promoted = p
	}
	if err := refreshNeed(ctx, tx, n); err != nil {
		return a, nil, err
	}
	return a, promoted, nil
}

// promoteWaiting gives freed places to the first people on the waiting list: accepted at
// once on an auto-accepting need, else moved up to PENDING for the organisation to answer.
func (s *Service) promoteWaiting(ctx context.Context, tx *sqlx.Tx, n *Need, sh *Shift) ([]Application, error) {
	var free int
	var where string
	var arg string
	if sh != nil {
		if sh.Status != ShiftScheduled || !sh.StartsAt.After(s.Now()) {
			return nil, nil
		}
		free, where, arg = sh.Places-sh.PlacesTaken, "shift_id = $1", sh.ID
	} else {
		free, where, arg = UnlimitedPlaces, "need_id = $1 AND shift_id IS NULL", n.ID
		if n.FlexiblePlaces != nil {
			free = *n.FlexiblePlaces - n.FlexibleTaken
		}
	}
	if free <= 0 {
		return nil, nil
	}
	var waiting []Application
	if err := tx.SelectContext(ctx, &waiting, `SELECT `+applicationColumns+` FROM applications WHERE `+where+`
		AND status = 'WAITING' ORDER BY waiting_since, id LIMIT $2 FOR UPDATE`, arg, free); err != nil {
		return nil, fmt.Errorf("load waiting list: %w", err)
	}
	var out []Application
	for _, w := range waiting {
		status, holds := AppPending, false
		if n.AutoAccept {
			status, holds = AppAccepted, true
		}
		var a Application
		if err := tx.GetContext(ctx, &a, `UPDATE applications SET status = $2, holds_place = $3, updated_at = now()
			WHERE id = $1 RETURNING `+applicationColumns, w.ID, status, holds); err != nil {
			return nil, fmt.Errorf("promote: %w", err)
		}
		if holds {
			q := `UPDATE shifts SET places_taken = places_taken + 1 WHERE id = $1`
			if sh == nil {
				q = `UPDATE needs SET flexible_taken = flexible_taken + 1 WHERE id = $1`
			}
			if _, err := tx.ExecContext(ctx, q, arg); err != nil {
				return nil, fmt.Errorf("take place: %w", err)
			}
		}
		if err := addEvent(ctx, tx, a.ID, status, nil, "waiting list"); err != nil {
			return nil, err
		}
		if err := notify(ctx, tx, a.PersonID, NoteWaitingMovedUp, &a.NeedID, a.ShiftID, &a.ID, "", ""); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Withdraw lets volunteers take back their application before the shift starts. Nobody
// loses anything for withdrawing.
func (s *Service) Withdraw(ctx context.Context, viewer *accounts.Viewer, appID, reason string) (*Application, error) {
	return s.transition(ctx, viewer, appID, false, s.withdrawal(ctx, reason))
}

// withdrawal is the change of a volunteer withdrawing an application before its shift.
func (s *Service) withdrawal(ctx context.Context, reason string) func(tx *sqlx.Tx, a *Application, n *Need, sh *Shift) (string, error) {
	return func(tx *sqlx.Tx, a *Application, n *Need, sh *Shift) (string, error) {
		if a.Status != AppPending && a.Status != AppAccepted && a.Status != AppWaiting {
			return "", errs.One("applicationId", errs.InvalidState, "cannot_withdraw", nil)
		}
		if sh != nil && !sh.StartsAt.After(s.Now()) {
			return "", errs.One("applicationId", errs.InvalidState, "shift_started", nil)
		}
		a.Status, a.HoldsPlace = AppWithdrawn, false
		return reason, s.notifyMembers(ctx, tx, n.OrganisationID, NoteApplicationWithdrawn, a)
	}
}

// CloseAccount withdraws, inside tx, every live application of a person who is deleting
// their account, for shifts that have not started and for flexible needs: the places come
// free and the waiting lists move up, as when the person withdraws them one by one.
// Applications whose shift has started stay for the organisation to confirm or not. after
// publishes the changes; call it once tx has committed.
func (s *Service) CloseAccount(ctx context.Context, tx *sqlx.Tx, personID string) (after func(context.Context), err error) {
	var live []Application
	if err := tx.SelectContext(ctx, &live, `SELECT `+prefixed("a.", applicationColumns)+` FROM applications a
		LEFT JOIN shifts sh ON sh.id = a.shift_id
		WHERE a.person_id = $1 AND a.status IN ('PENDING', 'ACCEPTED', 'WAITING') AND (sh.id IS NULL OR sh.starts_at > $2)
		ORDER BY a.shift_id NULLS LAST, a.need_id, a.id`, personID, s.Now()); err != nil {
		return nil, fmt.Errorf("live applications: %w", err)
	}
	var changed []Application
	var needIDs []string
	for i := range live {
		n, err := s.needByID(ctx, tx, live[i].NeedID, false)
		if err != nil {
			return nil, err
		}
		a, promoted, err := s.applyTransition(ctx, tx, personID, &live[i], n, s.withdrawal(ctx, ""))
		if err != nil {
			return nil, fmt.Errorf("withdraw application %s: %w", live[i].ID, err)
		}
		changed = append(append(changed, a), promoted...)
		needIDs = append(needIDs, a.NeedID)
	}
	return func(ctx context.Context) {
		if len(needIDs) > 0 {
			s.changed(ctx, needIDs...)
		}
		for i := range changed {
			s.publish(ctx, &changed[i])
		}
	}, nil
}

// Accept gives a pending (or waiting) applicant a place.
func (s *Service) Accept(ctx context.Context, viewer *accounts.Viewer, appID string) (*Application, error) {
	return s.transition(ctx, viewer, appID, true, func(tx *sqlx.Tx, a *Application, n *Need, sh *Shift) (string, error) {
		if a.Status != AppPending && a.Status != AppWaiting {
			return "", errs.One("applicationId", errs.InvalidState, "cannot_accept", nil)
		}
		if sh != nil {
			if sh.Status != ShiftScheduled || !sh.StartsAt.After(s.Now()) {
				return "", errs.One("applicationId", errs.InvalidState, "shift_started", nil)
			}
			if sh.PlacesTaken >= sh.Places {
				return "", errs.One("applicationId", errs.InvalidState, "no_places_left", nil)
			}
		} else if n.FlexiblePlaces != nil && n.FlexibleTaken >= *n.FlexiblePlaces {
			return "", errs.One("applicationId", errs.InvalidState, "no_places_left", nil)
		}
		a.Status, a.HoldsPlace = AppAccepted, true
		return "", notify(ctx, tx, a.PersonID, NoteApplicationAccepted, &a.NeedID, a.ShiftID, &a.ID, "", "")
	})
}

// Decline says no to an application (also an accepted one, before the shift starts).
func (s *Service) Decline(ctx context.Context, viewer *accounts.Viewer, appID, reason string) (*Application, error) {
	reason, _ = accounts.CleanText(reason, true)
	if utf8.RuneCountInString(reason) > 1000 {
		return nil, errs.One("reason", errs.TooLong, "too_long", map[string]any{"Max": 1000})
	}
	return s.transition(ctx, viewer, appID, true, func(tx *sqlx.Tx, a *Application, n *Need, sh *Shift) (string, error) {
		switch a.Status {
		case AppPending, AppWaiting:
		case AppAccepted:
			if sh != nil && !sh.StartsAt.After(s.Now()) {
				return "", errs.One("applicationId", errs.InvalidState, "shift_started", nil)
			}
		default:
			return "", errs.One("applicationId", errs.InvalidState, "cannot_decline", nil)
		}
		a.Status, a.HoldsPlace = AppDeclined, false
		return reason, notify(ctx, tx, a.PersonID, NoteApplicationDeclined, &a.NeedID, a.ShiftID, &a.ID, reason, "")
	})
}

// MarkNoShow records that an accepted volunteer did not come. It costs the volunteer nothing.
func (s *Service) MarkNoShow(ctx context.Context, viewer *accounts.Viewer, appID string) (*Application, error) {
	return s.transition(ctx, viewer, appID, true, func(tx *sqlx.Tx, a *Application, n *Need, sh *Shift) (string, error) {
		if a.Status != AppAccepted {
			return "", errs.One("applicationId", errs.InvalidState, "cannot_mark_no_show", nil)
		}
		if sh != nil && sh.EndsAt.After(s.Now()) {
			return "", errs.One("applicationId", errs.InvalidState, "shift_not_ended", nil)
		}
		a.Status = AppNoShow
		return "", nil
	})
}

func addEvent(ctx context.Context, tx *sqlx.Tx, appID, status string, actor *string, note string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO application_events (application_id, status, actor_id, note) VALUES ($1, $2, $3, $4)`,
		appID, status, actor, note); err != nil {
		return fmt.Errorf("record application event: %w", err)
	}
	return nil
}

func (s *Service) publish(ctx context.Context, a *Application) {
	if s.pub != nil {
		s.pub.PublishApplication(ctx, a)
	}
}

// Application returns an application by id.
func (s *Service) Application(ctx context.Context, id string) (*Application, error) {
	if !organisations.IsUUID(id) {
		return nil, errs.ErrNotFound
	}
	var a Application
	err := s.db.GetContext(ctx, &a, `SELECT `+applicationColumns+` FROM applications WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load application: %w", err)
	}
	return &a, nil
}

// CanSeeApplication reports whether the viewer may see an application: its volunteer, the
// organisation's members, administrators.
func (s *Service) CanSeeApplication(ctx context.Context, viewer *accounts.Viewer, a *Application) bool {
	if viewer == nil {
		return false
	}
	if viewer.IsAdmin || viewer.PersonID == a.PersonID {
		return true
	}
	n, err := s.needByID(ctx, s.db, a.NeedID, false)
	if err != nil {
		return false
	}
	return s.canManage(ctx, viewer, n.OrganisationID) == nil
}

// AppCursor is a position in an application list.
type AppCursor struct {
	At time.Time `json:"t"`
	ID string    `json:"i"`
}

// AppPage is one page of applications.
type AppPage struct {
	Applications []Application
	HasNextPage  bool
	TotalCount   int
}

// ApplicationsOfNeed lists a need's applications, oldest first; only for its managers.
func (s *Service) ApplicationsOfNeed(ctx context.Context, viewer *accounts.Viewer, n *Need, statuses []string, first int, after *AppCursor) (AppPage, error) {
	if s.canManage(ctx, viewer, n.OrganisationID) != nil {
		return AppPage{}, nil
	}
	return s.listApplications(ctx, "need_id = $1", n.ID, statuses, first, after, "ASC")
}

// ApplicationsOfPerson lists a person's applications, newest first.
func (s *Service) ApplicationsOfPerson(ctx context.Context, personID string, statuses []string, first int, after *AppCursor) (AppPage, error) {
	return s.listApplications(ctx, "person_id = $1", personID, statuses, first, after, "DESC")
}

func (s *Service) listApplications(ctx context.Context, cond, arg string, statuses []string, first int, after *AppCursor, dir string) (AppPage, error) {
	var page AppPage
	args := []any{arg, pq.StringArray(statuses)}
	cond += ` AND (cardinality($2::text[]) = 0 OR status = ANY($2))`
	if err := s.db.GetContext(ctx, &page.TotalCount, `SELECT count(*) FROM applications WHERE `+cond, args...); err != nil {
		return page, fmt.Errorf("count applications: %w", err)
	}
	cmp := ">"
	if dir == "DESC" {
		cmp = "<"
	}
	if after != nil {
		cond += ` AND (created_at, id) ` + cmp + ` ($3, $4)`
		args = append(args, after.At, after.ID)
	}
	args = append(args, first+1)
	q := fmt.Sprintf(`SELECT %s FROM applications WHERE %s ORDER BY created_at %s, id %s LIMIT $%d`,
		applicationColumns, cond, dir, dir, len(args))
	if err := s.db.SelectContext(ctx, &page.Applications, q, args...); err != nil {
		return page, fmt.Errorf("list applications: %w", err)
	}
	if len(page.Applications) > first {
		page.HasNextPage, page.Applications = true, page.Applications[:first]
	}
	return page, nil
}

// ViewerApplications lists the viewer's applications to a need.
func (s *Service) ViewerApplications(ctx context.Context, viewer *accounts.Viewer, needID string) ([]Application, error) {
	if viewer == nil {
		return []Application{}, nil
	}
	var out []Application
	if err := s.db.SelectContext(ctx, &out, `SELECT `+applicationColumns+` FROM applications WHERE need_id = $1 AND person_id = $2
		ORDER BY created_at`, needID, viewer.PersonID); err != nil {
		return nil, fmt.Errorf("load applications: %w", err)
	}
	return out, nil
}

// WaitingPosition returns the place of a waiting application on its list (1 = next).
func (s *Service) WaitingPosition(ctx context.Context, a *Application) (int, error) {
	if a.Status != AppWaiting || a.WaitingSince == nil {
		return 0, nil
	}
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM applications WHERE status = 'WAITING' AND need_id = $1
		AND shift_id IS NOT DISTINCT FROM $2 AND (waiting_since, id) <= ($3, $4)`, a.NeedID, a.ShiftID, *a.WaitingSince, a.ID)
	if err != nil {
		return 0, fmt.Errorf("waiting position: %w", err)
	}
	return n, nil
}

// History lists an application's status changes, oldest first.
func (s *Service) History(ctx context.Context, appID string) ([]Event, error) {
	var ev []Event
	if err := s.db.SelectContext(ctx, &ev, `SELECT id, application_id, status, actor_id, note, at FROM application_events
		WHERE application_id = $1 ORDER BY id`, appID); err != nil {
		return nil, fmt.Errorf("load history: %w", err)
	}
	return ev, nil
}

// CanSeeContact reports whether viewer may see person's contact details: the person has
// accepted work with one of the viewer's organisations.
func (s *Service) CanSeeContact(ctx context.Context, viewerID, personID string) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (
		SELECT 1 FROM applications a JOIN needs n ON n.id = a.need_id
		JOIN organisation_members m ON m.organisation_id = n.organisation_id
		WHERE a.person_id = $1 AND m.person_id = $2 AND a.status IN ('ACCEPTED', 'ATTENDED', 'NO_SHOW'))`, personID, viewerID)
	if err != nil {
		return false, fmt.Errorf("check contact: %w", err)
	}
	return ok, nil
}

// ContactsVisible says, for many people at once, whether the viewer may see their contact
// details (as CanSeeContact does for one): one query for a page of applicants.
func (s *Service) ContactsVisible(ctx context.Context, viewerID string, personIDs []string) (map[string]bool, error) {
	var visible []string
	if err := s.db.SelectContext(ctx, &visible, `SELECT DISTINCT a.person_id FROM applications a
		JOIN needs n ON n.id = a.need_id
		JOIN organisation_members m ON m.organisation_id = n.organisation_id
		WHERE a.person_id = ANY ($1::uuid[]) AND m.person_id = $2 AND a.status IN ('ACCEPTED', 'ATTENDED', 'NO_SHOW')`,
		pq.StringArray(personIDs), viewerID); err != nil {
		return nil, fmt.Errorf("check contacts: %w", err)
	}
	out := make(map[string]bool, len(personIDs))
	for _, id := range visible {
		out[id] = true
	}
	return out, nil
}

// CanManageNeed reports whether the viewer manages the need's organisation.
func (s *Service) CanManageNeed(ctx context.Context, viewer *accounts.Viewer, n *Need) bool {
	return s.canManage(ctx, viewer, n.OrganisationID) == nil
}
