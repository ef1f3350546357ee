package recommend

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/matching"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// people loads what matching needs about people, in a few batch queries. Nothing about
// origin, nationality, religion, gender or health exists to be loaded.
func (s *Service) people(ctx context.Context, ids []string) (map[string]matching.Person, error) {
	out := make(map[string]matching.Person, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	arr := pq.StringArray(ids)
	var base []struct {
		ID       string         `db:"id"`
		Birth    *time.Time     `db:"birth_date"`
		HomeLat  *float64       `db:"home_lat"`
		HomeLon  *float64       `db:"home_lon"`
		Radius   *float64       `db:"radius_km"`
		District pq.StringArray `db:"districts"`
		Themes   pq.StringArray `db:"themes"`
		Looking  pq.StringArray `db:"looking_for"`
		Avail    []byte         `db:"availability"`
		Upcoming int            `db:"upcoming"`
	}
	err := s.db.SelectContext(ctx, &base, `
		SELECT p.id, p.birth_date, tp.home_lat, tp.home_lon, tp.radius_km,
			coalesce(tp.districts, '{}') AS districts, coalesce(tp.themes, '{}') AS themes,
			coalesce(tp.looking_for, '{}') AS looking_for, coalesce(tp.availability, '[]'::jsonb) AS availability,
			(SELECT count(*) FROM applications a JOIN shifts sh ON sh.id = a.shift_id WHERE a.person_id = p.id
				AND a.status = 'ACCEPTED' AND sh.starts_at > now() AND sh.starts_at < now() + interval '28 days') AS upcoming
		FROM people p LEFT JOIN talent_profiles tp ON tp.person_id = p.id WHERE p.id = ANY($1::uuid[])`, arr)
	if err != nil {
		return nil, fmt.Errorf("load people for matching: %w", err)
	}
	for _, b := range base {
		mp := matching.Person{ID: b.ID, Talents: map[string]matching.Skill{}, Languages: map[string]int{},
			Districts: b.District, Themes: b.Themes, LookingFor: b.Looking, UpcomingShifts: b.Upcoming}
		if b.Birth != nil {
			birth := *b.Birth
			mp.AgeOn = func(day time.Time) (int, bool) { return volunteering.AgeOn(birth, day.In(volunteering.Zone)), true }
		} else {
			mp.AgeOn = func(time.Time) (int, bool) { return 0, false }
		}
		if b.HomeLat != nil {
			mp.Home = &matching.Point{Lat: *b.HomeLat, Lon: *b.HomeLon}
		}
		if b.Radius != nil {
			mp.RadiusKm = *b.Radius
		}
		var slots []talent.Slot
		_ = json.Unmarshal(b.Avail, &slots)
		for _, sl := range slots {
			from, ok1 := talent.ClockMinutes(sl.From)
			to, ok2 := talent.ClockMinutes(sl.To)
			if !ok1 || !ok2 || sl.Weekday < 1 || sl.Weekday > 7 {
				continue
			}
			mp.Availability = append(mp.Availability, matching.Slot{Weekday: time.Weekday(sl.Weekday % 7), From: from, To: to})
		}
		out[b.ID] = mp
	}
	var skills []struct {
		Person   string `db:"person_id"`
		Key      string `db:"talent_key"`
		Level    int    `db:"level"`
		Verified bool   `db:"verified"`
	}
	if err := s.db.SelectContext(ctx, &skills, `SELECT pt.person_id, pt.talent_key, pt.level,
		EXISTS (SELECT 1 FROM endorsements e WHERE e.person_id = pt.person_id AND e.talent_key = pt.talent_key AND NOT e.hidden) AS verified
		FROM profile_talents pt WHERE pt.person_id = ANY($1::uuid[])`, arr); err != nil {
		return nil, fmt.Errorf("load talents for matching: %w", err)
	}
	for _, sk := range skills {
		out[sk.Person].Talents[sk.Key] = matching.Skill{Level: sk.Level, Verified: sk.Verified}
	}
	var langs []talent.Language
	if err := s.db.SelectContext(ctx, &langs, `SELECT person_id, code, level FROM profile_languages WHERE person_id = ANY($1::uuid[])`, arr); err != nil {
		return nil, fmt.Errorf("load languages for matching: %w", err)
	}
	for _, l := range langs {
		out[l.PersonID].Languages[l.Code] = talent.LanguageLevelNumber(l.Level)
	}
	return out, nil
}

// needs loads what matching needs about needs, keeping the order of ids.
func (s *Service) needs(ctx context.Context, ids []string) ([]matching.Need, map[string]*volunteering.Need, error) {
	byID, err := s.vol.Needs(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	arr := pq.StringArray(ids)
	var talents []volunteering.NeedTalent
	if err := s.db.SelectContext(ctx, &talents, `SELECT need_id, talent_key, required, min_level FROM need_talents
		WHERE need_id = ANY($1::uuid[])`, arr); err != nil {
		return nil, nil, fmt.Errorf("load need talents: %w", err)
	}
	var shifts []struct {
		Need   string    `db:"need_id"`
		Starts time.Time `db:"starts_at"`
		Ends   time.Time `db:"ends_at"`
	}
	if err := s.db.SelectContext(ctx, &shifts, `SELECT need_id, starts_at, ends_at FROM (
		SELECT need_id, starts_at, ends_at, row_number() OVER (PARTITION BY need_id ORDER BY starts_at) AS rn
		FROM shifts WHERE need_id = ANY($1::uuid[]) AND status = 'SCHEDULED' AND starts_at > now() AND places_taken < places) s
		WHERE rn <= 12`, arr); err != nil {
		return nil, nil, fmt.Errorf("load shifts for matching: %w", err)
	}
	var applicants []struct {
		Need string `db:"need_id"`
		N    int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &applicants, `SELECT need_id, count(*) AS n FROM applications WHERE need_id = ANY($1::uuid[])
		AND status IN ('PENDING', 'ACCEPTED', 'WAITING') GROUP BY need_id`, arr); err != nil {
		return nil, nil, fmt.Errorf("count applicants: %w", err)
	}
	m := make(map[string]*matching.Need, len(ids))
	out := make([]matching.Need, 0, len(ids))
	for _, id := range ids {
		n := byID[id]
		if n == nil {
			continue
		}
		mn := matching.Need{ID: n.ID, Themes: n.Themes, Remote: n.Remote, Flexible: n.Schedule == volunteering.ScheduleFlexible,
			PlacesLeft: n.PlacesLeft, Accessibility: n.Accessibility}
		if n.DistrictKey != nil {
			mn.District = *n.DistrictKey
		}
		if n.Lat != nil {
			mn.Location = &matching.Point{Lat: *n.Lat, Lon: *n.Lon}
		}
		if n.MinAge != nil {
			mn.MinAge = *n.MinAge
		}
		for _, l := range n.Languages {
			mn.Languages = append(mn.Languages, matching.LanguageAsk{Code: l, MinLevel: 1})
		}
		out = append(out, mn)
		m[id] = &out[len(out)-1]
	}
	for _, t := range talents {
		if n := m[t.NeedID]; n != nil {
			n.Talents = append(n.Talents, matching.TalentAsk{Key: t.TalentKey, Required: t.Required, MinLevel: t.MinLevel})
		}
	}
	for _, sh := range shifts {
		if n := m[sh.Need]; n != nil {
			n.Shifts = append(n.Shifts, matching.ShiftTime{Start: sh.Starts, End: sh.Ends})
		}
	}
	for _, a := range applicants {
		if n := m[a.Need]; n != nil {
			n.Applicants = a.N
		}
	}
	return out, byID, nil
}

// profiles loads talent bank results (profile and display name) by person id.
func (s *Service) profiles(ctx context.Context, ids []string) (map[string]talent.Result, error) {
	var rows []talent.Result
	if err := s.db.SelectContext(ctx, &rows, `SELECT tp.person_id, tp.visibility, tp.home_lat, tp.home_lon, tp.radius_km,
		tp.districts, tp.themes, tp.looking_for, tp.availability, tp.about, tp.updated_at, p.display_name
		FROM talent_profiles tp JOIN people p ON p.id = tp.person_id
		WHERE tp.person_id = ANY($1::uuid[]) AND p.deleted_at IS NULL`, pq.StringArray(ids)); err != nil {
		return nil, fmt.Errorf("load profiles: %w", err)
	}
	out := make(map[string]talent.Result, len(rows))
	for _, r := range rows {
		out[r.PersonID] = r
	}
	return out, nil
}
