package matching

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Minimum agreement between the scorer and the hand-written evaluation set
// (testdata/evaluation.json). The README states the measured numbers.
const (
	minPairwiseAgreement = 0.85
	minTop1Agreement     = 0.80
)

// placeNames are the places the evaluation set may name: district keys (the
// district's centre, from data/antwerp-districts.csv) and a few spots.
var placeNames = map[string]struct {
	Point
	district string
}{
	"antwerpen":                   {Point{51.2194, 4.4025}, "antwerpen"},
	"berchem":                     {Point{51.1925, 4.4286}, "berchem"},
	"borgerhout":                  {Point{51.2117, 4.4406}, "borgerhout"},
	"deurne":                      {Point{51.2192, 4.4683}, "deurne"},
	"ekeren":                      {Point{51.2812, 4.4342}, "ekeren"},
	"hoboken":                     {Point{51.1751, 4.3484}, "hoboken"},
	"merksem":                     {Point{51.2459, 4.4461}, "merksem"},
	"wilrijk":                     {Point{51.1681, 4.3947}, "wilrijk"},
	"berendrecht-zandvliet-lillo": {Point{51.3360, 4.3050}, "berendrecht-zandvliet-lillo"},
	"kiel":                        {Point{51.1950, 4.3930}, "antwerpen"},
	"seefhoek":                    {Point{51.2280, 4.4190}, "antwerpen"},
	"zuid":                        {Point{51.2045, 4.3935}, "antwerpen"},
	"zandvliet":                   {Point{51.3590, 4.3060}, "berendrecht-zandvliet-lillo"},
	"berendrecht":                 {Point{51.3420, 4.3130}, "berendrecht-zandvliet-lillo"},
}

var districtKeys = []string{"antwerpen", "berchem", "borgerhout", "deurne", "ekeren", "hoboken", "merksem", "wilrijk", "berendrecht-zandvliet-lillo"}

func nearestDistrict(p Point) string {
	best, bd := "", math.Inf(1)
	for _, k := range districtKeys {
		if d := distanceKm(p, placeNames[k].Point); d < bd {
			best, bd = k, d
		}
	}
	return best
}

type evalFile struct {
	Now        time.Time       `json:"now"`
	Situations []evalSituation `json:"situations"`
}

type evalSituation struct {
	ID       string            `json:"id"`
	Kind     string            `json:"kind"`
	Why      string            `json:"why"`
	Person   *evalPerson       `json:"person"`
	Needs    []evalNeed        `json:"needs"`
	Need     *evalNeed         `json:"need"`
	People   []evalPerson      `json:"people"`
	Expected []string          `json:"expected"`
	Excluded map[string]string `json:"excluded"`
}

type evalPerson struct {
	ID           string            `json:"id"`
	Age          *int              `json:"age"`
	BirthDate    string            `json:"birthDate"`
	Home         json.RawMessage   `json:"home"`
	Radius       float64           `json:"radius"`
	Districts    []string          `json:"districts"`
	Talents      map[string]int    `json:"talents"`
	Verified     []string          `json:"verified"`
	Languages    map[string]string `json:"languages"`
	Availability []string          `json:"availability"`
	Themes       []string          `json:"themes"`
	LookingFor   []string          `json:"lookingFor"`
	Upcoming     int               `json:"upcoming"`
}

type evalNeed struct {
	ID                string          `json:"id"`
	Title             string          `json:"title"`
	At                json.RawMessage `json:"at"`
	District          string          `json:"district"`
	Themes            []string        `json:"themes"`
	Required          []string        `json:"required"`
	Welcome           []string        `json:"welcome"`
	RequiredLanguages []string        `json:"requiredLanguages"`
	WelcomeLanguages  []string        `json:"welcomeLanguages"`
	MinAge            int             `json:"minAge"`
	Shifts            []string        `json:"shifts"`
	Flexible          bool            `json:"flexible"`
	Applicants        int             `json:"applicants"`
	Places            *int            `json:"places"`
	Access            []string        `json:"access"`
}

var cefr = map[string]int{"A1": 1, "A2": 2, "B1": 3, "B2": 4, "C1": 5, "C2": 6, "NATIVE": 7}

var dayNames = map[string]time.Weekday{"SUN": time.Sunday, "MON": time.Monday, "TUE": time.Tuesday, "WED": time.Wednesday,
	"THU": time.Thursday, "FRI": time.Friday, "SAT": time.Saturday}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok {
		return 0, fmt.Errorf("bad time %q", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return hh*60 + mm, nil
}

// parseSlots reads "MON-FRI 09:00-17:00" or "SAT 08:00-13:00".
func parseSlots(spec string) ([]Slot, error) {
	days, times, ok := strings.Cut(spec, " ")
	if !ok {
		return nil, fmt.Errorf("bad availability %q", spec)
	}
	from, to, ok := strings.Cut(times, "-")
	if !ok {
		return nil, fmt.Errorf("bad availability %q", spec)
	}
	f, err := parseClock(from)
	if err != nil {
		return nil, err
	}
	t, err := parseClock(to)
	if err != nil {
		return nil, err
	}
	d0, d1, isRange := strings.Cut(days, "-")
	if !isRange {
		d1 = d0
	}
	a, ok1 := dayNames[d0]
	b, ok2 := dayNames[d1]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("bad days %q", spec)
	}
	var out []Slot
	for d := a; ; d = (d + 1) % 7 {
		out = append(out, Slot{Weekday: d, From: f, To: t})
		if d == b {
			break
		}
	}
	return out, nil
}

func parsePlace(raw json.RawMessage) (p *Point, district string, remote bool, err error) {
	if len(raw) == 0 {
		return nil, "", false, nil
	}
	var name string
	if json.Unmarshal(raw, &name) == nil {
		if name == "remote" {
			return nil, "", true, nil
		}
		pl, ok := placeNames[name]
		if !ok {
			return nil, "", false, fmt.Errorf("unknown place %q", name)
		}
		pt := pl.Point
		return &pt, pl.district, false, nil
	}
	var ll []float64
	if err := json.Unmarshal(raw, &ll); err != nil || len(ll) != 2 {
		return nil, "", false, fmt.Errorf("bad place %s", raw)
	}
	pt := Point{ll[0], ll[1]}
	return &pt, nearestDistrict(pt), false, nil
}

func parseTalentAsks(list []string, required bool) ([]TalentAsk, error) {
	var out []TalentAsk
	for _, s := range list {
		key, lvl, has := strings.Cut(s, ":")
		a := TalentAsk{Key: key, Required: required}
		if has {
			n, err := strconv.Atoi(lvl)
			if err != nil {
				return nil, fmt.Errorf("bad talent %q", s)
			}
			a.MinLevel = n
		}
		out = append(out, a)
	}
	return out, nil
}

func parseLanguageAsks(list []string, required bool) ([]LanguageAsk, error) {
	var out []LanguageAsk
	for _, s := range list {
		code, lvl, has := strings.Cut(s, ":")
		a := LanguageAsk{Code: code, Required: required}
		if has {
			n, ok := cefr[lvl]
			if !ok {
				return nil, fmt.Errorf("bad language %q", s)
			}
			a.MinLevel = n
		}
		out = append(out, a)
	}
	return out, nil
}

func (ep evalPerson) toPerson() (Person, error) {
	p := Person{ID: ep.ID, DisplayName: "Volunteer " + ep.ID, Email: ep.ID + "@example.org", RadiusKm: ep.Radius,
		Districts: ep.Districts, Themes: ep.Themes, LookingFor: ep.LookingFor, UpcomingShifts: ep.Upcoming}
	switch {
	case ep.Age != nil:
		age := *ep.Age
		p.AgeOn = func(time.Time) (int, bool) { return age, true }
	case ep.BirthDate != "":
		b, err := time.ParseInLocation("2006-01-02", ep.BirthDate, zone)
		if err != nil {
			return p, err
		}
		p.AgeOn = AgeFromBirthDate(&b)
	}
	if len(ep.Home) > 0 {
		h, _, remote, err := parsePlace(ep.Home)
		if err != nil || remote {
			return p, fmt.Errorf("bad home for %s: %v", ep.ID, err)
		}
		p.Home = h
	}
	p.Talents = map[string]Skill{}
	for k, l := range ep.Talents {
		p.Talents[k] = Skill{Level: l}
	}
	for _, k := range ep.Verified {
		s, ok := p.Talents[k]
		if !ok {
			return p, fmt.Errorf("%s: verified talent %q not listed", ep.ID, k)
		}
		s.Verified = true
		p.Talents[k] = s
	}
	p.Languages = map[string]int{}
	for c, l := range ep.Languages {
		n, ok := cefr[l]
		if !ok {
			return p, fmt.Errorf("%s: bad language level %q", ep.ID, l)
		}
		p.Languages[c] = n
	}
	for _, a := range ep.Availability {
		s, err := parseSlots(a)
		if err != nil {
			return p, err
		}
		p.Availability = append(p.Availability, s...)
	}
	return p, nil
}

func (en evalNeed) toNeed() (Need, error) {
	n := Need{ID: en.ID, Themes: en.Themes, MinAge: en.MinAge, Flexible: en.Flexible, Applicants: en.Applicants,
		PlacesLeft: 2, Accessibility: en.Access}
	if en.Places != nil {
		n.PlacesLeft = *en.Places
	}
	loc, district, remote, err := parsePlace(en.At)
	if err != nil {
		return n, fmt.Errorf("need %s: %v", en.ID, err)
	}
	n.Location, n.District, n.Remote = loc, district, remote
	if en.District != "" {
		n.District = en.District
	}
	req, err := parseTalentAsks(en.Required, true)
	if err != nil {
		return n, err
	}
	wel, err := parseTalentAsks(en.Welcome, false)
	if err != nil {
		return n, err
	}
	n.Talents = append(req, wel...)
	rl, err := parseLanguageAsks(en.RequiredLanguages, true)
	if err != nil {
		return n, err
	}
	wl, err := parseLanguageAsks(en.WelcomeLanguages, false)
	if err != nil {
		return n, err
	}
	n.Languages = append(rl, wl...)
	for _, s := range en.Shifts {
		day, span, ok := strings.Cut(s, " ")
		from, to, ok2 := strings.Cut(span, "-")
		if !ok || !ok2 {
			return n, fmt.Errorf("bad shift %q", s)
		}
		st, err1 := time.ParseInLocation("2006-01-02 15:04", day+" "+from, zone)
		et, err2 := time.ParseInLocation("2006-01-02 15:04", day+" "+to, zone)
		if err1 != nil || err2 != nil {
			return n, fmt.Errorf("bad shift %q", s)
		}
		n.Shifts = append(n.Shifts, ShiftTime{Start: st, End: et})
	}
	if len(n.Shifts) == 0 && !n.Flexible {
		return n, fmt.Errorf("need %s has neither shifts nor flexible", en.ID)
	}
	return n, nil
}

// loadedSituation is a situation turned into matching types.
type loadedSituation struct {
	evalSituation
	person Person
	needs  []Need
	need   Need
	people []Person
}

func loadEvaluation(t testing.TB) (time.Time, []loadedSituation) {
	t.Helper()
	raw, err := os.ReadFile("testdata/evaluation.json")
	if err != nil {
		t.Fatal(err)
	}
	var f evalFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	var out []loadedSituation
	seen := map[string]bool{}
	for _, s := range f.Situations {
		if seen[s.ID] {
			t.Fatalf("duplicate situation %s", s.ID)
		}
		seen[s.ID] = true
		if s.Why == "" || len(s.Expected) < 2 {
			t.Fatalf("%s: needs a why and at least two expected items", s.ID)
		}
		ls := loadedSituation{evalSituation: s}
		ids := map[string]bool{}
		switch s.Kind {
		case "recommend":
			if ls.person, err = s.Person.toPerson(); err != nil {
				t.Fatalf("%s: %v", s.ID, err)
			}
			for _, en := range s.Needs {
				n, err := en.toNeed()
				if err != nil {
					t.Fatalf("%s: %v", s.ID, err)
				}
				ls.needs = append(ls.needs, n)
				ids[n.ID] = true
			}
		case "candidates":
			if ls.need, err = s.Need.toNeed(); err != nil {
				t.Fatalf("%s: %v", s.ID, err)
			}
			for _, ep := range s.People {
				p, err := ep.toPerson()
				if err != nil {
					t.Fatalf("%s: %v", s.ID, err)
				}
				ls.people = append(ls.people, p)
				ids[p.ID] = true
			}
		default:
			t.Fatalf("%s: unknown kind %q", s.ID, s.Kind)
		}
		if len(ids) != len(s.Expected)+len(s.Excluded) {
			t.Fatalf("%s: every item must be either expected or excluded", s.ID)
		}
		for _, id := range s.Expected {
			if !ids[id] || s.Excluded[id] != "" {
				t.Fatalf("%s: expected %q unknown or also excluded", s.ID, id)
			}
		}
		for id := range s.Excluded {
			if !ids[id] {
				t.Fatalf("%s: excluded %q unknown", s.ID, id)
			}
		}
		out = append(out, ls)
	}
	return f.Now, out
}

// rank runs the matcher on a situation and returns the IDs in its order.
func (ls loadedSituation) rank(o Options) []Match {
	if ls.Kind == "recommend" {
		return RecommendNeeds(ls.person, ls.needs, o)
	}
	return Candidates(ls.need, ls.people, o)
}

func matchID(kind string, m Match) string {
	if kind == "recommend" {
		return m.NeedID
	}
	return m.PersonID
}

type agreement struct {
	situations, top1, pairs, concordant int
	tauSum                              float64
	wrongExcluded, wrongIncluded        int
	disagreements                       []string
}

func (a agreement) pairwise() float64 { return float64(a.concordant) / float64(a.pairs) }
func (a agreement) top1Rate() float64 { return float64(a.top1) / float64(a.situations) }
func (a agreement) tau() float64      { return a.tauSum / float64(a.situations) }

func measureAgreement(now time.Time, sits []loadedSituation, o Options) agreement {
	var ag agreement
	for _, ls := range sits {
		ms := ls.rank(o)
		pos := map[string]int{}
		var order []string
		for i, m := range ms {
			id := matchID(ls.Kind, m)
			pos[id] = i
			order = append(order, id)
		}
		for id := range ls.Excluded {
			if _, ok := pos[id]; ok {
				ag.wrongIncluded++
				ag.disagreements = append(ag.disagreements, fmt.Sprintf("%s: %s must be excluded (%s)", ls.ID, id, ls.Excluded[id]))
			}
		}
		ag.situations++
		if len(order) > 0 && order[0] == ls.Expected[0] {
			ag.top1++
		}
		conc, disc := 0, 0
		for i := 0; i < len(ls.Expected); i++ {
			pi, iok := pos[ls.Expected[i]]
			if !iok {
				ag.wrongExcluded++
				ag.disagreements = append(ag.disagreements, fmt.Sprintf("%s: %s must be eligible", ls.ID, ls.Expected[i]))
			}
			for j := i + 1; j < len(ls.Expected); j++ {
				pj, jok := pos[ls.Expected[j]]
				ag.pairs++
				if iok && jok && pi < pj {
					conc++
				} else {
					disc++
				}
			}
		}
		ag.concordant += conc
		ag.tauSum += float64(conc-disc) / float64(conc+disc)
		if disc > 0 {
			ag.disagreements = append(ag.disagreements, fmt.Sprintf("%s: expected %v, got %v", ls.ID, ls.Expected, order))
		}
	}
	return ag
}

func TestEvaluationSet(t *testing.T) {
	now, sits := loadEvaluation(t)
	if len(sits) < 30 {
		t.Fatalf("evaluation set has %d situations, want at least 30", len(sits))
	}

	// Hard filters: every excluded item fails Eligible with the stated code.
	for _, ls := range sits {
		for id, code := range ls.Excluded {
			var ok bool
			var failed []Reason
			if ls.Kind == "recommend" {
				for _, n := range ls.needs {
					if n.ID == id {
						ok, failed = Eligible(ls.person, n, now)
					}
				}
			} else {
				for _, p := range ls.people {
					if p.ID == id {
						ok, failed = Eligible(p, ls.need, now)
					}
				}
			}
			if ok || !hasCode(failed, code) {
				t.Errorf("%s: %s: eligible=%v failed=%v, want not eligible with %s", ls.ID, id, ok, codes(failed), code)
			}
		}
	}

	o := DefaultOptions(now)
	o.Limit = 0
	ag := measureAgreement(now, sits, o)
	noSpread := o
	noSpread.Spread = false
	agNS := measureAgreement(now, sits, noSpread)
	for _, d := range ag.disagreements {
		t.Log("disagreement: " + d)
	}
	t.Logf("evaluation set: %d situations, %d ordered pairs", ag.situations, ag.pairs)
	t.Logf("agreement (spread on):  pairwise %.3f, top-1 %.3f (%d/%d), mean Kendall tau %.3f",
		ag.pairwise(), ag.top1Rate(), ag.top1, ag.situations, ag.tau())
	t.Logf("agreement (spread off): pairwise %.3f, top-1 %.3f (%d/%d), mean Kendall tau %.3f",
		agNS.pairwise(), agNS.top1Rate(), agNS.top1, agNS.situations, agNS.tau())
	if ag.wrongIncluded > 0 || ag.wrongExcluded > 0 {
		t.Errorf("hard filters disagree with the set: %d wrongly included, %d wrongly excluded", ag.wrongIncluded, ag.wrongExcluded)
	}
	if ag.pairwise() < minPairwiseAgreement {
		t.Errorf("pairwise agreement %.3f below %.2f", ag.pairwise(), minPairwiseAgreement)
	}
	if ag.top1Rate() < minTop1Agreement {
		t.Errorf("top-1 agreement %.3f below %.2f", ag.top1Rate(), minTop1Agreement)
	}
}

func hasCode(rs []Reason, code string) bool {
	for _, r := range rs {
		if r.Code == code {
			return true
		}
	}
	return false
}

func codes(rs []Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}
