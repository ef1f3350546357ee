package recommend_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/matching"
	"github.com/helpende-handen/helpende-handen/internal/recommend"
)

// Every point of the circle is inside its box, by the distance matching uses.
func TestBoxAroundHoldsTheCircle(t *testing.T) {
	for _, c := range []struct{ lat, lon, km float64 }{{51.22, 4.40, 0.5}, {51.22, 4.40, 5}, {51.33, 4.30, 25}, {60, 10, 100}} {
		lat0, lat1, lon0, lon1 := recommend.BoxAround(c.lat, c.lon, c.km*1000)
		for deg := 0.0; deg < 360; deg += 7.5 {
			// A point at the edge of the circle (matching's 6,371 km sphere, equirectangular).
			a := deg * math.Pi / 180
			lat := c.lat + c.km/6371*math.Sin(a)*180/math.Pi
			lon := c.lon + c.km/6371*math.Cos(a)*180/math.Pi/math.Cos(c.lat*math.Pi/180)
			if lat < lat0 || lat > lat1 || lon < lon0 || lon > lon1 {
				t.Fatalf("%+v: (%f, %f) outside [%f, %f] × [%f, %f]", c, lat, lon, lat0, lat1, lon0, lon1)
			}
		}
	}
}

// On a city smaller than the pool, the prefilter keeps every need with places left that
// matching would recommend: the ranking from the pool equals the ranking from all of them.
func TestNeedPrefilterLosesNothingMatchingKeeps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	db, s, _ := scaleCity(t, recommend.NeedPool-50, 3, 300, now)
	var all []string
	if err := db.SelectContext(ctx, &all, `SELECT id FROM needs WHERE status = 'OPEN' AND places_left > 0 ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	allNeeds, err := s.MatchingNeeds(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := db.SelectContext(ctx, &ids, `SELECT person_id FROM talent_profiles ORDER BY person_id LIMIT 60`); err != nil {
		t.Fatal(err)
	}
	o := matching.Options{Now: now, Spread: false}
	pooled := 0
	for _, id := range ids {
		pool, person, err := s.NeedPool(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(pool) < len(all) {
			pooled++
		}
		poolNeeds, err := s.MatchingNeeds(ctx, pool)
		if err != nil {
			t.Fatal(err)
		}
		want := matching.RecommendNeeds(person, allNeeds, o)
		got := matching.RecommendNeeds(person, poolNeeds, o)
		key := func(ms []matching.Match) []string {
			var out []string
			for _, m := range ms {
				out = append(out, m.NeedID)
			}
			return out
		}
		if !slices.Equal(key(got), key(want)) {
			for _, w := range want {
				if !slices.Contains(key(got), w.NeedID) {
					for _, n := range allNeeds {
						if n.ID == w.NeedID {
							t.Errorf("lost need %+v (location %+v); person home %+v radius %v districts %v", n, n.Location, person.Home, person.RadiusKm, person.Districts)
						}
					}
				}
			}
			t.Fatalf("person %s: %d recommended from the pool of %d, %d from all %d needs", id, len(got), len(pool), len(want), len(all))
		}
	}
	if pooled == 0 {
		t.Fatal("the prefilter never left a need out: the test proves nothing")
	}
}
