package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/database"
)

// Scale data: many open needs with shifts, to measure search on a realistic volume. The
// rows are made with COPY, in batches of one transaction each; they are spread over all
// districts and themes, with Dutch, French and English texts, and keep next_start and
// places_left consistent with their shifts (no applications: every place is still free).

// scaleBatch is the number of needs written per transaction.
const scaleBatch = 5000

// scaleOrgsPerDistrict is how many organisations SeedScale makes in each district.
const scaleOrgsPerDistrict = 6

type scaleDistrict struct {
	Key      string  `db:"key"`
	Lat      float64 `db:"lat"`
	Lon      float64 `db:"lon"`
	Postcode string  `db:"postcode"`
}

// scaleActivity is the core of a generated need: a title and a sentence in one language,
// with the themes and talents that go with it.
type scaleActivity struct {
	lang    string
	title   string
	line    string
	themes  []string
	talents []string
}

var scaleActivities = []scaleActivity{
	// Dutch
	{"nl", "Help bij de voedselbedeling", "We sorteren voedsel en delen pakketten uit aan gezinnen.", []string{"food", "poverty"}, []string{"food_bank_sorting", "distributing_food_parcels"}},
	{"nl", "Samen koken in het buurthuis", "We koken samen een warme maaltijd voor de buren.", []string{"food", "neighbourhood"}, []string{"cooking_for_groups", "kitchen_help"}},
	{"nl", "Huiswerkbegeleiding voor kinderen", "Je helpt kinderen van de lagere school met lezen en rekenen.", []string{"education", "youth"}, []string{"homework_help", "tutoring_maths"}},
	{"nl", "Taalcafé: praat Nederlands", "Bij een kop koffie oefenen nieuwkomers Nederlands met jou.", []string{"language_buddy", "newcomers"}, []string{"conversation_practice", "leading_conversation_group"}},
	{"nl", "Repair café: herstel toestellen", "Samen herstellen we kapotte lampen, fietsen en kleren.", []string{"diy", "environment"}, []string{"appliance_repair", "bicycle_repair", "sewing"}},
	{"nl", "Boodschappen voor ouderen", "Je doet boodschappen voor een oudere buur die slecht te been is.", []string{"elderly", "care"}, []string{"shopping_for_others"}},
	{"nl", "Digitale hulp met de smartphone", "Je legt rustig uit hoe een smartphone en een app werken.", []string{"digital_help"}, []string{"smartphone_help", "it_help_for_beginners"}},
	{"nl", "Helpen op het buurtfeest", "We zetten tafels klaar, schenken drankjes en ruimen samen op.", []string{"events", "neighbourhood"}, []string{"event_logistics", "bar_and_serving"}},
	{"nl", "Wandelen met bewoners", "Je maakt een korte wandeling met een bewoner van het woonzorgcentrum.", []string{"elderly", "care"}, []string{"walking_with_older_people"}},
	{"nl", "Zwerfvuil opruimen in het park", "We ruimen samen zwerfvuil op in het park en langs de Schelde.", []string{"environment", "neighbourhood"}, []string{"litter_picking"}},
	{"nl", "Moestuin onderhouden", "Je helpt met zaaien, wieden en oogsten in de buurtmoestuin.", []string{"environment", "food"}, []string{"growing_vegetables", "gardening"}},
	{"nl", "Training geven aan jongeren", "Je begeleidt een voetbaltraining voor jongeren van tien tot veertien.", []string{"sports", "youth"}, []string{"football_coaching", "sports_coaching"}},
	{"nl", "Formulieren invullen met bewoners", "Je helpt mensen met brieven en formulieren van de overheid.", []string{"administration", "poverty"}, []string{"filling_in_forms", "explaining_government_letters"}},
	{"nl", "Voorlezen in de bibliotheek", "Je leest verhalen voor aan kleuters en hun ouders.", []string{"culture", "youth"}, []string{"reading_aloud_to_children"}},
	{"nl", "Dieren verzorgen in het asiel", "Je geeft de honden eten en gaat met hen wandelen.", []string{"animals"}, []string{"animal_care", "dog_walking"}},
	{"nl", "Fietsles voor volwassenen", "Je leert volwassenen veilig fietsen in de stad.", []string{"sports", "newcomers"}, []string{"teaching_cycling", "cycling"}},
	{"nl", "Onthaal bij de tentoonstelling", "Je verwelkomt bezoekers en geeft uitleg over het gebouw.", []string{"culture", "events"}, []string{"welcoming_visitors", "guiding_tours"}},
	{"nl", "Schilderen in het jeugdhuis", "We schilderen samen de muren van het jeugdhuis.", []string{"diy", "youth"}, []string{"painting_walls"}},
	// French
	{"fr", "Aide à la distribution alimentaire", "Nous trions les aliments et distribuons des colis aux familles.", []string{"food", "poverty"}, []string{"food_bank_sorting", "distributing_food_parcels"}},
	{"fr", "Cuisiner ensemble au quartier", "Nous cuisinons un repas chaud pour les voisins.", []string{"food", "neighbourhood"}, []string{"cooking_for_groups"}},
	{"fr", "Soutien scolaire pour enfants", "Vous aidez les enfants avec leurs devoirs et la lecture.", []string{"education", "youth"}, []string{"homework_help"}},
	{"fr", "Café des langues", "Les nouveaux arrivants pratiquent le néerlandais autour d'un café.", []string{"language_buddy", "newcomers"}, []string{"conversation_practice"}},
	{"fr", "Accompagner des personnes âgées", "Vous rendez visite à des personnes âgées isolées.", []string{"elderly", "care"}, []string{"visiting_lonely_people", "companionship_for_older_people"}},
	{"fr", "Aide numérique à la bibliothèque", "Vous expliquez l'ordinateur et les formulaires en ligne.", []string{"digital_help", "administration"}, []string{"online_services_help", "it_help_for_beginners"}},
	{"fr", "Réparer des vélos", "Nous réparons des vélos pour les familles du quartier.", []string{"diy", "environment"}, []string{"bicycle_repair"}},
	{"fr", "Bénévole pour la fête de quartier", "Vous aidez à monter les tentes et à servir les boissons.", []string{"events", "neighbourhood"}, []string{"setting_up_tents_and_stages", "bar_and_serving"}},
	// English
	{"en", "Help at the food bank", "We sort donated food and pack parcels for families.", []string{"food", "poverty"}, []string{"food_bank_sorting"}},
	{"en", "Cooking together for neighbours", "We cook a warm meal together and share it with the street.", []string{"food", "neighbourhood"}, []string{"cooking_for_groups", "kitchen_help"}},
	{"en", "Homework club helper", "You help children with reading, maths and their homework.", []string{"education", "youth"}, []string{"homework_help", "tutoring_maths"}},
	{"en", "Language café host", "Newcomers practise Dutch with you over a cup of coffee.", []string{"language_buddy", "newcomers"}, []string{"conversation_practice"}},
	{"en", "Repair café volunteer", "We repair lamps, bikes and clothes instead of throwing them away.", []string{"diy", "environment"}, []string{"appliance_repair", "sewing"}},
	{"en", "Digital help for older people", "You show older people how to use a tablet and video calls.", []string{"digital_help", "elderly"}, []string{"smartphone_help", "it_help_for_beginners"}},
	{"en", "Park clean-up crew", "We pick up litter in the park and sort it for recycling.", []string{"environment"}, []string{"litter_picking", "waste_sorting_and_recycling"}},
	{"en", "Sports day steward", "You guide runners and hand out water at the sports day.", []string{"sports", "events"}, []string{"stewarding", "helping_at_sports_events"}},
}

// Extra sentences, by language, to vary the descriptions.
var scaleExtra = map[string][]string{
	"nl": {
		"Je hoeft geen ervaring te hebben.", "Nederlands spreken is geen voorwaarde.", "We zorgen voor koffie en een broodje.",
		"Je werkt samen met een vaste ploeg.", "De plek is toegankelijk met een rolstoel.", "Kom gerust eerst eens kijken.",
		"We leggen alles uit op de eerste dag.", "Je krijgt een vrijwilligersverzekering.", "Kinderen zijn ook welkom.",
		"We zoeken mensen die graag met anderen praten.", "Je kan blijven zo lang je wil.", "Fietsen kan je binnen zetten.",
		"Er is een lift in het gebouw.", "Een goed humeur is het belangrijkste.", "Je leert nieuwe mensen uit de buurt kennen.",
	},
	"fr": {
		"Aucune expérience n'est nécessaire.", "Le néerlandais n'est pas obligatoire.", "Nous offrons un café et une collation.",
		"Vous travaillez avec une équipe sympathique.", "Le lieu est accessible en fauteuil roulant.", "Venez d'abord voir sur place.",
		"Nous expliquons tout le premier jour.", "Vous êtes assuré comme bénévole.",
	},
	"en": {
		"No experience needed.", "You do not need to speak Dutch.", "We offer coffee and a sandwich.",
		"You work with a friendly team.", "The place is wheelchair accessible.", "Feel free to come and have a look first.",
		"We explain everything on your first day.", "You are insured as a volunteer.",
	},
}

var scalePlaces = []string{
	"Kiel", "Seefhoek", "Dam", "Zurenborg", "Linkeroever", "Luchtbal", "Sint-Andries", "Eilandje", "Zuid", "Stuivenberg",
	"Oud-Berchem", "Kronenburg", "Rivierenhof", "Kaart", "Bosuil", "Lambrechtshoeken", "Valaar", "Elsdonk", "Schoonselhof",
	"Ter Heide", "Dries", "Bist", "Kioskplaats", "Sint-Willibrordus", "Theater", "Park Spoor Noord", "Stadspark",
}

var scaleWeekdaysNL = []string{"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"}

var scaleLanguages = []string{"nl", "fr", "en", "ar", "tr", "pl", "es", "ru", "uk", "ro", "ber", "so"}
var scaleAccess = []string{"WHEELCHAIR_ACCESSIBLE", "NO_DUTCH_NEEDED", "NO_EXPERIENCE_NEEDED", "FIRST_TIMER_FRIENDLY"}
var scaleKinds = []string{"NON_PROFIT", "NEIGHBOURHOOD_CENTRE", "CITY_SERVICE", "SCHOOL", "SPORTS_CLUB", "CULTURAL", "OTHER"}

// SeedScale adds `needs` open needs with about shiftsPerNeed shifts each (flexible needs have
// none; the others share the shifts), for measuring. It creates a few organisations of its
// own in every district. Rows are made with COPY, one transaction per batch, and the
// tables are vacuumed and analysed at the end (which also merges the GIN indexes' pending
// lists). log (optional) gets progress lines.
func SeedScale(ctx context.Context, db *sqlx.DB, needs, shiftsPerNeed int, now time.Time, log func(string)) error {
	if needs < 1 || needs > 10_000_000 {
		return errors.New("scale: needs must be between 1 and 10,000,000")
	}
	if shiftsPerNeed < 0 || shiftsPerNeed > 100 {
		return errors.New("scale: shifts per need must be between 0 and 100")
	}
	if log == nil {
		log = func(string) {}
	}
	started := time.Now()
	var districts []scaleDistrict
	if err := db.SelectContext(ctx, &districts,
		`SELECT key, lat, lon, postcodes[1] AS postcode FROM districts ORDER BY position, key`); err != nil {
		return fmt.Errorf("scale: districts: %w", err)
	}
	if len(districts) == 0 {
		return errors.New("scale: no districts; run the migrations (and reference sync) first")
	}
	var talents []string
	if err := db.SelectContext(ctx, &talents, `SELECT key FROM talents`); err != nil {
		return fmt.Errorf("scale: talents: %w", err)
	}
	known := map[string]bool{}
	for _, k := range talents {
		known[k] = true
	}

	// Organisations of the scale data, a few per district (made once).
	var orgIDs []string
	orgDistrict := map[string]int{}
	err := database.InTx(ctx, db, func(tx *sqlx.Tx) error {
		for di, d := range districts {
			for i := 0; i < scaleOrgsPerDistrict; i++ {
				key := fmt.Sprintf("scale-%s-%d", d.Key, i+1)
				id := ID("organisation", key)
				name := fmt.Sprintf("Buurtwerk %s %d", titleCase(d.Key), i+1)
				_, err := tx.ExecContext(ctx, `
					INSERT INTO organisations (id, kind, status, name, description, postcode, district_key, lat, lon,
						contact_email, reviewed_at)
					VALUES ($1, $2, 'APPROVED', $3, $4, $5, $6, $7, $8, $9, $10)
					ON CONFLICT (id) DO NOTHING`,
					id, scaleKinds[(di+i)%len(scaleKinds)], name,
					"Een organisatie van de testgegevens op schaal.", d.Postcode, d.Key, d.Lat, d.Lon,
					key+"@scale.helpendehanden.example", now)
				if err != nil {
					return fmt.Errorf("scale: organisation %s: %w", key, err)
				}
				orgIDs = append(orgIDs, id)
				orgDistrict[id] = di
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	// The same database state and arguments give the same rows; a second run adds new ones.
	var existing int64
	if err := db.GetContext(ctx, &existing, `SELECT count(*) FROM needs`); err != nil {
		return fmt.Errorf("scale: count needs: %w", err)
	}
	rng := rand.New(rand.NewPCG(20260401+uint64(existing), uint64(needs)*1_000_003+uint64(shiftsPerNeed)))
	// Flexible needs get no shifts; the others share needs*shiftsPerNeed shifts on average.
	const flexibleShare = 0.10
	meanShifts := 0.0
	if shiftsPerNeed > 0 {
		meanShifts = float64(shiftsPerNeed) / (1 - flexibleShare)
	}
	totalShifts := 0
	for done := 0; done < needs; done += scaleBatch {
		n := min(scaleBatch, needs-done)
		b := makeScaleBatch(rng, n, meanShifts, districts, orgIDs, orgDistrict, known, now)
		if err := writeScaleBatch(ctx, db, b); err != nil {
			return err
		}
		totalShifts += len(b.shifts)
		if (done/scaleBatch)%4 == 3 || done+n == needs {
			log(fmt.Sprintf("scale: %d/%d needs, %d shifts (%s)", done+n, needs, totalShifts,
				time.Since(started).Round(time.Second)))
		}
	}
	if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE) needs, shifts, need_talents, organisations`); err != nil {
		return fmt.Errorf("scale: vacuum: %w", err)
	}
	log(fmt.Sprintf("scale: done, %d needs and %d shifts in %s", needs, totalShifts, time.Since(started).Round(time.Second)))
	return nil
}

func titleCase(s string) string {
	parts := strings.Split(s, "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

type scaleNeed struct {
	id, org, title, description, district, schedule, street, postcode string
	pattern                                                           *string
	themes, languages, access                                         pq.StringArray
	remote, autoAccept                                                bool
	lat, lon                                                          *float64
	minAge, flexiblePlaces                                            *int
	nextStart                                                         *time.Time
	placesLeft                                                        int
	created, published                                                time.Time
}

type scaleShift struct {
	id, need     string
	starts, ends time.Time
	places       int
}

type scaleTalent struct {
	need, talent string
	required     bool
	level        int
}

type scaleBatchRows struct {
	needs   []scaleNeed
	shifts  []scaleShift
	talents []scaleTalent
}

// uuidFrom makes a random-looking but reproducible UUID from the generator.
func uuidFrom(rng *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := rng.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return uuid.UUID(b).String()
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func makeScaleBatch(rng *rand.Rand, n int, meanShifts float64, districts []scaleDistrict, orgIDs []string,
	orgDistrict map[string]int, knownTalents map[string]bool, now time.Time) scaleBatchRows {
	var b scaleBatchRows
	zone := brussels
	today := time.Date(now.In(zone).Year(), now.In(zone).Month(), now.In(zone).Day(), 0, 0, 0, 0, zone)
	startTimes := [][2]int{{9, 0}, {9, 30}, {10, 0}, {13, 0}, {13, 30}, {14, 0}, {17, 30}, {18, 0}, {19, 0}, {19, 30}}
	for i := 0; i < n; i++ {
		a := pick(rng, scaleActivities)
		org := pick(rng, orgIDs)
		d := districts[orgDistrict[org]]
		// Most needs are in their organisation's district; some elsewhere.
		if rng.IntN(5) == 0 {
			d = pick(rng, districts)
		}
		need := scaleNeed{id: uuidFrom(rng), org: org, schedule: "ONE_OFF"}
		place := pick(rng, scalePlaces)
		switch a.lang {
		case "fr":
			need.title = a.title + " — " + place
		case "en":
			need.title = a.title + " in " + place
		default:
			need.title = a.title + " in " + place
		}
		var desc strings.Builder
		desc.WriteString(a.line)
		extras := scaleExtra[a.lang]
		for k, m := 0, 1+rng.IntN(3); k < m; k++ {
			desc.WriteString(" ")
			desc.WriteString(pick(rng, extras))
		}
		if a.lang == "nl" && rng.IntN(3) == 0 {
			fmt.Fprintf(&desc, " We spreken af op %s in %s.", pick(rng, scaleWeekdaysNL), place)
		}
		need.description = desc.String()
		themes := append([]string(nil), a.themes...)
		if rng.IntN(4) == 0 {
			extra := pick(rng, []string{"neighbourhood", "events", "newcomers", "youth", "elderly", "culture", "care", "sports", "education", "administration"})
			if !contains(themes, extra) {
				themes = append(themes, extra)
			}
		}
		need.themes = themes
		langs := []string{"nl"}
		for k, m := 0, rng.IntN(3); k < m; k++ {
			if l := pick(rng, scaleLanguages); !contains(langs, l) {
				langs = append(langs, l)
			}
		}
		need.languages = langs
		var access []string
		for _, f := range scaleAccess {
			if rng.IntN(3) == 0 {
				access = append(access, f)
			}
		}
		need.access = pq.StringArray(access)
		if need.access == nil {
			need.access = pq.StringArray{}
		}
		if a.themes[0] == "digital_help" && rng.IntN(5) == 0 {
			need.remote = true
		} else {
			need.district = d.Key
			need.postcode = d.Postcode
			need.street = fmt.Sprintf("%sstraat %d", place, 1+rng.IntN(180))
			// About 1.5 km around the district centre.
			lat := d.Lat + rng.NormFloat64()*0.011
			lon := d.Lon + rng.NormFloat64()*0.017
			lat, lon = math.Round(lat*1e6)/1e6, math.Round(lon*1e6)/1e6
			need.lat, need.lon = &lat, &lon
		}
		if rng.IntN(6) == 0 {
			age := pick(rng, []int{12, 16, 18})
			need.minAge = &age
		}
		need.autoAccept = rng.IntN(4) == 0
		need.published = now.Add(-time.Duration(rng.IntN(60*24*60)) * time.Minute).Truncate(time.Second)
		need.created = need.published.Add(-time.Duration(1+rng.IntN(72)) * time.Hour)

		r := rng.Float64()
		switch {
		case r < 0.10:
			need.schedule = "FLEXIBLE"
			fp := 1 + rng.IntN(10)
			need.flexiblePlaces = &fp
			need.placesLeft = fp
		case r < 0.25:
			need.schedule = "WEEKLY"
		}
		if need.schedule != "FLEXIBLE" && meanShifts > 0 {
			k := 1
			if meanShifts > 1 {
				k = 1 + rng.IntN(int(math.Round(2*meanShifts))-1)
			}
			st := pick(rng, startTimes)
			minutes := 60 * (1 + rng.IntN(4))
			places := 1 + rng.IntN(10)
			var days []int
			if need.schedule == "WEEKLY" {
				first := -14 + rng.IntN(21)
				for w := 0; w < k; w++ {
					days = append(days, first+7*w)
				}
				wd := int(today.AddDate(0, 0, first).Weekday()+6)%7 + 1
				p := fmt.Sprintf(`{"weekdays":[%d],"start":"%02d:%02d","minutes":%d,"places":%d,"weeksAhead":%d,"from":%q}`,
					wd, st[0], st[1], minutes, places, k, today.AddDate(0, 0, first).Format("2006-01-02"))
				need.pattern = &p
			} else {
				// Distinct days from two weeks ago to three months ahead.
				seen := map[int]bool{}
				for len(days) < k {
					dd := -14 + rng.IntN(105)
					if !seen[dd] {
						seen[dd] = true
						days = append(days, dd)
					}
				}
			}
			for _, dd := range days {
				day := today.AddDate(0, 0, dd)
				start := time.Date(day.Year(), day.Month(), day.Day(), st[0], st[1], 0, 0, zone)
				if need.schedule == "ONE_OFF" {
					places = 1 + rng.IntN(10)
				}
				sh := scaleShift{id: uuidFrom(rng), need: need.id, starts: start, ends: start.Add(time.Duration(minutes) * time.Minute), places: places}
				b.shifts = append(b.shifts, sh)
				if start.After(now) {
					need.placesLeft += places
					if need.nextStart == nil || start.Before(*need.nextStart) {
						s := start
						need.nextStart = &s
					}
				}
			}
		}
		for k, tk := range a.talents {
			if !knownTalents[tk] {
				continue
			}
			b.talents = append(b.talents, scaleTalent{need: need.id, talent: tk, required: k == 0 && rng.IntN(3) == 0, level: 1 + rng.IntN(2)})
		}
		b.needs = append(b.needs, need)
	}
	return b
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func writeScaleBatch(ctx context.Context, db *sqlx.DB, b scaleBatchRows) error {
	return database.InTx(ctx, db, func(tx *sqlx.Tx) error {
		copyRows := func(table string, cols []string, n int, row func(i int) []any) error {
			stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
			if err != nil {
				return fmt.Errorf("scale: copy %s: %w", table, err)
			}
			defer stmt.Close()
			for i := 0; i < n; i++ {
				if _, err := stmt.ExecContext(ctx, row(i)...); err != nil {
					return fmt.Errorf("scale: copy %s: %w", table, err)
				}
			}
			if _, err := stmt.ExecContext(ctx); err != nil {
				return fmt.Errorf("scale: copy %s: %w", table, err)
			}
			return nil
		}
		err := copyRows("needs", []string{"id", "organisation_id", "status", "title", "description", "themes", "languages",
			"accessibility", "remote", "street", "postcode", "district_key", "lat", "lon", "min_age", "schedule", "pattern",
			"auto_accept", "flexible_places", "next_start", "places_left", "created_at", "updated_at", "published_at"},
			len(b.needs), func(i int) []any {
				n := &b.needs[i]
				var pattern any
				if n.pattern != nil {
					pattern = *n.pattern
				}
				return []any{n.id, n.org, "OPEN", n.title, n.description, n.themes, n.languages, n.access, n.remote,
					n.street, n.postcode, nullString(n.district), n.lat, n.lon, n.minAge, n.schedule, pattern,
					n.autoAccept, n.flexiblePlaces, n.nextStart, n.placesLeft, n.created, n.published, n.published}
			})
		if err != nil {
			return err
		}
		err = copyRows("shifts", []string{"id", "need_id", "starts_at", "ends_at", "places", "created_at"},
			len(b.shifts), func(i int) []any {
				s := &b.shifts[i]
				return []any{s.id, s.need, s.starts, s.ends, s.places, s.starts.AddDate(0, 0, -30)}
			})
		if err != nil {
			return err
		}
		return copyRows("need_talents", []string{"need_id", "talent_key", "required", "min_level"},
			len(b.talents), func(i int) []any {
				t := &b.talents[i]
				return []any{t.need, t.talent, t.required, t.level}
			})
	})
}
