package volunteering

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// MinGroupSize is the smallest number of distinct volunteers a group of the public impact
// figures must have to show its figures; smaller groups are suppressed.
const MinGroupSize = 5

// MaxImpactMonths is the longest period impact figures cover at once.
const MaxImpactMonths = 60

// ImpactFilter selects and groups the public impact figures.
type ImpactFilter struct {
	// FromMonth and ToMonth are YYYY-MM (Europe/Brussels), both included. Defaults: ToMonth
	// this month, FromMonth eleven months before ToMonth.
	FromMonth, ToMonth string
	DistrictKeys       []string
	ThemeKeys          []string
	// Group by district and/or by theme (always by month). A need with several themes
	// counts for each of them.
	ByDistrict, ByTheme bool
}

// ImpactRow is the figures of one month (and district and/or theme). When Suppressed, the
// group has fewer than MinGroupSize volunteers and the figures are nil.
type ImpactRow struct {
	Month       string
	DistrictKey *string // nil when not grouped by district (or for remote needs)
	ThemeKey    *string // nil when not grouped by theme (or for needs without a theme)
	Suppressed  bool
	Minutes     *int
	Hours       *float64
	Volunteers  *int
	NeedsFilled *int
}

type impactGroup struct {
	Month       string  `db:"month"`
	District    *string `db:"district"`
	Theme       *string `db:"theme"`
	Minutes     int     `db:"minutes"`
	Volunteers  int     `db:"volunteers"`
	NeedsFilled int     `db:"needs_filled"`
}

// ImpactStats returns anonymised figures of confirmed volunteering (applications ATTENDED)
// per month and, as asked, per district and/or theme: hours, distinct volunteers and needs
// filled (distinct needs with at least one attended application that month). The month
// is the day worked (worked_on, else the shift's start, else the confirmation, in
// Europe/Brussels). Groups of fewer than MinGroupSize volunteers are suppressed. It never
// returns anything about a person.
func (s *Service) ImpactStats(ctx context.Context, f ImpactFilter) ([]ImpactRow, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	from, to, err := impactMonths(f.FromMonth, f.ToMonth, now().In(Zone))
	if err != nil {
		return nil, err
	}
	args := map[string]any{
		"from": from.Format("2006-01-02"),
		"to":   to.AddDate(0, 1, 0).Format("2006-01-02"),
	}
	where := []string{"a.status = 'ATTENDED'"}
	if len(f.DistrictKeys) > 0 {
		where = append(where, "n.district_key = ANY(:districts)")
		args["districts"] = pq.StringArray(f.DistrictKeys)
	}
	if len(f.ThemeKeys) > 0 {
		where = append(where, "n.themes && :themes")
		args["themes"] = pq.StringArray(f.ThemeKeys)
	}
	district, theme, themeJoin := "CAST(NULL AS text)", "CAST(NULL AS text)", ""
	if f.ByDistrict {
		district = "w.district_key"
	}
	if f.ByTheme {
		theme = "t.theme"
		themeJoin = "LEFT JOIN LATERAL unnest(w.themes) AS t(theme) ON true"
		if len(f.ThemeKeys) > 0 {
			themeJoin = "JOIN LATERAL unnest(w.themes) AS t(theme) ON t.theme = ANY(:themes)"
		}
	}
	query := `
		WITH w AS (
			SELECT a.person_id, a.need_id, a.minutes, n.district_key, n.themes,
				coalesce(a.worked_on, CAST(sh.starts_at AT TIME ZONE 'Europe/Brussels' AS date),
					CAST(a.confirmed_at AT TIME ZONE 'Europe/Brussels' AS date)) AS day
			FROM applications a
			JOIN needs n ON n.id = a.need_id
			LEFT JOIN shifts sh ON sh.id = a.shift_id
			WHERE ` + strings.Join(where, " AND ") + `
		)
		SELECT to_char(w.day, 'YYYY-MM') AS month, ` + district + ` AS district, ` + theme + ` AS theme,
			coalesce(sum(w.minutes), 0) AS minutes,
			count(DISTINCT w.person_id) AS volunteers,
			count(DISTINCT w.need_id) AS needs_filled
		FROM w ` + themeJoin + `
		WHERE w.day >= CAST(:from AS date) AND w.day < CAST(:to AS date)
		GROUP BY 1, 2, 3
		ORDER BY 1, 2 NULLS LAST, 3 NULLS LAST`
	q, qa, err := sqlx.Named(query, args)
	if err != nil {
		return nil, fmt.Errorf("impact stats: %w", err)
	}
	var groups []impactGroup
	if err := s.reader(ctx).SelectContext(ctx, &groups, s.db.Rebind(q), qa...); err != nil {
		return nil, fmt.Errorf("impact stats: %w", err)
	}
	rows := make([]ImpactRow, 0, len(groups))
	for _, g := range groups {
		r := ImpactRow{Month: g.Month, DistrictKey: g.District, ThemeKey: g.Theme}
		if g.Volunteers < MinGroupSize {
			r.Suppressed = true
		} else {
			minutes, volunteers, filled := g.Minutes, g.Volunteers, g.NeedsFilled
			hours := math.Round(float64(minutes)/60*10) / 10
			r.Minutes, r.Hours, r.Volunteers, r.NeedsFilled = &minutes, &hours, &volunteers, &filled
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// impactMonths parses and checks the period; it returns the first day of the first and of
// the last month.
func impactMonths(fromMonth, toMonth string, now time.Time) (time.Time, time.Time, error) {
	parse := func(field, s string) (time.Time, error) {
		t, err := time.Parse("2006-01", strings.TrimSpace(s))
		if err != nil || t.Year() < 2000 || t.Year() > 2200 {
			return time.Time{}, errs.One(field, errs.Invalid, "invalid", nil)
		}
		return t, nil
	}
	to := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if toMonth != "" {
		t, err := parse("filter.toMonth", toMonth)
		if err != nil {
			return to, to, err
		}
		to = t
	}
	from := to.AddDate(0, -11, 0)
	if fromMonth != "" {
		t, err := parse("filter.fromMonth", fromMonth)
		if err != nil {
			return from, to, err
		}
		from = t
	}
	if from.After(to) {
		return from, to, errs.One("filter.fromMonth", errs.OutOfRange, "invalid", nil)
	}
	if months := (to.Year()-from.Year())*12 + int(to.Month()-from.Month()) + 1; months > MaxImpactMonths {
		return from, to, errs.One("filter.fromMonth", errs.OutOfRange, "invalid", nil)
	}
	return from, to, nil
}
