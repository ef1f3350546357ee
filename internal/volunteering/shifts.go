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

func insertShifts(ctx context.Context, tx *sqlx.Tx, needID string, specs []ShiftSpec) ([]Shift, error) {
	out := make([]Shift, 0, len(specs))
	for _, sp := range specs {
		var sh Shift
		err := tx.GetContext(ctx, &sh, `INSERT INTO shifts (need_id, starts_at, ends_at, places) VALUES ($1, $2, $3, $4)
			ON CONFLICT (need_id, starts_at) DO NOTHING RETURNING `+shiftColumns, needID, sp.StartsAt, sp.EndsAt, sp.Places)
		if errors.Is(err, sql.ErrNoRows) {
			continue // a shift at that time exists already
		}
		if err != nil {
			return nil, fmt.Errorf("insert shift: %w", err)
		}
		out = append(out, sh)
	}
	return out, nil
}

// WeeklyOccurrences returns the shifts of a weekly pattern from `from` (inclusive) until
// `to` (exclusive), at the pattern's local Brussels time. A shift keeps its local start
// time across daylight-saving changes; it lasts the pattern's minutes of real time.
func WeeklyOccurrences(p *Pattern, from, to time.Time) []ShiftSpec {
	h, m, ok := parseClock(p.Start)
	if !ok {
		return nil
	}
	first, err := time.ParseInLocation(time.DateOnly, p.From, Zone)
	if err != nil {
		return nil
	}
	var until time.Time
	if p.Until != "" {
		if u, err := time.ParseInLocation(time.DateOnly, p.Until, Zone); err == nil {
			until = u.AddDate(0, 0, 1)
		}
	}
	weekday := map[time.Weekday]bool{}
	for _, d := range p.Weekdays {
		weekday[time.Weekday(d%7)] = true // 7 (Sunday) → 0
	}
	var out []ShiftSpec
	fy, fm, fd := from.In(Zone).Date()
	day := time.Date(fy, fm, fd, 0, 0, 0, 0, Zone)
	if first.After(day) {
		day = first
	}
	for ; day.Before(to); day = day.AddDate(0, 0, 1) {
		if !until.IsZero() && !day.Before(until) {
			break
		}
		if !weekday[day.Weekday()] {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, Zone)
		if start.Before(from) || !start.Before(to) {
			continue
		}
		out = append(out, ShiftSpec{StartsAt: start, EndsAt: start.Add(time.Duration(p.Minutes) * time.Minute), Places: p.Places})
	}
	return out
}

// generateWeekly makes the pattern's shifts from now until weeksAhead weeks ahead.
func generateWeekly(ctx context.Context, tx *sqlx.Tx, needID string, p *Pattern, now time.Time) ([]Shift, error) {
	if p == nil {
		return nil, nil
	}
	specs := WeeklyOccurrences(p, now, now.AddDate(0, 0, 7*p.WeeksAhead))
	return insertShifts(ctx, tx, needID, specs)
}

// ExtendWeeklyNeeds generates the shifts of open weekly needs that came within their
// weeks-ahead horizon: only those after each need's last shift, so a run where nothing
// came due writes nothing (a city of 100,000 needs costs one query, not a transaction per
// need). Idempotent; run it periodically.
func (s *Service) ExtendWeeklyNeeds(ctx context.Context) (int, error) {
	var needs []struct {
		Need
		LastStart *time.Time `db:"last_start"`
	}
	if err := s.db.SelectContext(ctx, &needs, `SELECT `+needColumns+`,
			(SELECT max(sh.starts_at) FROM shifts sh WHERE sh.need_id = needs.id) AS last_start
		FROM needs WHERE schedule = 'WEEKLY' AND status IN ('DRAFT', 'OPEN', 'FILLED')`); err != nil {
		return 0, fmt.Errorf("load weekly needs: %w", err)
	}
	now := s.Now()
	added := 0
	for i := range needs {
		n := &needs[i].Need
		p := n.WeeklyPattern()
		if p == nil {
			continue
		}
		from := now
		if last := needs[i].LastStart; last != nil && !last.Before(from) {
			from = last.Add(time.Second)
		}
		specs := WeeklyOccurrences(p, from, now.AddDate(0, 0, 7*p.WeeksAhead))
		if len(specs) == 0 {
			continue
		}
		err := database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
			sh, err := insertShifts(ctx, tx, n.ID, specs)
			if err != nil {
				return err
			}
			added += len(sh)
			if len(sh) == 0 {
				return nil
			}
			return refreshNeed(ctx, tx, n)
		})
		if err != nil {
			s.changed(ctx)
			return added, err
		}
	}
	if added > 0 {
		s.changed(ctx) // the listing; weekly needs shown by id get their new shifts within the cache lifetime
	}
	return added, nil
}

// AddShifts adds shifts to a need.
func (s *Service) AddShifts(ctx context.Context, viewer *accounts.Viewer, needID string, specs []ShiftSpec) ([]Shift, error) {
	n, err := s.managedNeed(ctx, viewer, needID)
	if err != nil {
		return nil, err
	}
	if n.Status == NeedClosed || n.Status == NeedCancelled {
		return nil, errs.One("needId", errs.InvalidState, "need_closed", nil)
	}
	if n.Schedule == ScheduleFlexible {
		return nil, errs.One("needId", errs.InvalidState, "flexible_has_no_shifts", nil)
	}
	var v errs.UserErrors
	if len(specs) == 0 {
		v.Add("shifts", errs.Required, "shift_needed", nil)
	}
	s.validateShifts(&v, "shifts", specs)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out []Shift
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if out, err = insertShifts(ctx, tx, n.ID, specs); err != nil {
			return err
		}
		return refreshNeed(ctx, tx, n)
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, n.ID)
	return out, nil
}

// CancelShift cancels a future shift and tells everyone on it.
func (s *Service) CancelShift(ctx context.Context, viewer *accounts.Viewer, shiftID, reason string) (*Shift, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	reason, _ = accounts.CleanText(reason, true)
	if utf8.RuneCountInString(reason) > 1000 {
		return nil, errs.One("reason", errs.TooLong, "too_long", map[string]any{"Max": 1000})
	}
	sh, err := s.Shift(ctx, shiftID)
	if err != nil {
		return nil, errs.One("shiftId", errs.NotFoundCode, "shift_not_found", nil)
	}
	n, err := s.managedNeed(ctx, viewer, sh.NeedID)
	if err != nil {
		return nil, err
	}
	var changed []Application
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, sh, `SELECT `+shiftColumns+` FROM shifts WHERE id = $1 FOR UPDATE`, shiftID); err != nil {
			return fmt.Errorf("lock shift: %w", err)
		}
		if sh.Status == ShiftCancelled {
			return errs.One("shiftId", errs.InvalidState, "shift_cancelled", nil)
		}
		if !sh.StartsAt.After(s.Now()) {
			return errs.One("shiftId", errs.InvalidState, "shift_started", nil)
		}
		if err := tx.GetContext(ctx, sh, `UPDATE shifts SET status = 'CANCELLED', cancelled_at = now(), places_taken = 0
			WHERE id = $1 RETURNING `+shiftColumns, shiftID); err != nil {
			return fmt.Errorf("cancel shift: %w", err)
		}
		if err := tx.SelectContext(ctx, &changed, `UPDATE applications SET status = 'CANCELLED', holds_place = false, updated_at = now()
			WHERE shift_id = $1 AND status IN ('PENDING', 'ACCEPTED', 'WAITING') RETURNING `+applicationColumns, shiftID); err != nil {
			return fmt.Errorf("cancel applications: %w", err)
		}
		for _, a := range changed {
			if err := addEvent(ctx, tx, a.ID, AppCancelled, &viewer.PersonID, reason); err != nil {
				return err
			}
			if err := notify(ctx, tx, a.PersonID, NoteShiftCancelled, &a.NeedID, a.ShiftID, &a.ID, reason, ""); err != nil {
				return err
			}
		}
		return refreshNeed(ctx, tx, n)
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, n.ID)
	for i := range changed {
		s.publish(ctx, &changed[i])
	}
	return sh, nil
}

// Shift returns a shift by id.
func (s *Service) Shift(ctx context.Context, id string) (*Shift, error) {
	if !organisations.IsUUID(id) {
		return nil, errs.ErrNotFound
	}
	var sh Shift
	err := s.db.GetContext(ctx, &sh, `SELECT `+shiftColumns+` FROM shifts WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load shift: %w", err)
	}
	return &sh, nil
}

// ShiftsByID returns shifts by id.
func (s *Service) ShiftsByID(ctx context.Context, ids []string) (map[string]*Shift, error) {
	var rows []Shift
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+shiftColumns+` FROM shifts WHERE id = ANY($1::uuid[])`, pq.StringArray(ids)); err != nil {
		return nil, fmt.Errorf("load shifts: %w", err)
	}
	out := make(map[string]*Shift, len(rows))
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}

// ShiftCursor is a position in a need's shift list.
type ShiftCursor struct {
	StartsAt time.Time `json:"s"`
	ID       string    `json:"i"`
}

// ShiftPage is one page of shifts.
type ShiftPage struct {
	Shifts      []Shift
	HasNextPage bool
	TotalCount  int
}

// Shifts lists a need's shifts in time order; past ones only when includePast.
func (s *Service) Shifts(ctx context.Context, needID string, includePast bool, first int, after *ShiftCursor) (ShiftPage, error) {
	var page ShiftPage
	cond := "need_id = $1 AND ($2 OR ends_at > now())"
	if err := s.db.GetContext(ctx, &page.TotalCount, `SELECT count(*) FROM shifts WHERE `+cond, needID, includePast); err != nil {
		return page, fmt.Errorf("count shifts: %w", err)
	}
	args := []any{needID, includePast, first + 1}
	q := `SELECT ` + shiftColumns + ` FROM shifts WHERE ` + cond
	if after != nil {
		q += ` AND (starts_at, id) > ($4, $5)`
		args = append(args, after.StartsAt, after.ID)
	}
	q += ` ORDER BY starts_at, id LIMIT $3`
	if err := s.db.SelectContext(ctx, &page.Shifts, q, args...); err != nil {
		return page, fmt.Errorf("list shifts: %w", err)
	}
	if len(page.Shifts) > first {
		page.HasNextPage, page.Shifts = true, page.Shifts[:first]
	}
	return page, nil
}

// WaitingCount is the number of people on a shift's waiting list.
func (s *Service) WaitingCount(ctx context.Context, shiftID string) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM applications WHERE shift_id = $1 AND status = 'WAITING'`, shiftID); err != nil {
		return 0, fmt.Errorf("count waiting: %w", err)
	}
	return n, nil
}
