package demo_test

import (
	"context"
	"testing"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/demo"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

func TestSeedLoadsAntwerpDemoDataOnceWithWorkingLogins(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	ctx := context.Background()
	res, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped || res.People < 30 || res.Organisations < 30 {
		t.Fatalf("seed result = %+v", res)
	}
	// Every district has approved organisations; there is one administrator, matchmakers and merchants.
	var districtsWithOrgs, admins, matchmakers, merchants, pending int
	must := func(q string, v *int) {
		t.Helper()
		if err := db.GetContext(ctx, v, q); err != nil {
			t.Fatal(err)
		}
	}
	must(`SELECT count(DISTINCT district_key) FROM organisations WHERE status = 'APPROVED' AND kind <> 'MERCHANT'`, &districtsWithOrgs)
	must(`SELECT count(*) FROM people WHERE is_admin`, &admins)
	must(`SELECT count(*) FROM people WHERE is_matchmaker`, &matchmakers)
	must(`SELECT count(DISTINCT m.organisation_id) FROM organisation_members m JOIN organisations o ON o.id = m.organisation_id WHERE o.kind = 'MERCHANT'`, &merchants)
	must(`SELECT count(*) FROM organisations WHERE status = 'PENDING'`, &pending)
	if districtsWithOrgs != 9 || admins != 1 || matchmakers < 1 || merchants < 2 || pending < 1 {
		t.Errorf("districts=%d admins=%d matchmakers=%d merchants=%d pending=%d", districtsWithOrgs, admins, matchmakers, merchants, pending)
	}
	// Every demo person has a talent profile, most of them findable, with languages and talents.
	var profiles, findable, withTalents int
	must(`SELECT count(*) FROM talent_profiles`, &profiles)
	must(`SELECT count(*) FROM talent_profiles WHERE visibility <> 'PRIVATE'`, &findable)
	must(`SELECT count(DISTINCT person_id) FROM profile_talents`, &withTalents)
	if profiles != res.People || findable < res.People/2 || withTalents != res.People {
		t.Errorf("profiles=%d findable=%d with talents=%d of %d people", profiles, findable, withTalents, res.People)
	}
	// Seeding again leaves the database alone.
	again, err := demo.Seed(ctx, db)
	if err != nil || !again.Skipped {
		t.Fatalf("second seed = %+v, %v; want skipped", again, err)
	}
	// The printed demo logins work.
	svc := accounts.NewService(db, nil, 3600e9, testutil.Logger(t))
	for _, l := range demo.Logins {
		if _, _, err := svc.Login(ctx, l.Key+"@"+demo.EmailDomain, demo.Password, accounts.ClientMeta{IP: "127.0.0.1"}); err != nil {
			t.Errorf("login %s: %v", l.Key, err)
		}
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := testutil.NewDB(t), testutil.NewDB(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, b); err != nil {
		t.Fatal(err)
	}
	q := `SELECT string_agg(id::text || name || status || coalesce(district_key, ''), ',' ORDER BY id) FROM organisations`
	var sa, sb string
	if err := a.GetContext(ctx, &sa, q); err != nil {
		t.Fatal(err)
	}
	if err := b.GetContext(ctx, &sb, q); err != nil {
		t.Fatal(err)
	}
	if sa != sb {
		t.Error("two seeds gave different organisations")
	}
}
