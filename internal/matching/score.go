package matching

import (
	"math"
	"strings"
	"time"
	_ "time/tzdata" // the zone below must load on any host
)

// Weights of the soft factors. Each factor is in [0, 1]; the weights sum to 1,
// so the soft score is in [0, 1].
const (
	wTalents   = 0.30 // coverage of the asked talents (required count double) and how well the levels fit
	wDistance  = 0.16 // closeness (scaled by the radius the person accepts), chosen district, remote
	wTime      = 0.12 // share of the shifts that fall in the person's free time
	wThemes    = 0.12 // themes the person cares about
	wGoals     = 0.12 // what the person is looking for (job/work experience: competences that can get verified)
	wLanguages = 0.10 // languages asked on the spot that the person speaks
	wAccess    = 0.08 // no Dutch needed for someone below B1, first-timer friendly, no experience needed
)

// Spread term: final = soft * lift/(1+spreadLift) * damp, so the final score
// stays in [0, 1].
//
//	lift = 1 + spreadLift * (1 - min(1, applicants/(places+1)))
//	damp = 1 / (1 + agendaDamping*upcomingShifts)
const (
	spreadLift    = 0.30 // a need nobody applied to yet is worth up to 30% more than a crowded one
	agendaDamping = 0.10 // 4 accepted shifts in the coming four weeks: x0.71; 10: x0.5
)

// Neutral values used when a factor cannot tell needs apart or is unknown.
const (
	neutralTalents   = 0.35 // the need asks no talent; also the floor for needs that only welcome talents
	neutralLanguages = 0.60 // the need names no language
	neutralDistance  = 0.50 // home or place unknown
	neutralTime      = 0.50 // the person set no availability
	flexibleTime     = 0.80 // availability set, the need is flexible
	neutralThemes    = 0.40 // the person chose no theme
	neutralGoals     = 0.50 // the person said nothing about what they look for
	neutralAccess    = 0.50
	districtFloor    = 0.75 // in a district the person chose
	remoteDistance   = 0.70 // as good as a place about 1.5 km away: no travel, but not better than next door
	defaultScaleKm   = 4.0  // distance factor exp(-km/scale); with a radius the scale is the radius itself, clamped to 2..15 km
	dutchB1          = 3
)

// zone is where Slot minutes and shift weekdays are read.
var zone = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		panic(err)
	}
	return l
}()

// socialThemes are themes where a volunteer meets people (MEET_PEOPLE).
var socialThemes = []string{"events", "neighbourhood", "language_buddy", "newcomers", "elderly", "youth", "sports", "culture"}

type goalSet uint8

const (
	goalMeet goalSet = 1 << iota
	goalLearn
	goalWork // JOB or WORK_EXPERIENCE
	goalGive
)

// personView holds what is derived once per person.
type personView struct {
	p      *Person
	dutch  int
	goals  goalSet
	ngoals int
	damp   float64
	radius float64 // 0 = not set
}

func (pv *personView) init(p *Person) {
	*pv = personView{p: p, dutch: p.Languages["nl"]}
	for _, g := range p.LookingFor {
		var bit goalSet
		switch {
		case eqFold(g, GoalMeetPeople):
			bit = goalMeet
		case eqFold(g, GoalLearn):
			bit = goalLearn
		case eqFold(g, GoalJob), eqFold(g, GoalWorkExperience):
			bit = goalWork
		case eqFold(g, GoalGiveBack):
			bit = goalGive
		}
		if bit != 0 && pv.goals&bit == 0 {
			pv.goals |= bit
			pv.ngoals++
		}
	}
	up := p.UpcomingShifts
	if up < 0 {
		up = 0
	}
	pv.damp = 1 / (1 + agendaDamping*float64(up))
	if r := p.RadiusKm; r > 0 && !math.IsInf(r, 0) && !math.IsNaN(r) {
		pv.radius = r
	}
}

type segment struct {
	wd       time.Weekday
	from, to int
}

// shiftInfo is a shift in Brussels local time, cut at midnights.
type shiftInfo struct {
	segs     [3]segment // a shift rarely spans more than two midnights; longer ones are checked on their first 3 days
	nseg     int
	wd       time.Weekday
	startMin int
}

// zoneCache remembers the Brussels UTC offset for one stretch between two
// daylight-saving changes, so converting a shift is arithmetic, not a lookup.
type zoneCache struct {
	lo, hi, off int64
	ok          bool
}

func (zc *zoneCache) offset(t time.Time) int64 {
	u := t.Unix()
	if zc.ok && u >= zc.lo && u < zc.hi {
		return zc.off
	}
	lt := t.In(zone)
	_, off := lt.Zone()
	from, to := lt.ZoneBounds()
	zc.lo, zc.hi, zc.off, zc.ok = math.MinInt64, math.MaxInt64, int64(off), true
	if !from.IsZero() {
		zc.lo = from.Unix()
	}
	if !to.IsZero() {
		zc.hi = to.Unix()
	}
	return zc.off
}

// local returns the local day number (days since 1970-01-01), weekday and
// second of the day of t in Brussels.
func (zc *zoneCache) local(t time.Time) (day int64, wd time.Weekday, sec int64) {
	l := t.Unix() + zc.offset(t)
	day = l / 86400
	sec = l - day*86400
	if sec < 0 {
		day--
		sec += 86400
	}
	wd = time.Weekday(((day+4)%7 + 7) % 7) // 1 January 1970 was a Thursday
	return day, wd, sec
}

// needView holds what is derived once per need. Local shift times are only
// computed when a person with availability needs them.
type needView struct {
	n                          *Need
	talents                    []TalentAsk
	langs                      []LanguageAsk
	shifts                     []shiftInfo
	localDone                  bool
	zc                         *zoneCache
	earliest, latest           time.Time
	socialDone, social         bool
	noDutch, firstTimer, noExp bool
	lift                       float64
	few                        bool
	flexible                   bool
}

func (nv *needView) init(n *Need, buf []shiftInfo, zc *zoneCache) {
	if zc == nil {
		zc = &zoneCache{}
	}
	*nv = needView{n: n, shifts: buf[:0], zc: zc}
	nv.talents = dedupTalents(n.Talents)
	nv.langs = dedupLangs(n.Languages)
	for _, a := range n.Accessibility {
		switch {
		case eqFold(a, AccessNoDutch):
			nv.noDutch = true
		case eqFold(a, AccessFirstTimer):
			nv.firstTimer = true
		case eqFold(a, AccessNoExperience):
			nv.noExp = true
		}
	}
	nv.flexible = n.Flexible || len(n.Shifts) == 0
	if !nv.flexible && n.MinAge > 0 {
		for i := range n.Shifts {
			s := n.Shifts[i].Start
			if i == 0 || s.Before(nv.earliest) {
				nv.earliest = s
			}
			if i == 0 || s.After(nv.latest) {
				nv.latest = s
			}
		}
	}
	places := n.PlacesLeft
	if places < 1 {
		places = 1
	}
	ratio := float64(n.Applicants) / float64(places+1)
	ratio = math.Max(0, math.Min(1, ratio))
	nv.lift = 1 + spreadLift*(1-ratio)
	nv.few = ratio < 0.5
}

// isSocial reports whether the need is on a theme where one meets people.
func (nv *needView) isSocial() bool {
	if !nv.socialDone {
		nv.socialDone = true
		for _, t := range nv.n.Themes {
			if containsFold(socialThemes, t) {
				nv.social = true
				break
			}
		}
	}
	return nv.social
}

// local returns the shifts in local time, parallel to n.Shifts.
func (nv *needView) local() []shiftInfo {
	if !nv.localDone {
		nv.localDone = true
		for i := range nv.n.Shifts {
			nv.shifts = append(nv.shifts, localShift(nv.n.Shifts[i], nv.zc))
		}
	}
	return nv.shifts
}

// dedupTalents keeps one ask per talent (required wins, highest level wins).
func dedupTalents(in []TalentAsk) []TalentAsk {
	return dedupAsks(in, func(a *TalentAsk) (string, *bool, *int) { return a.Key, &a.Required, &a.MinLevel })
}

// dedupLangs keeps one ask per language (required wins, highest level wins).
func dedupLangs(in []LanguageAsk) []LanguageAsk {
	return dedupAsks(in, func(a *LanguageAsk) (string, *bool, *int) { return a.Code, &a.Required, &a.MinLevel })
}

// dedupAsks merges asks with the same key: required if any is, the highest minimum level.
// Without duplicates (the common case) it returns in as it is, without allocating.
func dedupAsks[T any](in []T, fields func(*T) (key string, required *bool, minLevel *int)) []T {
	dup := false
	for i := 1; i < len(in) && !dup; i++ {
		ki, _, _ := fields(&in[i])
		for j := 0; j < i; j++ {
			if kj, _, _ := fields(&in[j]); ki == kj {
				dup = true
				break
			}
		}
	}
	if !dup {
		return in
	}
	var out []T
	for _, a := range in {
		ka, ra, la := fields(&a)
		merged := false
		for k := range out {
			if ko, ro, lo := fields(&out[k]); ko == ka {
				*ro = *ro || *ra
				*lo = max(*lo, *la)
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, a)
		}
	}
	return out
}

func localShift(s ShiftTime, zc *zoneCache) shiftInfo {
	sday, swd, ssec := zc.local(s.Start)
	si := shiftInfo{wd: swd, startMin: int(ssec / 60)}
	if !s.End.After(s.Start) {
		// no duration: the start must be free
		si.segs[0] = segment{si.wd, si.startMin, si.startMin}
		si.nseg = 1
		return si
	}
	eday, _, esec := zc.local(s.End)
	endMin := int((esec + 59) / 60)
	if eday == sday {
		si.segs[0] = segment{si.wd, si.startMin, endMin}
		si.nseg = 1
		return si
	}
	// spans midnight: start day to 24:00, full days, end day from 0:00
	si.segs[0] = segment{si.wd, si.startMin, 1440}
	si.nseg = 1
	for d := sday + 1; d <= eday && si.nseg < len(si.segs); d++ {
		wd := time.Weekday(((d+4)%7 + 7) % 7)
		if d == eday {
			if endMin > 0 {
				si.segs[si.nseg] = segment{wd, 0, endMin}
				si.nseg++
			}
			break
		}
		si.segs[si.nseg] = segment{wd, 0, 1440}
		si.nseg++
	}
	return si
}

// covered reports whether the person's free time covers [from, to] on day wd.
// Adjacent or overlapping slots count together (9-12 and 12-17 cover 10-14).
func covered(slots []Slot, wd time.Weekday, from, to int) bool {
	cur := from
	for {
		best := -1
		for _, s := range slots {
			a, b, ok := slotOn(s, wd)
			if !ok || a > cur || b < cur {
				continue
			}
			if b > best {
				best = b
			}
			// a point (from == to) only needs one slot that contains it
		}
		if best < 0 {
			return false
		}
		if best >= to {
			return true
		}
		if best <= cur {
			return false
		}
		cur = best
	}
}

// slotOn is the interval a slot covers on weekday wd, if any.
func slotOn(s Slot, wd time.Weekday) (int, int, bool) {
	from, to := clampMin(s.From), clampMin(s.To)
	if to > from {
		if s.Weekday == wd {
			return from, to, true
		}
		return 0, 0, false
	}
	if to == from && s.From == s.To {
		return 0, 0, false // empty slot
	}
	// runs past midnight
	if s.Weekday == wd {
		return from, 1440, true
	}
	if (s.Weekday+1)%7 == wd {
		return 0, to, true
	}
	return 0, 0, false
}

func clampMin(m int) int {
	if m < 0 {
		return 0
	}
	if m > 1440 {
		return 1440
	}
	return m
}

func shiftFits(slots []Slot, si *shiftInfo) bool {
	for k := 0; k < si.nseg; k++ {
		sg := si.segs[k]
		if !covered(slots, sg.wd, sg.from, sg.to) {
			return false
		}
	}
	return true
}

// collector gathers reasons when a match is explained; nil = fast path.
type collector struct {
	reasons, missing, failed []Reason
}

func rs(code string, args map[string]any) Reason { return Reason{Code: code, Args: args} }

func partOfDay(min int) string {
	switch {
	case min >= 5*60 && min < 12*60:
		return PartMorning
	case min >= 12*60 && min < 17*60:
		return PartAfternoon
	default:
		return PartEvening
	}
}

// eqFold compares keys case-insensitively (keys are ASCII identifiers).
func eqFold(a, b string) bool {
	return a == b || (len(a) == len(b) && strings.EqualFold(a, b))
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if eqFold(x, s) {
			return true
		}
	}
	return false
}

// distanceKm is the equirectangular distance, accurate to well under 1% at
// city scale.
func distanceKm(a, b Point) float64 {
	const r = 6371.0
	lat := (a.Lat + b.Lat) / 2 * math.Pi / 180
	dx := (b.Lon - a.Lon) * math.Pi / 180 * math.Cos(lat)
	dy := (b.Lat - a.Lat) * math.Pi / 180
	return r * math.Sqrt(dx*dx+dy*dy)
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// evaluate applies the hard filters and computes the score. With ex == nil it
// stops at the first failed filter (fast path); with a collector it goes on to
// list every reason, missing fact and failed filter.
func evaluate(pv *personView, nv *needView, o Options, ex *collector) (ok bool, score float64) {
	p, n := pv.p, nv.n
	ok = true
	fail := func(r Reason) {
		ok = false
		ex.failed = append(ex.failed, r)
	}

	// --- hard: minimum age (checked on the day of each shift; flexible: today)
	allAgeOK, noneAgeOK := true, false
	if n.MinAge > 0 {
		known := false
		var age int
		if p.AgeOn != nil {
			age, known = p.AgeOn(o.Now)
		}
		if !known {
			if ex == nil {
				return false, 0
			}
			fail(rs(ReasonAgeUnknown, map[string]any{"Age": n.MinAge}))
			allAgeOK, noneAgeOK = false, true
		} else if nv.flexible {
			if age < n.MinAge {
				if ex == nil {
					return false, 0
				}
				fail(rs(ReasonTooYoung, map[string]any{"Age": n.MinAge}))
				allAgeOK, noneAgeOK = false, true
			}
		} else {
			a0, k0 := p.AgeOn(nv.earliest)
			a1, k1 := p.AgeOn(nv.latest)
			allAgeOK = k0 && a0 >= n.MinAge
			noneAgeOK = !k1 || a1 < n.MinAge
			if noneAgeOK {
				if ex == nil {
					return false, 0
				}
				fail(rs(ReasonTooYoung, map[string]any{"Age": n.MinAge}))
			}
		}
	}

	// --- distance (hard when the person set a radius or districts) and its soft factor
	var fDist float64
	if n.Remote {
		fDist = remoteDistance
		if ex != nil {
			ex.reasons = append(ex.reasons, rs(ReasonRemote, nil))
		}
	} else {
		var d float64
		haveD := p.Home != nil && n.Location != nil
		if haveD {
			d = distanceKm(*p.Home, *n.Location)
			haveD = finite(d)
		}
		distKnown := len(p.Districts) > 0 && n.District != ""
		inD := distKnown && containsFold(p.Districts, n.District)
		radiusSet := haveD && pv.radius > 0
		if (radiusSet || distKnown) && !(radiusSet && d <= pv.radius) && !inD {
			if ex == nil {
				return false, 0
			}
			if radiusSet {
				fail(rs(ReasonTooFar, map[string]any{"Km": round1(d), "Max": round1(pv.radius)}))
			}
			if distKnown {
				fail(rs(ReasonOutsideDistricts, map[string]any{"District": n.District}))
			}
		}
		switch {
		case haveD:
			scale := defaultScaleKm
			if pv.radius > 0 {
				scale = math.Max(2, math.Min(15, pv.radius))
			}
			fDist = math.Exp(-d / scale)
			if inD && fDist < districtFloor {
				fDist = districtFloor
			}
		case inD:
			fDist = districtFloor
		default:
			fDist = neutralDistance
			if ex != nil {
				ex.missing = append(ex.missing, rs(ReasonNoLocation, nil))
			}
		}
		if ex != nil {
			if haveD {
				ex.reasons = append(ex.reasons, rs(ReasonDistance, map[string]any{"Km": round1(d)}))
			}
			if inD {
				ex.reasons = append(ex.reasons, rs(ReasonInDistrict, map[string]any{"District": n.District}))
			}
		}
	}
	placeReasons := 0
	if ex != nil {
		// place reasons are moved after talents and languages below
		placeReasons = len(ex.reasons)
	}

	// --- talents: required ones are hard; coverage and levels are soft
	work := pv.goals&goalWork != 0
	var sumW, sumC, best float64
	hasRequired := false
	covered, builds, verifiedAsked, lacksWelcome := 0, false, false, false
	var talentReasons []Reason
	for _, a := range nv.talents {
		w := 1.0
		if a.Required {
			w = 2
			hasRequired = true
		}
		minL := max(a.MinLevel, 1)
		s, has := p.Talents[a.Key]
		has = has && s.Level > 0
		var c float64
		switch {
		case has && s.Level >= minL:
			covered++
			c = 0.8 + 0.1*float64(min(2, s.Level-minL))
			if s.Verified {
				c += 0.1
				verifiedAsked = true
			} else if work {
				builds = true
			}
			c = math.Min(c, 1)
			if ex != nil {
				switch {
				case s.Verified:
					talentReasons = append(talentReasons, rs(ReasonVerifiedTalent, map[string]any{"Talent": a.Key}))
				case a.MinLevel >= 2:
					talentReasons = append(talentReasons, rs(ReasonTalentLevel, map[string]any{"Talent": a.Key}))
				case !a.Required:
					talentReasons = append(talentReasons, rs(ReasonWelcomeTalent, map[string]any{"Talent": a.Key}))
				}
				if work && !s.Verified {
					talentReasons = append(talentReasons, rs(ReasonBuildsCompetence, map[string]any{"Talent": a.Key}))
				}
			}
		case has:
			c = 0.5 * float64(s.Level) / float64(minL)
			if a.Required {
				if ex == nil {
					return false, 0
				}
				fail(rs(ReasonLevelTooLow, map[string]any{"Talent": a.Key, "Need": minL, "Have": s.Level}))
			} else {
				lacksWelcome = true
				if ex != nil {
					ex.missing = append(ex.missing, rs(ReasonLevelTooLow, map[string]any{"Talent": a.Key, "Need": minL, "Have": s.Level}))
				}
			}
		default:
			if a.Required {
				if ex == nil {
					return false, 0
				}
				fail(rs(ReasonMissingTalent, map[string]any{"Talent": a.Key}))
			} else {
				lacksWelcome = true
				if ex != nil {
					ex.missing = append(ex.missing, rs(ReasonMissingTalent, map[string]any{"Talent": a.Key}))
				}
			}
		}
		sumW += w
		sumC += w * c
		best = math.Max(best, c)
	}
	// q blends the best single fit with the weighted coverage (required asks
	// count double), so one welcome talent you have is not diluted by others
	// you lack. A need that requires a talent you have is a stronger match
	// than one that only welcomes it: its range is 0.2..1, welcome-only 0.35..0.85.
	fTalents := neutralTalents
	if sumW > 0 {
		q := 0.5*best + 0.5*sumC/sumW
		if hasRequired {
			fTalents = 0.2 + 0.8*q
		} else {
			fTalents = neutralTalents + 0.5*q
		}
	}

	// --- languages: required ones are hard; the rest is soft
	var lw, lc float64
	var langReasons []Reason
	// Languages that are welcome but not required are alternatives ("Arabic, Turkish or
	// French on the spot"): when the person speaks one of them, the others are not missing.
	var optMissing []Reason
	metOptional := false
	for _, a := range nv.langs {
		w := 1.0
		if a.Required {
			w = 2
		}
		minL := max(a.MinLevel, 1)
		have := p.Languages[a.Code]
		var c float64
		switch {
		case have >= minL:
			c = 1
			metOptional = metOptional || !a.Required
			if ex != nil && (a.Required || !eqFold(a.Code, "nl")) {
				langReasons = append(langReasons, rs(ReasonSpeaksLanguage, map[string]any{"Language": a.Code}))
			}
		case have > 0:
			c = 0.5 * float64(have) / float64(minL)
			if a.Required {
				if ex == nil {
					return false, 0
				}
				fail(rs(ReasonLanguageLevelTooLow, map[string]any{"Language": a.Code, "Need": minL, "Have": have}))
			} else if ex != nil {
				optMissing = append(optMissing, rs(ReasonLanguageLevelTooLow, map[string]any{"Language": a.Code, "Need": minL, "Have": have}))
			}
		default:
			if a.Required {
				if ex == nil {
					return false, 0
				}
				fail(rs(ReasonMissingLanguage, map[string]any{"Language": a.Code}))
			} else if ex != nil {
				optMissing = append(optMissing, rs(ReasonMissingLanguage, map[string]any{"Language": a.Code}))
			}
		}
		lw += w
		lc += w * c
	}
	if ex != nil && !metOptional {
		ex.missing = append(ex.missing, optMissing...)
	}
	fLang := neutralLanguages
	if lw > 0 {
		fLang = 0.3 + 0.7*lc/lw
	}

	// --- time: hard when the person set availability and the need has shifts
	fTime := neutralTime
	availSet := len(p.Availability) > 0
	var timeReason Reason
	hasTimeReason := false
	if nv.flexible {
		if availSet {
			fTime = flexibleTime
		}
	} else if availSet && !noneAgeOK {
		usable, fit := 0, 0
		var first *shiftInfo
		var firstStart time.Time
		local := nv.local()
		for i := range local {
			start := n.Shifts[i].Start
			if !allAgeOK {
				if a, k := p.AgeOn(start); !k || a < n.MinAge {
					continue
				}
			}
			usable++
			if shiftFits(p.Availability, &local[i]) {
				fit++
				if first == nil || start.Before(firstStart) {
					first, firstStart = &local[i], start
				}
			}
		}
		if fit == 0 {
			if ex == nil {
				return false, 0
			}
			fail(rs(ReasonNotAvailable, nil))
			fTime = 0
		} else {
			fTime = 0.6 + 0.4*float64(fit)/float64(usable)
			if ex != nil {
				timeReason = rs(ReasonAvailable, map[string]any{
					"Weekday":   strings.ToUpper(first.wd.String()),
					"PartOfDay": partOfDay(first.startMin),
				})
				hasTimeReason = true
			}
		}
	}

	// --- themes
	fThemes := neutralThemes
	var themeReasons []Reason
	if len(p.Themes) > 0 {
		common := 0
		for _, t := range n.Themes {
			if containsFold(p.Themes, t) {
				common++
				if ex != nil && common <= 2 {
					themeReasons = append(themeReasons, rs(ReasonTheme, map[string]any{"Theme": t}))
				}
			}
		}
		switch {
		case common == 0:
			fThemes = 0
		case common == 1:
			fThemes = 0.8
		default:
			fThemes = 1
		}
	}

	// --- what the person is looking for (mean over the goals they named)
	fGoals := neutralGoals
	if pv.ngoals > 0 {
		sum := 0.0
		if pv.goals&goalWork != 0 {
			v := 0.3 // nothing to show an employer
			if len(nv.talents) > 0 {
				v = 0.45 // uses talents, none they have
			}
			if verifiedAsked {
				v = 0.6 // more of what is already endorsed
			}
			if builds {
				v = 1 // a talent they have can get endorsed
			}
			sum += v
		}
		if pv.goals&goalLearn != 0 {
			v := 0.5
			if nv.noExp || nv.firstTimer || lacksWelcome {
				v = 0.9
			}
			sum += v
		}
		if pv.goals&goalMeet != 0 {
			v := 0.6
			if n.Remote {
				v = 0.1
			} else if nv.isSocial() {
				v = 0.9
			}
			sum += v
		}
		if pv.goals&goalGive != 0 {
			sum += 0.7
		}
		fGoals = sum / float64(pv.ngoals)
	}

	// --- accessibility that depends on the person
	fAccess := neutralAccess
	var accReasons []Reason
	if nv.noDutch && pv.dutch < dutchB1 {
		fAccess = 1
		if ex != nil {
			accReasons = append(accReasons, rs(ReasonNoDutchNeeded, nil))
		}
	}
	if nv.firstTimer && p.UpcomingShifts <= 0 {
		fAccess = math.Max(fAccess, 0.85)
		if ex != nil {
			accReasons = append(accReasons, rs(ReasonFirstTimer, nil))
		}
	}
	if nv.noExp && (pv.goals&goalLearn != 0 || p.UpcomingShifts <= 0) {
		fAccess = math.Max(fAccess, 0.8)
		if ex != nil {
			accReasons = append(accReasons, rs(ReasonNoExperience, nil))
		}
	}

	soft := wTalents*fTalents + wDistance*fDist + wTime*fTime + wThemes*fThemes +
		wGoals*fGoals + wLanguages*fLang + wAccess*fAccess
	soft = math.Max(0, math.Min(1, soft))
	score = soft
	if o.Spread {
		score = soft * nv.lift / (1 + spreadLift) * pv.damp
		score = math.Max(0, math.Min(1, score))
	}

	if ex != nil {
		place := append([]Reason(nil), ex.reasons[:placeReasons]...)
		out := ex.reasons[:0]
		if covered > 0 {
			out = append(out, rs(ReasonTalentsCovered, map[string]any{"Have": covered, "Of": len(nv.talents)}))
		}
		out = append(out, talentReasons...)
		out = append(out, langReasons...)
		out = append(out, accReasons...)
		out = append(out, place...)
		if hasTimeReason {
			out = append(out, timeReason)
		}
		out = append(out, themeReasons...)
		if o.Spread && nv.few {
			out = append(out, rs(ReasonFewApplicants, nil))
		}
		if len(out) == 0 && ok {
			out = append(out, rs(ReasonOpenToAll, nil))
		}
		ex.reasons = out
	}
	return ok, score
}
