package matching

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// A generated Antwerp: needs and volunteers with skewed popularity (a few
// talents and themes are common, most are rare), so that without spreading
// the same needs would win again and again. Deterministic for a given seed.

var genTalents = []string{
	"cooking", "listening_and_support", "driving_licence_b", "it_help_for_beginners", "homework_help",
	"gardening", "diy_and_small_repairs", "administration", "stewarding", "playing_with_children",
	"companionship_for_older_people", "serving_meals", "warehouse_and_sorting", "social_media", "bookkeeping",
	"first_aid", "sewing", "bicycle_repair", "teaching_dutch_second_language", "informal_interpreting",
	"photography", "graphic_design", "welcoming_visitors", "cash_register", "moving_and_carrying",
	"dog_walking", "reading_aloud_to_children", "sports_coaching", "painting_walls", "baking",
	"smartphone_help", "filling_in_forms", "event_logistics", "playing_an_instrument", "knitting_and_crochet",
	"programming", "driving_a_van", "forklift_driving", "sign_language_vgt", "storytelling",
}

var genThemes = []string{"care", "elderly", "youth", "education", "environment", "animals", "culture", "sports",
	"language_buddy", "digital_help", "newcomers", "food", "diy", "administration", "poverty", "events", "neighbourhood"}

var genLanguages = []string{"nl", "fr", "en", "ar", "tr", "ber", "pl", "uk", "es", "ti"}

var genGoals = []string{GoalMeetPeople, GoalLearn, GoalWorkExperience, GoalGiveBack, GoalJob}

// district centres with a rough weight for how many people and needs are there
var genDistricts = []struct {
	key    string
	p      Point
	weight float64
}{
	{"antwerpen", Point{51.2194, 4.4025}, 5},
	{"berchem", Point{51.1925, 4.4286}, 1.2},
	{"borgerhout", Point{51.2117, 4.4406}, 1.3},
	{"deurne", Point{51.2192, 4.4683}, 2},
	{"ekeren", Point{51.2812, 4.4342}, 0.7},
	{"hoboken", Point{51.1751, 4.3484}, 1.1},
	{"merksem", Point{51.2459, 4.4461}, 1.2},
	{"wilrijk", Point{51.1681, 4.3947}, 1.1},
	{"berendrecht-zandvliet-lillo", Point{51.3360, 4.3050}, 0.3},
}

type cityGen struct {
	r   *rand.Rand
	now time.Time
}

func newCityGen(seed uint64, now time.Time) *cityGen {
	return &cityGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), now: now}
}

// zipf picks index i in [0, n) with weight 1/(i+1)^s.
func (g *cityGen) zipf(n int, s float64) int {
	total := 0.0
	for i := 0; i < n; i++ {
		total += 1 / math.Pow(float64(i+1), s)
	}
	x := g.r.Float64() * total
	for i := 0; i < n; i++ {
		x -= 1 / math.Pow(float64(i+1), s)
		if x <= 0 {
			return i
		}
	}
	return n - 1
}

func (g *cityGen) place() (Point, string) {
	total := 0.0
	for _, d := range genDistricts {
		total += d.weight
	}
	x := g.r.Float64() * total
	d := genDistricts[len(genDistricts)-1]
	for _, c := range genDistricts {
		x -= c.weight
		if x <= 0 {
			d = c
			break
		}
	}
	// within about 1.5 km of the centre, rounded to ~500 m like stored homes
	lat := d.p.Lat + (g.r.Float64()-0.5)*0.027
	lon := d.p.Lon + (g.r.Float64()-0.5)*0.043
	return Point{math.Round(lat*200) / 200, math.Round(lon*140) / 140}, d.key
}

func (g *cityGen) pickThemes(max int) []string {
	n := 1 + g.r.IntN(max)
	var out []string
	for len(out) < n {
		t := genThemes[g.zipf(len(genThemes), 1.1)]
		if !containsFold(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func (g *cityGen) need(i int) Need {
	n := Need{ID: fmt.Sprintf("need-%05d", i), Themes: g.pickThemes(2), PlacesLeft: 1 + g.r.IntN(5)}
	// applicants: most needs have few, a few are very popular
	n.Applicants = int(math.Floor(math.Pow(g.r.Float64(), 3) * 12))
	for k, asks := 0, g.r.IntN(4); k < asks; k++ {
		key := genTalents[g.zipf(len(genTalents), 1.0)]
		dup := false
		for _, a := range n.Talents {
			dup = dup || a.Key == key
		}
		if dup {
			continue
		}
		a := TalentAsk{Key: key, Required: g.r.Float64() < 0.3}
		if g.r.Float64() < 0.4 {
			a.MinLevel = 1 + g.r.IntN(3)
		}
		n.Talents = append(n.Talents, a)
	}
	if g.r.Float64() < 0.25 {
		n.Languages = append(n.Languages, LanguageAsk{Code: "nl", MinLevel: 3 + g.r.IntN(2), Required: g.r.Float64() < 0.5})
	}
	if g.r.Float64() < 0.15 {
		n.Languages = append(n.Languages, LanguageAsk{Code: genLanguages[1+g.r.IntN(len(genLanguages)-1)], MinLevel: 4})
	}
	if g.r.Float64() < 0.12 {
		n.Remote = true
	} else {
		p, d := g.place()
		n.Location, n.District = &p, d
	}
	if g.r.Float64() < 0.1 {
		n.MinAge = 18
	}
	if g.r.Float64() < 0.35 {
		n.Flexible = true
	} else {
		wd := g.r.IntN(7)
		startMin := (8 + g.r.IntN(12)) * 60
		dur := (2 + g.r.IntN(3)) * 60
		weeks := 1 + g.r.IntN(4)
		base := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 0, 0, 0, 0, zone)
		for w := 0; w < weeks; w++ {
			day := base.AddDate(0, 0, 1+((wd-int(base.Weekday())+7)%7)+7*w)
			st := day.Add(time.Duration(startMin) * time.Minute)
			n.Shifts = append(n.Shifts, ShiftTime{Start: st, End: st.Add(time.Duration(dur) * time.Minute)})
		}
	}
	for _, a := range []string{AccessFirstTimer, AccessNoDutch, AccessNoExperience, AccessWheelchair} {
		if g.r.Float64() < 0.2 {
			n.Accessibility = append(n.Accessibility, a)
		}
	}
	return n
}

func (g *cityGen) person(i int) Person {
	p := Person{ID: fmt.Sprintf("person-%06d", i), DisplayName: fmt.Sprintf("Volunteer %d", i),
		Email: fmt.Sprintf("v%d@example.org", i), Themes: g.pickThemes(3)}
	age := 16 + g.r.IntN(65)
	if g.r.Float64() < 0.05 {
		p.AgeOn = nil
	} else {
		p.AgeOn = func(time.Time) (int, bool) { return age, true }
	}
	p.Talents = map[string]Skill{}
	for k, n := 0, g.r.IntN(6); k < n; k++ {
		p.Talents[genTalents[g.zipf(len(genTalents), 1.0)]] = Skill{Level: 1 + g.r.IntN(4), Verified: g.r.Float64() < 0.2}
	}
	p.Languages = map[string]int{}
	if g.r.Float64() < 0.75 {
		p.Languages["nl"] = 7
	} else {
		p.Languages["nl"] = 1 + g.r.IntN(4)
		p.Languages[genLanguages[1+g.r.IntN(len(genLanguages)-1)]] = 7
	}
	if g.r.Float64() < 0.5 {
		p.Languages["en"] = 2 + g.r.IntN(5)
	}
	if g.r.Float64() < 0.5 {
		for k, n := 0, 1+g.r.IntN(5); k < n; k++ {
			from := (7 + g.r.IntN(13)) * 60
			p.Availability = append(p.Availability, Slot{Weekday: time.Weekday(g.r.IntN(7)), From: from, To: min(from+(3+g.r.IntN(6))*60, 1440)})
		}
	}
	if g.r.Float64() < 0.9 {
		h, d := g.place()
		p.Home = &h
		switch x := g.r.Float64(); {
		case x < 0.45:
			p.RadiusKm = float64(3 + g.r.IntN(13))
		case x < 0.6:
			p.Districts = []string{d}
		}
	}
	for _, goal := range genGoals {
		if g.r.Float64() < 0.3 {
			p.LookingFor = append(p.LookingFor, goal)
		}
	}
	p.UpcomingShifts = int(math.Floor(math.Pow(g.r.Float64(), 2) * 10))
	return p
}

func (g *cityGen) city(needs, people int) ([]Need, []Person) {
	ns := make([]Need, needs)
	for i := range ns {
		ns[i] = g.need(i)
	}
	ps := make([]Person, people)
	for i := range ps {
		ps[i] = g.person(i)
	}
	return ns, ps
}

// gini of non-negative counts: 0 = perfectly even, 1 = one takes all.
func gini(counts []int) float64 {
	xs := slices.Clone(counts)
	slices.Sort(xs)
	n := float64(len(xs))
	var sum, weighted float64
	for i, x := range xs {
		sum += float64(x)
		weighted += float64(i+1) * float64(x)
	}
	if sum == 0 {
		return 0
	}
	return 2*weighted/(n*sum) - (n+1)/n
}
