package volunteering

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/invalidate"
)

// AttendanceInput says which applications to confirm, with hours and endorsements.
type AttendanceInput struct {
	ApplicationIDs []string
	ShiftID        string
	Minutes        *int
	WorkedOn       *time.Time
	// Endorsements maps an application id to talent keys the volunteer showed.
	Endorsements map[string][]string
}

// ConfirmAttendance confirms that accepted volunteers came, with their minutes, after the
// shift ended. Confirmed hours are final. Each confirmation writes one outbox event that
// the ledger mints coins from; all of it happens in one transaction (all or nothing).
func (s *Service) ConfirmAttendance(ctx context.Context, viewer *accounts.Viewer, in AttendanceInput) ([]Application, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	var v errs.UserErrors
	if len(in.ApplicationIDs) == 0 && in.ShiftID == "" {
		v.Add("applicationIds", errs.Required, "required", nil)
	}
	if len(in.ApplicationIDs) > 500 {
		v.Add("applicationIds", errs.OutOfRange, "too_many", map[string]any{"Max": 500})
	}
	if in.Minutes != nil && (*in.Minutes < 1 || *in.Minutes > 24*60) {
		v.Add("minutes", errs.OutOfRange, "out_of_range", map[string]any{"Min": 1, "Max": 24 * 60})
	}
	today := s.Now().In(Zone)
	todayDate := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	if in.WorkedOn != nil && in.WorkedOn.After(todayDate) {
		v.Add("workedOn", errs.Invalid, "worked_on_future", nil)
	}
	snap, err := s.ref.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	for appID, keys := range in.Endorsements {
		for _, k := range keys {
			if snap.Talent(k) == nil {
				v.Add("endorsements", errs.UnknownReference, "unknown_talent", nil)
				break
			}
		}
		if in.ShiftID == "" && !slices.Contains(in.ApplicationIDs, appID) {
			v.Add("endorsements", errs.Invalid, "endorse_confirmed_only", nil)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	ids := in.ApplicationIDs
	if in.ShiftID != "" {
		sh, err := s.Shift(ctx, in.ShiftID)
		if err != nil {
			return nil, errs.One("shiftId", errs.NotFoundCode, "shift_not_found", nil)
		}
		n, err := s.needByID(ctx, s.db, sh.NeedID, false)
		if err != nil {
			return nil, err
		}
		if err := s.canManage(ctx, viewer, n.OrganisationID); err != nil {
			return nil, err
		}
		if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM applications WHERE shift_id = $1 AND status = 'ACCEPTED' ORDER BY id`,
			sh.ID); err != nil {
			return nil, fmt.Errorf("load shift applications: %w", err)
		}
		if len(ids) == 0 {
			return nil, errs.One("shiftId", errs.InvalidState, "nobody_to_confirm", nil)
		}
	}
	// Field paths point at the caller's list; locks are taken in a fixed (sorted) order.
	position := map[string]int{}
	for i, id := range in.ApplicationIDs {
		if _, seen := position[id]; !seen {
			position[id] = i
		}
	}
	ids = dedupe(ids)
	slices.Sort(ids)
	var out []Application
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		for _, id := range ids {
			field := "shiftId"
			if i, ok := position[id]; ok {
				field = fmt.Sprintf("applicationIds.%d", i)
			}
			var a Application
			if err := tx.GetContext(ctx, &a, `SELECT `+applicationColumns+` FROM applications WHERE id = $1 FOR UPDATE`, validUUID(id)); err != nil {
				return errs.One(field, errs.NotFoundCode, "application_not_found", nil)
			}
			n, err := s.needByID(ctx, tx, a.NeedID, false)
			if err != nil {
				return err
			}
			if err := s.canManage(ctx, viewer, n.OrganisationID); err != nil {
				return err
			}
			switch a.Status {
			case AppAccepted:
			case AppAttended:
				return errs.One(field, errs.InvalidState, "already_confirmed", nil)
			default:
				return errs.One(field, errs.InvalidState, "cannot_confirm", nil)
			}
			minutes := 0
			workedOn := today
			if a.ShiftID != nil {
				var sh Shift
				if err := tx.GetContext(ctx, &sh, `SELECT `+shiftColumns+` FROM shifts WHERE id = $1`, *a.ShiftID); err != nil {
					return fmt.Errorf("load shift: %w", err)
				}
				if sh.EndsAt.After(s.Now()) {
					return errs.One(field, errs.InvalidState, "shift_not_ended", nil)
				}
				minutes = int(sh.EndsAt.Sub(sh.StartsAt).Minutes())
				workedOn = sh.StartsAt.In(Zone)
			} else {
				if in.Minutes == nil {
					return errs.One("minutes", errs.Required, "minutes_needed", nil)
				}
				if in.WorkedOn != nil {
					workedOn = *in.WorkedOn
				}
			}
			if in.Minutes != nil {
				minutes = *in.Minutes
			}
			if minutes > 24*60 {
				minutes = 24 * 60
			}
			day := time.Date(workedOn.Year(), workedOn.Month(), workedOn.Day(), 0, 0, 0, 0, time.UTC)
			if err := tx.GetContext(ctx, &a, `UPDATE applications SET status = 'ATTENDED', minutes = $2, worked_on = $3,
				confirmed_at = now(), confirmed_by = $4, updated_at = now() WHERE id = $1 RETURNING `+applicationColumns,
				a.ID, minutes, day, viewer.PersonID); err != nil {
				return fmt.Errorf("confirm attendance: %w", err)
			}
			if err := addEvent(ctx, tx, a.ID, AppAttended, &viewer.PersonID, fmt.Sprintf("%d min", minutes)); err != nil {
				return err
			}
			ev := AttendanceConfirmed{ApplicationID: a.ID, PersonID: a.PersonID, NeedID: a.NeedID, ShiftID: a.ShiftID,
				OrganisationID: n.OrganisationID, Minutes: minutes, WorkedOn: day.Format(time.DateOnly),
				ConfirmedAt: *a.ConfirmedAt, ConfirmedBy: viewer.PersonID}
			payload, _ := json.Marshal(ev)
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (topic, key, payload) VALUES ($1, $2, $3)
				ON CONFLICT (topic, key) DO NOTHING`, TopicAttendanceConfirmed, a.ID, payload); err != nil {
				return fmt.Errorf("write outbox: %w", err)
			}
			for _, k := range dedupe(in.Endorsements[a.ID]) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO endorsements (application_id, person_id, talent_key, organisation_id,
					need_id, endorsed_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id, talent_key) DO NOTHING`,
					a.ID, a.PersonID, k, n.OrganisationID, a.NeedID, viewer.PersonID); err != nil {
					return fmt.Errorf("endorse: %w", err)
				}
			}
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	needIDs := make([]string, 0, len(out))
	for i := range out {
		needIDs = append(needIDs, out[i].NeedID)
	}
	s.changed(ctx, needIDs...)
	invalidate.Or(s.Invalidator).Bump(ctx, invalidate.Stats)
	for i := range out {
		s.publish(ctx, &out[i])
	}
	return out, nil
}

// MaxThanks is the longest thank-you message.
const MaxThanks = 1000

// Thank sends a volunteer a thank-you message for an application.
func (s *Service) Thank(ctx context.Context, viewer *accounts.Viewer, appID, message string) error {
	if viewer == nil {
		return errs.ErrUnauthenticated
	}
	message, ok := accounts.CleanText(message, true)
	switch {
	case message == "":
		return errs.One("message", errs.Required, "required", nil)
	case !ok:
		return errs.One("message", errs.Invalid, "invalid", nil)
	case utf8.RuneCountInString(message) > MaxThanks:
		return errs.One("message", errs.TooLong, "too_long", map[string]any{"Max": MaxThanks})
	}
	a, err := s.Application(ctx, appID)
	if err != nil {
		return errs.One("applicationId", errs.NotFoundCode, "application_not_found", nil)
	}
	n, err := s.needByID(ctx, s.db, a.NeedID, false)
	if err != nil {
		return err
	}
	if err := s.canManage(ctx, viewer, n.OrganisationID); err != nil {
		return err
	}
	if a.Status != AppAccepted && a.Status != AppAttended {
		return errs.One("applicationId", errs.InvalidState, "cannot_thank", nil)
	}
	return database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO thanks (application_id, person_id, organisation_id, from_person_id, message)
			VALUES ($1, $2, $3, $4, $5)`, a.ID, a.PersonID, n.OrganisationID, viewer.PersonID, message); err != nil {
			return fmt.Errorf("thank: %w", err)
		}
		return notify(ctx, tx, a.PersonID, NoteThankYou, &a.NeedID, a.ShiftID, &a.ID, message, "")
	})
}

// EndorsementsOf lists the endorsements of an application.
func (s *Service) EndorsementsOf(ctx context.Context, appID string) ([]Endorsement, error) {
	var out []Endorsement
	if err := s.db.SelectContext(ctx, &out, `SELECT id, application_id, person_id, talent_key, organisation_id, need_id,
		endorsed_by, hidden, created_at FROM endorsements WHERE application_id = $1 ORDER BY talent_key`, appID); err != nil {
		return nil, fmt.Errorf("load endorsements: %w", err)
	}
	return out, nil
}

// YearOverview is a volunteer's year.
type YearOverview struct {
	Year            int
	Minutes         int
	Shifts          int
	OrganisationIDs []string
	ThemeKeys       []string
	Thanks          int
}

// Year returns a volunteer's hours, shifts, organisations and themes of a calendar year.
func (s *Service) Year(ctx context.Context, personID string, year int) (*YearOverview, error) {
	y := &YearOverview{Year: year}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	var row struct {
		Minutes int            `db:"minutes"`
		Shifts  int            `db:"shifts"`
		Orgs    pq.StringArray `db:"orgs"`
		Themes  pq.StringArray `db:"themes"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT coalesce(sum(a.minutes), 0) AS minutes, count(*) AS shifts,
			coalesce(array_agg(DISTINCT n.organisation_id::text) FILTER (WHERE n.id IS NOT NULL), '{}') AS orgs,
			coalesce((SELECT array_agg(DISTINCT t) FROM applications a2 JOIN needs n2 ON n2.id = a2.need_id, unnest(n2.themes) t
				WHERE a2.person_id = $1 AND a2.status = 'ATTENDED' AND a2.worked_on >= $2 AND a2.worked_on < $3), '{}') AS themes
		FROM applications a JOIN needs n ON n.id = a.need_id
		WHERE a.person_id = $1 AND a.status = 'ATTENDED' AND a.worked_on >= $2 AND a.worked_on < $3`, personID, from, to)
	if err != nil {
		return nil, fmt.Errorf("year overview: %w", err)
	}
	y.Minutes, y.Shifts, y.OrganisationIDs, y.ThemeKeys = row.Minutes, row.Shifts, row.Orgs, row.Themes
	if err := s.db.GetContext(ctx, &y.Thanks, `SELECT count(*) FROM thanks WHERE person_id = $1 AND created_at >= $2 AND created_at < $3`,
		personID, from, to); err != nil {
		return nil, fmt.Errorf("count thanks: %w", err)
	}
	return y, nil
}

// EndorsementsOfPerson lists a person's endorsements; hidden ones only when includeHidden.
func (s *Service) EndorsementsOfPerson(ctx context.Context, personID string, includeHidden bool) ([]Endorsement, error) {
	var out []Endorsement
	if err := s.db.SelectContext(ctx, &out, `SELECT id, application_id, person_id, talent_key, organisation_id, need_id,
		endorsed_by, hidden, created_at FROM endorsements WHERE person_id = $1 AND ($2 OR NOT hidden) ORDER BY created_at DESC`,
		personID, includeHidden); err != nil {
		return nil, fmt.Errorf("load endorsements: %w", err)
	}
	return out, nil
}

// SetEndorsementHidden lets the endorsed person hide (or show again) an endorsement.
// Nobody can change what was endorsed.
func (s *Service) SetEndorsementHidden(ctx context.Context, viewer *accounts.Viewer, id string, hidden bool) (*Endorsement, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	var e Endorsement
	err := s.db.GetContext(ctx, &e, `UPDATE endorsements SET hidden = $3 WHERE id = $1 AND person_id = $2
		RETURNING id, application_id, person_id, talent_key, organisation_id, need_id, endorsed_by, hidden, created_at`,
		validUUID(id), viewer.PersonID, hidden)
	if err != nil {
		return nil, errs.One("endorsementId", errs.NotFoundCode, "err_not_found", nil)
	}
	return &e, nil
}
