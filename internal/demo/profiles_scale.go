package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/talent"
)

// Scale profiles: many people with talent profiles, to measure matching (recommendedNeeds,
// candidatesForNeed) on a realistic volume. Like SeedScale, rows are made with COPY in
// batches of one transaction each and the result is deterministic for the same database
// state and arguments. Every generated person can sign in with Password (one argon2id
// hash, computed once), so a load generator can log them in like any client would:
//
//   - volunteers: ScalePersonEmail(1) … ScalePersonEmail(n), each with a talent profile;
//   - a coordinator for every organisation of the scale needs: ScaleCoordinatorEmail(district, i);
//   - matchmakers: ScaleMatchmakerEmail(1) … ScaleMatchmakerEmail(ScaleMatchmakers).

// MaxScaleProfiles bounds one run of SeedScaleProfiles.
const MaxScaleProfiles = 2_000_000

// ScaleMatchmakers is the number of matchmakers SeedScaleProfiles makes (once).
const ScaleMatchmakers = 10

// ScaleEmailDomain is the domain of the generated accounts.
const ScaleEmailDomain = "scale.helpendehanden.example"

// scaleProfileBatch is the number of people written per transaction.
const scaleProfileBatch = 5000

// ScalePersonEmail is the email of the i-th generated volunteer (1-based).
func ScalePersonEmail(i int) string { return fmt.Sprintf("scale-person-%07d@%s", i, ScaleEmailDomain) }

// ScaleCoordinatorEmail is the email of the coordinator of the i-th (1-based) scale
// organisation of a district (see SeedScale).
func ScaleCoordinatorEmail(district string, i int) string {
	return fmt.Sprintf("scale-coordinator-%s-%d@%s", district, i, ScaleEmailDomain)
}

// ScaleMatchmakerEmail is the email of the i-th generated matchmaker (1-based).
func ScaleMatchmakerEmail(i int) string {
	return fmt.Sprintf("scale-matchmaker-%02d@%s", i, ScaleEmailDomain)
}

// ProfilesResult says what SeedScaleProfiles made.
type ProfilesResult struct {
	People, Talents, Languages, Coordinators, Matchmakers int
	// First and Last are the numbers of the generated volunteers (ScalePersonEmail).
	First, Last int
}

// Where people live: share of Antwerp's inhabitants per district (about, 2024).
var scaleDistrictWeights = map[string]float64{
	"antwerpen": 0.36, "deurne": 0.15, "borgerhout": 0.085, "merksem": 0.085, "berchem": 0.08,
	"wilrijk": 0.08, "hoboken": 0.075, "ekeren": 0.045, "berendrecht-zandvliet-lillo": 0.02,
}

// Mother tongues of the generated people, roughly as in Antwerp (nl about half).
var scaleMotherTongues = []weighted[string]{
	{"nl", 52}, {"ar", 9}, {"ber", 4}, {"fr", 4}, {"tr", 4}, {"pl", 3}, {"en", 2}, {"es", 2}, {"ro", 2}, {"bg", 1.5},
	{"ru", 1.5}, {"uk", 1.5}, {"so", 1}, {"ps", 1}, {"prs", 1}, {"fa", 1}, {"pt", 1}, {"it", 1}, {"sq", 1},
	{"ti", 0.7}, {"am", 0.5}, {"ku", 0.7}, {"ur", 0.5}, {"hi", 0.5}, {"zh", 0.5}, {"yi", 0.8}, {"ln", 0.5}, {"ff", 0.3},
	{"de", 0.5}, {"el", 0.3}, {"vi", 0.3}, {"tl", 0.3}, {"sw", 0.3},
}

var scaleCEFR = []weighted[string]{{"A1", 10}, {"A2", 18}, {"B1", 27}, {"B2", 23}, {"C1", 15}, {"C2", 7}}

var scaleThemeWeights = []weighted[string]{
	{"neighbourhood", 14}, {"youth", 10}, {"elderly", 10}, {"environment", 10}, {"food", 9}, {"poverty", 8}, {"newcomers", 8},
	{"education", 8}, {"care", 7}, {"culture", 7}, {"sports", 7}, {"animals", 6}, {"events", 6}, {"language_buddy", 5},
	{"digital_help", 5}, {"diy", 4}, {"administration", 3},
}

var scaleLookingFor = []weighted[string]{{"GIVE_BACK", 40}, {"MEET_PEOPLE", 30}, {"LEARN", 18}, {"WORK_EXPERIENCE", 8}, {"JOB", 10}}

var scaleFirstNames = []string{
	"Anna", "Bram", "Chaima", "Dries", "Elif", "Fatima", "Gert", "Hanne", "Ilias", "Jana", "Karim", "Lotte", "Mohamed",
	"Nina", "Omar", "Pieter", "Rania", "Sven", "Tine", "Youssef", "Zeynep", "Wout", "Marta", "Oksana", "Ahmad", "Sara",
	"Lucas", "Amira", "Noah", "Emma", "Yasmina", "Jan", "Marie", "Ayoub", "Ines", "Tomasz", "Aylin", "Stijn", "Nour",
}

type weighted[T any] struct {
	v T
	w float64
}

// chooser picks from weighted values in O(log n).
type chooser[T any] struct {
	vals []T
	cum  []float64
}

func newChooser[T any](ws []weighted[T]) chooser[T] {
	c := chooser[T]{}
	total := 0.0
	for _, w := range ws {
		total += w.w
		c.vals = append(c.vals, w.v)
		c.cum = append(c.cum, total)
	}
	for i := range c.cum {
		c.cum[i] /= total
	}
	return c
}

func (c chooser[T]) pick(rng *rand.Rand) T {
	r := rng.Float64()
	i, _ := slices.BinarySearch(c.cum, r)
	return c.vals[min(i, len(c.vals)-1)]
}

type scaleTalentRef struct {
	Key      string `db:"key"`
	Category string `db:"category_key"`
}

// scaleProfileRef is the reference data the generator draws from.
type scaleProfileRef struct {
	districts  []scaleDistrict
	district   chooser[int]
	categories []string
	byCategory map[string]chooser[string] // talents of a category, earlier ones more common
	category   chooser[string]            // popular categories more often
	mother     chooser[string]
	cefr       chooser[string]
	themes     chooser[string]
	looking    chooser[string]
}

func loadScaleProfileRef(ctx context.Context, db *sqlx.DB) (*scaleProfileRef, error) {
	ref := &scaleProfileRef{byCategory: map[string]chooser[string]{}}
	if err := db.SelectContext(ctx, &ref.districts,
		`SELECT key, lat, lon, postcodes[1] AS postcode FROM districts ORDER BY position, key`); err != nil {
		return nil, fmt.Errorf("scale profiles: districts: %w", err)
	}
	if len(ref.districts) == 0 {
		return nil, errors.New("scale profiles: no districts; run the migrations (and reference sync) first")
	}
	var dw []weighted[int]
	for i, d := range ref.districts {
		w, ok := scaleDistrictWeights[d.Key]
		if !ok {
			w = 0.05
		}
		dw = append(dw, weighted[int]{i, w})
	}
	ref.district = newChooser(dw)
	var talents []scaleTalentRef
	if err := db.SelectContext(ctx, &talents, `SELECT t.key, t.category_key FROM talents t
		JOIN talent_categories c ON c.key = t.category_key ORDER BY c.position, t.position, t.key`); err != nil {
		return nil, fmt.Errorf("scale profiles: talents: %w", err)
	}
	if len(talents) == 0 {
		return nil, errors.New("scale profiles: no talents; run the migrations (and reference sync) first")
	}
	byCat := map[string][]weighted[string]{}
	for _, t := range talents {
		if _, ok := byCat[t.Category]; !ok {
			ref.categories = append(ref.categories, t.Category)
		}
		// Within a category, the first (general) talents are the common ones: 1/(rank+2).
		byCat[t.Category] = append(byCat[t.Category], weighted[string]{t.Key, 1 / float64(len(byCat[t.Category])+2)})
	}
	var cw []weighted[string]
	for i, c := range ref.categories {
		ref.byCategory[c] = newChooser(byCat[c])
		// Care, children, teaching, languages and cooking (the first categories) are the most common.
		cw = append(cw, weighted[string]{c, 1 / math.Sqrt(float64(i+1))})
	}
	ref.category = newChooser(cw)
	var langs []string
	if err := db.SelectContext(ctx, &langs, `SELECT code FROM languages`); err != nil {
		return nil, fmt.Errorf("scale profiles: languages: %w", err)
	}
	var mw []weighted[string]
	for _, m := range scaleMotherTongues {
		if slices.Contains(langs, m.v) {
			mw = append(mw, m)
		}
	}
	if len(mw) == 0 || !slices.Contains(langs, "nl") {
		return nil, errors.New("scale profiles: languages missing; run the migrations (and reference sync) first")
	}
	ref.mother = newChooser(mw)
	ref.cefr = newChooser(scaleCEFR)
	var themes []string
	if err := db.SelectContext(ctx, &themes, `SELECT key FROM themes`); err != nil {
		return nil, fmt.Errorf("scale profiles: themes: %w", err)
	}
	var tw []weighted[string]
	for _, t := range scaleThemeWeights {
		if slices.Contains(themes, t.v) {
			tw = append(tw, t)
		}
	}
	if len(tw) == 0 {
		return nil, errors.New("scale profiles: no themes; run the migrations (and reference sync) first")
	}
	ref.themes = newChooser(tw)
	ref.looking = newChooser(scaleLookingFor)
	return ref, nil
}

// SeedScaleProfiles adds n people with talent profiles (at most MaxScaleProfiles), plus,
// once, a coordinator for each organisation of SeedScale and ScaleMatchmakers matchmakers,
// all with the demo Password. A second run adds n more people. log (optional) gets progress.
func SeedScaleProfiles(ctx context.Context, db *sqlx.DB, n int, now time.Time, log func(string)) (ProfilesResult, error) {
	var res ProfilesResult
	if n < 1 || n > MaxScaleProfiles {
		return res, fmt.Errorf("scale profiles: between 1 and %d people", MaxScaleProfiles)
	}
	if log == nil {
		log = func(string) {}
	}
	started := time.Now()
	ref, err := loadScaleProfileRef(ctx, db)
	if err != nil {
		return res, err
	}
	hash, err := accounts.HashPassword(Password)
	if err != nil {
		return res, err
	}
	if res.Coordinators, res.Matchmakers, err = seedScaleStaff(ctx, db, ref, hash, now); err != nil {
		return res, err
	}
	var existing int
	if err := db.GetContext(ctx, &existing, `SELECT count(*) FROM people WHERE email LIKE 'scale-person-%'`); err != nil {
		return res, fmt.Errorf("scale profiles: count people: %w", err)
	}
	res.First, res.Last = existing+1, existing+n
	rng := rand.New(rand.NewPCG(20260402+uint64(existing), uint64(n)*1_000_003))
	for done := 0; done < n; done += scaleProfileBatch {
		k := min(scaleProfileBatch, n-done)
		b := makeScaleProfiles(rng, ref, existing+done+1, k, hash, now)
		if err := writeScaleProfiles(ctx, db, b); err != nil {
			return res, err
		}
		res.People += len(b.people)
		res.Talents += len(b.talents)
		res.Languages += len(b.langs)
		if (done/scaleProfileBatch)%4 == 3 || done+k == n {
			log(fmt.Sprintf("scale profiles: %d/%d people, %d talents, %d languages (%s)", done+k, n, res.Talents,
				res.Languages, time.Since(started).Round(time.Second)))
		}
	}
	if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE) people, talent_profiles, profile_talents, profile_languages, consent_log`); err != nil {
		return res, fmt.Errorf("scale profiles: vacuum: %w", err)
	}
	log(fmt.Sprintf("scale profiles: done, %d people (%s … %s) in %s", res.People, ScalePersonEmail(res.First),
		ScalePersonEmail(res.Last), time.Since(started).Round(time.Second)))
	return res, nil
}

// seedScaleStaff makes (once) a coordinator for each scale organisation and the matchmakers.
func seedScaleStaff(ctx context.Context, db *sqlx.DB, ref *scaleProfileRef, hash string, now time.Time) (coords, mms int, err error) {
	err = database.InTx(ctx, db, func(tx *sqlx.Tx) error {
		insert := func(key, email, name, district string, matchmaker bool) (bool, error) {
			r, err := tx.ExecContext(ctx, `
				INSERT INTO people (id, email, password_hash, display_name, preferred_language, district_key, is_matchmaker, created_at)
				VALUES ($1, $2, $3, $4, 'nl', $5, $6, $7) ON CONFLICT DO NOTHING`,
				ID("person", key), email, hash, name, district, matchmaker, now)
			if err != nil {
				return false, fmt.Errorf("scale profiles: person %s: %w", key, err)
			}
			k, _ := r.RowsAffected()
			return k == 1, nil
		}
		for _, d := range ref.districts {
			for i := 1; i <= scaleOrgsPerDistrict; i++ {
				orgKey := fmt.Sprintf("scale-%s-%d", d.Key, i)
				var exists bool
				if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1)`,
					ID("organisation", orgKey)); err != nil {
					return fmt.Errorf("scale profiles: organisation %s: %w", orgKey, err)
				}
				if !exists {
					continue // seed --scale makes the organisations
				}
				key := "scale-coordinator-" + d.Key + fmt.Sprint(i)
				if _, err := insert(key, ScaleCoordinatorEmail(d.Key, i), fmt.Sprintf("Coördinator %s %d", titleCase(d.Key), i),
					d.Key, false); err != nil {
					return err
				}
				r, err := tx.ExecContext(ctx, `INSERT INTO organisation_members (organisation_id, person_id, role, created_at)
					VALUES ($1, $2, 'COORDINATOR', $3) ON CONFLICT DO NOTHING`, ID("organisation", orgKey), ID("person", key), now)
				if err != nil {
					return fmt.Errorf("scale profiles: membership %s: %w", key, err)
				}
				if k, _ := r.RowsAffected(); k == 1 {
					coords++
				}
			}
		}
		for i := 1; i <= ScaleMatchmakers; i++ {
			d := ref.districts[(i-1)%len(ref.districts)]
			ok, err := insert(fmt.Sprintf("scale-matchmaker-%d", i), ScaleMatchmakerEmail(i), fmt.Sprintf("Buurtwerker %d", i), d.Key, true)
			if err != nil {
				return err
			}
			if ok {
				mms++
			}
		}
		return nil
	})
	return coords, mms, err
}

type scalePerson struct {
	id, email, name, lang, district string
	birth                           *time.Time
	created                         time.Time
	// profile
	visibility            string
	homeLat, homeLon, rad *float64
	districts, themes     pq.StringArray
	looking               pq.StringArray
	availability, about   string
	updated               time.Time
}

type scaleProfileRows struct {
	hash    string // the password hash of every generated person
	people  []scalePerson
	talents []talent.Talent
	langs   []talent.Language
}

var scaleSlotStarts = []weighted[[2]int]{
	{[2]int{9 * 60, 12 * 60}, 3}, {[2]int{9 * 60, 17 * 60}, 2}, {[2]int{13 * 60, 17 * 60}, 3}, {[2]int{14 * 60, 18 * 60}, 2},
	{[2]int{17 * 60, 21 * 60}, 3}, {[2]int{18 * 60, 22 * 60}, 2}, {[2]int{10 * 60, 16 * 60}, 2}, {[2]int{8 * 60, 12 * 60}, 1},
}

var (
	slotChooser    = newChooser(scaleSlotStarts)
	scalePreferred = newChooser([]weighted[string]{{"nl", 72}, {"fr", 9}, {"en", 11}, {"ar", 8}})
	scaleRadius    = newChooser([]weighted[float64]{{1, 10}, {2, 25}, {3, 25}, {5, 25}, {10, 12}, {25, 3}})
	scaleLevel     = newChooser([]weighted[int]{{1, 25}, {2, 35}, {3, 28}, {4, 12}})
)

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func makeScaleProfiles(rng *rand.Rand, ref *scaleProfileRef, firstNumber, n int, hash string, now time.Time) scaleProfileRows {
	b := scaleProfileRows{hash: hash}
	for i := 0; i < n; i++ {
		num := firstNumber + i
		di := ref.district.pick(rng)
		d := ref.districts[di]
		p := scalePerson{id: uuidFrom(rng), email: ScalePersonEmail(num), district: d.Key}
		p.name = fmt.Sprintf("%s %c.", pick(rng, scaleFirstNames), 'A'+rune(rng.IntN(26)))
		p.lang = scalePreferred.pick(rng)
		if rng.IntN(10) > 0 {
			// Ages 16–80, most between 20 and 60.
			age := min(80, max(16, int(38+rng.NormFloat64()*15)))
			birth := time.Date(now.Year()-age, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
			p.birth = &birth
		}
		p.created = now.Add(-time.Duration(rng.IntN(2*365*24)) * time.Hour).Truncate(time.Second)
		p.updated = p.created.Add(time.Duration(rng.Int64N(int64(now.Sub(p.created)) + 1))).Truncate(time.Second)
		switch r := rng.IntN(100); {
		case r < 60:
			p.visibility = talent.Organisations
		case r < 85:
			p.visibility = talent.Matchmakers
		default:
			p.visibility = talent.Private
		}
		// Where the person goes: a rounded point with a radius (60%), districts (30%), or anywhere.
		p.districts = pq.StringArray{}
		switch r := rng.IntN(10); {
		case r < 6:
			lat, lon := talent.RoundPoint(d.Lat+rng.NormFloat64()*0.011, d.Lon+rng.NormFloat64()*0.017)
			rad := scaleRadius.pick(rng)
			p.homeLat, p.homeLon, p.rad = &lat, &lon, &rad
		case r < 9:
			p.districts = append(p.districts, d.Key)
			for k := rng.IntN(3); k > 0; k-- {
				if o := ref.districts[ref.district.pick(rng)].Key; !slices.Contains(p.districts, o) {
					p.districts = append(p.districts, o)
				}
			}
		}
		p.themes = pq.StringArray{}
		for k := rng.IntN(5); k > 0; k-- {
			if t := ref.themes.pick(rng); !slices.Contains(p.themes, t) {
				p.themes = append(p.themes, t)
			}
		}
		p.looking = pq.StringArray{ref.looking.pick(rng)}
		if rng.IntN(3) == 0 {
			if l := ref.looking.pick(rng); !slices.Contains(p.looking, l) {
				p.looking = append(p.looking, l)
			}
		}
		// Availability: 30% set none (any time), the others 1–5 weekly slots.
		p.availability = "[]"
		if rng.IntN(10) >= 3 {
			days := map[int]bool{}
			var slots []string
			for k := 1 + rng.IntN(5); k > 0; k-- {
				wd := 1 + rng.IntN(7)
				if days[wd] {
					continue
				}
				days[wd] = true
				s := slotChooser.pick(rng)
				slots = append(slots, fmt.Sprintf(`{"weekday":%d,"from":%q,"to":%q}`, wd, clock(s[0]), clock(s[1])))
			}
			p.availability = "[" + strings.Join(slots, ",") + "]"
		}
		if rng.IntN(3) == 0 {
			p.about = "Ik help graag mensen uit de buurt."
		}
		// Talents: 1–8, mostly from one or two categories.
		cats := []string{ref.category.pick(rng)}
		if rng.IntN(2) == 0 {
			cats = append(cats, ref.category.pick(rng))
		}
		seen := map[string]bool{}
		for k := 1 + min(7, int(math.Abs(rng.NormFloat64()*3))); k > 0; k-- {
			c := cats[rng.IntN(len(cats))]
			if rng.IntN(5) == 0 {
				c = ref.categories[rng.IntN(len(ref.categories))]
			}
			key := ref.byCategory[c].pick(rng)
			if seen[key] {
				continue
			}
			seen[key] = true
			level := scaleLevel.pick(rng)
			learned := pq.StringArray{pick(rng, talent.LearnedHow)}
			if rng.IntN(4) == 0 {
				if l := pick(rng, talent.LearnedHow); l != learned[0] {
					learned = append(learned, l)
				}
			}
			b.talents = append(b.talents, talent.Talent{PersonID: p.id, TalentKey: key, Level: level, Learned: learned})
		}
		// Languages: a mother tongue; Dutch at a CEFR level when it is not; English and French often.
		mother := ref.mother.pick(rng)
		langs := map[string]string{mother: "NATIVE"}
		if mother != "nl" && rng.IntN(10) > 0 {
			langs["nl"] = ref.cefr.pick(rng)
		}
		for _, o := range []struct {
			code string
			pct  int
		}{{"en", 55}, {"fr", 35}, {"de", 8}, {"es", 5}} {
			if _, ok := langs[o.code]; !ok && rng.IntN(100) < o.pct {
				langs[o.code] = ref.cefr.pick(rng)
			}
		}
		codes := make([]string, 0, len(langs))
		for c := range langs {
			codes = append(codes, c)
		}
		slices.Sort(codes) // map order is random: keep the output deterministic
		for _, c := range codes {
			b.langs = append(b.langs, talent.Language{PersonID: p.id, Code: c, Level: langs[c]})
		}
		b.people = append(b.people, p)
	}
	return b
}

func writeScaleProfiles(ctx context.Context, db *sqlx.DB, b scaleProfileRows) error {
	return database.InTx(ctx, db, func(tx *sqlx.Tx) error {
		copyRows := func(table string, cols []string, n int, row func(i int) []any) error {
			stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
			if err != nil {
				return fmt.Errorf("scale profiles: copy %s: %w", table, err)
			}
			defer stmt.Close()
			for i := 0; i < n; i++ {
				if _, err := stmt.ExecContext(ctx, row(i)...); err != nil {
					return fmt.Errorf("scale profiles: copy %s: %w", table, err)
				}
			}
			if _, err := stmt.ExecContext(ctx); err != nil {
				return fmt.Errorf("scale profiles: copy %s: %w", table, err)
			}
			return nil
		}
		err := copyRows("people", []string{"id", "email", "password_hash", "display_name", "preferred_language", "district_key",
			"birth_date", "created_at", "updated_at", "password_changed_at"}, len(b.people), func(i int) []any {
			p := &b.people[i]
			return []any{p.id, p.email, b.hash, p.name, p.lang, p.district, p.birth, p.created, p.updated, p.created}
		})
		if err != nil {
			return err
		}
		err = copyRows("talent_profiles", []string{"person_id", "visibility", "home_lat", "home_lon", "radius_km", "districts",
			"themes", "looking_for", "availability", "about", "updated_at"}, len(b.people), func(i int) []any {
			p := &b.people[i]
			return []any{p.id, p.visibility, p.homeLat, p.homeLon, p.rad, p.districts, p.themes, p.looking, p.availability,
				p.about, p.updated}
		})
		if err != nil {
			return err
		}
		// Consent as the app keeps it: the visibility the person chose, with its time.
		err = copyRows("consent_log", []string{"person_id", "kind", "value", "actor_id", "at"}, len(b.people), func(i int) []any {
			p := &b.people[i]
			return []any{p.id, "VISIBILITY", p.visibility, p.id, p.updated}
		})
		if err != nil {
			return err
		}
		err = copyRows("profile_talents", []string{"person_id", "talent_key", "level", "learned"}, len(b.talents), func(i int) []any {
			t := &b.talents[i]
			return []any{t.PersonID, t.TalentKey, t.Level, t.Learned}
		})
		if err != nil {
			return err
		}
		return copyRows("profile_languages", []string{"person_id", "code", "level"}, len(b.langs), func(i int) []any {
			l := &b.langs[i]
			return []any{l.PersonID, l.Code, l.Level}
		})
	})
}
