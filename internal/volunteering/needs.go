package volunteering

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
)

// Limits on needs and shifts.
const (
	MaxTitle          = 120
	MaxDescription    = 5000
	MaxShiftsPerCall  = 200
	MaxPlaces         = 1000
	MaxShiftLength    = 24 * time.Hour
	MaxWeeksAhead     = 26
	DefaultWeeksAhead = 8
	MaxNeedTalents    = 20
	// UnlimitedPlaces is stored as places_left for a flexible need without a limit.
	UnlimitedPlaces = MaxPlaces
)

// TalentAsk is a talent a need asks for.
type TalentAsk struct {
	TalentKey string
	Required  bool
	MinLevel  int
}

// ShiftSpec is a shift to add.
type ShiftSpec struct {
	StartsAt, EndsAt time.Time
	Places           int
}

// NeedInput holds a need's editable fields; nil (or Set* false) leaves a field as it is.
type NeedInput struct {
	Title, Description *string
	Themes             []string
	SetThemes          bool
	Talents            []TalentAsk
	SetTalents         bool
	Languages          []string
	SetLanguages       bool
	Accessibility      []string
	SetAccessibility   bool
	Remote             *bool
	Street, Postcode   *string
	City               *string
	DistrictKey        *string
	Location           *organisations.Point
	MinAge             *int
	ClearMinAge        bool
	Schedule           *string // only on create
	Pattern            *Pattern
	Shifts             []ShiftSpec // only on create, ONE_OFF
	FlexiblePlaces     *int
	AutoAccept         *bool
}

func cleanText(v *errs.UserErrors, field string, p *string, max int, required, multiline bool) (string, bool) {
	if p == nil {
		return "", false
	}
	s, ok := accounts.CleanText(*p, multiline)
	switch {
	case required && s == "":
		v.Add(field, errs.Required, "required", nil)
	case !ok:
		v.Add(field, errs.Invalid, "invalid", nil)
	case utf8.RuneCountInString(s) > max:
		v.Add(field, errs.TooLong, "too_long", map[string]any{"Max": max})
	}
	return s, true
}

// applyNeed validates in and copies it onto n. talents receives the new talent list when set.
func (s *Service) applyNeed(ctx context.Context, n *Need, in NeedInput, creating bool) ([]TalentAsk, error) {
	snap, err := s.ref.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var v errs.UserErrors
	if t, set := cleanText(&v, "title", in.Title, MaxTitle, true, false); set {
		if t != "" && utf8.RuneCountInString(t) < 3 {
			v.Add("title", errs.TooShort, "too_short", map[string]any{"Min": 3})
		}
		n.Title = t
	}
	if t, set := cleanText(&v, "description", in.Description, MaxDescription, false, true); set {
		n.Description = t
	}
	if in.SetThemes {
		n.Themes = dedupe(in.Themes)
		if len(n.Themes) > organisations.MaxThemes {
			v.Add("themeIds", errs.OutOfRange, "too_many", map[string]any{"Max": organisations.MaxThemes})
		}
		for _, t := range n.Themes {
			if snap.Theme(t) == nil {
				v.Add("themeIds", errs.UnknownReference, "unknown_theme", nil)
				break
			}
		}
	}
	var talents []TalentAsk
	if in.SetTalents {
		if len(in.Talents) > MaxNeedTalents {
			v.Add("talents", errs.OutOfRange, "too_many", map[string]any{"Max": MaxNeedTalents})
		}
		seen := map[string]bool{}
		for i, t := range in.Talents {
			field := fmt.Sprintf("talents.%d", i)
			if snap.Talent(t.TalentKey) == nil {
				v.Add(field+".talentId", errs.UnknownReference, "unknown_talent", nil)
				continue
			}
			if t.MinLevel < 1 || t.MinLevel > 4 {
				v.Add(field+".minLevel", errs.OutOfRange, "out_of_range", map[string]any{"Min": 1, "Max": 4})
			}
			if !seen[t.TalentKey] {
				seen[t.TalentKey] = true
				talents = append(talents, t)
			}
		}
	}
	if in.SetLanguages {
		n.Languages = dedupe(in.Languages)
		for _, l := range n.Languages {
			if snap.Language(l) == nil {
				v.Add("languages", errs.UnknownReference, "unknown_language", nil)
				break
			}
		}
	}
	if in.SetAccessibility {
		n.Accessibility = dedupe(in.Accessibility)
		for _, a := range n.Accessibility {
			if !slices.Contains(organisations.AccessibilityFacts, a) {
				v.Add("accessibility", errs.Invalid, "invalid", nil)
				break
			}
		}
	}
	if in.Remote != nil {
		n.Remote = *in.Remote
	}
	if t, set := cleanText(&v, "address.street", in.Street, 200, false, false); set {
		n.Street = t
	}
	if t, set := cleanText(&v, "address.postcode", in.Postcode, 10, false, false); set {
		n.Postcode = t
	}
	if t, set := cleanText(&v, "address.city", in.City, 80, false, false); set {
		if t == "" {
			t = "Antwerpen"
		}
		n.City = t
	}
	if in.DistrictKey != nil {
		switch k := *in.DistrictKey; {
		case k == "":
			n.DistrictKey = nil
		case snap.District(k) == nil:
			v.Add("districtId", errs.UnknownReference, "unknown_district", nil)
		default:
			n.DistrictKey = &k
		}
	} else if (in.Postcode != nil || n.DistrictKey == nil) && n.Postcode != "" {
		// A new postcode (or none known yet) gives the district, unless one was chosen.
		if d := snap.DistrictForPostcode(n.Postcode); d != nil {
			k := d.Key
			n.DistrictKey = &k
		}
	}
	if in.Location != nil {
		p := *in.Location
		if math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
			v.Add("location", errs.OutOfRange, "invalid_coordinates", nil)
		} else {
			n.Lat, n.Lon = &p.Lat, &p.Lon
		}
	} else if n.Lat == nil && n.DistrictKey != nil && !n.Remote {
		// Without coordinates, the district's centre is close enough for "near me" (about 1 km).
		if d := snap.District(*n.DistrictKey); d != nil {
			lat, lon := d.Lat, d.Lon
			n.Lat, n.Lon = &lat, &lon
		}
	}
	if in.ClearMinAge {
		n.MinAge = nil
	} else if in.MinAge != nil {
		if *in.MinAge < 0 || *in.MinAge > 99 {
			v.Add("minimumAge", errs.OutOfRange, "out_of_range", map[string]any{"Min": 0, "Max": 99})
		}
		n.MinAge = in.MinAge
	}
	if in.AutoAccept != nil {
		n.AutoAccept = *in.AutoAccept
	}
	if creating {
		if in.Schedule == nil || !slices.Contains([]string{ScheduleOneOff, ScheduleWeekly, ScheduleFlexible}, *in.Schedule) {
			v.Add("schedule", errs.Invalid, "invalid", nil)
		} else {
			n.Schedule = *in.Schedule
		}
	}
	if in.FlexiblePlaces != nil {
		if n.Schedule != ScheduleFlexible {
			v.Add("flexiblePlaces", errs.Invalid, "flexible_only", nil)
		} else if *in.FlexiblePlaces < 1 || *in.FlexiblePlaces > MaxPlaces {
			v.Add("flexiblePlaces", errs.OutOfRange, "out_of_range", map[string]any{"Min": 1, "Max": MaxPlaces})
		} else if *in.FlexiblePlaces < n.FlexibleTaken {
			v.Add("flexiblePlaces", errs.OutOfRange, "fewer_than_taken", map[string]any{"Taken": n.FlexibleTaken})
		} else {
			n.FlexiblePlaces = in.FlexiblePlaces
		}
	}
	if in.Pattern != nil {
		if n.Schedule != ScheduleWeekly {
			v.Add("weeklyPattern", errs.Invalid, "weekly_only", nil)
		} else if validatePattern(&v, "weeklyPattern", in.Pattern, s.Now()) {
			b, _ := json.Marshal(in.Pattern)
			n.PatternJSON = b
		}
	}
	if creating {
		switch n.Schedule {
		case ScheduleWeekly:
			if in.Pattern == nil {
				v.Add("weeklyPattern", errs.Required, "required", nil)
			}
		case ScheduleOneOff:
			if len(in.Shifts) == 0 {
				v.Add("shifts", errs.Required, "shift_needed", nil)
			}
		}
		if n.Schedule != ScheduleOneOff && len(in.Shifts) > 0 {
			v.Add("shifts", errs.Invalid, "one_off_only", nil)
		}
		s.validateShifts(&v, "shifts", in.Shifts)
	}
	return talents, v.Err()
}

func (s *Service) validateShifts(v *errs.UserErrors, field string, shifts []ShiftSpec) {
	if len(shifts) > MaxShiftsPerCall {
		v.Add(field, errs.OutOfRange, "too_many", map[string]any{"Max": MaxShiftsPerCall})
		return
	}
	now := s.Now()
	for i, sh := range shifts {
		f := fmt.Sprintf("%s.%d", field, i)
		switch {
		case !sh.EndsAt.After(sh.StartsAt):
			v.Add(f+".endsAt", errs.Invalid, "end_before_start", nil)
		case sh.EndsAt.Sub(sh.StartsAt) > MaxShiftLength:
			v.Add(f+".endsAt", errs.OutOfRange, "shift_too_long", nil)
		}
		if sh.StartsAt.Before(now) {
			v.Add(f+".startsAt", errs.Invalid, "shift_in_past", nil)
		}
		if sh.StartsAt.After(now.AddDate(2, 0, 0)) {
			v.Add(f+".startsAt", errs.OutOfRange, "shift_too_far", nil)
		}
		if sh.Places < 1 || sh.Places > MaxPlaces {
			v.Add(f+".places", errs.OutOfRange, "out_of_range", map[string]any{"Min": 1, "Max": MaxPlaces})
		}
	}
}

func validatePattern(v *errs.UserErrors, field string, p *Pattern, now time.Time) bool {
	before := len(*v)
	if len(p.Weekdays) == 0 {
		v.Add(field+".weekdays", errs.Required, "required", nil)
	}
	for _, d := range p.Weekdays {
		if d < 1 || d > 7 {
			v.Add(field+".weekdays", errs.Invalid, "invalid", nil)
			break
		}
	}
	p.Weekdays = dedupeInts(p.Weekdays)
	if _, _, ok := parseClock(p.Start); !ok {
		v.Add(field+".startTime", errs.Invalid, "time_invalid", nil)
	}
	if p.Minutes < 15 || p.Minutes > 24*60 {
		v.Add(field+".durationMinutes", errs.OutOfRange, "out_of_range", map[string]any{"Min": 15, "Max": 24 * 60})
	}
	if p.Places < 1 || p.Places > MaxPlaces {
		v.Add(field+".places", errs.OutOfRange, "out_of_range", map[string]any{"Min": 1, "Max": MaxPlaces})
	}
	if p.WeeksAhead == 0 {
		p.WeeksAhead = DefaultWeeksAhead
	}
	if p.WeeksAhead < 1 || p.WeeksAhead > MaxWeeksAhead {
		v.Add(field+".weeksAhead", errs.OutOfRange, "out_of_range", map[string]any{"Min": 1, "Max": MaxWeeksAhead})
	}
	from, err := time.Parse(time.DateOnly, p.From)
	if err != nil {
		v.Add(field+".from", errs.Invalid, "invalid_date", nil)
	} else if from.After(now.AddDate(2, 0, 0)) {
		v.Add(field+".from", errs.OutOfRange, "shift_too_far", nil)
	}
	if p.Until != "" {
		until, err := time.Parse(time.DateOnly, p.Until)
		if err != nil || until.Before(from) {
			v.Add(field+".until", errs.Invalid, "end_before_start", nil)
		}
	}
	return len(*v) == before
}

// parseClock parses HH:MM.
func parseClock(s string) (h, m int, ok bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

func dedupe(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func dedupeInts(in []int) []int {
	out := make([]int, 0, len(in))
	for _, d := range in {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

// canManage returns nil when the viewer may manage the organisation's needs: its members
// and platform administrators.
func (s *Service) canManage(ctx context.Context, viewer *accounts.Viewer, orgID string) error {
	if viewer == nil {
		return errs.ErrUnauthenticated
	}
	if viewer.IsAdmin {
		return nil
	}
	role, err := s.orgs.RoleOf(ctx, viewer.PersonID, orgID)
	if err != nil {
		return err
	}
	if role == "" {
		return errs.ErrForbidden
	}
	return nil
}

// CreateNeed makes a need (a draft) with its talents and its first shifts, in one transaction.
func (s *Service) CreateNeed(ctx context.Context, viewer *accounts.Viewer, orgID string, in NeedInput) (*Need, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	if _, err := s.orgs.Get(ctx, viewer, orgID); err != nil {
		if errors.Is(err, errs.ErrNotFound) {
			return nil, errs.One("organisationId", errs.NotFoundCode, "organisation_not_found", nil)
		}
		return nil, err
	}
	if err := s.canManage(ctx, viewer, orgID); err != nil {
		return nil, err
	}
	n := &Need{OrganisationID: orgID, Status: NeedDraft, City: "Antwerpen", Themes: pq.StringArray{}, Languages: pq.StringArray{},
		Accessibility: pq.StringArray{}}
	talents, err := s.applyNeed(ctx, n, in, true)
	if err != nil {
		return nil, err
	}
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var pattern any
		if len(n.PatternJSON) > 0 {
			pattern = n.PatternJSON
		}
		err := tx.GetContext(ctx, n, `
			INSERT INTO needs (organisation_id, status, title, description, themes, languages, accessibility, remote, street,
				postcode, city, district_key, lat, lon, min_age, schedule, pattern, auto_accept, flexible_places, created_by)
			VALUES ($1, 'DRAFT', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
			RETURNING `+needColumns,
			orgID, n.Title, n.Description, n.Themes, n.Languages, n.Accessibility, n.Remote, n.Street, n.Postcode, n.City,
			n.DistrictKey, n.Lat, n.Lon, n.MinAge, n.Schedule, pattern, n.AutoAccept, n.FlexiblePlaces, viewer.PersonID)
		if err != nil {
			return fmt.Errorf("insert need: %w", err)
		}
		if err := replaceTalents(ctx, tx, n.ID, talents); err != nil {
			return err
		}
		if _, err := insertShifts(ctx, tx, n.ID, in.Shifts); err != nil {
			return err
		}
		if p := n.WeeklyPattern(); p != nil {
			if _, err := generateWeekly(ctx, tx, n.ID, p, s.Now()); err != nil {
				return err
			}
		}
		return refreshNeed(ctx, tx, n)
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, n.ID)
	return n, nil
}

// UpdateNeed changes a need's details.
func (s *Service) UpdateNeed(ctx context.Context, viewer *accounts.Viewer, needID string, in NeedInput) (*Need, error) {
	n, err := s.managedNeed(ctx, viewer, needID)
	if err != nil {
		return nil, err
	}
	if n.Status == NeedClosed || n.Status == NeedCancelled {
		return nil, errs.One("needId", errs.InvalidState, "need_closed", nil)
	}
	talents, err := s.applyNeed(ctx, n, in, false)
	if err != nil {
		return nil, err
	}
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var pattern any
		if len(n.PatternJSON) > 0 {
			pattern = n.PatternJSON
		}
		err := tx.GetContext(ctx, n, `
			UPDATE needs SET title = $2, description = $3, themes = $4, languages = $5, accessibility = $6, remote = $7,
				street = $8, postcode = $9, city = $10, district_key = $11, lat = $12, lon = $13, min_age = $14, pattern = $15,
				auto_accept = $16, flexible_places = $17, updated_at = now()
			WHERE id = $1 RETURNING `+needColumns,
			n.ID, n.Title, n.Description, n.Themes, n.Languages, n.Accessibility, n.Remote, n.Street, n.Postcode, n.City,
			n.DistrictKey, n.Lat, n.Lon, n.MinAge, pattern, n.AutoAccept, n.FlexiblePlaces)
		if err != nil {
			return fmt.Errorf("update need: %w", err)
		}
		if in.SetTalents {
			if err := replaceTalents(ctx, tx, n.ID, talents); err != nil {
				return err
			}
		}
		if in.Pattern != nil {
			if _, err := generateWeekly(ctx, tx, n.ID, n.WeeklyPattern(), s.Now()); err != nil {
				return err
			}
		}
		return refreshNeed(ctx, tx, n)
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, n.ID)
	return n, nil
}

// PublishNeed opens a draft need to volunteers. The organisation must be approved.
func (s *Service) PublishNeed(ctx context.Context, viewer *accounts.Viewer, needID string) (*Need, error) {
	n, err := s.managedNeed(ctx, viewer, needID)
	if err != nil {
		return nil, err
	}
	org, err := s.orgs.Get(ctx, viewer, n.OrganisationID)
	if err != nil {
		return nil, err
	}
	if org.Status != organisations.StatusApproved {
		return nil, errs.One("needId", errs.InvalidState, "org_not_approved", nil)
	}
	if n.Status != NeedDraft {
		return nil, errs.One("needId", errs.InvalidState, "need_not_draft", nil)
	}
	if n.Schedule != ScheduleFlexible && n.NextStart == nil {
		return nil, errs.One("needId", errs.InvalidState, "need_has_no_shifts", nil)
	}
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, n, `UPDATE needs SET status = 'OPEN', published_at = now(), updated_at = now()
			WHERE id = $1 RETURNING `+needColumns, n.ID); err != nil {
			return fmt.Errorf("publish need: %w", err)
		}
		return refreshNeed(ctx, tx, n)
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, n.ID)
	return n, nil
}

// CloseNeed closes a need (nobody else needed) or cancels it; cancelling tells everyone
// with a live application and cancels those applications.
func (s *Service) CloseNeed(ctx context.Context, viewer *accounts.Viewer, needID string, cancel bool, reason string) (*Need, error) {
	n, err := s.managedNeed(ctx, viewer, needID)
	if err != nil {
		return nil, err
	}
	if n.Status == NeedClosed || n.Status == NeedCancelled {
		return nil, errs.One("needId", errs.InvalidState, "need_closed", nil)
	}
	reason, _ = accounts.CleanText(reason, true)
	if utf8.RuneCountInString(reason) > 1000 {
		return nil, errs.One("reason", errs.TooLong, "too_long", map[string]any{"Max": 1000})
	}
	status := NeedClosed
	if cancel {
		status = NeedCancelled
	}
	var changed []Application
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		// Lock the shifts before the need, in the same order as applying does.
		if _, err := tx.ExecContext(ctx, `SELECT id FROM shifts WHERE need_id = $1 ORDER BY id FOR UPDATE`, n.ID); err != nil {
			return fmt.Errorf("lock shifts: %w", err)
		}
		if err := tx.GetContext(ctx, n, `UPDATE needs SET status = $2, closed_at = now(), updated_at = now()
			WHERE id = $1 RETURNING `+needColumns, n.ID, status); err != nil {
			return fmt.Errorf("close need: %w", err)
		}
		if !cancel {
			return nil
		}
		if err := tx.SelectContext(ctx, &changed, `
			UPDATE applications SET status = 'CANCELLED', holds_place = false, updated_at = now()
			WHERE need_id = $1 AND status IN ('PENDING', 'ACCEPTED', 'WAITING')
			AND (shift_id IS NULL OR shift_id IN (SELECT id FROM shifts WHERE need_id = $1 AND starts_at > now()))
			RETURNING `+applicationColumns, n.ID); err != nil {
			return fmt.Errorf("cancel applications: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE shifts SET status = 'CANCELLED', cancelled_at = now(), places_taken = 0
			WHERE need_id = $1 AND status = 'SCHEDULED' AND starts_at > now()`, n.ID); err != nil {
			return fmt.Errorf("cancel shifts: %w", err)
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
	return n, nil
}

// managedNeed loads a need the viewer may manage.
func (s *Service) managedNeed(ctx context.Context, viewer *accounts.Viewer, needID string) (*Need, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	n, err := s.needByID(ctx, s.db, needID, false)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.One("needId", errs.NotFoundCode, "need_not_found", nil)
	}
	if err != nil {
		return nil, err
	}
	if err := s.canManage(ctx, viewer, n.OrganisationID); err != nil {
		return nil, err
	}
	return n, nil
}

func (s *Service) needByID(ctx context.Context, q sqlx.QueryerContext, id string, forUpdate bool) (*Need, error) {
	if !organisations.IsUUID(id) {
		return nil, errs.ErrNotFound
	}
	lock := ""
	if forUpdate {
		lock = " FOR UPDATE"
	}
	var n Need
	err := sqlx.GetContext(ctx, q, &n, `SELECT `+needColumns+` FROM needs WHERE id = $1`+lock, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load need: %w", err)
	}
	return &n, nil
}

// Need returns a need the viewer may see: open, filled or closed ones for everybody;
// drafts and cancelled ones only for the organisation's members and administrators.
func (s *Service) Need(ctx context.Context, viewer *accounts.Viewer, id string) (*Need, error) {
	n, err := s.needByID(ctx, s.db, id, false)
	if err != nil {
		return nil, err
	}
	if n.Status == NeedDraft || n.Status == NeedCancelled {
		if viewer == nil {
			return nil, errs.ErrNotFound
		}
		if err := s.canManage(ctx, viewer, n.OrganisationID); err != nil {
			return nil, errs.ErrNotFound
		}
	}
	return n, nil
}

// Needs returns needs by id (no visibility check; for loading related objects).
func (s *Service) Needs(ctx context.Context, ids []string) (map[string]*Need, error) {
	var rows []Need
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+needColumns+` FROM needs WHERE id = ANY($1::uuid[])`, pq.StringArray(ids)); err != nil {
		return nil, fmt.Errorf("load needs: %w", err)
	}
	out := make(map[string]*Need, len(rows))
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}

// Talents lists the talents a need asks for.
func (s *Service) Talents(ctx context.Context, needID string) ([]NeedTalent, error) {
	var ts []NeedTalent
	if err := s.db.SelectContext(ctx, &ts, `SELECT need_id, talent_key, required, min_level FROM need_talents
		WHERE need_id = $1 ORDER BY required DESC, talent_key`, needID); err != nil {
		return nil, fmt.Errorf("load need talents: %w", err)
	}
	return ts, nil
}

func replaceTalents(ctx context.Context, tx *sqlx.Tx, needID string, talents []TalentAsk) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM need_talents WHERE need_id = $1`, needID); err != nil {
		return fmt.Errorf("clear need talents: %w", err)
	}
	for _, t := range talents {
		if _, err := tx.ExecContext(ctx, `INSERT INTO need_talents (need_id, talent_key, required, min_level) VALUES ($1, $2, $3, $4)`,
			needID, t.TalentKey, t.Required, t.MinLevel); err != nil {
			return fmt.Errorf("add need talent: %w", err)
		}
	}
	return nil
}

// refreshNeed recomputes the need's next shift start, places left and FILLED/OPEN status,
// and reloads n.
func refreshNeed(ctx context.Context, tx *sqlx.Tx, n *Need) error {
	err := tx.GetContext(ctx, n, `
		WITH upcoming AS (
			SELECT min(starts_at) AS next_start, coalesce(sum(places - places_taken), 0) AS left_on_shifts, count(*) AS n
			FROM shifts WHERE need_id = $1 AND status = 'SCHEDULED' AND starts_at > now()
		), calc AS (
			SELECT u.next_start, u.n,
				CASE WHEN nd.schedule = 'FLEXIBLE' THEN coalesce(nd.flexible_places - nd.flexible_taken, $2)
				     ELSE u.left_on_shifts END AS places_left
			FROM needs nd, upcoming u WHERE nd.id = $1
		)
		UPDATE needs SET next_start = calc.next_start, places_left = calc.places_left,
			status = CASE
				WHEN needs.status = 'OPEN' AND calc.places_left = 0 AND (calc.n > 0 OR needs.schedule = 'FLEXIBLE') THEN 'FILLED'
				WHEN needs.status = 'FILLED' AND calc.places_left > 0 THEN 'OPEN'
				ELSE needs.status END
		FROM calc WHERE needs.id = $1
		RETURNING `+prefixed("needs.", needColumns), n.ID, UnlimitedPlaces)
	if err != nil {
		return fmt.Errorf("refresh need: %w", err)
	}
	return nil
}

func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// RefreshPassedNeeds recomputes needs whose next shift has started, so that search never
// shows a shift in the past as upcoming. Run it periodically.
func (s *Service) RefreshPassedNeeds(ctx context.Context) (int, error) {
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM needs WHERE status IN ('OPEN', 'FILLED') AND next_start <= now() LIMIT 5000`); err != nil {
		return 0, fmt.Errorf("find passed needs: %w", err)
	}
	for _, id := range ids {
		err := database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
			n := &Need{ID: id}
			return refreshNeed(ctx, tx, n)
		})
		if err != nil {
			s.changed(ctx, ids...)
			return 0, err
		}
	}
	if len(ids) > 0 {
		s.changed(ctx, ids...)
	}
	return len(ids), nil
}
