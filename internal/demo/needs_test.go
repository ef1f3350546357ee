package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/demo"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// seedAll loads the demo data and its needs into a fresh database.
func seedAll(t *testing.T, now time.Time) (*sqlx.DB, demo.NeedsResult) {
	t.Helper()
	db := testutil.NewDB(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	res, err := demo.SeedNeeds(ctx, db, now)
	if err != nil {
		t.Fatal(err)
	}
	return db, res
}

var seedNow = time.Date(2026, 3, 18, 10, 30, 0, 0, time.UTC)

func TestSeedNeedsIsConsistent(t *testing.T) {
	t.Parallel()
	db, res := seedAll(t, seedNow)
	ctx := context.Background()
	if res.Skipped || res.Needs < 200 || res.Needs > 600 || res.Shifts < res.Needs || res.Applications < res.Needs || res.Attended < 100 {
		t.Fatalf("result = %+v", res)
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.GetContext(ctx, &n, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	// Every check is a query that must find nothing.
	checks := map[string]string{
		"places_taken is the number of applications holding a place": `
			SELECT count(*) FROM shifts s WHERE s.places_taken <>
				(SELECT count(*) FROM applications a WHERE a.shift_id = s.id AND a.holds_place)`,
		"flexible_taken is the number of applications holding a place": `
			SELECT count(*) FROM needs n WHERE n.schedule = 'FLEXIBLE' AND n.flexible_taken <>
				(SELECT count(*) FROM applications a WHERE a.need_id = n.id AND a.shift_id IS NULL AND a.holds_place)`,
		"no shift is oversold": `SELECT count(*) FROM shifts WHERE places_taken > places`,
		"holding a place goes with its status": `
			SELECT count(*) FROM applications WHERE holds_place <> (status IN ('ACCEPTED', 'ATTENDED', 'NO_SHOW'))`,
		"waiting lists only on full shifts": `
			SELECT count(*) FROM applications a JOIN shifts s ON s.id = a.shift_id
			WHERE a.status = 'WAITING' AND (s.places_taken < s.places OR a.waiting_since IS NULL)`,
		"cancelled shifts hold nobody": `
			SELECT count(*) FROM applications a JOIN shifts s ON s.id = a.shift_id
			WHERE s.status = 'CANCELLED' AND a.status <> 'CANCELLED'`,
		"next_start is the next scheduled shift": `
			SELECT count(*) FROM needs n WHERE n.schedule <> 'FLEXIBLE' AND n.next_start IS DISTINCT FROM
				(SELECT min(starts_at) FROM shifts s WHERE s.need_id = n.id AND s.status = 'SCHEDULED' AND s.starts_at > $1)`,
		"places_left adds up the coming shifts (or the flexible places)": `
			SELECT count(*) FROM needs n WHERE n.places_left <> CASE WHEN n.schedule = 'FLEXIBLE'
				THEN n.flexible_places - n.flexible_taken
				ELSE (SELECT coalesce(sum(places - places_taken), 0) FROM shifts s
					WHERE s.need_id = n.id AND s.status = 'SCHEDULED' AND s.starts_at > $1) END`,
		"open needs have places left": `
			SELECT count(*) FROM needs WHERE status = 'OPEN' AND places_left = 0 AND (next_start IS NOT NULL OR schedule = 'FLEXIBLE')`,
		"attendance is confirmed with minutes, a day and an event": `
			SELECT count(*) FROM applications a WHERE a.status = 'ATTENDED' AND (a.minutes IS NULL OR a.worked_on IS NULL
				OR a.confirmed_at IS NULL OR a.confirmed_at > $1
				OR NOT EXISTS (SELECT 1 FROM application_events e WHERE e.application_id = a.id AND e.status = 'ATTENDED'))`,
		"every confirmed attendance has its outbox event (for minting)": `
			SELECT count(*) FROM applications a WHERE a.status = 'ATTENDED' AND NOT EXISTS (SELECT 1 FROM outbox o
				WHERE o.topic = 'attendance.confirmed' AND o.key = a.id::text AND o.processed_at IS NULL
				AND (o.payload->>'minutes')::int = a.minutes AND o.payload->>'workedOn' = a.worked_on::text
				AND o.payload->>'personId' = a.person_id::text AND o.payload->>'needId' = a.need_id::text)`,
		"no outbox event without attendance": `
			SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM applications a
				WHERE a.id::text = o.key AND a.status = 'ATTENDED' AND o.topic = 'attendance.confirmed')`,
		"attendance only after the shift": `
			SELECT count(*) FROM applications a JOIN shifts s ON s.id = a.shift_id
			WHERE a.status IN ('ATTENDED', 'NO_SHOW') AND s.ends_at > $1`,
		"every application's last event is its status": `
			SELECT count(*) FROM applications a WHERE a.status <>
				(SELECT e.status FROM application_events e WHERE e.application_id = a.id ORDER BY e.at DESC, e.id DESC LIMIT 1)`,
		"events in order, not in the future": `
			SELECT count(*) FROM application_events e JOIN applications a ON a.id = e.application_id
			WHERE e.at < a.created_at OR e.at > $1`,
		"nobody applies to their own organisation": `
			SELECT count(*) FROM applications a JOIN needs n ON n.id = a.need_id
			JOIN organisation_members m ON m.organisation_id = n.organisation_id AND m.person_id = a.person_id`,
		"the minimum age holds": `
			SELECT count(*) FROM applications a JOIN needs n ON n.id = a.need_id JOIN people p ON p.id = a.person_id
			LEFT JOIN shifts s ON s.id = a.shift_id
			WHERE n.min_age IS NOT NULL AND p.birth_date + make_interval(years => n.min_age) > coalesce(s.starts_at, $1)`,
		"needs of approved organisations that are no merchants": `
			SELECT count(*) FROM needs n JOIN organisations o ON o.id = n.organisation_id
			WHERE o.status <> 'APPROVED' OR o.kind = 'MERCHANT'`,
		"drafts have no applications": `
			SELECT count(*) FROM applications a JOIN needs n ON n.id = a.need_id WHERE n.status = 'DRAFT'`,
	}
	for name, q := range checks {
		var n int
		var err error
		if countsArgs(q) {
			err = db.GetContext(ctx, &n, q, seedNow)
		} else {
			err = db.GetContext(ctx, &n, q)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows break it", name, n)
		}
	}
	// Applications in every state, needs of every schedule, shifts in the coming six weeks.
	for _, st := range []string{"PENDING", "ACCEPTED", "WAITING", "DECLINED", "WITHDRAWN", "ATTENDED", "NO_SHOW", "CANCELLED"} {
		if count(`SELECT count(*) FROM applications WHERE status = $1`, st) == 0 {
			t.Errorf("no application %s", st)
		}
	}
	for _, sc := range []string{"ONE_OFF", "WEEKLY", "FLEXIBLE"} {
		if count(`SELECT count(*) FROM needs WHERE schedule = $1 AND status = 'OPEN'`, sc) < 10 {
			t.Errorf("fewer than 10 open %s needs", sc)
		}
	}
	for _, st := range []string{"OPEN", "DRAFT", "CLOSED"} {
		if count(`SELECT count(*) FROM needs WHERE status = $1`, st) == 0 {
			t.Errorf("no need %s", st)
		}
	}
	if n := count(`SELECT count(*) FROM needs WHERE auto_accept`); n == 0 || n == res.Needs {
		t.Errorf("%d of %d needs accept automatically", n, res.Needs)
	}
	if n := count(`SELECT count(DISTINCT district_key) FROM needs WHERE status = 'OPEN'`); n != 9 {
		t.Errorf("open needs in %d districts", n)
	}
	if n := count(`SELECT count(*) FROM shifts WHERE starts_at > $1 AND starts_at < $1::timestamptz + interval '43 days'`, seedNow); n < 150 {
		t.Errorf("only %d shifts in the coming six weeks", n)
	}
	if n := count(`SELECT count(*) FROM shifts WHERE starts_at > $1::timestamptz + interval '43 days'`, seedNow); n != 0 {
		t.Errorf("%d shifts more than six weeks ahead", n)
	}
	// Shifts start at whole Brussels local times (across the DST change of 29 March 2026).
	if n := count(`SELECT count(*) FROM shifts WHERE extract(minute FROM starts_at AT TIME ZONE 'Europe/Brussels') NOT IN (0, 15, 30, 45)
		OR extract(hour FROM starts_at AT TIME ZONE 'Europe/Brussels') NOT BETWEEN 8 AND 20`); n != 0 {
		t.Errorf("%d shifts at odd local times", n)
	}
	if n := count(`SELECT count(DISTINCT (starts_at AT TIME ZONE 'Europe/Brussels')::time) FROM shifts s JOIN needs n ON n.id = s.need_id
		WHERE n.schedule = 'WEEKLY' AND n.title = 'Help bij de voedselbedeling'`); n != 1 {
		t.Errorf("a weekly need starts at %d different local times", n)
	}
	if n := count(`SELECT count(*) FROM need_talents`); n < res.Needs {
		t.Errorf("only %d need talents", n)
	}
	// Impact figures have something to show.
	rows, err := volunteering.NewService(db, nil, nil, nil, nil).ImpactStats(ctx, volunteering.ImpactFilter{
		FromMonth: "2025-10", ToMonth: "2026-03", ByDistrict: true})
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	for _, r := range rows {
		if !r.Suppressed {
			shown++
		}
	}
	if shown < 5 {
		t.Errorf("only %d of %d impact rows have figures", shown, len(rows))
	}
	// Seeding again leaves the database alone.
	again, err := demo.SeedNeeds(ctx, db, seedNow)
	if err != nil || !again.Skipped {
		t.Fatalf("second seed = %+v, %v; want skipped", again, err)
	}
}

func countsArgs(q string) bool {
	for i := 0; i+1 < len(q); i++ {
		if q[i] == '$' && q[i+1] == '1' {
			return true
		}
	}
	return false
}

func TestSeedNeedsIsDeterministic(t *testing.T) {
	t.Parallel()
	a, _ := seedAll(t, seedNow)
	b, _ := seedAll(t, seedNow)
	ctx := context.Background()
	for _, q := range []string{
		`SELECT md5(string_agg(id::text || status || title || coalesce(next_start::text, '') || places_left, ',' ORDER BY id)) FROM needs`,
		`SELECT md5(string_agg(id::text || starts_at::text || places || places_taken || status, ',' ORDER BY id)) FROM shifts`,
		`SELECT md5(string_agg(id::text || person_id::text || status || coalesce(minutes, 0), ',' ORDER BY id)) FROM applications`,
		`SELECT md5(string_agg(application_id::text || status || at::text, ',' ORDER BY application_id, at, status)) FROM application_events`,
	} {
		var sa, sb string
		if err := a.GetContext(ctx, &sa, q); err != nil {
			t.Fatal(err)
		}
		if err := b.GetContext(ctx, &sb, q); err != nil {
			t.Fatal(err)
		}
		if sa != sb {
			t.Errorf("two seeds differ: %s", q)
		}
	}
}

func TestSeedScaleMakesConsistentOpenNeeds(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	ctx := context.Background()
	var lines int
	if err := demo.SeedScale(ctx, db, 6000, 3, seedNow, func(string) { lines++ }); err != nil {
		t.Fatal(err)
	}
	if lines == 0 {
		t.Error("no progress reported")
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.GetContext(ctx, &n, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM needs WHERE status = 'OPEN'`); n != 6000 {
		t.Errorf("%d open needs", n)
	}
	if n := count(`SELECT count(*) FROM shifts`); n < 6000*3*8/10 || n > 6000*3*12/10 {
		t.Errorf("%d shifts for 6000 needs with 3 each", n)
	}
	if n := count(`SELECT count(DISTINCT district_key) FROM needs`); n != 9 {
		t.Errorf("needs in %d districts", n)
	}
	if n := count(`SELECT count(DISTINCT t) FROM needs, unnest(themes) t`); n != count(`SELECT count(*) FROM themes`) {
		t.Errorf("needs in %d themes", n)
	}
	for name, q := range map[string]string{
		"next_start": `SELECT count(*) FROM needs n WHERE n.next_start IS DISTINCT FROM
			(SELECT min(starts_at) FROM shifts s WHERE s.need_id = n.id AND s.status = 'SCHEDULED' AND s.starts_at > $1)`,
		"places_left": `SELECT count(*) FROM needs n WHERE n.places_left <> CASE WHEN n.schedule = 'FLEXIBLE'
			THEN n.flexible_places - n.flexible_taken
			ELSE (SELECT coalesce(sum(places - places_taken), 0) FROM shifts s
				WHERE s.need_id = n.id AND s.status = 'SCHEDULED' AND s.starts_at > $1) END`,
		"coordinates near the district centre": `SELECT count(*) FROM needs n JOIN districts d ON d.key = n.district_key
			WHERE abs(n.lat - d.lat) > 0.1 OR abs(n.lon - d.lon) > 0.15`,
		"flexible needs without shifts": `SELECT count(*) FROM needs n WHERE n.schedule = 'FLEXIBLE'
			AND EXISTS (SELECT 1 FROM shifts s WHERE s.need_id = n.id)`,
	} {
		var args []any
		if countsArgs(q) {
			args = append(args, seedNow)
		}
		if n := count(q, args...); n != 0 {
			t.Errorf("%s: %d needs break it", name, n)
		}
	}
	// A second run adds needs (and reuses its organisations).
	if err := demo.SeedScale(ctx, db, 1000, 2, seedNow, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM needs`); n != 7000 {
		t.Errorf("%d needs after a second run", n)
	}
	if n := count(`SELECT count(*) FROM organisations`); n != 54 {
		t.Errorf("%d organisations", n)
	}
}
