package matching

// Reason codes. A Reason carries one of these codes and a few arguments; the
// API layer translates "reason_<code>" into the viewer's language (i18n) and
// fills in the arguments. This is the only list: add a translation for every
// code below.
const (
	// Why a need fits (Match.Reasons).

	ReasonTalentsCovered   = "TALENTS_COVERED"      // {Have int, Of int}: has Have of the Of talents the need asks
	ReasonTalentLevel      = "TALENT_LEVEL"         // {Talent key}: has the level the need asks for this talent
	ReasonWelcomeTalent    = "WELCOME_TALENT"       // {Talent key}: has a talent the need welcomes
	ReasonVerifiedTalent   = "VERIFIED_TALENT"      // {Talent key}: an organisation endorsed this talent after confirmed work
	ReasonBuildsCompetence = "BUILDS_COMPETENCE"    // {Talent key}: looking for a job or work experience, has this talent unverified; doing this can get it endorsed
	ReasonSpeaksLanguage   = "SPEAKS_LANGUAGE"      // {Language code}: speaks a language the need asks, at the level asked
	ReasonNoDutchNeeded    = "NO_DUTCH_NEEDED"      // {}: the need says no Dutch is needed, and the person's Dutch is below B1
	ReasonFirstTimer       = "FIRST_TIMER_FRIENDLY" // {}: the need suits a first-time volunteer, and the person has nothing planned yet
	ReasonNoExperience     = "NO_EXPERIENCE_NEEDED" // {}: the need asks no experience, and the person wants to learn or has nothing planned
	ReasonDistance         = "DISTANCE"             // {Km float64, one decimal}: distance between home and the need
	ReasonInDistrict       = "IN_DISTRICT"          // {District key}: in a district the person chose
	ReasonRemote           = "REMOTE"               // {}: can be done from home
	ReasonAvailable        = "AVAILABLE"            // {Weekday "MONDAY".."SUNDAY", PartOfDay "MORNING"|"AFTERNOON"|"EVENING"}: a shift falls in the person's free time
	ReasonTheme            = "THEME"                // {Theme key}: a theme the person cares about
	ReasonFewApplicants    = "FEW_APPLICANTS"       // {}: few people applied so far (the spread lift)
	ReasonOpenToAll        = "OPEN_TO_ALL"          // {}: no required talent or language; only given when nothing more specific applies, so reasons are never empty

	// What is missing or why a pair is not eligible (Match.Missing, Eligible's failed list).

	ReasonMissingTalent       = "MISSING_TALENT"         // {Talent key}: does not have a talent the need asks (required: not eligible)
	ReasonLevelTooLow         = "LEVEL_TOO_LOW"          // {Talent key, Need int, Have int}: talent level below the level asked
	ReasonMissingLanguage     = "MISSING_LANGUAGE"       // {Language code}: does not speak a language the need asks
	ReasonLanguageLevelTooLow = "LANGUAGE_LEVEL_TOO_LOW" // {Language code, Need int, Have int}: speaks it, below the level asked (levels 1..7 = A1..C2, NATIVE)
	ReasonTooFar              = "TOO_FAR"                // {Km float64, Max float64}: beyond the radius the person accepts
	ReasonOutsideDistricts    = "OUTSIDE_DISTRICTS"      // {District key}: not in a district the person chose
	ReasonNotAvailable        = "NOT_AVAILABLE"          // {}: no shift falls in the person's free time
	ReasonTooYoung            = "TOO_YOUNG"              // {Age int}: younger than the minimum age Age
	ReasonAgeUnknown          = "AGE_UNKNOWN"            // {Age int}: the need has a minimum age Age and the person's age is not known
	ReasonNoLocation          = "NO_LOCATION"            // {}: the distance could not be computed (home or place unknown)
)

// ReasonCodes lists every code, reasons first, then missing ones. The API
// layer can use it to check that each has a translation.
var ReasonCodes = []string{
	ReasonTalentsCovered, ReasonTalentLevel, ReasonWelcomeTalent, ReasonVerifiedTalent, ReasonBuildsCompetence,
	ReasonSpeaksLanguage, ReasonNoDutchNeeded, ReasonFirstTimer, ReasonNoExperience, ReasonDistance,
	ReasonInDistrict, ReasonRemote, ReasonAvailable, ReasonTheme, ReasonFewApplicants, ReasonOpenToAll,
	ReasonMissingTalent, ReasonLevelTooLow, ReasonMissingLanguage, ReasonLanguageLevelTooLow, ReasonTooFar,
	ReasonOutsideDistricts, ReasonNotAvailable, ReasonTooYoung, ReasonAgeUnknown, ReasonNoLocation,
}

// Values of Person.LookingFor.
const (
	GoalMeetPeople     = "MEET_PEOPLE"
	GoalLearn          = "LEARN"
	GoalWorkExperience = "WORK_EXPERIENCE"
	GoalGiveBack       = "GIVE_BACK"
	GoalJob            = "JOB"
)

// Values of Need.Accessibility that matching uses. WHEELCHAIR_ACCESSIBLE and
// the like are search filters the person applies themselves: matching has no
// field about a person's body or health, so it cannot and does not use them.
const (
	AccessFirstTimer   = "FIRST_TIMER_FRIENDLY"
	AccessNoDutch      = "NO_DUTCH_NEEDED"
	AccessNoExperience = "NO_EXPERIENCE_NEEDED"
	AccessWheelchair   = "WHEELCHAIR_ACCESSIBLE"
)

// Values of the AVAILABLE reason's PartOfDay argument.
const (
	PartMorning   = "MORNING"
	PartAfternoon = "AFTERNOON"
	PartEvening   = "EVENING"
)
