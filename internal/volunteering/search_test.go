package volunteering_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
	. "github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// srchFixture is a test database with organisations and needs inserted directly.
type srchFixture struct {
	t    *testing.T
	db   *sqlx.DB
	svc  *Service
	org  string
	org2 string
	now  time.Time
	seq  atomic.Int64
}

func newSrchFixture(t *testing.T) *srchFixture {
	t.Helper()
	db := testutil.NewDB(t)
	f := &srchFixture{t: t, db: db, now: time.Now().Truncate(time.Second)}
	f.svc = NewService(db, nil, nil, nil, testutil.Logger(t))
	f.svc.Now = func() time.Time { return f.now }
	f.org = f.organisation("Buurthuis De Kring", "borgerhout")
	f.org2 = f.organisation("Sportclub Hoboken", "hoboken")
	return f
}

func (f *srchFixture) organisation(name, district string) string {
	f.t.Helper()
	var id string
	err := f.db.Get(&id, `INSERT INTO organisations (kind, status, name, district_key) VALUES ('NON_PROFIT', 'APPROVED', $1, $2) RETURNING id`, name, district)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// srchNeed describes a need to insert; zero values get sensible defaults.
type srchNeed struct {
	Title, Description string
	Org                string
	Status             string
	District           string
	Lat, Lon           float64 // 0: no location
	Themes, Languages  []string
	Access             []string
	Talents            []string
	Schedule           string
	Remote             bool
	// Shifts start at these times (2 hours, Places places each, none taken).
	Shifts      []time.Time
	Places      int
	Flexible    int // flexible places
	Taken       int // places taken on every shift (or of a flexible need)
	PublishedAt time.Time
}

func (f *srchFixture) need(n srchNeed) string {
	f.t.Helper()
	if n.Org == "" {
		n.Org = f.org
	}
	if n.Status == "" {
		n.Status = NeedOpen
	}
	if n.Schedule == "" {
		n.Schedule = ScheduleOneOff
		if n.Flexible > 0 {
			n.Schedule = ScheduleFlexible
		}
	}
	if n.Places == 0 {
		n.Places = 3
	}
	if n.PublishedAt.IsZero() {
		n.PublishedAt = f.now.Add(-time.Duration(f.seq.Add(1)) * time.Minute)
	}
	var district, lat, lon any
	if n.District != "" {
		district = n.District
	}
	if n.Lat != 0 {
		lat, lon = n.Lat, n.Lon
	}
	var flex any
	placesLeft := 0
	var next *time.Time
	if n.Schedule == ScheduleFlexible {
		flex = n.Flexible
		placesLeft = n.Flexible - n.Taken
	}
	for _, s := range n.Shifts {
		if s.After(f.now) {
			placesLeft += n.Places - n.Taken
			if next == nil || s.Before(*next) {
				s := s
				next = &s
			}
		}
	}
	var id string
	err := f.db.Get(&id, `
		INSERT INTO needs (organisation_id, status, title, description, themes, languages, accessibility, remote,
			district_key, lat, lon, schedule, flexible_places, flexible_taken, next_start, places_left, published_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
		n.Org, n.Status, n.Title, n.Description, pq.StringArray(orEmpty(n.Themes)), pq.StringArray(orEmpty(n.Languages)),
		pq.StringArray(orEmpty(n.Access)), n.Remote, district, lat, lon, n.Schedule, flex,
		map[bool]int{true: n.Taken, false: 0}[n.Schedule == ScheduleFlexible], next, placesLeft, n.PublishedAt)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, s := range n.Shifts {
		if _, err := f.db.Exec(`INSERT INTO shifts (need_id, starts_at, ends_at, places, places_taken) VALUES ($1, $2, $3, $4, $5)`,
			id, s, s.Add(2*time.Hour), n.Places, n.Taken); err != nil {
			f.t.Fatal(err)
		}
	}
	for _, tk := range n.Talents {
		if _, err := f.db.Exec(`INSERT INTO need_talents (need_id, talent_key) VALUES ($1, $2)`, id, tk); err != nil {
			f.t.Fatal(err)
		}
	}
	return id
}

func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func (f *srchFixture) search(sf SearchFilter, order string) SearchPage {
	f.t.Helper()
	p, err := f.svc.Search(context.Background(), sf, 100, nil, order)
	if err != nil {
		f.t.Fatalf("search %+v: %v", sf, err)
	}
	if p.TotalCount != len(p.Needs) {
		f.t.Fatalf("search %+v: total %d, %d needs on one page of 100", sf, p.TotalCount, len(p.Needs))
	}
	return p
}

func (f *srchFixture) titles(sf SearchFilter, order string) []string {
	f.t.Helper()
	p := f.search(sf, order)
	out := make([]string, len(p.Needs))
	for i, n := range p.Needs {
		out[i] = n.Title
	}
	return out
}

func sortedCopy(xs []string) []string {
	ys := slices.Clone(xs)
	sort.Strings(ys)
	return ys
}

func srchDay(f *srchFixture, days, hour int) time.Time {
	d := f.now.In(Zone).AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, Zone)
}

func TestSearchFindsTextInDutchFrenchAndEnglishIgnoringAccentsAndTypos(t *testing.T) {
	t.Parallel()
	f := newSrchFixture(t)
	soon := []time.Time{srchDay(f, 3, 14)}
	for _, n := range []srchNeed{
		{Title: "We koken samen", Description: "Een warme maaltijd voor de buren."},
		{Title: "Soep voor de buurt", Description: "Hanne kookt elke vrijdag soep met vrijwilligers."},
		{Title: "Atelier cuisine", Description: "Un repas pour les voisins."},
		{Title: "Cuisiner ensemble", Description: "Nous préparons le repas du quartier."},
		{Title: "Cooking club", Description: "We cook for families in the street."},
		{Title: "Café ontmoeting", Description: "Koffie en een babbel met de buren."},
		{Title: "Huiswerkbegeleiding", Description: "Kinderen helpen met hun huiswerk na school."},
		{Title: "Fietsen herstellen", Description: "Samen fietsen repareren in het repair café."},
		{Title: "Boeken lezen", Description: "Wie leest er graag voor aan kleuters?"},
		{Title: "Wafels bakken", Description: "Jan geeft les aan de kinderen."},
	} {
		n.Shifts = soon
		f.need(n)
	}
	cases := []struct {
		text  string
		want  []string
		fuzzy bool
	}{
		// Dutch stemming and verb forms.
		{"koken", []string{"We koken samen", "Soep voor de buurt"}, false},
		{"kookt", []string{"We koken samen", "Soep voor de buurt"}, false},
		{"lezen", []string{"Boeken lezen"}, false},
		{"leest", []string{"Boeken lezen"}, false},
		{"bakt", []string{"Wafels bakken"}, false},
		{"geven", []string{"Wafels bakken"}, false},
		{"we koken samen", []string{"We koken samen"}, false},
		// French.
		{"cuisine", []string{"Atelier cuisine", "Cuisiner ensemble"}, false},
		{"cuisiner", []string{"Atelier cuisine", "Cuisiner ensemble"}, false},
		// English.
		{"cooking", []string{"Cooking club"}, false},
		{"cooks", []string{"Cooking club"}, false},
		// Accents do not matter, either way.
		{"cafe", []string{"Café ontmoeting", "Fietsen herstellen"}, false},
		{"CAFÉ", []string{"Café ontmoeting", "Fietsen herstellen"}, false},
		{"préparons", []string{"Cuisiner ensemble"}, false},
		{"preparons", []string{"Cuisiner ensemble"}, false},
		// Several words: all must match (in one language).
		{"warme maaltijd", []string{"We koken samen"}, false},
		{"fietsen repareren", []string{"Fietsen herstellen"}, false},
		// One small typo still finds it (typo tolerance when nothing matches exactly).
		{"huiswerkbegeleidnig", []string{"Huiswerkbegeleiding"}, true},
		{"huiswerkbegleiding", []string{"Huiswerkbegeleiding"}, true},
		{"ontmoetnig", []string{"Café ontmoeting"}, true},
		// Nothing at all.
		{"zwembad", nil, true},
		{"!!!", nil, true},
	}
	for _, c := range cases {
		p := f.search(SearchFilter{Text: c.text}, OrderRelevance)
		var got []string
		for _, n := range p.Needs {
			got = append(got, n.Title)
		}
		if !slices.Equal(sortedCopy(got), sortedCopy(c.want)) {
			t.Errorf("text %q: got %q, want %q", c.text, got, c.want)
		}
		if p.Fuzzy != c.fuzzy {
			t.Errorf("text %q: fuzzy = %v, want %v", c.text, p.Fuzzy, c.fuzzy)
		}
	}
	// Relevance: a match in the title ranks above a match in the description.
	// ("buren" also finds "buurt": buur, buren.)
	got := f.titles(SearchFilter{Text: "buren"}, OrderRelevance)
	if len(got) != 3 {
		t.Fatalf("buren: %q", got)
	}
	f.need(srchNeed{Title: "Buren helpen buren", Description: "Een feest in de straat.", Shifts: soon})
	if got := f.titles(SearchFilter{Text: "buren"}, OrderRelevance); len(got) != 4 || got[0] != "Buren helpen buren" {
		t.Errorf("buren by relevance: %q, want the title match first", got)
	}
}

func TestSearchFiltersAloneAndCombined(t *testing.T) {
	t.Parallel()
	f := newSrchFixture(t)
	d := func(days int) []time.Time { return []time.Time{srchDay(f, days, 10)} }
	f.need(srchNeed{Title: "A", District: "borgerhout", Lat: 51.2117, Lon: 4.4406, Themes: []string{"food", "poverty"},
		Languages: []string{"nl", "ar"}, Access: []string{"WHEELCHAIR_ACCESSIBLE", "NO_DUTCH_NEEDED"},
		Talents: []string{"cooking"}, Shifts: d(2)})
	f.need(srchNeed{Title: "B", District: "borgerhout", Lat: 51.2150, Lon: 4.4450, Themes: []string{"youth"},
		Languages: []string{"nl"}, Access: []string{"WHEELCHAIR_ACCESSIBLE"}, Talents: []string{"homework_help"},
		Shifts: d(10), Taken: 3})
	f.need(srchNeed{Title: "C", District: "hoboken", Lat: 51.1751, Lon: 4.3484, Themes: []string{"sports", "youth"},
		Languages: []string{"fr", "en"}, Org: f.org2, Schedule: ScheduleWeekly, Shifts: []time.Time{srchDay(f, 5, 18), srchDay(f, 12, 18)}})
	f.need(srchNeed{Title: "D", Remote: true, Themes: []string{"digital_help"}, Languages: []string{"en"}, Flexible: 4,
		Talents: []string{"smartphone_help", "cooking"}})
	f.need(srchNeed{Title: "E", District: "deurne", Lat: 51.2192, Lon: 4.4683, Themes: []string{"food"}, Shifts: d(30)})
	// Not open: never in public search.
	f.need(srchNeed{Title: "Draft", District: "borgerhout", Status: NeedDraft, Shifts: d(3)})
	f.need(srchNeed{Title: "Closed", District: "borgerhout", Status: NeedClosed, Shifts: d(3)})
	f.need(srchNeed{Title: "Other draft", Org: f.org2, Status: NeedDraft})

	yes, no := true, false
	from, to := srchDay(f, 1, 0), srchDay(f, 7, 0)
	cases := []struct {
		name string
		f    SearchFilter
		want string
	}{
		{"nothing", SearchFilter{}, "A B C D E"},
		{"district", SearchFilter{DistrictKeys: []string{"borgerhout", "deurne"}}, "A B E"},
		{"near", SearchFilter{Near: &Near{Lat: 51.2117, Lon: 4.4406, RadiusKm: 1}}, "A B"},
		{"near wide", SearchFilter{Near: &Near{Lat: 51.2117, Lon: 4.4406, RadiusKm: 3}}, "A B E"},
		{"date range", SearchFilter{From: &from, To: &to}, "A C D"},
		{"from only", SearchFilter{From: &to}, "B C D E"},
		{"to only", SearchFilter{To: &from}, "D"},
		{"themes (any)", SearchFilter{ThemeKeys: []string{"food", "sports"}}, "A C E"},
		{"talents (any)", SearchFilter{TalentKeys: []string{"cooking", "homework_help"}}, "A B D"},
		{"languages (any)", SearchFilter{Languages: []string{"ar", "en"}}, "A C D"},
		{"accessibility (all)", SearchFilter{Accessibility: []string{"WHEELCHAIR_ACCESSIBLE", "NO_DUTCH_NEEDED"}}, "A"},
		{"accessibility (one)", SearchFilter{Accessibility: []string{"WHEELCHAIR_ACCESSIBLE"}}, "A B"},
		{"places left", SearchFilter{HasPlacesLeft: true}, "A C D E"},
		{"organisation", SearchFilter{OrganisationID: f.org2}, "C"},
		{"organisation, not a UUID", SearchFilter{OrganisationID: "x"}, ""},
		{"organisation with statuses", SearchFilter{OrganisationID: f.org, Statuses: []string{NeedDraft, NeedClosed}}, "Closed Draft"},
		{"statuses without organisation are ignored", SearchFilter{Statuses: []string{NeedDraft}}, "A B C D E"},
		{"schedules", SearchFilter{Schedules: []string{ScheduleWeekly, ScheduleFlexible}}, "C D"},
		{"remote", SearchFilter{Remote: &yes}, "D"},
		{"not remote", SearchFilter{Remote: &no}, "A B C E"},
		{"district + theme + places", SearchFilter{DistrictKeys: []string{"borgerhout"}, ThemeKeys: []string{"youth", "food"}, HasPlacesLeft: true}, "A"},
		{"near + date range", SearchFilter{Near: &Near{Lat: 51.2117, Lon: 4.4406, RadiusKm: 5}, From: &from, To: &to}, "A"},
		{"talent + language + remote", SearchFilter{TalentKeys: []string{"cooking"}, Languages: []string{"en"}, Remote: &yes}, "D"},
		{"theme + schedule + date range", SearchFilter{ThemeKeys: []string{"youth"}, Schedules: []string{ScheduleWeekly}, From: &from, To: &to}, "C"},
		{"everything at once", SearchFilter{DistrictKeys: []string{"borgerhout"}, Near: &Near{Lat: 51.2117, Lon: 4.4406, RadiusKm: 2},
			From: &from, To: &to, ThemeKeys: []string{"food"}, TalentKeys: []string{"cooking"}, Languages: []string{"ar"},
			Accessibility: []string{"NO_DUTCH_NEEDED"}, HasPlacesLeft: true, OrganisationID: f.org,
			Schedules: []string{ScheduleOneOff}, Remote: &no}, "A"},
		{"everything but one", SearchFilter{DistrictKeys: []string{"borgerhout"}, Near: &Near{Lat: 51.2117, Lon: 4.4406, RadiusKm: 2},
			From: &from, To: &to, ThemeKeys: []string{"food"}, TalentKeys: []string{"cooking"}, Languages: []string{"ar"},
			Accessibility: []string{"NO_DUTCH_NEEDED"}, HasPlacesLeft: true, OrganisationID: f.org,
			Schedules: []string{ScheduleWeekly}, Remote: &no}, ""},
	}
	for _, c := range cases {
		for _, order := range []string{OrderRelevance, OrderSoonest, OrderNewest} {
			got := strings.Join(sortedCopy(f.titles(c.f, order)), " ")
			if got != c.want {
				t.Errorf("%s (%s): got %q, want %q", c.name, order, got, c.want)
			}
		}
	}
	// Near sets the distance on every result.
	p := f.search(SearchFilter{Near: &Near{Lat: 51.2117, Lon: 4.4406, RadiusKm: 3}}, OrderDistance)
	for _, n := range p.Needs {
		if n.DistanceKm == nil {
			t.Errorf("%s: no distance", n.Title)
		}
	}
	if p.Needs[0].Title != "A" || *p.Needs[0].DistanceKm > 0.01 || *p.Needs[1].DistanceKm < 0.3 || *p.Needs[1].DistanceKm > 0.6 {
		t.Errorf("distances: %s %.3f, %s %.3f", p.Needs[0].Title, *p.Needs[0].DistanceKm, p.Needs[1].Title, *p.Needs[1].DistanceKm)
	}
	// Bad input is a user error.
	bad := []struct {
		f     SearchFilter
		order string
	}{
		{SearchFilter{}, OrderDistance},
		{SearchFilter{}, "BEST"},
		{SearchFilter{Near: &Near{Lat: 91, Lon: 4, RadiusKm: 1}}, OrderRelevance},
		{SearchFilter{Near: &Near{Lat: 51, Lon: 4, RadiusKm: 0}}, OrderRelevance},
		{SearchFilter{Near: &Near{Lat: 51, Lon: 4, RadiusKm: 1000}}, OrderRelevance},
		{SearchFilter{Schedules: []string{"DAILY"}}, OrderRelevance},
		{SearchFilter{OrganisationID: f.org, Statuses: []string{"GONE"}}, OrderRelevance},
	}
	for _, b := range bad {
		if _, err := f.svc.Search(context.Background(), b.f, 10, nil, b.order); err == nil {
			t.Errorf("%+v %s: no error", b.f, b.order)
		} else if _, ok := errs.AsUserErrors(err); !ok {
			t.Errorf("%+v %s: %v is not a user error", b.f, b.order, err)
		}
	}
	// A cursor of another order is refused.
	p = f.search(SearchFilter{}, OrderNewest)
	if _, err := f.svc.Search(context.Background(), SearchFilter{}, 10, &p.Cursors[0], OrderSoonest); err == nil {
		t.Error("cursor of NEWEST accepted for SOONEST")
	}
	if _, err := f.svc.Search(context.Background(), SearchFilter{}, 10, &SearchCursor{Order: "S", ID: "'; DROP TABLE needs; --"}, OrderSoonest); err == nil {
		t.Error("cursor with a bad id accepted")
	}
}

func TestSearchOrders(t *testing.T) {
	t.Parallel()
	f := newSrchFixture(t)
	// Titles say the expected position in each order.
	f.need(srchNeed{Title: "soon2 new3 near1", Lat: 51.2117, Lon: 4.4406, Shifts: []time.Time{srchDay(f, 2, 9)}, PublishedAt: f.now.Add(-3 * time.Hour)})
	f.need(srchNeed{Title: "soon1 new2 near3", Lat: 51.2300, Lon: 4.4406, Shifts: []time.Time{srchDay(f, 1, 9), srchDay(f, 8, 9)}, PublishedAt: f.now.Add(-2 * time.Hour)})
	f.need(srchNeed{Title: "soon4 new1 near2", Lat: 51.2200, Lon: 4.4406, Flexible: 2, PublishedAt: f.now.Add(-1 * time.Hour)})
	f.need(srchNeed{Title: "soon3 new4 near4", Lat: 51.2400, Lon: 4.4406, Shifts: []time.Time{srchDay(f, -2, 9), srchDay(f, 4, 9)}, PublishedAt: f.now.Add(-4 * time.Hour)})
	near := &Near{Lat: 51.2117, Lon: 4.4406, RadiusKm: 10}
	for order, prefix := range map[string]string{OrderSoonest: "soon", OrderRelevance: "soon", OrderNewest: "new", OrderDistance: "near"} {
		got := f.titles(SearchFilter{Near: near}, order)
		for i, title := range got {
			if !strings.Contains(title, fmt.Sprintf("%s%d", prefix, i+1)) {
				t.Errorf("%s: got %q", order, got)
				break
			}
		}
	}
}

// TestSearchPagesNeitherSkipNorRepeat pages through every order while matching needs are
// added between pages, before and after the cursor.
func TestSearchPagesNeitherSkipNorRepeat(t *testing.T) {
	t.Parallel()
	f := newSrchFixture(t)
	rng := rand.New(rand.NewPCG(7, 11))
	words := []string{"koken", "koken samen", "koken voor de buurt, koken", "soep koken", "kookt"}
	add := func(tag string) string {
		var shifts []time.Time
		if rng.IntN(5) > 0 {
			shifts = []time.Time{srchDay(f, 1+rng.IntN(20), 8+rng.IntN(10))}
		}
		flex := 0
		if shifts == nil {
			flex = 2
		}
		return f.need(srchNeed{
			Title: tag + " " + words[rng.IntN(len(words))], Description: "We " + words[rng.IntN(len(words))],
			Lat: 51.2 + rng.Float64()*0.05, Lon: 4.4 + rng.Float64()*0.05, Shifts: shifts, Flexible: flex,
			PublishedAt: f.now.Add(-time.Duration(rng.IntN(5000)) * time.Minute).Truncate(time.Hour), // ties on purpose
		})
	}
	for i := 0; i < 23; i++ {
		add("start")
	}
	filters := map[string]SearchFilter{
		OrderRelevance: {Text: "koken"},
		OrderSoonest:   {Text: "koken"},
		OrderNewest:    {},
		OrderDistance:  {Near: &Near{Lat: 51.22, Lon: 4.42, RadiusKm: 20}},
	}
	for _, order := range []string{OrderRelevance, OrderSoonest, OrderNewest, OrderDistance} {
		var before []string
		if err := f.db.Select(&before, `SELECT id::text FROM needs`); err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		var after *SearchCursor
		pages := 0
		for {
			p, err := f.svc.Search(context.Background(), filters[order], 4, after, order)
			if err != nil {
				t.Fatalf("%s page %d: %v", order, pages, err)
			}
			for _, n := range p.Needs {
				seen[n.ID]++
			}
			pages++
			if !p.HasNextPage {
				break
			}
			if pages > 50 {
				t.Fatalf("%s: endless paging", order)
			}
			after = p.EndCursor()
			// New matching needs arrive between pages.
			add("new")
			add("new")
		}
		for id, k := range seen {
			if k > 1 {
				t.Errorf("%s: need %s on %d pages", order, id, k)
			}
		}
		for _, id := range before {
			if seen[id] == 0 {
				t.Errorf("%s: need %s skipped", order, id)
			}
		}
		if pages < 6 {
			t.Errorf("%s: only %d pages", order, pages)
		}
	}
}

func TestSearchCursorKeepsTypoMode(t *testing.T) {
	t.Parallel()
	f := newSrchFixture(t)
	for i := 0; i < 5; i++ {
		f.need(srchNeed{Title: fmt.Sprintf("We koken samen %d", i), Shifts: []time.Time{srchDay(f, i+1, 10)}})
	}
	f.need(srchNeed{Title: "Fietsen herstellen", Shifts: []time.Time{srchDay(f, 2, 10)}})
	// "kokne" is only just similar enough to "koken" (word similarity 0.5): every page must
	// use the same threshold.
	for _, order := range []string{OrderRelevance, OrderSoonest, OrderNewest} {
		p, err := f.svc.Search(context.Background(), SearchFilter{Text: "kokne"}, 2, nil, order)
		if err != nil || !p.Fuzzy || p.TotalCount != 5 || len(p.Needs) != 2 || !p.HasNextPage {
			t.Fatalf("%s first page: %+v, %v", order, p, err)
		}
		p2, err := f.svc.Search(context.Background(), SearchFilter{Text: "kokne"}, 10, p.EndCursor(), order)
		if err != nil || !p2.Fuzzy || p2.TotalCount != 5 || len(p2.Needs) != 3 || p2.HasNextPage {
			t.Fatalf("%s second page: %+v, %v", order, p2, err)
		}
	}
}

// BenchmarkSearchTextDistrictDateRange measures Search on scale data (see BENCHMARKS.md):
// text + district + date range, first 20, by relevance. It needs HH_BENCH_DB, the URL of a
// database filled with `helpende-handen seed --scale`.
func BenchmarkSearchTextDistrictDateRange(b *testing.B) {
	benchSearch(b, func(rng *rand.Rand, now time.Time) (SearchFilter, string) {
		f := benchFilter(rng, now)
		return f, OrderRelevance
	})
}

// BenchmarkSearchTextDistrictDateRangeSoonest is the same search, soonest first.
func BenchmarkSearchTextDistrictDateRangeSoonest(b *testing.B) {
	benchSearch(b, func(rng *rand.Rand, now time.Time) (SearchFilter, string) {
		return benchFilter(rng, now), OrderSoonest
	})
}

// BenchmarkSearchTextOnly is a text search over all districts and dates.
func BenchmarkSearchTextOnly(b *testing.B) {
	benchSearch(b, func(rng *rand.Rand, now time.Time) (SearchFilter, string) {
		return SearchFilter{Text: benchWords[rng.IntN(len(benchWords))]}, OrderRelevance
	})
}

// BenchmarkSearchTypo is text with a typo (no exact match: the trigram fallback) + district
// + date range.
func BenchmarkSearchTypo(b *testing.B) {
	benchSearch(b, func(rng *rand.Rand, now time.Time) (SearchFilter, string) {
		f := benchFilter(rng, now)
		f.Text = benchTypos[rng.IntN(len(benchTypos))]
		return f, OrderRelevance
	})
}

var benchTypos = []string{"voedselbedelng", "huiswerkbegeleidnig", "boodschapen", "moestiun", "bibliotheeek", "zwerfvuul",
	"smarthpone", "taalcafée", "buurtfeets", "wandeln"}

// BenchmarkSearchNoText is district + date range without text, soonest first.
func BenchmarkSearchNoText(b *testing.B) {
	benchSearch(b, func(rng *rand.Rand, now time.Time) (SearchFilter, string) {
		f := benchFilter(rng, now)
		f.Text = ""
		return f, OrderSoonest
	})
}

// BenchmarkSearchNearDistance is a search within 2 km of a point, nearest first.
func BenchmarkSearchNearDistance(b *testing.B) {
	benchSearch(b, func(rng *rand.Rand, now time.Time) (SearchFilter, string) {
		return SearchFilter{Near: &Near{Lat: 51.2194 + (rng.Float64()-0.5)*0.05, Lon: 4.4025 + (rng.Float64()-0.5)*0.08, RadiusKm: 2}}, OrderDistance
	})
}

var benchWords = []string{"koken", "voedselbedeling", "huiswerkbegeleiding", "taalcafé", "repair café", "boodschappen",
	"digitale hulp", "smartphone", "fietsen", "ouderen", "kinderen", "moestuin", "buurtfeest", "cuisine", "devoirs",
	"cooking", "homework", "wandelen", "zwerfvuil", "bibliotheek"}

var benchDistricts = []string{"antwerpen", "berchem", "borgerhout", "deurne", "ekeren", "hoboken", "merksem", "wilrijk",
	"berendrecht-zandvliet-lillo"}

func benchFilter(rng *rand.Rand, now time.Time) SearchFilter {
	from := now.Add(time.Duration(rng.IntN(14*24)) * time.Hour).Truncate(time.Hour)
	to := from.AddDate(0, 0, 7+rng.IntN(14))
	districts := []string{benchDistricts[rng.IntN(len(benchDistricts))]}
	if rng.IntN(3) == 0 {
		districts = append(districts, benchDistricts[rng.IntN(len(benchDistricts))])
	}
	return SearchFilter{Text: benchWords[rng.IntN(len(benchWords))], DistrictKeys: districts, From: &from, To: &to}
}

func benchSearch(b *testing.B, mk func(rng *rand.Rand, now time.Time) (SearchFilter, string)) {
	url := os.Getenv("HH_BENCH_DB")
	if url == "" {
		b.Skip("HH_BENCH_DB is not set (a database URL with scale data; see BENCHMARKS.md)")
	}
	ctx := context.Background()
	db, err := database.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := NewService(db, nil, nil, nil, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	// Warm up: the connection pool and the caches.
	for i := 0; i < 20; i++ {
		f, order := mk(rng, now)
		if _, err := svc.Search(ctx, f, 20, nil, order); err != nil {
			b.Fatal(err)
		}
	}
	durations := make([]time.Duration, 0, b.N)
	total := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, order := mk(rng, now)
		start := time.Now()
		p, err := svc.Search(ctx, f, 20, nil, order)
		durations = append(durations, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		total += p.TotalCount
	}
	b.StopTimer()
	slices.Sort(durations)
	pct := func(p float64) float64 {
		i := int(float64(len(durations)-1) * p)
		return float64(durations[i].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(total)/float64(b.N), "matches/op")
}
