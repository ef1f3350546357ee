package matching

import (
	"math"
	"reflect"
	"slices"
	"testing"
	"time"
)

var knownCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range ReasonCodes {
		m[c] = true
	}
	return m
}()

// checkMatches verifies the properties every result list must have.
func checkMatches(t *testing.T, what string, ms []Match, eligible func(Match) (bool, []Reason), o Options) {
	t.Helper()
	for i, m := range ms {
		if !(m.Score >= 0 && m.Score <= 1) {
			t.Fatalf("%s: score %v out of [0,1] for %s/%s", what, m.Score, m.NeedID, m.PersonID)
		}
		if len(m.Reasons) == 0 {
			t.Fatalf("%s: no reasons for %s/%s", what, m.NeedID, m.PersonID)
		}
		if m.Missing == nil {
			t.Fatalf("%s: Missing is nil, want an empty list", what)
		}
		for _, r := range append(slices.Clone(m.Reasons), m.Missing...) {
			if !knownCodes[r.Code] {
				t.Fatalf("%s: unknown reason code %q", what, r.Code)
			}
		}
		if ok, failed := eligible(m); !ok {
			t.Fatalf("%s: %s/%s returned but fails %v", what, m.NeedID, m.PersonID, codes(failed))
		}
		if i > 0 {
			prev := ms[i-1]
			if prev.Score < m.Score {
				t.Fatalf("%s: not sorted by score at %d", what, i)
			}
		}
	}
	if o.Limit > 0 && len(ms) > o.Limit {
		t.Fatalf("%s: %d results, limit %d", what, len(ms), o.Limit)
	}
}

func renamed(p Person) Person {
	p.DisplayName = "Zzz " + p.DisplayName + " renamed"
	p.Email = "other+" + p.ID + "@elsewhere.example"
	return p
}

func TestPropertiesOnGeneratedPeople(t *testing.T) {
	g := newCityGen(7, cityNow)
	needs, people := g.city(300, 120)
	o := DefaultOptions(cityNow)
	o.Limit = 0
	needByID := map[string]Need{}
	for _, n := range needs {
		needByID[n.ID] = n
	}
	excluded, included := 0, 0
	for _, p := range people {
		ms := RecommendNeeds(p, needs, o)
		byID := map[string]bool{}
		checkMatches(t, "RecommendNeeds", ms, func(m Match) (bool, []Reason) {
			return Eligible(p, needByID[m.NeedID], cityNow)
		}, o)
		for _, m := range ms {
			byID[m.NeedID] = true
			// the score of a match is the score of the pair
			if s, _, _ := Score(p, needByID[m.NeedID], o); s != m.Score {
				t.Fatalf("match score %v differs from Score %v", m.Score, s)
			}
		}
		// with no limit, exactly the eligible needs come back
		for _, n := range needs {
			ok, failed := Eligible(p, n, cityNow)
			if ok != byID[n.ID] {
				t.Fatalf("%s/%s: eligible=%v but returned=%v", p.ID, n.ID, ok, byID[n.ID])
			}
			if ok && len(failed) > 0 || !ok && len(failed) == 0 {
				t.Fatalf("%s/%s: eligible=%v with failed %v", p.ID, n.ID, ok, codes(failed))
			}
			if ok {
				included++
			} else {
				excluded++
			}
		}
		// display name and email never change the ranking
		if got := RecommendNeeds(renamed(p), needs, o); !reflect.DeepEqual(stripPerson(got), stripPerson(ms)) {
			t.Fatalf("%s: renaming changed the recommendations", p.ID)
		}
	}
	if excluded == 0 || included == 0 {
		t.Fatalf("generated data exercises too little: %d eligible, %d not", included, excluded)
	}
	t.Logf("%d eligible and %d ineligible pairs checked", included, excluded)

	personByID := map[string]Person{}
	for _, p := range people {
		personByID[p.ID] = p
	}
	for _, n := range needs[:60] {
		o.Limit = 20
		ms := Candidates(n, people, o)
		checkMatches(t, "Candidates", ms, func(m Match) (bool, []Reason) {
			return Eligible(personByID[m.PersonID], n, cityNow)
		}, o)
		others := make([]Person, len(people))
		for i, p := range people {
			others[i] = renamed(p)
		}
		if got := Candidates(n, others, o); !reflect.DeepEqual(got, ms) {
			t.Fatalf("%s: renaming people changed the candidates", n.ID)
		}
	}
}

func stripPerson(ms []Match) []Match {
	out := slices.Clone(ms)
	for i := range out {
		out[i].PersonID = ""
	}
	return out
}

func TestAddingMissingRequiredTalentNeverLowersScore(t *testing.T) {
	g := newCityGen(11, cityNow)
	needs, people := g.city(300, 60)
	checked := 0
	for _, n := range needs {
		for _, a := range n.Talents {
			if !a.Required {
				continue
			}
			for pi := range people {
				p := people[pi]
				if _, has := p.Talents[a.Key]; has {
					continue
				}
				for _, spread := range []bool{true, false} {
					o := Options{Now: cityNow, Spread: spread}
					before, _, _ := Score(p, n, o)
					for lvl := 1; lvl <= 4; lvl++ {
						for _, v := range []bool{false, true} {
							q := p
							q.Talents = mapsWith(p.Talents, a.Key, Skill{Level: lvl, Verified: v})
							after, _, _ := Score(q, n, o)
							if after < before {
								t.Fatalf("%s/%s: adding %s level %d verified=%v lowers %v -> %v", p.ID, n.ID, a.Key, lvl, v, before, after)
							}
							checked++
						}
					}
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d checks", checked)
	}
}

func mapsWith(m map[string]Skill, k string, s Skill) map[string]Skill {
	out := make(map[string]Skill, len(m)+1)
	for kk, v := range m {
		out[kk] = v
	}
	out[k] = s
	return out
}

// ---------- hand-written table of hard filters ----------

var (
	tTue     = time.Date(2025, 5, 13, 0, 0, 0, 0, zone)
	centre   = Point{51.2194, 4.4025}
	deurneC  = Point{51.2192, 4.4683}
	hobokenC = Point{51.1751, 4.3484}
)

func at(day time.Time, h, m int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, zone)
}

func shift(day time.Time, h1, m1, h2, m2 int) ShiftTime {
	return ShiftTime{Start: at(day, h1, m1), End: at(day, h2, m2)}
}

func ageConst(a int) func(time.Time) (int, bool) {
	return func(time.Time) (int, bool) { return a, true }
}

func TestHardFilters(t *testing.T) {
	birth := time.Date(2009, 5, 20, 0, 0, 0, 0, zone) // 16 on Tue 20 May 2025
	base := Person{ID: "p", AgeOn: ageConst(30), Languages: map[string]int{"nl": 7}, Talents: map[string]Skill{}}
	need := Need{ID: "n", Location: &centre, District: "antwerpen", Flexible: true, PlacesLeft: 2}
	with := func(f func(*Person, *Need)) (Person, Need) {
		p, n := base, need
		p.Talents = mapsWith(base.Talents, "x", Skill{})
		delete(p.Talents, "x")
		f(&p, &n)
		return p, n
	}
	cases := []struct {
		name string
		p    Person
		n    Need
		ok   bool
		code string
		args map[string]any
	}{}
	add := func(name string, ok bool, code string, args map[string]any, f func(*Person, *Need)) {
		p, n := with(f)
		cases = append(cases, struct {
			name string
			p    Person
			n    Need
			ok   bool
			code string
			args map[string]any
		}{name, p, n, ok, code, args})
	}

	add("no filters", true, "", nil, func(p *Person, n *Need) {})
	add("min age, age unknown", false, ReasonAgeUnknown, map[string]any{"Age": 18}, func(p *Person, n *Need) { p.AgeOn = nil; n.MinAge = 18 })
	add("min age, too young", false, ReasonTooYoung, map[string]any{"Age": 18}, func(p *Person, n *Need) { p.AgeOn = ageConst(17); n.MinAge = 18 })
	add("min age, old enough", true, "", nil, func(p *Person, n *Need) { p.AgeOn = ageConst(18); n.MinAge = 18 })
	add("min age, turns 16 before the shift", true, "", nil, func(p *Person, n *Need) {
		p.AgeOn = AgeFromBirthDate(&birth)
		n.MinAge, n.Flexible = 16, false
		n.Shifts = []ShiftTime{shift(tTue.AddDate(0, 0, 7), 14, 0, 16, 0)}
	})
	add("min age, shift before the 16th birthday", false, ReasonTooYoung, map[string]any{"Age": 16}, func(p *Person, n *Need) {
		p.AgeOn = AgeFromBirthDate(&birth)
		n.MinAge, n.Flexible = 16, false
		n.Shifts = []ShiftTime{shift(tTue, 14, 0, 16, 0)}
	})
	add("min age, flexible need checks today", false, ReasonTooYoung, nil, func(p *Person, n *Need) {
		p.AgeOn = AgeFromBirthDate(&birth)
		n.MinAge = 16
	})
	add("required talent missing", false, ReasonMissingTalent, map[string]any{"Talent": "first_aid"}, func(p *Person, n *Need) {
		n.Talents = []TalentAsk{{Key: "first_aid", Required: true}}
	})
	add("required talent below level", false, ReasonLevelTooLow, map[string]any{"Talent": "first_aid", "Need": 3, "Have": 2}, func(p *Person, n *Need) {
		p.Talents["first_aid"] = Skill{Level: 2}
		n.Talents = []TalentAsk{{Key: "first_aid", Required: true, MinLevel: 3}}
	})
	add("required talent at level", true, "", nil, func(p *Person, n *Need) {
		p.Talents["first_aid"] = Skill{Level: 3}
		n.Talents = []TalentAsk{{Key: "first_aid", Required: true, MinLevel: 3}}
	})
	add("welcome talent missing is fine", true, "", nil, func(p *Person, n *Need) {
		n.Talents = []TalentAsk{{Key: "first_aid", MinLevel: 3}}
	})
	add("required language missing", false, ReasonMissingLanguage, map[string]any{"Language": "ar"}, func(p *Person, n *Need) {
		n.Languages = []LanguageAsk{{Code: "ar", MinLevel: 4, Required: true}}
	})
	add("required language below level", false, ReasonLanguageLevelTooLow, map[string]any{"Language": "nl", "Need": 4, "Have": 2}, func(p *Person, n *Need) {
		p.Languages = map[string]int{"nl": 2}
		n.Languages = []LanguageAsk{{Code: "nl", MinLevel: 4, Required: true}}
	})
	add("welcome language missing is fine", true, "", nil, func(p *Person, n *Need) {
		n.Languages = []LanguageAsk{{Code: "ar", MinLevel: 4}}
	})
	add("availability: no shift fits", false, ReasonNotAvailable, nil, func(p *Person, n *Need) {
		p.Availability = []Slot{{Weekday: time.Saturday, From: 9 * 60, To: 12 * 60}}
		n.Flexible = false
		n.Shifts = []ShiftTime{shift(tTue, 9, 0, 11, 0)}
	})
	add("availability: one of two shifts fits", true, "", nil, func(p *Person, n *Need) {
		p.Availability = []Slot{{Weekday: time.Saturday, From: 9 * 60, To: 12 * 60}}
		n.Flexible = false
		n.Shifts = []ShiftTime{shift(tTue, 9, 0, 11, 0), shift(tTue.AddDate(0, 0, 4), 9, 30, 11, 30)}
	})
	add("availability: shift runs past the slot", false, ReasonNotAvailable, nil, func(p *Person, n *Need) {
		p.Availability = []Slot{{Weekday: time.Tuesday, From: 9 * 60, To: 12 * 60}}
		n.Flexible = false
		n.Shifts = []ShiftTime{shift(tTue, 11, 0, 13, 0)}
	})
	add("availability: adjacent slots together cover a shift", true, "", nil, func(p *Person, n *Need) {
		p.Availability = []Slot{{Weekday: time.Tuesday, From: 12 * 60, To: 17 * 60}, {Weekday: time.Tuesday, From: 9 * 60, To: 12 * 60}}
		n.Flexible = false
		n.Shifts = []ShiftTime{shift(tTue, 10, 0, 14, 0)}
	})
	add("availability: overnight slot covers a night shift", true, "", nil, func(p *Person, n *Need) {
		p.Availability = []Slot{{Weekday: time.Tuesday, From: 22 * 60, To: 2 * 60}}
		n.Flexible = false
		n.Shifts = []ShiftTime{{Start: at(tTue, 23, 0), End: at(tTue.AddDate(0, 0, 1), 1, 30)}}
	})
	add("availability: night shift needs the next morning too", false, ReasonNotAvailable, nil, func(p *Person, n *Need) {
		p.Availability = []Slot{{Weekday: time.Tuesday, From: 20 * 60, To: 24 * 60}}
		n.Flexible = false
		n.Shifts = []ShiftTime{{Start: at(tTue, 23, 0), End: at(tTue.AddDate(0, 0, 1), 1, 30)}}
	})
	add("availability: winter shift read in local time", true, "", nil, func(p *Person, n *Need) {
		p.Availability = []Slot{{Weekday: time.Tuesday, From: 9 * 60, To: 11 * 60}}
		n.Flexible = false
		n.Shifts = []ShiftTime{{Start: time.Date(2025, 12, 2, 8, 0, 0, 0, time.UTC), End: time.Date(2025, 12, 2, 10, 0, 0, 0, time.UTC)}}
	})
	add("availability: summer shift read in local time", true, "", nil, func(p *Person, n *Need) {
		p.Availability = []Slot{{Weekday: time.Tuesday, From: 9 * 60, To: 11 * 60}}
		n.Flexible = false
		n.Shifts = []ShiftTime{{Start: time.Date(2025, 5, 13, 7, 0, 0, 0, time.UTC), End: time.Date(2025, 5, 13, 9, 0, 0, 0, time.UTC)}}
	})
	add("availability not set: no filter", true, "", nil, func(p *Person, n *Need) {
		n.Flexible = false
		n.Shifts = []ShiftTime{shift(tTue, 3, 0, 5, 0)}
	})
	add("availability: flexible need passes", true, "", nil, func(p *Person, n *Need) {
		p.Availability = []Slot{{Weekday: time.Saturday, From: 9 * 60, To: 12 * 60}}
	})
	add("radius exceeded", false, ReasonTooFar, map[string]any{"Km": 6.2, "Max": 5.0}, func(p *Person, n *Need) {
		p.Home, p.RadiusKm = &hobokenC, 5
	})
	add("within radius", true, "", nil, func(p *Person, n *Need) { p.Home, p.RadiusKm = &hobokenC, 7 })
	add("remote skips distance", true, "", nil, func(p *Person, n *Need) {
		p.Home, p.RadiusKm = &hobokenC, 1
		n.Remote, n.Location, n.District = true, nil, ""
	})
	add("no radius: any distance", true, "", nil, func(p *Person, n *Need) { p.Home = &hobokenC })
	add("outside chosen districts", false, ReasonOutsideDistricts, map[string]any{"District": "antwerpen"}, func(p *Person, n *Need) {
		p.Districts = []string{"deurne", "borgerhout"}
	})
	add("in a chosen district", true, "", nil, func(p *Person, n *Need) { p.Districts = []string{"Deurne", "ANTWERPEN"} })
	add("districts or radius: in district beyond radius", true, "", nil, func(p *Person, n *Need) {
		p.Home, p.RadiusKm, p.Districts = &hobokenC, 2, []string{"antwerpen"}
	})
	add("districts or radius: within radius outside districts", true, "", nil, func(p *Person, n *Need) {
		p.Home, p.RadiusKm, p.Districts = &deurneC, 5, []string{"hoboken"}
	})
	add("districts or radius: neither", false, ReasonTooFar, nil, func(p *Person, n *Need) {
		p.Home, p.RadiusKm, p.Districts = &hobokenC, 2, []string{"deurne"}
	})
	add("radius set, home unknown: cannot check, passes", true, "", nil, func(p *Person, n *Need) { p.RadiusKm = 1 })

	for _, c := range cases {
		ok, failed := Eligible(c.p, c.n, cityNow)
		if ok != c.ok {
			t.Errorf("%s: eligible=%v (%v), want %v", c.name, ok, codes(failed), c.ok)
			continue
		}
		if c.code != "" {
			found := false
			for _, r := range failed {
				if r.Code == c.code {
					found = true
					if c.args != nil && !reflect.DeepEqual(r.Args, c.args) {
						t.Errorf("%s: %s args %v, want %v", c.name, c.code, r.Args, c.args)
					}
				}
			}
			if !found {
				t.Errorf("%s: failed %v, want %s", c.name, codes(failed), c.code)
			}
		}
		// whatever the filter says, RecommendNeeds and Candidates agree
		inRec := len(RecommendNeeds(c.p, []Need{c.n}, DefaultOptions(cityNow))) == 1
		inCand := len(Candidates(c.n, []Person{c.p}, DefaultOptions(cityNow))) == 1
		if inRec != c.ok || inCand != c.ok {
			t.Errorf("%s: RecommendNeeds=%v Candidates=%v, want %v", c.name, inRec, inCand, c.ok)
		}
	}
}

// ---------- reasons ----------

func TestReasons(t *testing.T) {
	p := Person{ID: "p", AgeOn: ageConst(30), Home: &centre, Languages: map[string]int{"nl": 2, "ar": 7},
		Talents:      map[string]Skill{"cooking": {Level: 3}, "first_aid": {Level: 2, Verified: true}, "sewing": {Level: 1}},
		Availability: []Slot{{Weekday: time.Saturday, From: 9 * 60, To: 13 * 60}},
		Themes:       []string{"food", "newcomers"}, LookingFor: []string{GoalJob}}
	loc := Point{51.2117, 4.4406}
	n := Need{ID: "n", Location: &loc, District: "borgerhout", Themes: []string{"newcomers", "food", "youth"},
		Talents:       []TalentAsk{{Key: "cooking", Required: true, MinLevel: 2}, {Key: "first_aid"}, {Key: "sewing", MinLevel: 3}, {Key: "baking"}},
		Languages:     []LanguageAsk{{Code: "ar", MinLevel: 4}, {Code: "fr", MinLevel: 3}},
		Shifts:        []ShiftTime{shift(tTue.AddDate(0, 0, 4), 10, 0, 12, 0), shift(tTue, 10, 0, 12, 0)},
		Accessibility: []string{AccessNoDutch, AccessFirstTimer}, Applicants: 0, PlacesLeft: 3}
	ok, _ := Eligible(p, n, cityNow)
	if !ok {
		t.Fatal("want eligible")
	}
	score, reasons, missing := Score(p, n, DefaultOptions(cityNow))
	if score <= 0 || score > 1 {
		t.Fatalf("score %v", score)
	}
	want := []Reason{
		{ReasonTalentsCovered, map[string]any{"Have": 2, "Of": 4}},
		{ReasonTalentLevel, map[string]any{"Talent": "cooking"}},
		{ReasonBuildsCompetence, map[string]any{"Talent": "cooking"}},
		{ReasonVerifiedTalent, map[string]any{"Talent": "first_aid"}},
		{ReasonSpeaksLanguage, map[string]any{"Language": "ar"}},
		{ReasonNoDutchNeeded, nil},
		{ReasonFirstTimer, nil},
		{ReasonDistance, map[string]any{"Km": 2.8}},
		{ReasonAvailable, map[string]any{"Weekday": "SATURDAY", "PartOfDay": PartMorning}},
		{ReasonTheme, map[string]any{"Theme": "newcomers"}},
		{ReasonTheme, map[string]any{"Theme": "food"}},
		{ReasonFewApplicants, nil},
	}
	if !reflect.DeepEqual(reasons, want) {
		t.Errorf("reasons\n got %v\nwant %v", reasons, want)
	}
	wantMissing := []Reason{
		{ReasonLevelTooLow, map[string]any{"Talent": "sewing", "Need": 3, "Have": 1}},
		{ReasonMissingTalent, map[string]any{"Talent": "baking"}},
	}
	if !reflect.DeepEqual(missing, wantMissing) {
		t.Errorf("missing\n got %v\nwant %v", missing, wantMissing)
	}
	// Welcome languages are alternatives: speaking Arabic, French is not missing; speaking
	// neither, both are.
	none := p
	none.Languages = map[string]int{"nl": 5}
	_, _, missing = Score(none, n, DefaultOptions(cityNow))
	if !hasCode(missing, ReasonMissingLanguage) || len(missing) != 4 {
		t.Errorf("speaking no language asked: missing %v", missing)
	}

	// no spread: no FEW_APPLICANTS
	_, reasons, _ = Score(p, n, Options{Now: cityNow})
	if hasCode(reasons, ReasonFewApplicants) {
		t.Error("FEW_APPLICANTS without spread")
	}
	// remote, in district, unknown location
	r := n
	r.Remote, r.Location = true, nil
	if _, reasons, _ = Score(p, r, DefaultOptions(cityNow)); !hasCode(reasons, ReasonRemote) || hasCode(reasons, ReasonDistance) {
		t.Errorf("remote: %v", codes(reasons))
	}
	q := p
	q.Home, q.Districts = nil, []string{"borgerhout"}
	if _, reasons, _ = Score(q, n, DefaultOptions(cityNow)); !hasCode(reasons, ReasonInDistrict) {
		t.Errorf("district: %v", codes(reasons))
	}
	q.Districts = nil
	if _, _, missing = Score(q, n, DefaultOptions(cityNow)); !hasCode(missing, ReasonNoLocation) {
		t.Errorf("no location: %v", codes(missing))
	}
	// nothing specific fits: a fallback reason, never an empty list
	bare := Person{ID: "b", AgeOn: ageConst(40)}
	plain := Need{ID: "plain", Flexible: true}
	ms := RecommendNeeds(bare, []Need{plain}, Options{Now: cityNow})
	if len(ms) != 1 || !reflect.DeepEqual(codes(ms[0].Reasons), []string{ReasonOpenToAll}) {
		t.Errorf("fallback reasons: %+v", ms)
	}
	// Score on an ineligible pair lists the failed filter in missing
	tooFar := p
	tooFar.Home, tooFar.RadiusKm = &hobokenC, 1
	if _, _, missing = Score(tooFar, n, DefaultOptions(cityNow)); !hasCode(missing, ReasonTooFar) {
		t.Errorf("ineligible missing: %v", codes(missing))
	}
}

func TestReasonCodesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range ReasonCodes {
		if seen[c] {
			t.Errorf("duplicate code %s", c)
		}
		seen[c] = true
	}
}

// ---------- ranking ----------

func TestRankingDeterministicAndSpread(t *testing.T) {
	p := Person{ID: "p", AgeOn: ageConst(30), Home: &centre, Talents: map[string]Skill{"cooking": {Level: 3}}}
	mk := func(id string, applicants int) Need {
		return Need{ID: id, Location: &centre, Flexible: true, Talents: []TalentAsk{{Key: "cooking"}}, Applicants: applicants, PlacesLeft: 2}
	}
	needs := []Need{mk("c", 0), mk("a", 0), mk("b", 0), mk("crowded", 9)}
	o := DefaultOptions(cityNow)
	ms := RecommendNeeds(p, needs, o)
	var got []string
	for _, m := range ms {
		got = append(got, m.NeedID)
	}
	if !reflect.DeepEqual(got, []string{"a", "b", "c", "crowded"}) {
		t.Errorf("order %v", got)
	}
	// order of input does not matter
	rev := slices.Clone(needs)
	slices.Reverse(rev)
	if !reflect.DeepEqual(RecommendNeeds(p, rev, o), ms) {
		t.Error("input order changes the result")
	}
	// without spread the crowded need ties and sorts by ID
	o.Spread = false
	ms = RecommendNeeds(p, needs, o)
	if ms[0].Score != ms[3].Score || ms[3].NeedID != "crowded" {
		t.Errorf("no spread: %+v", ms)
	}
	// limit
	o.Limit = 2
	if ms = RecommendNeeds(p, needs, o); len(ms) != 2 || ms[0].NeedID != "a" || ms[1].NeedID != "b" {
		t.Errorf("limit: %+v", ms)
	}

	// a full agenda is lifted less; identical people otherwise
	n := mk("n", 0)
	busy := p
	busy.ID, busy.UpcomingShifts = "a-busy", 8
	free := p
	free.ID = "z-free"
	cs := Candidates(n, []Person{busy, free}, DefaultOptions(cityNow))
	if cs[0].PersonID != "z-free" || !(cs[1].Score < cs[0].Score) {
		t.Errorf("full agenda: %+v", cs)
	}
	o = DefaultOptions(cityNow)
	o.Spread = false
	cs = Candidates(n, []Person{free, busy}, o)
	if cs[0].PersonID != "a-busy" || cs[0].Score != cs[1].Score {
		t.Errorf("no spread: ties by ID: %+v", cs)
	}
}

func TestDuplicateAsksAreMerged(t *testing.T) {
	p := Person{ID: "p", Talents: map[string]Skill{"cooking": {Level: 2}}, Languages: map[string]int{"nl": 3}}
	n := Need{ID: "n", Flexible: true, Remote: true,
		Talents:   []TalentAsk{{Key: "cooking"}, {Key: "cooking", Required: true, MinLevel: 3}},
		Languages: []LanguageAsk{{Code: "nl", MinLevel: 2}, {Code: "nl", MinLevel: 4, Required: true}}}
	ok, failed := Eligible(p, n, cityNow)
	if ok || !hasCode(failed, ReasonLevelTooLow) || !hasCode(failed, ReasonLanguageLevelTooLow) {
		t.Errorf("merged asks: ok=%v %v", ok, codes(failed))
	}
	if len(n.Talents) != 2 || n.Talents[0].Required {
		t.Error("input modified")
	}
}

// ---------- scores stay in [0, 1] on odd input ----------

func TestOddInputs(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	odd := []Point{{nan, 4.4}, {51.2, inf}, {-91, 400}, {0, 0}}
	for _, h := range odd {
		for _, l := range odd {
			h, l := h, l
			p := Person{ID: "p", Home: &h, RadiusKm: nan, UpcomingShifts: -5, AgeOn: ageConst(-3),
				Talents:      map[string]Skill{"a": {Level: 99}, "b": {Level: -2}},
				Languages:    map[string]int{"nl": -1, "fr": 100},
				Availability: []Slot{{Weekday: 9, From: -100, To: 5000}, {Weekday: time.Monday, From: 600, To: 600}}}
			n := Need{ID: "n", Location: &l, MinAge: -1, Applicants: -10, PlacesLeft: -3,
				Talents:   []TalentAsk{{Key: "a", MinLevel: -4}, {Key: "b", MinLevel: 100}},
				Languages: []LanguageAsk{{Code: "fr", MinLevel: 99}},
				Shifts:    []ShiftTime{{Start: at(tTue, 10, 0), End: at(tTue, 9, 0)}, {Start: at(tTue, 10, 0), End: at(tTue.AddDate(0, 1, 0), 9, 0)}}}
			for _, spread := range []bool{true, false} {
				s, reasons, _ := Score(p, n, Options{Now: cityNow, Spread: spread})
				if !(s >= 0 && s <= 1) {
					t.Fatalf("score %v for home %v need %v", s, h, l)
				}
				_ = reasons
			}
			for _, m := range RecommendNeeds(p, []Need{n}, DefaultOptions(cityNow)) {
				if len(m.Reasons) == 0 || !(m.Score >= 0 && m.Score <= 1) {
					t.Fatalf("bad match %+v", m)
				}
			}
		}
	}
}

// ---------- fuzzing ----------

// FuzzScore checks the properties on generated pairs whose numbers the fuzzer
// controls: score in [0, 1], reasons never empty for a returned match, a pair
// failing a hard filter never returned, adding a missing required talent never
// lowers the score, and display name and email never change anything.
//
//	go test ./internal/matching/ -run '^$' -fuzz FuzzScore -fuzztime 60s
func FuzzScore(f *testing.F) {
	f.Add(uint64(1), 51.2, 4.4, 5.0, 3, 2, 4, 0, 2, 0, 16, 30, 10, "Ann", "ann@example.org")
	f.Add(uint64(2), 51.17, 4.35, 0.0, 1, 4, 7, 12, 1, 9, 0, 15, 23, "", "")
	f.Add(uint64(3), math.NaN(), math.Inf(1), -1.0, -3, 99, -2, -5, -1, -4, 99, -1, 0, "x", "y")
	f.Fuzz(func(t *testing.T, seed uint64, lat, lon, radius float64, level, minLevel, langLevel, applicants, places, upcoming, minAge, age, hour int, name, email string) {
		g := newCityGen(seed, cityNow)
		p := g.person(0)
		n := g.need(0)
		home := Point{lat, lon}
		p.Home, p.RadiusKm, p.UpcomingShifts = &home, radius, upcoming
		p.AgeOn = ageConst(age)
		p.Languages["nl"] = langLevel
		p.DisplayName, p.Email = name, email
		n.Applicants, n.PlacesLeft, n.MinAge = applicants, places, minAge
		n.Talents = append(n.Talents, TalentAsk{Key: "fuzz_talent", Required: true, MinLevel: minLevel})
		if len(n.Shifts) > 0 {
			h := ((hour % 24) + 24) % 24
			d := n.Shifts[0].End.Sub(n.Shifts[0].Start)
			n.Shifts[0].Start = at(n.Shifts[0].Start, h, 0)
			n.Shifts[0].End = n.Shifts[0].Start.Add(d)
		}
		if level%3 == 0 {
			p.Talents["fuzz_talent"] = Skill{Level: level, Verified: level%2 == 0}
		}
		for _, spread := range []bool{true, false} {
			o := Options{Now: cityNow, Spread: spread}
			s, _, _ := Score(p, n, o)
			if !(s >= 0 && s <= 1) {
				t.Fatalf("score %v", s)
			}
			ok, failed := Eligible(p, n, cityNow)
			ms := RecommendNeeds(p, []Need{n}, o)
			cs := Candidates(n, []Person{p}, o)
			if len(ms) != len(cs) || (len(ms) == 1) != ok {
				t.Fatalf("eligible=%v %v but recommended %d, candidates %d", ok, codes(failed), len(ms), len(cs))
			}
			for _, m := range append(ms, cs...) {
				if len(m.Reasons) == 0 || m.Score != s {
					t.Fatalf("bad match %+v (score %v)", m, s)
				}
			}
			if _, has := p.Talents["fuzz_talent"]; !has {
				for _, v := range []bool{false, true} {
					q := p
					q.Talents = mapsWith(p.Talents, "fuzz_talent", Skill{Level: max(1, min(level, 4)), Verified: v})
					if s2, _, _ := Score(q, n, o); s2 < s {
						t.Fatalf("adding the required talent (verified=%v) lowers %v -> %v", v, s, s2)
					}
				}
			}
			r := renamed(p)
			if got := RecommendNeeds(r, []Need{n}, o); !reflect.DeepEqual(stripPerson(got), stripPerson(ms)) {
				t.Fatal("renaming changes the result")
			}
		}
	})
}
