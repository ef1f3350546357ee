package demo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/demo"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/recommend"
	"github.com/helpende-handen/helpende-handen/internal/reference"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// TestSeedScaleProfiles generates a small city (300 needs, 500 profiles) and checks that
// the profiles are valid, spread as intended, reproducible, and found by the talent bank
// search and by matching.
func TestSeedScaleProfiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	db := testutil.NewDB(t)
	if err := demo.SeedScale(ctx, db, 300, 3, now, nil); err != nil {
		t.Fatal(err)
	}
	res, err := demo.SeedScaleProfiles(ctx, db, 500, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.People != 500 || res.First != 1 || res.Last != 500 || res.Coordinators != 54 || res.Matchmakers != demo.ScaleMatchmakers {
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
		"every generated person has a profile": `SELECT count(*) FROM people p WHERE p.email LIKE 'scale-person-%'
			AND NOT EXISTS (SELECT 1 FROM talent_profiles tp WHERE tp.person_id = p.id)`,
		"every profile has a talent": `SELECT count(*) FROM talent_profiles tp
			WHERE NOT EXISTS (SELECT 1 FROM profile_talents pt WHERE pt.person_id = tp.person_id)`,
		"every profile has a mother tongue": `SELECT count(*) FROM talent_profiles tp
			WHERE NOT EXISTS (SELECT 1 FROM profile_languages pl WHERE pl.person_id = tp.person_id AND pl.level = 'NATIVE')`,
		"home points are rounded to about 500 m": `SELECT count(*) FROM talent_profiles
			WHERE home_lat IS NOT NULL AND (abs(home_lat * 200 - round(home_lat * 200)) > 1e-6 OR abs(home_lon * 200 - round(home_lon * 200)) > 1e-6)`,
		"a home point comes with a radius": `SELECT count(*) FROM talent_profiles WHERE (home_lat IS NULL) <> (radius_km IS NULL)`,
		"districts exist": `SELECT count(*) FROM talent_profiles tp, unnest(tp.districts) d
			WHERE NOT EXISTS (SELECT 1 FROM districts x WHERE x.key = d)`,
		"themes exist": `SELECT count(*) FROM talent_profiles tp, unnest(tp.themes) th
			WHERE NOT EXISTS (SELECT 1 FROM themes x WHERE x.key = th)`,
		"availability slots are valid": `SELECT count(*) FROM talent_profiles tp, jsonb_array_elements(tp.availability) a
			WHERE (a->>'weekday')::int NOT BETWEEN 1 AND 7 OR (a->>'to') <= (a->>'from')`,
		"every visibility is in the consent log": `SELECT count(*) FROM talent_profiles tp WHERE NOT EXISTS
			(SELECT 1 FROM consent_log c WHERE c.person_id = tp.person_id AND c.kind = 'VISIBILITY' AND c.value = tp.visibility)`,
		"every scale organisation has a coordinator": `SELECT count(*) FROM organisations o WHERE o.name LIKE 'Buurtwerk %'
			AND NOT EXISTS (SELECT 1 FROM organisation_members m WHERE m.organisation_id = o.id)`,
	}
	for name, q := range checks {
		if n := count(q); n != 0 {
			t.Errorf("%s: %d rows break it", name, n)
		}
	}
	// The profiles keep to the rules of the talent bank (limits, levels, known talents and languages).
	var slots []talent.Slot
	var prof talent.Profile
	if err := db.GetContext(ctx, &prof, `SELECT person_id, visibility, home_lat, home_lon, radius_km, districts, themes,
		looking_for, availability, about, updated_at FROM talent_profiles WHERE availability <> '[]' LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	slots = prof.Slots()
	if len(slots) == 0 || len(slots) > talent.MaxSlots {
		t.Errorf("slots = %v", slots)
	}
	if n := count(`SELECT max(c) FROM (SELECT count(*) AS c FROM profile_talents GROUP BY person_id) x`); n > talent.MaxTalents || n > 8 {
		t.Errorf("at most 8 talents a person, got %d", n)
	}
	// Distributions: mostly open to organisations or matchmakers, some private; most speak Dutch.
	vis := map[string]int{}
	var rows []struct {
		V string `db:"visibility"`
		N int    `db:"n"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT visibility, count(*) AS n FROM talent_profiles GROUP BY visibility`); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		vis[r.V] = r.N
	}
	if vis[talent.Organisations] < 200 || vis[talent.Matchmakers] < 60 || vis[talent.Private] < 25 || vis[talent.Private] > 150 {
		t.Errorf("visibility = %v", vis)
	}
	if n := count(`SELECT count(DISTINCT person_id) FROM profile_languages WHERE code = 'nl'`); n < 400 {
		t.Errorf("%d of 500 speak Dutch", n)
	}
	if n := count(`SELECT count(DISTINCT code) FROM profile_languages`); n < 10 {
		t.Errorf("only %d languages", n)
	}
	if n := count(`SELECT count(DISTINCT talent_key) FROM profile_talents`); n < 60 {
		t.Errorf("only %d distinct talents", n)
	}

	// Generated people can sign in with the demo password.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc := accounts.NewService(db, nil, time.Hour, log)
	if _, _, err := acc.Login(ctx, demo.ScalePersonEmail(7), demo.Password, accounts.ClientMeta{IP: "127.0.0.1"}); err != nil {
		t.Fatalf("login: %v", err)
	}

	// The talent bank finds them, never a private one.
	ref := reference.NewService(db)
	bank := talent.NewService(db, ref)
	vol := volunteering.NewService(db, ref, organisations.NewService(db, ref, log), volunteering.NewBroker(), log)
	mm := &accounts.Viewer{PersonID: demo.ID("person", "scale-matchmaker-1"), IsMatchmaker: true}
	var common string
	if err := db.GetContext(ctx, &common, `SELECT talent_key FROM profile_talents GROUP BY talent_key ORDER BY count(*) DESC, talent_key LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	page, err := bank.Search(ctx, mm, talent.Filter{Talents: []talent.TalentNeed{{Key: common, MinLevel: 1}}, Languages: []string{"nl"}}, 50, nil)
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalCount < 5 || len(page.Results) == 0 {
		t.Fatalf("talent bank search for %s: %d found", common, page.TotalCount)
	}
	for _, r := range page.Results {
		if r.Visibility == talent.Private {
			t.Fatalf("private profile %s found", r.PersonID)
		}
	}

	// Matching: recommendations for generated volunteers, candidates for a need of a scale organisation.
	rec := recommend.NewService(db, bank, vol)
	rec.Now = func() time.Time { return now }
	got := 0
	var ids []string
	if err := db.SelectContext(ctx, &ids, `SELECT id FROM people WHERE email LIKE 'scale-person-%' ORDER BY email LIMIT 20`); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		ms, err := rec.Needs(ctx, &accounts.Viewer{PersonID: id}, 20)
		if err != nil {
			t.Fatal(err)
		}
		got += len(ms)
	}
	if got == 0 {
		t.Fatal("no need recommended to 20 generated volunteers")
	}
	var need struct {
		ID  string `db:"id"`
		Org string `db:"organisation_id"`
	}
	// A need asking for the talent most profiles open to organisations have.
	if err := db.GetContext(ctx, &need, `SELECT n.id, n.organisation_id FROM needs n JOIN need_talents nt ON nt.need_id = n.id
		WHERE NOT n.remote ORDER BY (SELECT count(*) FROM profile_talents pt JOIN talent_profiles tp ON tp.person_id = pt.person_id
			WHERE pt.talent_key = nt.talent_key AND tp.visibility = 'ORGANISATIONS') DESC, n.id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	var coordinator string
	if err := db.GetContext(ctx, &coordinator, `SELECT person_id FROM organisation_members WHERE organisation_id = $1`, need.Org); err != nil {
		t.Fatal(err)
	}
	n, err := vol.Need(ctx, mm, need.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []*accounts.Viewer{{PersonID: coordinator}, mm} {
		cs, err := rec.Candidates(ctx, v, n, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) == 0 {
			t.Fatalf("no candidate for need %s (viewer %s)", need.ID, v.PersonID)
		}
		for _, c := range cs {
			if c.Profile.Visibility == talent.Private || (!v.IsMatchmaker && c.Profile.Visibility != talent.Organisations) {
				t.Fatalf("candidate %s with visibility %s shown to %s", c.Profile.PersonID, c.Profile.Visibility, v.PersonID)
			}
		}
	}
}

// TestSeedScaleProfilesIsDeterministic: the same database state and arguments give the same rows.
func TestSeedScaleProfilesIsDeterministic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 3, 18, 10, 30, 0, 0, time.UTC)
	digest := func() string {
		db := testutil.NewDB(t)
		if _, err := demo.SeedScaleProfiles(ctx, db, 200, now, nil); err != nil {
			t.Fatal(err)
		}
		return rowsDigest(t, db)
	}
	if a, b := digest(), digest(); a != b {
		t.Fatalf("two runs differ: %s vs %s", a, b)
	}
}

func rowsDigest(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	var d string
	if err := db.GetContext(context.Background(), &d, `SELECT md5(
		(SELECT string_agg(p.id || p.email || p.display_name || coalesce(p.birth_date::text, '') || tp.visibility ||
			coalesce(tp.home_lat::text, '') || tp.districts::text || tp.themes::text || tp.availability::text, ',' ORDER BY p.email)
			FROM people p JOIN talent_profiles tp ON tp.person_id = p.id) ||
		(SELECT string_agg(person_id || talent_key || level, ',' ORDER BY person_id, talent_key) FROM profile_talents) ||
		(SELECT string_agg(person_id || code || level, ',' ORDER BY person_id, code) FROM profile_languages))`); err != nil {
		t.Fatal(err)
	}
	return d
}
