package volunteering_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/errs"
	. "github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// impactPeople inserts n people and returns their IDs.
func impactPeople(f *srchFixture, prefix string, n int) []string {
	f.t.Helper()
	ids := make([]string, n)
	for i := range ids {
		if err := f.db.Get(&ids[i], `INSERT INTO people (email, password_hash, display_name) VALUES ($1, 'x', $2) RETURNING id`,
			fmt.Sprintf("%s%d@example.org", prefix, i), fmt.Sprintf("%s %d", prefix, i)); err != nil {
			f.t.Fatal(err)
		}
	}
	return ids
}

// impactNeed inserts a need with one shift starting at start and returns the need and shift IDs.
func impactNeed(f *srchFixture, district string, themes []string, start time.Time) (string, string) {
	f.t.Helper()
	var d any
	if district != "" {
		d = district
	}
	var needID, shiftID string
	if err := f.db.Get(&needID, `INSERT INTO needs (organisation_id, status, title, themes, district_key, schedule)
		VALUES ($1, 'OPEN', 'Hulp', $2, $3, 'ONE_OFF') RETURNING id`, f.org, pq.StringArray(themes), d); err != nil {
		f.t.Fatal(err)
	}
	if err := f.db.Get(&shiftID, `INSERT INTO shifts (need_id, starts_at, ends_at, places) VALUES ($1, $2, $3, 50) RETURNING id`,
		needID, start, start.Add(3*time.Hour)); err != nil {
		f.t.Fatal(err)
	}
	return needID, shiftID
}

// impactApply inserts an application of each person to the shift with the status and minutes.
func impactApply(f *srchFixture, needID, shiftID string, people []string, status string, minutes int) {
	f.t.Helper()
	for _, p := range people {
		var m any
		if status == AppAttended {
			m = minutes
		}
		if _, err := f.db.Exec(`INSERT INTO applications (need_id, shift_id, person_id, status, holds_place, minutes, confirmed_at)
			VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $4 = 'ATTENDED' THEN now() END)`,
			needID, shiftID, p, status, status == AppAttended || status == AppAccepted, m); err != nil {
			f.t.Fatal(err)
		}
	}
}

func fmtImpact(rows []ImpactRow) string {
	var b strings.Builder
	for _, r := range rows {
		d, th := "-", "-"
		if r.DistrictKey != nil {
			d = *r.DistrictKey
		}
		if r.ThemeKey != nil {
			th = *r.ThemeKey
		}
		if r.Suppressed {
			fmt.Fprintf(&b, "%s %s %s suppressed\n", r.Month, d, th)
			continue
		}
		fmt.Fprintf(&b, "%s %s %s %dmin %.1fh %dp %dn\n", r.Month, d, th, *r.Minutes, *r.Hours, *r.Volunteers, *r.NeedsFilled)
	}
	return b.String()
}

func TestImpactStatsSumsAndSuppressesSmallGroups(t *testing.T) {
	t.Parallel()
	f := newSrchFixture(t)
	f.now = time.Date(2026, 5, 10, 12, 0, 0, 0, Zone)
	people := impactPeople(f, "v", 9)
	brx := func(m time.Month, d, h, mi int) time.Time { return time.Date(2026, m, d, h, mi, 0, 0, Zone) }

	// Borgerhout, food + poverty, March: 6 volunteers on two needs (one of them twice).
	n1, s1 := impactNeed(f, "borgerhout", []string{"food", "poverty"}, brx(3, 10, 14, 0))
	impactApply(f, n1, s1, people[0:4], AppAttended, 120)
	// Late on the last evening of March in Brussels (21:30 UTC): March.
	n2, s2 := impactNeed(f, "borgerhout", []string{"food"}, brx(3, 31, 23, 30))
	impactApply(f, n2, s2, people[2:6], AppAttended, 90)
	// Not attended: never counted.
	impactApply(f, n2, s2, people[6:8], AppAccepted, 0)
	impactApply(f, n1, s1, people[8:9], AppNoShow, 0)
	// Just after midnight on 1 April in Brussels (still 31 March in UTC): April.
	n3, s3 := impactNeed(f, "borgerhout", []string{"food"}, brx(4, 1, 0, 30))
	impactApply(f, n3, s3, people[0:5], AppAttended, 60)
	// Hoboken, youth, March: 3 volunteers only → suppressed.
	n4, s4 := impactNeed(f, "hoboken", []string{"youth"}, brx(3, 12, 9, 0))
	impactApply(f, n4, s4, people[0:3], AppAttended, 180)
	// A flexible need: the day worked counts (February), whatever the confirmation date.
	var n5 string
	if err := f.db.Get(&n5, `INSERT INTO needs (organisation_id, status, title, themes, district_key, schedule, flexible_places)
		VALUES ($1, 'OPEN', 'Flexibel', '{food}', 'borgerhout', 'FLEXIBLE', 10) RETURNING id`, f.org); err != nil {
		t.Fatal(err)
	}
	for _, p := range people[0:5] {
		if _, err := f.db.Exec(`INSERT INTO applications (need_id, person_id, status, holds_place, minutes, worked_on, confirmed_at)
			VALUES ($1, $2, 'ATTENDED', true, 30, '2026-02-27', '2026-03-02T10:00:00Z')`, n5, p); err != nil {
			t.Fatal(err)
		}
	}
	// Outside the period (last year).
	n6, s6 := impactNeed(f, "borgerhout", []string{"food"}, time.Date(2024, 3, 10, 10, 0, 0, 0, Zone))
	impactApply(f, n6, s6, people, AppAttended, 60)

	ctx := context.Background()
	cases := []struct {
		name string
		f    ImpactFilter
		want string
	}{
		{"by district and theme", ImpactFilter{FromMonth: "2026-01", ToMonth: "2026-04", ByDistrict: true, ByTheme: true}, `
2026-02 borgerhout food 150min 2.5h 5p 1n
2026-03 borgerhout food 840min 14.0h 6p 2n
2026-03 borgerhout poverty suppressed
2026-03 hoboken youth suppressed
2026-04 borgerhout food 300min 5.0h 5p 1n
`},
		{"by district", ImpactFilter{FromMonth: "2026-03", ToMonth: "2026-04", ByDistrict: true}, `
2026-03 borgerhout - 840min 14.0h 6p 2n
2026-03 hoboken - suppressed
2026-04 borgerhout - 300min 5.0h 5p 1n
`},
		{"by theme", ImpactFilter{FromMonth: "2026-03", ToMonth: "2026-03", ByTheme: true}, `
2026-03 - food 840min 14.0h 6p 2n
2026-03 - poverty suppressed
2026-03 - youth suppressed
`},
		{"by month only", ImpactFilter{FromMonth: "2026-03", ToMonth: "2026-03"}, `
2026-03 - - 1380min 23.0h 6p 3n
`},
		{"district filter", ImpactFilter{FromMonth: "2026-03", ToMonth: "2026-03", DistrictKeys: []string{"hoboken"}, ByDistrict: true}, `
2026-03 hoboken - suppressed
`},
		{"theme filter, by theme", ImpactFilter{FromMonth: "2026-03", ToMonth: "2026-03", ThemeKeys: []string{"poverty", "youth"}, ByTheme: true}, `
2026-03 - poverty suppressed
2026-03 - youth suppressed
`},
		{"theme filter, not by theme", ImpactFilter{FromMonth: "2026-03", ToMonth: "2026-03", ThemeKeys: []string{"poverty", "youth"}}, `
2026-03 - - suppressed
`},
		{"theme filter, counted once per need", ImpactFilter{FromMonth: "2026-03", ToMonth: "2026-03", ThemeKeys: []string{"food", "poverty"}}, `
2026-03 - - 840min 14.0h 6p 2n
`},
		{"default period: the last twelve months", ImpactFilter{ByDistrict: true, DistrictKeys: []string{"borgerhout"}}, `
2026-02 borgerhout - 150min 2.5h 5p 1n
2026-03 borgerhout - 840min 14.0h 6p 2n
2026-04 borgerhout - 300min 5.0h 5p 1n
`},
		{"nothing", ImpactFilter{FromMonth: "2025-01", ToMonth: "2025-02", ByDistrict: true}, "\n"},
	}
	for _, c := range cases {
		rows, err := f.svc.ImpactStats(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := "\n" + fmtImpact(rows); got != c.want {
			t.Errorf("%s:\ngot%swant%s", c.name, got, c.want)
		}
		for _, r := range rows {
			if r.Suppressed != (r.Hours == nil) || r.Suppressed != (r.Volunteers == nil) || r.Suppressed != (r.NeedsFilled == nil) {
				t.Errorf("%s: row %+v shows figures of a suppressed group (or hides others)", c.name, r)
			}
		}
	}
	// The rows hold no person: only months, keys, flags and numbers.
	for i := 0; i < reflect.TypeOf(ImpactRow{}).NumField(); i++ {
		if name := reflect.TypeOf(ImpactRow{}).Field(i).Name; strings.Contains(strings.ToLower(name), "person") {
			t.Errorf("ImpactRow has a field %s", name)
		}
	}
	// Bad periods are user errors.
	for _, bad := range []ImpactFilter{{FromMonth: "2026-13"}, {ToMonth: "march"}, {FromMonth: "2026-05", ToMonth: "2026-04"},
		{FromMonth: "2010-01", ToMonth: "2026-01"}} {
		if _, err := f.svc.ImpactStats(ctx, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		} else if _, ok := errs.AsUserErrors(err); !ok {
			t.Errorf("%+v: %v is not a user error", bad, err)
		}
	}
}
