package recommend_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/matching"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// The one-query loader hands matching each need as its tables hold it: the talents asked
// (with required and level), the next 12 scheduled shifts that still have places (in
// order, to the second), the live applications counted, place, age and languages; and
// it keeps the order of the ids it is given, skipping ids that are not needs.
func TestMatchingSeesEachNeedAsItsTablesHoldIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	db, s, vol := scaleCity(t, 40, 20, 30, now)
	// Live and ended applications on some shifts, one shift full, one cancelled, one past.
	if _, err := db.ExecContext(ctx, `
		WITH sh AS (SELECT id, need_id, row_number() OVER (ORDER BY id) AS k FROM shifts WHERE starts_at > now()),
		pp AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM people)
		INSERT INTO applications (need_id, shift_id, person_id, status)
		SELECT sh.need_id, sh.id, pp.id, (ARRAY['PENDING', 'ACCEPTED', 'WAITING', 'DECLINED', 'WITHDRAWN'])[1 + (sh.k + pp.k) % 5]
		FROM sh JOIN pp ON (sh.k + pp.k) % 17 = 0 WHERE sh.k <= 300`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `
		UPDATE shifts SET places_taken = places WHERE id = (SELECT id FROM shifts WHERE starts_at > now() ORDER BY id LIMIT 1);
		UPDATE shifts SET status = 'CANCELLED' WHERE id = (SELECT id FROM shifts WHERE starts_at > now() ORDER BY id OFFSET 1 LIMIT 1);
		UPDATE shifts SET starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour'
			WHERE id = (SELECT id FROM shifts WHERE starts_at > now() ORDER BY id OFFSET 2 LIMIT 1);`); err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := db.SelectContext(ctx, &ids, `SELECT id FROM needs ORDER BY md5(id::text)`); err != nil {
		t.Fatal(err)
	}

	asked := append([]string{"00000000-0000-0000-0000-000000000000"}, ids...)
	got, err := s.MatchingNeeds(ctx, asked)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Fatalf("%d needs loaded for %d ids", len(got), len(ids))
	}
	full, err := vol.Needs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	withShifts, withApplicants := 0, 0
	for i, mn := range got {
		if mn.ID != ids[i] {
			t.Fatalf("position %d: need %s, want %s (order of ids)", i, mn.ID, ids[i])
		}
		n := full[mn.ID]
		if mn.Remote != n.Remote || mn.Flexible != (n.Schedule == volunteering.ScheduleFlexible) || mn.PlacesLeft != n.PlacesLeft ||
			!slices.Equal(mn.Themes, n.Themes) || !slices.Equal(mn.Accessibility, n.Accessibility) {
			t.Fatalf("need %s: %+v, table row %+v", mn.ID, mn, n)
		}
		if (n.DistrictKey == nil) != (mn.District == "") || (n.DistrictKey != nil && *n.DistrictKey != mn.District) {
			t.Fatalf("need %s: district %q", mn.ID, mn.District)
		}
		if (n.Lat == nil) != (mn.Location == nil) || (n.Lat != nil && (*n.Lat != mn.Location.Lat || *n.Lon != mn.Location.Lon)) {
			t.Fatalf("need %s: location %v", mn.ID, mn.Location)
		}
		if (n.MinAge == nil && mn.MinAge != 0) || (n.MinAge != nil && *n.MinAge != mn.MinAge) {
			t.Fatalf("need %s: minimum age %d", mn.ID, mn.MinAge)
		}
		var langs []string
		for _, l := range mn.Languages {
			langs = append(langs, l.Code)
		}
		if !slices.Equal(langs, []string(n.Languages)) {
			t.Fatalf("need %s: languages %v, want %v", mn.ID, langs, n.Languages)
		}

		var talents []matching.TalentAsk
		if err := db.SelectContext(ctx, &talents, `SELECT talent_key AS "key", required AS "required", min_level AS "minlevel"
			FROM need_talents WHERE need_id = $1 ORDER BY talent_key`, mn.ID); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(mn.Talents, talents) {
			t.Fatalf("need %s: talents %+v, want %+v", mn.ID, mn.Talents, talents)
		}

		var shifts []struct {
			Start time.Time `db:"starts_at"`
			End   time.Time `db:"ends_at"`
		}
		if err := db.SelectContext(ctx, &shifts, `SELECT starts_at, ends_at FROM shifts WHERE need_id = $1
			AND status = 'SCHEDULED' AND starts_at > now() AND places_taken < places ORDER BY starts_at LIMIT 12`, mn.ID); err != nil {
			t.Fatal(err)
		}
		if len(mn.Shifts) != len(shifts) {
			t.Fatalf("need %s: %d shifts, want %d", mn.ID, len(mn.Shifts), len(shifts))
		}
		for k := range shifts {
			if !mn.Shifts[k].Start.Equal(shifts[k].Start.Truncate(time.Second)) || !mn.Shifts[k].End.Equal(shifts[k].End.Truncate(time.Second)) {
				t.Fatalf("need %s shift %d: %v–%v, want %v–%v", mn.ID, k, mn.Shifts[k].Start, mn.Shifts[k].End, shifts[k].Start, shifts[k].End)
			}
		}
		if len(shifts) > 0 {
			withShifts++
		}

		var applicants int
		if err := db.GetContext(ctx, &applicants, `SELECT count(*) FROM applications WHERE need_id = $1
			AND status = ANY($2)`, mn.ID, pq.StringArray{"PENDING", "ACCEPTED", "WAITING"}); err != nil {
			t.Fatal(err)
		}
		if mn.Applicants != applicants {
			t.Fatalf("need %s: %d applicants, want %d", mn.ID, mn.Applicants, applicants)
		}
		if applicants > 0 {
			withApplicants++
		}
	}
	if withShifts == 0 || withApplicants == 0 {
		t.Fatalf("the generated city should have needs with shifts (%d) and with applicants (%d)", withShifts, withApplicants)
	}
}
