package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/database"
)

// brussels is the platform's time zone: shifts are planned in Brussels local time.
var brussels = mustZone("Europe/Brussels")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// NeedsResult says what SeedNeeds did.
type NeedsResult struct {
	Skipped      bool
	Needs        int
	Shifts       int
	Applications int
	Attended     int
}

// needTemplate is a kind of need an organisation with one of its themes may post. Texts
// are plain Dutch (B1).
type needTemplate struct {
	key      string
	themes   []string
	title    string
	desc     string
	talents  []string // the first one is required when required is true
	required bool
	schedule string // ONE_OFF, WEEKLY or FLEXIBLE
	start    string // local start time, HH:MM
	minutes  int
	places   [2]int // from, to
	minAge   int
	remote   bool
	// access lists the accessibility facts this work can have (nil: all of the organisation's).
	access []string
}

var allFacts = []string{"WHEELCHAIR_ACCESSIBLE", "NO_DUTCH_NEEDED", "NO_EXPERIENCE_NEEDED", "FIRST_TIMER_FRIENDLY"}

var needTemplates = []needTemplate{
	{key: "voedselbedeling", themes: []string{"food", "poverty"}, title: "Help bij de voedselbedeling",
		desc:    "Elke week delen we voedselpakketten uit aan gezinnen. Jij helpt met sorteren, inpakken en uitdelen. Je werkt in een ploeg. Je krijgt uitleg op je eerste dag.",
		talents: []string{"food_bank_sorting", "distributing_food_parcels"}, schedule: "WEEKLY", start: "13:00", minutes: 180, places: [2]int{4, 8}},
	{key: "voedseloverschotten", themes: []string{"food", "environment"}, title: "Voedsel ophalen bij winkels",
		desc:    "Winkels geven eten dat ze niet meer verkopen. Met de bestelwagen of de bakfiets haal je het op. Zo gooien we minder eten weg.",
		talents: []string{"collecting_surplus_food", "driving_a_van", "cargo_bike"}, schedule: "WEEKLY", start: "09:30", minutes: 120, places: [2]int{1, 2}, minAge: 18,
		access: []string{"NO_DUTCH_NEEDED"}},
	{key: "samenkoken", themes: []string{"food", "neighbourhood"}, title: "Samen koken voor de buurt",
		desc:    "We koken samen een warme maaltijd voor buren die alleen wonen. Jij helpt met groenten snijden, koken en opdienen. Iedereen eet daarna mee.",
		talents: []string{"cooking_for_groups", "kitchen_help", "serving_meals"}, schedule: "ONE_OFF", start: "16:00", minutes: 240, places: [2]int{3, 6}},
	{key: "soepbar", themes: []string{"poverty", "food"}, title: "Soep schenken in de soepbar",
		desc:    "In de winter schenken we gratis soep. Je maakt een praatje met de mensen die binnenkomen. Een vriendelijk woord doet veel.",
		talents: []string{"serving_meals", "listening_and_support"}, schedule: "WEEKLY", start: "11:30", minutes: 150, places: [2]int{2, 4}},
	{key: "huiswerkklas", themes: []string{"education", "youth"}, title: "Huiswerkbegeleiding voor kinderen",
		desc:    "Kinderen van de lagere school maken hier na school hun huiswerk. Jij helpt met lezen, rekenen of Nederlands. Je hoeft geen leraar te zijn.",
		talents: []string{"homework_help", "tutoring_maths", "tutoring_languages"}, schedule: "WEEKLY", start: "15:45", minutes: 90, places: [2]int{3, 6}, minAge: 16},
	{key: "voorlezen", themes: []string{"youth", "culture", "education"}, title: "Voorlezen aan kleuters",
		desc:    "Op woensdagnamiddag lezen we verhalen voor aan kleuters en hun ouders. Kies zelf een boek. Voorlezen in een andere taal mag ook.",
		talents: []string{"reading_aloud_to_children", "storytelling"}, schedule: "ONE_OFF", start: "14:00", minutes: 90, places: [2]int{1, 3}, minAge: 16},
	{key: "taalcafe", themes: []string{"language_buddy", "newcomers"}, title: "Praat mee in het taalcafé",
		desc:    "Bij een kop koffie oefenen nieuwkomers Nederlands. Jij praat en luistert. Je hoeft geen leraar te zijn: een gewoon gesprek is genoeg.",
		talents: []string{"conversation_practice", "leading_conversation_group"}, schedule: "WEEKLY", start: "19:00", minutes: 120, places: [2]int{4, 10},
		access: []string{"WHEELCHAIR_ACCESSIBLE", "NO_EXPERIENCE_NEEDED", "FIRST_TIMER_FRIENDLY"}},
	{key: "taalmaatje", themes: []string{"language_buddy", "newcomers"}, title: "Word taalmaatje van een nieuwkomer",
		desc:    "Je spreekt een paar keer per maand af met een nieuwkomer. Jullie praten Nederlands, gaan samen naar de markt of de bib. Jullie kiezen zelf wanneer.",
		talents: []string{"conversation_practice", "buddy", "guiding_newcomers"}, schedule: "FLEXIBLE", minutes: 90, places: [2]int{3, 8}, minAge: 18},
	{key: "onthaalnieuwkomers", themes: []string{"newcomers", "neighbourhood"}, title: "Nieuwkomers wegwijs maken in de buurt",
		desc:    "Je toont nieuwkomers de buurt: de bib, het buurthuis, de dokter en de markt. Spreek je Arabisch, Oekraïens of Turks? Dan helpt dat veel.",
		talents: []string{"guiding_newcomers", "informal_interpreting", "intercultural_communication"}, schedule: "ONE_OFF", start: "10:00", minutes: 120, places: [2]int{2, 4}, minAge: 18},
	{key: "digitalehulp", themes: []string{"digital_help"}, title: "Digitale hulp: smartphone en computer",
		desc:    "Mensen komen met vragen over hun smartphone, e-mail of itsme. Jij legt rustig uit, stap voor stap. Geduld is belangrijker dan kennis.",
		talents: []string{"smartphone_help", "it_help_for_beginners", "email_and_internet_basics"}, schedule: "WEEKLY", start: "09:30", minutes: 180, places: [2]int{2, 4}},
	{key: "onlineformulieren", themes: []string{"digital_help", "administration"}, title: "Helpen met online formulieren",
		desc:    "Veel formulieren van de overheid staan alleen online. Jij helpt mensen om ze in te vullen. Je leert ze ook hoe ze het de volgende keer zelf kunnen.",
		talents: []string{"online_services_help", "filling_in_forms"}, schedule: "ONE_OFF", start: "13:30", minutes: 150, places: [2]int{1, 3}, minAge: 18},
	{key: "telefoonhulp", themes: []string{"digital_help", "elderly"}, title: "Digitale hulp aan de telefoon",
		desc:    "Ouderen bellen met een vraag over hun tablet of smartphone. Je helpt van thuis uit, aan de telefoon of via videobellen.",
		talents: []string{"smartphone_help", "phone_duty"}, schedule: "FLEXIBLE", minutes: 60, places: [2]int{2, 6}, minAge: 18, remote: true},
	{key: "brievenhulp", themes: []string{"administration", "poverty"}, title: "Brieven en papieren samen bekijken",
		desc:    "Je helpt mensen om brieven van de bank, de mutualiteit of de stad te begrijpen. Samen zoek je wat ze moeten doen. Alles blijft geheim.",
		talents: []string{"explaining_government_letters", "filling_in_forms", "budget_coaching"}, required: true, schedule: "WEEKLY", start: "10:00", minutes: 120, places: [2]int{1, 3}, minAge: 18},
	{key: "repaircafe", themes: []string{"diy", "environment"}, title: "Repair café: herstel mee",
		desc:    "Mensen brengen kapotte lampen, fietsen, kleren of toestellen mee. Samen herstellen we ze, zodat ze niet weg moeten. Kan jij een beetje sleutelen of naaien?",
		talents: []string{"appliance_repair", "bicycle_repair", "sewing", "diy_and_small_repairs"}, schedule: "ONE_OFF", start: "13:00", minutes: 240, places: [2]int{4, 8}},
	{key: "klusjes", themes: []string{"diy", "elderly"}, title: "Kleine klusjes bij ouderen thuis",
		desc:    "Een lamp vervangen, een kast ophangen of een kraan die lekt. Je helpt ouderen die dit niet meer zelf kunnen. Je gaat altijd met twee.",
		talents: []string{"diy_and_small_repairs", "plumbing_basics"}, required: true, schedule: "FLEXIBLE", minutes: 120, places: [2]int{2, 5}, minAge: 18,
		access: []string{"NO_DUTCH_NEEDED"}},
	{key: "schilderen", themes: []string{"diy", "youth", "neighbourhood"}, title: "Schilderen in het jeugdhuis",
		desc:    "De muren van het jeugdhuis krijgen nieuwe kleuren. We schilderen samen met de jongeren. Oude kleren aandoen!",
		talents: []string{"painting_walls"}, schedule: "ONE_OFF", start: "10:00", minutes: 300, places: [2]int{4, 10},
		access: []string{"NO_DUTCH_NEEDED", "NO_EXPERIENCE_NEEDED", "FIRST_TIMER_FRIENDLY"}},
	{key: "moestuin", themes: []string{"environment", "food", "neighbourhood"}, title: "Werken in de buurtmoestuin",
		desc:    "We zaaien, wieden en oogsten samen. De groenten gaan naar de buren en de voedselbedeling. Je leert veel over planten.",
		talents: []string{"growing_vegetables", "gardening", "urban_farming"}, schedule: "WEEKLY", start: "10:00", minutes: 150, places: [2]int{3, 8}},
	{key: "zwerfvuil", themes: []string{"environment", "neighbourhood"}, title: "Zwerfvuil opruimen in het park",
		desc:    "Met grijpers en vuilniszakken maken we het park proper. We sorteren het afval. Daarna drinken we samen iets.",
		talents: []string{"litter_picking", "waste_sorting_and_recycling"}, schedule: "ONE_OFF", start: "10:00", minutes: 120, places: [2]int{5, 10},
		access: []string{"NO_DUTCH_NEEDED", "NO_EXPERIENCE_NEEDED", "FIRST_TIMER_FRIENDLY"}},
	{key: "dieren", themes: []string{"animals"}, title: "Honden uitlaten en verzorgen",
		desc:    "De honden in het asiel willen graag naar buiten. Je gaat met ze wandelen en helpt met eten geven en poetsen.",
		talents: []string{"dog_walking", "animal_care"}, schedule: "WEEKLY", start: "14:00", minutes: 120, places: [2]int{2, 5}, minAge: 16},
	{key: "kinderboerderij", themes: []string{"animals", "environment"}, title: "Helpen op de kinderboerderij",
		desc:    "Je geeft de dieren eten, maakt de stallen proper en vertelt kinderen over de dieren.",
		talents: []string{"city_farm_help", "animal_care"}, schedule: "ONE_OFF", start: "09:00", minutes: 180, places: [2]int{2, 4}},
	{key: "buurtfeest", themes: []string{"events", "neighbourhood"}, title: "Help mee op het buurtfeest",
		desc:    "Op het buurtfeest zetten we tafels en tenten klaar, schenken we drank en ruimen we samen op. Kom voor een uur of voor de hele dag.",
		talents: []string{"event_logistics", "bar_and_serving", "setting_up_tents_and_stages"}, schedule: "ONE_OFF", start: "12:00", minutes: 300, places: [2]int{6, 10},
		access: []string{"NO_DUTCH_NEEDED", "NO_EXPERIENCE_NEEDED", "FIRST_TIMER_FRIENDLY"}},
	{key: "onthaal", themes: []string{"culture", "events"}, title: "Onthaal bij een voorstelling",
		desc:    "Je verwelkomt de bezoekers, scant tickets en wijst de weg in de zaal. Na de voorstelling mag je gratis een drankje nemen.",
		talents: []string{"welcoming_visitors", "ticket_sales"}, schedule: "ONE_OFF", start: "19:30", minutes: 180, places: [2]int{2, 5}, minAge: 16},
	{key: "atelier", themes: []string{"culture", "diy"}, title: "Begeleid een creatief atelier",
		desc:    "Kinderen en volwassenen tekenen, schilderen en knutselen samen. Jij helpt met materiaal en geeft tips.",
		talents: []string{"arts_and_crafts", "drawing_and_painting", "running_workshops"}, schedule: "ONE_OFF", start: "14:00", minutes: 150, places: [2]int{1, 3}},
	{key: "wandelen", themes: []string{"elderly", "care"}, title: "Wandelen met bewoners van het woonzorgcentrum",
		desc:    "Veel bewoners gaan graag naar buiten, maar niet alleen. Je maakt een korte wandeling, eventueel met de rolstoel, en drinkt samen koffie.",
		talents: []string{"walking_with_older_people", "wheelchair_assistance"}, schedule: "WEEKLY", start: "14:30", minutes: 90, places: [2]int{2, 5}},
	{key: "boodschappen", themes: []string{"elderly", "neighbourhood", "care"}, title: "Boodschappen doen voor ouderen",
		desc:    "Sommige ouderen kunnen niet meer zelf naar de winkel. Jij doet één keer per week hun boodschappen. Je spreekt af wanneer het jou past.",
		talents: []string{"shopping_for_others"}, schedule: "FLEXIBLE", minutes: 60, places: [2]int{3, 6}, minAge: 18},
	{key: "bezoek", themes: []string{"elderly", "care"}, title: "Op bezoek bij iemand die eenzaam is",
		desc:    "Je gaat op bezoek bij iemand die weinig mensen ziet. Jullie praten, spelen een spel of drinken koffie. Eén keer per week of om de twee weken.",
		talents: []string{"visiting_lonely_people", "listening_and_support", "companionship_for_older_people"}, schedule: "FLEXIBLE", minutes: 90, places: [2]int{2, 6}, minAge: 18},
	{key: "vervoer", themes: []string{"care", "elderly"}, title: "Chauffeur voor mensen die slecht te been zijn",
		desc:    "Je brengt mensen met je eigen auto naar de dokter, het ziekenhuis of de kapper. Je krijgt een kilometervergoeding.",
		talents: []string{"driving_people", "accompanying_to_appointments", "driving_licence_b"}, required: true, schedule: "FLEXIBLE", minutes: 120, places: [2]int{2, 5}, minAge: 21,
		access: []string{"NO_DUTCH_NEEDED"}},
	{key: "sporttraining", themes: []string{"sports", "youth"}, title: "Hulptrainer voor de jeugdploeg",
		desc:    "Je helpt de trainer bij de training van kinderen van 8 tot 12 jaar. Je zet materiaal klaar en moedigt de kinderen aan.",
		talents: []string{"sports_coaching", "football_coaching"}, schedule: "WEEKLY", start: "17:30", minutes: 90, places: [2]int{1, 3}, minAge: 16},
	{key: "sportdag", themes: []string{"sports", "events"}, title: "Steward op de sportdag",
		desc:    "Je wijst de lopers de weg, deelt water uit en helpt bij de start en de aankomst. Je krijgt een T-shirt en een lunchpakket.",
		talents: []string{"stewarding", "helping_at_sports_events"}, schedule: "ONE_OFF", start: "09:00", minutes: 240, places: [2]int{6, 10},
		access: []string{"NO_DUTCH_NEEDED", "NO_EXPERIENCE_NEEDED", "FIRST_TIMER_FRIENDLY"}},
	{key: "bewegen", themes: []string{"sports", "elderly"}, title: "Zachte turnles voor 65-plussers",
		desc:    "Samen met de lesgever help je ouderen bij eenvoudige oefeningen. Ook mensen met een rollator doen mee.",
		talents: []string{"exercise_for_older_people", "yoga_and_gentle_exercise"}, schedule: "WEEKLY", start: "10:00", minutes: 60, places: [2]int{1, 2}},
	{key: "speelstraat", themes: []string{"youth", "neighbourhood", "events"}, title: "Begeleider in de speelstraat",
		desc:    "In de zomer is onze straat een speelstraat. Je speelt mee, let op de kinderen en deelt vieruurtjes uit.",
		talents: []string{"playing_with_children", "playground_monitor"}, schedule: "ONE_OFF", start: "14:00", minutes: 180, places: [2]int{3, 6}, minAge: 16},
	{key: "kledingbank", themes: []string{"poverty", "neighbourhood"}, title: "Kleren sorteren in de kledingbank",
		desc:    "We krijgen veel tweedehandskleren. Jij sorteert ze op maat en seizoen en hangt ze netjes in de winkel.",
		talents: []string{"warehouse_and_sorting", "managing_stock"}, schedule: "WEEKLY", start: "09:00", minutes: 180, places: [2]int{2, 6},
		access: []string{"NO_DUTCH_NEEDED", "NO_EXPERIENCE_NEEDED", "FIRST_TIMER_FRIENDLY", "WHEELCHAIR_ACCESSIBLE"}},
	{key: "nieuwsbrief", themes: []string{"administration", "neighbourhood", "culture"}, title: "Schrijf mee aan de buurtkrant",
		desc:    "Elke maand maken we een krantje over wat er in de buurt gebeurt. Jij schrijft korte stukjes in eenvoudige taal of maakt foto's.",
		talents: []string{"plain_language_writing", "making_a_newsletter", "photography"}, schedule: "FLEXIBLE", minutes: 120, places: [2]int{2, 4}},
	{key: "administratie", themes: []string{"administration"}, title: "Hulp bij de administratie van de vereniging",
		desc:    "Je houdt de ledenlijst bij, beantwoordt mails en helpt met de boekhouding. Je werkt op je eigen tempo.",
		talents: []string{"secretarial_work", "bookkeeping", "spreadsheets"}, required: true, schedule: "FLEXIBLE", minutes: 120, places: [2]int{1, 2}, minAge: 18},
}

type seedOrg struct {
	ID            string         `db:"id"`
	Name          string         `db:"name"`
	District      *string        `db:"district_key"`
	Lat           *float64       `db:"lat"`
	Lon           *float64       `db:"lon"`
	Street        string         `db:"street"`
	Postcode      string         `db:"postcode"`
	Themes        pq.StringArray `db:"themes"`
	Languages     pq.StringArray `db:"languages"`
	Accessibility pq.StringArray `db:"accessibility"`
	key           string
	coordinator   *string
	members       map[string]bool
}

type seedPerson struct {
	ID    string     `db:"id"`
	Birth *time.Time `db:"birth_date"`
	key   string
}

// needsPerOrganisation is how many needs SeedNeeds makes for each organisation.
const needsPerOrganisation = 9

// SeedNeeds adds the needs of the demo organisations (approved, not merchants, as loaded
// by Seed), with shifts over the coming six weeks (and weekly ones in the past weeks),
// applications of the demo people in every state, and confirmed attendance in the past
// (with events, endorsements now and then, and the attendance.confirmed outbox events the
// ledger mints coins from, as a confirmation through the platform writes them) so that
// impact figures and wallets have data. It is deterministic for a given now,
// runs in one transaction and leaves a database that already has needs alone (Skipped).
// Places stay consistent: places_taken is the number of applications holding a place,
// no shift is oversold, and each need's next_start, places_left and flexible_taken match
// its shifts and applications.
func SeedNeeds(ctx context.Context, db *sqlx.DB, now time.Time) (NeedsResult, error) {
	var res NeedsResult
	var people []person
	if err := load("people.json", &people); err != nil {
		return res, err
	}
	var orgData []organisation
	if err := load("organisations.json", &orgData); err != nil {
		return res, err
	}
	err := database.InTx(ctx, db, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM needs`); err != nil {
			return fmt.Errorf("count needs: %w", err)
		}
		if n > 0 {
			res.Skipped = true
			return nil
		}
		s, err := newNeedSeeder(ctx, tx, people, orgData, now)
		if err != nil {
			return err
		}
		if err := s.run(ctx); err != nil {
			return err
		}
		res = s.res
		return nil
	})
	return res, err
}

type needSeeder struct {
	tx      *sqlx.Tx
	rng     *rand.Rand
	now     time.Time
	today   time.Time // local midnight
	orgs    []*seedOrg
	people  []seedPerson
	talents map[string]bool
	res     NeedsResult
	rows    map[string][][]any
}

func newNeedSeeder(ctx context.Context, tx *sqlx.Tx, people []person, orgData []organisation, now time.Time) (*needSeeder, error) {
	now = now.Truncate(time.Second)
	local := now.In(brussels)
	s := &needSeeder{tx: tx, rng: rand.New(rand.NewPCG(2026, 4)), now: now,
		today: time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, brussels), talents: map[string]bool{},
		rows: map[string][][]any{}}
	keyOf := map[string]string{}
	for _, o := range orgData {
		keyOf[ID("organisation", o.Key)] = o.Key
	}
	var orgs []*seedOrg
	if err := tx.SelectContext(ctx, &orgs, `
		SELECT id, name, district_key, lat, lon, street, postcode, themes, languages, accessibility
		FROM organisations WHERE status = 'APPROVED' AND kind <> 'MERCHANT' ORDER BY name, id`); err != nil {
		return nil, fmt.Errorf("load organisations: %w", err)
	}
	var members []struct {
		Org    string `db:"organisation_id"`
		Person string `db:"person_id"`
	}
	if err := tx.SelectContext(ctx, &members, `SELECT organisation_id, person_id FROM organisation_members ORDER BY organisation_id, person_id`); err != nil {
		return nil, fmt.Errorf("load members: %w", err)
	}
	byID := map[string]*seedOrg{}
	for _, o := range orgs {
		o.key = keyOf[o.ID]
		if o.key == "" {
			o.key = o.ID
		}
		o.members = map[string]bool{}
		byID[o.ID] = o
	}
	for _, m := range members {
		if o := byID[m.Org]; o != nil {
			o.members[m.Person] = true
			if o.coordinator == nil {
				p := m.Person
				o.coordinator = &p
			}
		}
	}
	s.orgs = orgs
	var found []seedPerson
	if err := tx.SelectContext(ctx, &found, `SELECT id, birth_date FROM people`); err != nil {
		return nil, fmt.Errorf("load people: %w", err)
	}
	exists := map[string]seedPerson{}
	for _, p := range found {
		exists[p.ID] = p
	}
	for _, p := range people {
		volunteer := false
		for _, r := range p.Roles {
			volunteer = volunteer || r == "volunteer"
		}
		if sp, ok := exists[ID("person", p.Key)]; ok && volunteer {
			sp.key = p.Key
			s.people = append(s.people, sp)
		}
	}
	var talents []string
	if err := tx.SelectContext(ctx, &talents, `SELECT key FROM talents`); err != nil {
		return nil, fmt.Errorf("load talents: %w", err)
	}
	for _, t := range talents {
		s.talents[t] = true
	}
	return s, nil
}

// seedShift is a shift being made, with its applications.
type seedShift struct {
	id, key     string
	start, end  time.Time
	places      int
	taken       int
	cancelled   bool
	cancelledAt time.Time
}

type seedNeed struct {
	id, key        string
	org            *seedOrg
	t              needTemplate
	status         string
	schedule       string
	autoAccept     bool
	places         int
	minAge         int
	publishedAt    *time.Time
	createdAt      time.Time
	closedAt       *time.Time
	flexiblePlaces int
	flexibleTaken  int
	shifts         []*seedShift
	pattern        *string
}

func (s *needSeeder) run(ctx context.Context) error {
	for oi, o := range s.orgs {
		var mine []needTemplate
		for _, t := range needTemplates {
			if overlaps(t.themes, o.Themes) {
				mine = append(mine, t)
			}
		}
		if len(mine) == 0 {
			continue
		}
		// Rotate so that organisations with the same themes do not all start alike.
		off := oi % len(mine)
		used := map[string]int{}
		for i := 0; i < needsPerOrganisation; i++ {
			t := mine[(off+i)%len(mine)]
			used[t.key]++
			nd := s.makeNeed(o, t, i, used[t.key])
			s.write(nd)
		}
	}
	return s.flush(ctx)
}

// seedTables are the tables SeedNeeds fills, in the order of their foreign keys, with
// the columns it copies.
var seedTables = []struct {
	name string
	cols []string
}{
	{"needs", []string{"id", "organisation_id", "status", "title", "description", "themes", "languages", "accessibility",
		"remote", "street", "postcode", "district_key", "lat", "lon", "min_age", "schedule", "pattern", "auto_accept",
		"flexible_places", "flexible_taken", "next_start", "places_left", "created_by", "created_at", "updated_at",
		"published_at", "closed_at"}},
	{"need_talents", []string{"need_id", "talent_key", "required", "min_level"}},
	{"shifts", []string{"id", "need_id", "starts_at", "ends_at", "places", "places_taken", "status", "cancelled_at", "created_at"}},
	{"applications", []string{"id", "need_id", "shift_id", "person_id", "status", "message", "waiting_since", "holds_place",
		"minutes", "worked_on", "confirmed_at", "confirmed_by", "created_at", "updated_at"}},
	{"application_events", []string{"application_id", "status", "actor_id", "note", "at"}},
	{"endorsements", []string{"id", "application_id", "person_id", "talent_key", "organisation_id", "need_id", "endorsed_by",
		"created_at"}},
	{"outbox", []string{"topic", "key", "payload", "created_at"}},
}

// topicAttendanceConfirmed and attendanceConfirmed are the outbox event of a confirmed
// attendance, as volunteering.ConfirmAttendance writes it (volunteering.AttendanceConfirmed).
const topicAttendanceConfirmed = "attendance.confirmed"

type attendanceConfirmed struct {
	ApplicationID  string    `json:"applicationId"`
	PersonID       string    `json:"personId"`
	NeedID         string    `json:"needId"`
	ShiftID        *string   `json:"shiftId,omitempty"`
	OrganisationID string    `json:"organisationId"`
	Minutes        int       `json:"minutes"`
	WorkedOn       string    `json:"workedOn"`
	ConfirmedAt    time.Time `json:"confirmedAt"`
	ConfirmedBy    string    `json:"confirmedBy"`
}

func (s *needSeeder) add(table string, values ...any) {
	s.rows[table] = append(s.rows[table], values)
}

// flush copies the collected rows (COPY, in the seed's transaction).
func (s *needSeeder) flush(ctx context.Context) error {
	for _, t := range seedTables {
		rows := s.rows[t.name]
		if len(rows) == 0 {
			continue
		}
		stmt, err := s.tx.PrepareContext(ctx, pq.CopyIn(t.name, t.cols...))
		if err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
		for _, r := range rows {
			if _, err := stmt.ExecContext(ctx, r...); err != nil {
				_ = stmt.Close()
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
		}
		if _, err := stmt.ExecContext(ctx); err != nil {
			_ = stmt.Close()
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
		if err := stmt.Close(); err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	return nil
}

func overlaps(a []string, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// at returns the local time h:m on the day `days` from today.
func (s *needSeeder) at(days int, hm string) time.Time {
	var h, m int
	_, _ = fmt.Sscanf(hm, "%d:%d", &h, &m)
	d := s.today.AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, brussels)
}

var variantTitles = []string{" (extra dag)", " (zaterdag)", " (avond)"}

func (s *needSeeder) makeNeed(o *seedOrg, t needTemplate, i, repeat int) *seedNeed {
	rng := s.rng
	key := fmt.Sprintf("%s/%s/%d", o.key, t.key, repeat)
	nd := &seedNeed{id: ID("need", key), key: key, org: o, t: t, status: "OPEN", schedule: t.schedule, minAge: t.minAge}
	if repeat > 1 {
		nd.t.title += variantTitles[(repeat-2)%len(variantTitles)]
	}
	nd.places = t.places[0] + rng.IntN(t.places[1]-t.places[0]+1)
	nd.autoAccept = rng.IntN(3) == 0
	published := s.now.AddDate(0, 0, -(10 + rng.IntN(20))).Truncate(time.Minute)
	switch t.schedule {
	case "WEEKLY":
		// Every week on one weekday, from eight weeks ago until six weeks ahead.
		first := -56 + rng.IntN(7)
		start := s.at(first, t.start)
		wd := int(start.Weekday())
		if wd == 0 {
			wd = 7
		}
		p := fmt.Sprintf(`{"weekdays":[%d],"start":%q,"minutes":%d,"places":%d,"weeksAhead":6,"from":%q}`,
			wd, t.start, t.minutes, nd.places, start.Format("2006-01-02"))
		nd.pattern = &p
		for w := 0; first+7*w <= 42; w++ {
			nd.shifts = append(nd.shifts, s.shift(nd, first+7*w, t.start, nd.places))
		}
		published = start.AddDate(0, 0, -14)
	case "FLEXIBLE":
		nd.flexiblePlaces = nd.places
	default:
		if i%4 == 3 {
			// This one took place already: a past, closed need with its attendance.
			days := -(14 + rng.IntN(100))
			nd.shifts = append(nd.shifts, s.shift(nd, days, t.start, nd.places))
			if rng.IntN(2) == 0 {
				nd.shifts = append(nd.shifts, s.shift(nd, days+7, t.start, nd.places))
			}
			published = s.at(days-21, "09:00")
			closed := nd.shifts[len(nd.shifts)-1].end.Add(26 * time.Hour)
			nd.status, nd.closedAt = "CLOSED", &closed
		} else {
			// One to three shifts over the coming six weeks.
			k := 1 + rng.IntN(3)
			seen := map[int]bool{}
			for len(nd.shifts) < k {
				d := 2 + rng.IntN(41)
				if !seen[d] {
					seen[d] = true
					nd.shifts = append(nd.shifts, s.shift(nd, d, t.start, nd.places))
				}
			}
			sort.Slice(nd.shifts, func(a, b int) bool { return nd.shifts[a].start.Before(nd.shifts[b].start) })
		}
	}
	nd.publishedAt = &published
	nd.createdAt = published.Add(-time.Duration(2+rng.IntN(48)) * time.Hour)
	// A few needs are still being prepared.
	if i == needsPerOrganisation-1 && len(o.key)%3 == 0 && nd.status == "OPEN" && nd.schedule != "WEEKLY" {
		nd.status, nd.publishedAt = "DRAFT", nil
	}
	return nd
}

func (s *needSeeder) shift(nd *seedNeed, days int, hm string, places int) *seedShift {
	start := s.at(days, hm)
	key := fmt.Sprintf("%s/shift/%s", nd.key, start.Format("2006-01-02"))
	sh := &seedShift{id: ID("shift", key), key: key, start: start, end: start.Add(time.Duration(nd.t.minutes) * time.Minute), places: places}
	// Now and then a coming shift is cancelled.
	if start.After(s.now) && s.rng.IntN(25) == 0 {
		sh.cancelled = true
		sh.cancelledAt = s.now.Add(-time.Duration(1+s.rng.IntN(72)) * time.Hour)
	}
	return sh
}

// seedApp is an application being made.
type seedApp struct {
	id, personID string
	shift        *seedShift
	status       string
	holds        bool
	created      time.Time
	minutes      *int
	workedOn     *string // YYYY-MM-DD
	confirmedAt  *time.Time
	waitingSince *time.Time
	events       []seedEvent
}

type seedEvent struct {
	status string
	actor  *string
	note   string
	at     time.Time
}

// eligible returns the people who may apply to the need for a shift on day: volunteers,
// not members of the organisation, old enough.
func (s *needSeeder) eligible(nd *seedNeed, day time.Time) []seedPerson {
	var out []seedPerson
	for _, p := range s.people {
		if nd.org.members[p.ID] {
			continue
		}
		if nd.minAge > 0 && (p.Birth == nil || p.Birth.AddDate(nd.minAge, 0, 0).After(day)) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func (s *needSeeder) pick(ps []seedPerson, k int) []seedPerson {
	idx := s.rng.Perm(len(ps))
	if k > len(ps) {
		k = len(ps)
	}
	out := make([]seedPerson, k)
	for i := 0; i < k; i++ {
		out[i] = ps[idx[i]]
	}
	return out
}

func (s *needSeeder) app(nd *seedNeed, sh *seedShift, p seedPerson, created time.Time) *seedApp {
	key := nd.key + "/" + p.key
	if sh != nil {
		key = sh.key + "/" + p.key
	}
	a := &seedApp{id: ID("application", key), personID: p.ID, shift: sh, created: created}
	if nd.autoAccept {
		a.status, a.holds = "ACCEPTED", true
		a.events = append(a.events, seedEvent{status: "ACCEPTED", actor: &a.personID, at: created})
	} else {
		a.status = "PENDING"
		a.events = append(a.events, seedEvent{status: "PENDING", actor: &a.personID, at: created})
	}
	return a
}

func (a *seedApp) to(status string, actor *string, at time.Time, note string) {
	a.status = status
	a.events = append(a.events, seedEvent{status: status, actor: actor, note: note, at: at})
	switch status {
	case "ACCEPTED", "ATTENDED", "NO_SHOW":
		a.holds = true
	default:
		a.holds = false
	}
}

// accept makes a (pending) application accepted, as the coordinator.
func (a *seedApp) accept(coord *string, at time.Time) {
	if a.status == "PENDING" {
		a.to("ACCEPTED", coord, at, "")
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// applications makes the applications of one shift (or, with sh nil, of a flexible need).
func (s *needSeeder) applications(nd *seedNeed, sh *seedShift) []*seedApp {
	rng := s.rng
	coord := nd.org.coordinator
	published := s.now
	if nd.publishedAt != nil {
		published = *nd.publishedAt
	}
	day := s.now
	if sh != nil {
		day = sh.start
	}
	people := s.eligible(nd, day)
	if len(people) == 0 || nd.status == "DRAFT" {
		return nil
	}
	// When people applied: between publication and the shift (or now).
	until := s.now
	if sh != nil {
		until = minTime(sh.start.Add(-2*time.Hour), s.now)
	}
	created := func() time.Time {
		span := until.Sub(published)
		if span <= time.Hour {
			return published
		}
		return published.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second)
	}
	var out []*seedApp
	switch {
	case sh == nil: // flexible: some worked already (confirmed), some accepted, some waiting for an answer
		capacity := nd.flexiblePlaces
		holders := rng.IntN(capacity)
		if rng.IntN(6) == 0 {
			holders = capacity // full
		}
		chosen := s.pick(people, holders+rng.IntN(3))
		for i, p := range chosen {
			a := s.app(nd, nil, p, created())
			acceptAt := a.created.Add(time.Duration(2+rng.IntN(40)) * time.Hour)
			if i < holders {
				a.accept(coord, minTime(acceptAt, s.now))
				if rng.IntN(2) == 0 {
					// Worked on a day after acceptance, confirmed a day later.
					worked := a.created.Add(time.Duration(3+rng.IntN(10)) * 24 * time.Hour)
					if worked.Before(s.now.Add(-48 * time.Hour)) {
						s.attend(a, coord, worked, 60+30*rng.IntN(4))
					}
				}
			} else if !nd.autoAccept {
				if rng.IntN(2) == 0 {
					a.to("DECLINED", coord, minTime(acceptAt, s.now), "Er zijn genoeg mensen voor nu.")
				}
			} else {
				a.to("WITHDRAWN", &a.personID, minTime(acceptAt, s.now), "")
			}
			out = append(out, a)
		}
	case sh.cancelled:
		for _, p := range s.pick(people, rng.IntN(3)) {
			a := s.app(nd, sh, p, minTime(created(), sh.cancelledAt.Add(-time.Hour)))
			a.to("CANCELLED", coord, sh.cancelledAt, "De activiteit gaat niet door.")
			out = append(out, a)
		}
	case sh.end.Before(s.now): // past: confirmed attendance (or not yet, for the last week)
		holders := min(sh.places, 2+rng.IntN(5))
		withdrawn := 0
		if rng.IntN(3) == 0 {
			withdrawn = 1
		}
		chosen := s.pick(people, holders+withdrawn)
		confirm := sh.end.Before(s.now.Add(-7 * 24 * time.Hour))
		for i, p := range chosen {
			a := s.app(nd, sh, p, created())
			if i >= holders {
				a.to("WITHDRAWN", &a.personID, minTime(a.created.Add(20*time.Hour), sh.start.Add(-time.Hour)), "Ik ben ziek.")
				out = append(out, a)
				continue
			}
			a.accept(coord, minTime(a.created.Add(time.Duration(1+rng.IntN(30))*time.Hour), sh.start.Add(-time.Hour)))
			if confirm {
				at := sh.end.Add(time.Duration(2+rng.IntN(40)) * time.Hour)
				if rng.IntN(12) == 0 {
					a.to("NO_SHOW", coord, at, "")
				} else {
					minutes := int(sh.end.Sub(sh.start).Minutes())
					if rng.IntN(5) == 0 {
						minutes -= 30
					}
					s.attendAt(a, coord, sh.start, at, minutes)
				}
			}
			out = append(out, a)
		}
	default: // coming: accepted, pending, declined, withdrawn, and a waiting list when full
		holders := rng.IntN(sh.places)
		if rng.IntN(8) == 0 {
			holders = sh.places // full
		}
		extra := rng.IntN(3)
		full := holders == sh.places
		waiting := 0
		if full {
			waiting = 1 + rng.IntN(2)
		}
		chosen := s.pick(people, holders+extra+waiting)
		for i, p := range chosen {
			a := s.app(nd, sh, p, created())
			later := minTime(a.created.Add(time.Duration(1+rng.IntN(30))*time.Hour), s.now)
			switch {
			case i < holders:
				a.accept(coord, later)
			case i < holders+extra:
				switch rng.IntN(3) {
				case 0:
					if nd.autoAccept {
						a.to("WITHDRAWN", &a.personID, later, "")
					} // else stays PENDING
				case 1:
					if nd.autoAccept {
						a.to("WITHDRAWN", &a.personID, later, "Ik moet werken.")
					} else {
						a.to("DECLINED", coord, later, "We zoeken iemand met een rijbewijs.")
					}
				default:
					a.accept(coord, later)
					a.to("WITHDRAWN", &a.personID, minTime(later.Add(5*time.Hour), s.now), "Het past toch niet.")
				}
			default:
				if !full {
					break
				}
				a.events = a.events[:0]
				a.status, a.holds = "WAITING", false
				w := a.created
				a.waitingSince = &w
				a.events = append(a.events, seedEvent{status: "WAITING", actor: &a.personID, at: a.created})
			}
			out = append(out, a)
		}
	}
	return out
}

func (s *needSeeder) attendAt(a *seedApp, coord *string, start, at time.Time, minutes int) {
	day := start.In(brussels).Format("2006-01-02")
	a.to("ATTENDED", coord, at, fmt.Sprintf("%d min", minutes))
	a.minutes, a.workedOn, a.confirmedAt = &minutes, &day, &at
}

func (s *needSeeder) attend(a *seedApp, coord *string, worked time.Time, minutes int) {
	s.attendAt(a, coord, worked, worked.Add(24*time.Hour), minutes)
}

// write adds the rows of a need (and its shifts, applications, ...) to the tables to copy.
func (s *needSeeder) write(nd *seedNeed) {
	o := nd.org
	var apps []*seedApp
	if nd.schedule == "FLEXIBLE" {
		apps = s.applications(nd, nil)
		for _, a := range apps {
			if a.holds {
				nd.flexibleTaken++
			}
		}
	} else {
		for _, sh := range nd.shifts {
			shApps := s.applications(nd, sh)
			for _, a := range shApps {
				if a.holds {
					sh.taken++
				}
			}
			apps = append(apps, shApps...)
		}
	}
	// Search fields, as the service keeps them: the next coming shift and the places left.
	var next *time.Time
	placesLeft := 0
	upcoming := 0
	for _, sh := range nd.shifts {
		if sh.cancelled || !sh.start.After(s.now) {
			continue
		}
		upcoming++
		placesLeft += sh.places - sh.taken
		if next == nil || sh.start.Before(*next) {
			st := sh.start
			next = &st
		}
	}
	var flexPlaces any
	if nd.schedule == "FLEXIBLE" {
		placesLeft = nd.flexiblePlaces - nd.flexibleTaken
		flexPlaces = nd.flexiblePlaces
	}
	if nd.status == "OPEN" && placesLeft == 0 && (upcoming > 0 || nd.schedule == "FLEXIBLE") {
		nd.status = "FILLED"
	}
	t := nd.t
	var district, lat, lon any
	street, postcode := o.Street, o.Postcode
	if !t.remote {
		if o.District != nil {
			district = *o.District
		}
		if o.Lat != nil {
			lat, lon = *o.Lat, *o.Lon
		}
	} else {
		street, postcode = "", ""
	}
	langs := pq.StringArray{"nl"}
	for _, l := range o.Languages {
		if l != "nl" && len(langs) < 4 {
			langs = append(langs, l)
		}
	}
	allowed := t.access
	if allowed == nil {
		allowed = allFacts
	}
	access := pq.StringArray{}
	for _, f := range o.Accessibility {
		if contains(allowed, f) && !(t.remote && f == "WHEELCHAIR_ACCESSIBLE") {
			access = append(access, f)
		}
	}
	var minAge any
	if nd.minAge > 0 {
		minAge = nd.minAge
	}
	s.add("needs", nd.id, o.ID, nd.status, t.title, t.desc, pq.StringArray(themesFor(t, o)), langs, access, t.remote,
		street, postcode, district, lat, lon, minAge, nd.schedule, nd.pattern, nd.autoAccept, flexPlaces,
		nd.flexibleTaken, next, placesLeft, o.coordinator, nd.createdAt, nd.createdAt, nd.publishedAt, nd.closedAt)
	res := &s.res
	res.Needs++
	for i, tk := range t.talents {
		if !s.talents[tk] {
			continue
		}
		level := 1
		if i == 0 && t.required {
			level = 2
		}
		s.add("need_talents", nd.id, tk, i == 0 && t.required, level)
	}
	for _, sh := range nd.shifts {
		status := "SCHEDULED"
		var cancelledAt any
		if sh.cancelled {
			status, cancelledAt = "CANCELLED", sh.cancelledAt
		}
		s.add("shifts", sh.id, nd.id, sh.start, sh.end, sh.places, sh.taken, status, cancelledAt, nd.createdAt)
		res.Shifts++
	}
	for _, a := range apps {
		var shiftID any
		if a.shift != nil {
			shiftID = a.shift.id
		}
		var confirmedBy any
		if a.confirmedAt != nil && o.coordinator != nil {
			confirmedBy = *o.coordinator
		}
		updated := a.events[len(a.events)-1].at
		s.add("applications", a.id, nd.id, shiftID, a.personID, a.status, "", a.waitingSince, a.holds, a.minutes,
			a.workedOn, a.confirmedAt, confirmedBy, a.created, updated)
		for _, e := range a.events {
			s.add("application_events", a.id, e.status, e.actor, e.note, e.at)
		}
		res.Applications++
		if a.status == "ATTENDED" {
			res.Attended++
			// As a confirmation through the platform does: the event the ledger mints coins from.
			ev := attendanceConfirmed{ApplicationID: a.id, PersonID: a.personID, NeedID: nd.id, OrganisationID: o.ID,
				Minutes: *a.minutes, WorkedOn: *a.workedOn, ConfirmedAt: *a.confirmedAt}
			if a.shift != nil {
				ev.ShiftID = &a.shift.id
			}
			if o.coordinator != nil {
				ev.ConfirmedBy = *o.coordinator
			}
			payload, err := json.Marshal(ev)
			if err != nil {
				panic(err) // plain struct: cannot fail
			}
			s.add("outbox", topicAttendanceConfirmed, a.id, string(payload), *a.confirmedAt)
			// Now and then the organisation endorsed a talent it saw.
			if len(t.talents) > 0 && s.talents[t.talents[0]] && s.rng.IntN(3) == 0 {
				s.add("endorsements", ID("endorsement", a.id), a.id, a.personID, t.talents[0], o.ID, nd.id, o.coordinator, *a.confirmedAt)
			}
		}
	}
}

// themesFor returns the template's themes that the organisation works on (at least one).
func themesFor(t needTemplate, o *seedOrg) []string {
	var out []string
	for _, th := range t.themes {
		if contains(o.Themes, th) {
			out = append(out, th)
		}
	}
	if len(out) == 0 {
		out = append(out, t.themes[0])
	}
	return out
}
