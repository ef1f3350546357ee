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

// needs loads what matching needs about needs, keeping the order of ids, in one query:
// the columns matching reads (never the descriptions, which only the shown needs need),
// the talents asked, the next 12 shifts with places left and the number of live
// applications, as arrays beside each need.
func (s *Service) needs(ctx context.Context, ids []string) ([]matching.Need, error) {
	var rows []struct {
		ID            string         `db:"id"`
		Themes        pq.StringArray `db:"themes"`
		Languages     pq.StringArray `db:"languages"`
		Accessibility pq.StringArray `db:"accessibility"`
		Remote        bool           `db:"remote"`
		Flexible      bool           `db:"flexible"`
		District      *string        `db:"district_key"`
		Lat           *float64       `db:"lat"`
		Lon           *float64       `db:"lon"`
		MinAge        *int           `db:"min_age"`
		PlacesLeft    int            `db:"places_left"`
		TalentKeys    pq.StringArray `db:"talent_keys"`
		TalentReq     pq.BoolArray   `db:"talent_required"`
		TalentLevels  pq.Int64Array  `db:"talent_levels"`
		ShiftStarts   pq.Int64Array  `db:"shift_starts"`
		ShiftEnds     pq.Int64Array  `db:"shift_ends"`
		Applicants    int            `db:"applicants"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT n.id, n.themes, n.languages, n.accessibility, n.remote, n.schedule = $2 AS flexible, n.district_key,
			n.lat, n.lon, n.min_age, n.places_left,
			coalesce(t.keys, '{}') AS talent_keys, coalesce(t.required, '{}') AS talent_required,
			coalesce(t.levels, '{}') AS talent_levels,
			coalesce(sh.starts, '{}') AS shift_starts, coalesce(sh.ends, '{}') AS shift_ends,
			(SELECT count(*) FROM applications a WHERE a.need_id = n.id
				AND a.status IN ('PENDING', 'ACCEPTED', 'WAITING')) AS applicants
		FROM needs n
		LEFT JOIN LATERAL (SELECT array_agg(nt.talent_key ORDER BY nt.talent_key) AS keys,
				array_agg(nt.required ORDER BY nt.talent_key) AS required,
				array_agg(nt.min_level ORDER BY nt.talent_key) AS levels
			FROM need_talents nt WHERE nt.need_id = n.id) t ON true
		LEFT JOIN LATERAL (SELECT array_agg(floor(extract(epoch FROM x.starts_at))::bigint ORDER BY x.starts_at) AS starts,
				array_agg(floor(extract(epoch FROM x.ends_at))::bigint ORDER BY x.starts_at) AS ends
			FROM (SELECT starts_at, ends_at FROM shifts WHERE need_id = n.id AND status = 'SCHEDULED'
				AND starts_at > now() AND places_taken < places ORDER BY starts_at LIMIT 12) x) sh ON true
		WHERE n.id = ANY($1::uuid[])`, pq.StringArray(ids), volunteering.ScheduleFlexible)
	if err != nil {
		return nil, fmt.Errorf("load needs for matching: %w", err)
	}
	byID := make(map[string]int, len(rows))
	for i := range rows {
		byID[rows[i].ID] = i
	}
	out := make([]matching.Need, 0, len(rows))
	for _, id := range ids {
		i, ok := byID[id]
		if !ok {
			continue
		}
		r := &rows[i]
		mn := matching.Need{ID: r.ID, Themes: r.Themes, Remote: r.Remote, Flexible: r.Flexible,
			PlacesLeft: r.PlacesLeft, Accessibility: r.Accessibility, Applicants: r.Applicants}
		if r.District != nil {
			mn.District = *r.District
		}
		if r.Lat != nil && r.Lon != nil {
			mn.Location = &matching.Point{Lat: *r.Lat, Lon: *r.Lon}
		}
		if r.MinAge != nil {
			mn.MinAge = *r.MinAge
		}
		for _, l := range r.Languages {
			mn.Languages = append(mn.Languages, matching.LanguageAsk{Code: l, MinLevel: 1})
		}
		for k, key := range r.TalentKeys {
			mn.Talents = append(mn.Talents, matching.TalentAsk{Key: key, Required: r.TalentReq[k], MinLevel: int(r.TalentLevels[k])})
		}
		for k, start := range r.ShiftStarts {
			mn.Shifts = append(mn.Shifts, matching.ShiftTime{Start: time.Unix(start, 0), End: time.Unix(r.ShiftEnds[k], 0)})
		}
		out = append(out, mn)
	}
	return out, nil
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
