package reference_test

import (
	"context"
	"testing"

	"github.com/helpende-handen/helpende-handen/internal/reference"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

func TestShippedReferenceDataIsCompleteInFourLanguages(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t) // migrated and synced
	svc := reference.NewService(db)
	snap, err := svc.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Districts) != 9 {
		t.Errorf("districts = %d, want 9", len(snap.Districts))
	}
	if len(snap.Themes) < 10 || len(snap.Categories) < 8 || len(snap.Languages) < 30 {
		t.Errorf("themes=%d categories=%d languages=%d", len(snap.Themes), len(snap.Categories), len(snap.Languages))
	}
	check := func(kind, key string, l reference.Labels) {
		for _, lang := range []string{"nl", "fr", "en", "ar"} {
			if l[lang] == "" {
				t.Errorf("%s %s has no %s label", kind, key, lang)
			}
		}
	}
	for _, d := range snap.Districts {
		check("district", d.Key, d.Labels)
		if len(d.Postcodes) == 0 || d.Lat < 51 || d.Lat > 51.5 || d.Lon < 4.2 || d.Lon > 4.6 {
			t.Errorf("district %s: %+v", d.Key, d)
		}
	}
	for _, th := range snap.Themes {
		check("theme", th.Key, th.Labels)
	}
	for _, c := range snap.Categories {
		check("category", c.Key, c.Labels)
	}
	page, err := svc.SearchTalents(context.Background(), "", "", 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalCount < 120 {
		t.Errorf("talents = %d, want at least 120", page.TotalCount)
	}
	for _, tal := range page.Talents {
		check("talent", tal.Key, tal.Labels)
		if snap.Category(tal.CategoryKey) == nil {
			t.Errorf("talent %s has unknown category %s", tal.Key, tal.CategoryKey)
		}
		if tal.EscoURI != "" {
			t.Errorf("talent %s has an ESCO URI that was not imported: %s", tal.Key, tal.EscoURI)
		}
	}
	if d := snap.DistrictForPostcode("2140"); d == nil || d.Key != "borgerhout" {
		t.Errorf("2140 → %+v, want borgerhout", d)
	}
}

func TestTalentSearchFindsAnyLanguageIgnoringAccentsAndSmallTypos(t *testing.T) {
	t.Parallel()
	svc := reference.NewService(testutil.NewDB(t))
	ctx := context.Background()
	tests := []struct{ q, wantKey string }{
		{"koken", "cooking"},
		{"cuisiner", "cooking"},
		{"COOKING", "cooking"},
		{"premiers secours", "first_aid"},
		{"eerste hulp", "first_aid"},
		{"eerste hlup", "first_aid"},
	}
	for _, tt := range tests {
		page, err := svc.SearchTalents(ctx, tt.q, "", 20, nil)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, tal := range page.Talents {
			found = found || tal.Key == tt.wantKey
		}
		if !found {
			t.Errorf("search %q: %d results, none is %s", tt.q, len(page.Talents), tt.wantKey)
		}
	}
}

func TestTalentPagesNeitherSkipNorRepeat(t *testing.T) {
	t.Parallel()
	svc := reference.NewService(testutil.NewDB(t))
	ctx := context.Background()
	seen := map[string]bool{}
	var after *reference.TalentCursor
	total := 0
	for i := 0; i < 100; i++ {
		page, err := svc.SearchTalents(ctx, "", "", 17, after)
		if err != nil {
			t.Fatal(err)
		}
		total = page.TotalCount
		for _, tal := range page.Talents {
			if seen[tal.Key] {
				t.Fatalf("talent %s repeated", tal.Key)
			}
			seen[tal.Key] = true
		}
		if !page.HasNextPage {
			break
		}
		last := page.Talents[len(page.Talents)-1]
		after = &reference.TalentCursor{Position: last.Position, Key: last.Key}
	}
	if len(seen) != total {
		t.Errorf("saw %d talents, total %d", len(seen), total)
	}
}

func TestSyncIsIdempotentAndKeepsImportedEscoLinks(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	ctx := context.Background()
	uri := "http://data.europa.eu/esco/skill/test-only"
	if _, err := db.ExecContext(ctx, `UPDATE talents SET esco_uri = $1 WHERE key = 'cooking'`, uri); err != nil {
		t.Fatal(err)
	}
	var before int
	_ = db.GetContext(ctx, &before, `SELECT count(*) FROM talents`)
	if err := reference.Sync(ctx, db); err != nil {
		t.Fatal(err)
	}
	var after int
	var got string
	_ = db.GetContext(ctx, &after, `SELECT count(*) FROM talents`)
	_ = db.GetContext(ctx, &got, `SELECT esco_uri FROM talents WHERE key = 'cooking'`)
	if before != after || got != uri {
		t.Errorf("after sync: %d→%d talents, esco_uri %q", before, after, got)
	}
}
