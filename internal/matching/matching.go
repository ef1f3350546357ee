// Package matching scores how well a volunteer fits a need, for
// recommendedNeeds (needs for a person) and candidatesForNeed (people for a
// need). It is pure: no database, no I/O. The caller loads the data (and
// prefilters large sets in SQL), matching filters, scores, explains and ranks.
//
// Hard filters are never relaxed: minimum age, a required talent at its level,
// a required language at its level, availability against the shifts when the
// person set it, and the distance or districts the person accepts. Everything
// else is a soft factor with a stated weight (see weights in score.go), followed
// by the spread term that lifts needs with few applicants and damps people with
// a full agenda.
//
// There is no field about origin, nationality, religion, gender or health, so
// nothing of that kind can be used. DisplayName and Email are carried along for
// the caller's convenience and are never read here.
package matching

import (
	"time"
)

// Point is a position in WGS84 degrees.
type Point struct{ Lat, Lon float64 }

// Skill is a person's level in one talent.
type Skill struct {
	Level    int  // 1 beginner .. 4 expert; 0 or less = not a skill
	Verified bool // endorsed by an organisation after confirmed work
}

// Slot is a weekly window of free time in Brussels local time. To <= From means
// the slot runs past midnight into the next day.
type Slot struct {
	Weekday  time.Weekday
	From, To int // minutes after local midnight, 0..1440
}

// Person is a talent profile as matching sees it.
type Person struct {
	ID                 string
	DisplayName, Email string // present in the data, never used by matching

	// AgeOn returns the age in whole years on the given day; false = unknown.
	// nil = unknown.
	AgeOn func(day time.Time) (int, bool)

	Talents      map[string]Skill // talent key -> skill
	Languages    map[string]int   // language code -> level 1..7 (A1, A2, B1, B2, C1, C2, NATIVE)
	Availability []Slot           // empty = not set: no availability filter
	Home         *Point           // rounded to ~500 m; nil = unknown
	RadiusKm     float64          // 0 = not set
	Districts    []string         // district keys the person is willing to go to; empty = not set
	Themes       []string
	LookingFor   []string // GoalMeetPeople, GoalLearn, GoalWorkExperience, GoalGiveBack, GoalJob
	// UpcomingShifts is the number of accepted shifts in the coming four weeks.
	UpcomingShifts int
}

// AgeFromBirthDate returns an AgeOn function for a birth date (nil = unknown).
// Ages are counted on calendar dates in Brussels.
func AgeFromBirthDate(birth *time.Time) func(time.Time) (int, bool) {
	if birth == nil {
		return nil
	}
	by, bm, bd := birth.In(zone).Date()
	return func(day time.Time) (int, bool) {
		y, m, d := day.In(zone).Date()
		age := y - by
		if m < bm || (m == bm && d < bd) {
			age--
		}
		return age, true
	}
}

// TalentAsk is a talent a need asks for.
type TalentAsk struct {
	Key      string
	Required bool // required = hard filter; otherwise welcome
	MinLevel int  // 0 = any level
}

// LanguageAsk is a language spoken on the spot.
type LanguageAsk struct {
	Code     string
	MinLevel int  // 1..7; 0 = any level
	Required bool // really needed on the spot: hard filter
}

// ShiftTime is one upcoming shift with places left.
type ShiftTime struct{ Start, End time.Time }

// Need is an open need as matching sees it.
type Need struct {
	ID            string
	Themes        []string
	Talents       []TalentAsk
	Languages     []LanguageAsk
	Location      *Point
	Remote        bool
	District      string
	MinAge        int         // 0 = none
	Shifts        []ShiftTime // upcoming shifts with places left; empty for flexible needs
	Flexible      bool
	Applicants    int // live applications so far
	PlacesLeft    int
	Accessibility []string // AccessFirstTimer, AccessNoDutch, AccessNoExperience, AccessWheelchair, ...
}

// Reason is a machine-readable fact; see the codes in reasons.go.
type Reason struct {
	Code string
	Args map[string]any
}

// Match is one scored pair. Reasons is never empty; Missing lists what the
// person lacks for the welcome (not required) parts of the need.
type Match struct {
	NeedID, PersonID string
	Score            float64 // 0..1
	Reasons, Missing []Reason
}

// Options steer one matching call.
type Options struct {
	Now    time.Time // required: the minimum age on flexible needs is checked on this day
	Spread bool      // apply the spread term (few applicants lifted, full agendas damped)
	Limit  int       // at most this many matches; <= 0 = all
}

// DefaultOptions returns the options the API uses: spread on, 20 results.
func DefaultOptions(now time.Time) Options {
	return Options{Now: now, Spread: true, Limit: 20}
}

// Eligible applies the hard filters. failed lists every filter that failed.
func Eligible(p Person, n Need, now time.Time) (ok bool, failed []Reason) {
	var pv personView
	pv.init(&p)
	var nv needView
	nv.init(&n, nil, nil)
	ex := &collector{}
	ok, _ = evaluate(&pv, &nv, Options{Now: now}, ex)
	return ok, ex.failed
}

// Score scores a pair without applying the hard filters: score is the soft
// score (with the spread term when o.Spread), reasons say why it fits and
// missing lists what is missing, including any failed hard filter (call
// Eligible, or use RecommendNeeds/Candidates, to filter).
func Score(p Person, n Need, o Options) (score float64, reasons, missing []Reason) {
	var pv personView
	pv.init(&p)
	var nv needView
	nv.init(&n, nil, nil)
	ex := &collector{}
	_, score = evaluate(&pv, &nv, o, ex)
	missing = append(ex.failed, ex.missing...)
	if missing == nil {
		missing = []Reason{}
	}
	reasons = ex.reasons
	if reasons == nil {
		reasons = []Reason{}
	}
	return score, reasons, missing
}

// RecommendNeeds returns the needs p is eligible for, best first (ties by
// need ID), at most o.Limit.
func RecommendNeeds(p Person, needs []Need, o Options) []Match {
	var pv personView
	pv.init(&p)
	var nv needView
	var buf []shiftInfo
	var zc zoneCache
	top := newTopK(o.Limit)
	for i := range needs {
		nv.init(&needs[i], buf, &zc)
		ok, s := evaluate(&pv, &nv, o, nil)
		buf = nv.shifts[:0] // keep the grown buffer for the next need
		if ok {
			top.offer(scored{idx: i, score: s, id: needs[i].ID})
		}
	}
	best := top.sorted()
	out := make([]Match, len(best))
	for k, b := range best {
		nv.init(&needs[b.idx], buf, &zc)
		out[k] = explainMatch(&pv, &nv, o)
		buf = nv.shifts[:0]
	}
	return out
}

// Candidates returns the people eligible for n, best first (ties by person
// ID), at most o.Limit. The caller passes only profiles whose owner allows it.
func Candidates(n Need, people []Person, o Options) []Match {
	var nv needView
	nv.init(&n, nil, nil)
	var pv personView
	top := newTopK(o.Limit)
	for i := range people {
		pv.init(&people[i])
		ok, s := evaluate(&pv, &nv, o, nil)
		if ok {
			top.offer(scored{idx: i, score: s, id: people[i].ID})
		}
	}
	best := top.sorted()
	out := make([]Match, len(best))
	for k, b := range best {
		pv.init(&people[b.idx])
		out[k] = explainMatch(&pv, &nv, o)
	}
	return out
}

func explainMatch(pv *personView, nv *needView, o Options) Match {
	ex := &collector{}
	_, s := evaluate(pv, nv, o, ex)
	m := Match{NeedID: nv.n.ID, PersonID: pv.p.ID, Score: s, Reasons: ex.reasons, Missing: ex.missing}
	if m.Missing == nil {
		m.Missing = []Reason{}
	}
	return m
}
