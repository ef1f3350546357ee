// Package volunteering is the marketplace of pillar 1: organisations' needs and their
// shifts, volunteers' applications (with a waiting list that never oversells a place),
// attendance and hours, endorsements, thanks, notifications and search.
package volunteering

import (
	"encoding/json"
	"time"

	"github.com/lib/pq"
)

// Need statuses.
const (
	NeedDraft     = "DRAFT"
	NeedOpen      = "OPEN"
	NeedFilled    = "FILLED"
	NeedClosed    = "CLOSED"
	NeedCancelled = "CANCELLED"
)

// Schedules.
const (
	ScheduleOneOff   = "ONE_OFF"
	ScheduleWeekly   = "WEEKLY"
	ScheduleFlexible = "FLEXIBLE"
)

// Application statuses.
const (
	AppPending   = "PENDING"
	AppAccepted  = "ACCEPTED"
	AppWaiting   = "WAITING"
	AppDeclined  = "DECLINED"
	AppWithdrawn = "WITHDRAWN"
	AppAttended  = "ATTENDED"
	AppNoShow    = "NO_SHOW"
	AppCancelled = "CANCELLED"
)

// Shift statuses.
const (
	ShiftScheduled = "SCHEDULED"
	ShiftCancelled = "CANCELLED"
)

// Need is what an organisation asks volunteers for.
type Need struct {
	ID             string         `db:"id"`
	OrganisationID string         `db:"organisation_id"`
	Status         string         `db:"status"`
	Title          string         `db:"title"`
	Description    string         `db:"description"`
	Themes         pq.StringArray `db:"themes"`
	Languages      pq.StringArray `db:"languages"`
	Accessibility  pq.StringArray `db:"accessibility"`
	Remote         bool           `db:"remote"`
	Street         string         `db:"street"`
	Postcode       string         `db:"postcode"`
	City           string         `db:"city"`
	DistrictKey    *string        `db:"district_key"`
	Lat            *float64       `db:"lat"`
	Lon            *float64       `db:"lon"`
	MinAge         *int           `db:"min_age"`
	Schedule       string         `db:"schedule"`
	PatternJSON    []byte         `db:"pattern"`
	AutoAccept     bool           `db:"auto_accept"`
	FlexiblePlaces *int           `db:"flexible_places"`
	FlexibleTaken  int            `db:"flexible_taken"`
	NextStart      *time.Time     `db:"next_start"`
	PlacesLeft     int            `db:"places_left"`
	CreatedBy      *string        `db:"created_by"`
	CreatedAt      time.Time      `db:"created_at"`
	UpdatedAt      time.Time      `db:"updated_at"`
	PublishedAt    *time.Time     `db:"published_at"`
	ClosedAt       *time.Time     `db:"closed_at"`

	// DistanceKm is set by a search near a point.
	DistanceKm *float64 `db:"-"`
}

const needColumns = `id, organisation_id, status, title, description, themes, languages, accessibility, remote, street,
	postcode, city, district_key, lat, lon, min_age, schedule, pattern, auto_accept, flexible_places, flexible_taken,
	next_start, places_left, created_by, created_at, updated_at, published_at, closed_at`

// Pattern is a weekly recurrence, in Europe/Brussels local time.
type Pattern struct {
	Weekdays   []int  `json:"weekdays"` // 1 = Monday … 7 = Sunday
	Start      string `json:"start"`    // HH:MM
	Minutes    int    `json:"minutes"`
	Places     int    `json:"places"`
	WeeksAhead int    `json:"weeksAhead"`
	From       string `json:"from"`            // YYYY-MM-DD
	Until      string `json:"until,omitempty"` // YYYY-MM-DD
}

// WeeklyPattern decodes the need's pattern, or nil.
func (n *Need) WeeklyPattern() *Pattern {
	if len(n.PatternJSON) == 0 || string(n.PatternJSON) == "null" {
		return nil
	}
	var p Pattern
	if err := json.Unmarshal(n.PatternJSON, &p); err != nil {
		return nil
	}
	return &p
}

// NeedTalent is a talent a need asks for.
type NeedTalent struct {
	NeedID    string `db:"need_id"`
	TalentKey string `db:"talent_key"`
	Required  bool   `db:"required"`
	MinLevel  int    `db:"min_level"`
}

// Shift is a time slot of a need with a number of places.
type Shift struct {
	ID          string     `db:"id"`
	NeedID      string     `db:"need_id"`
	StartsAt    time.Time  `db:"starts_at"`
	EndsAt      time.Time  `db:"ends_at"`
	Places      int        `db:"places"`
	PlacesTaken int        `db:"places_taken"`
	Status      string     `db:"status"`
	CancelledAt *time.Time `db:"cancelled_at"`
	CreatedAt   time.Time  `db:"created_at"`
}

const shiftColumns = `id, need_id, starts_at, ends_at, places, places_taken, status, cancelled_at, created_at`

// Application is a volunteer's application to a shift or a flexible need.
type Application struct {
	ID           string     `db:"id"`
	NeedID       string     `db:"need_id"`
	ShiftID      *string    `db:"shift_id"`
	PersonID     string     `db:"person_id"`
	Status       string     `db:"status"`
	Message      string     `db:"message"`
	WaitingSince *time.Time `db:"waiting_since"`
	HoldsPlace   bool       `db:"holds_place"`
	Minutes      *int       `db:"minutes"`
	WorkedOn     *time.Time `db:"worked_on"`
	ConfirmedAt  *time.Time `db:"confirmed_at"`
	ConfirmedBy  *string    `db:"confirmed_by"`
	CreatedAt    time.Time  `db:"created_at"`
	UpdatedAt    time.Time  `db:"updated_at"`
}

const applicationColumns = `id, need_id, shift_id, person_id, status, message, waiting_since, holds_place, minutes,
	worked_on, confirmed_at, confirmed_by, created_at, updated_at`

// Event is one status change of an application.
type Event struct {
	ID            int64     `db:"id"`
	ApplicationID string    `db:"application_id"`
	Status        string    `db:"status"`
	ActorID       *string   `db:"actor_id"`
	Note          string    `db:"note"`
	At            time.Time `db:"at"`
}

// Endorsement is a talent an organisation saw a volunteer use.
type Endorsement struct {
	ID             string    `db:"id"`
	ApplicationID  string    `db:"application_id"`
	PersonID       string    `db:"person_id"`
	TalentKey      string    `db:"talent_key"`
	OrganisationID string    `db:"organisation_id"`
	NeedID         string    `db:"need_id"`
	EndorsedBy     *string   `db:"endorsed_by"`
	Hidden         bool      `db:"hidden"`
	CreatedAt      time.Time `db:"created_at"`
}

// Notification kinds.
const (
	NoteApplicationReceived  = "APPLICATION_RECEIVED"
	NoteApplicationAccepted  = "APPLICATION_ACCEPTED"
	NoteApplicationDeclined  = "APPLICATION_DECLINED"
	NoteApplicationWithdrawn = "APPLICATION_WITHDRAWN"
	NoteWaitingMovedUp       = "WAITING_LIST_MOVED_UP"
	NoteShiftChanged         = "SHIFT_CHANGED"
	NoteShiftCancelled       = "SHIFT_CANCELLED"
	NoteShiftReminder        = "SHIFT_REMINDER"
	NoteThankYou             = "THANK_YOU"
)

// Notification is a message to a person, kept in the database.
type Notification struct {
	ID            string     `db:"id"`
	PersonID      string     `db:"person_id"`
	Kind          string     `db:"kind"`
	NeedID        *string    `db:"need_id"`
	ShiftID       *string    `db:"shift_id"`
	ApplicationID *string    `db:"application_id"`
	Message       string     `db:"message"`
	CreatedAt     time.Time  `db:"created_at"`
	ReadAt        *time.Time `db:"read_at"`
}

const notificationColumns = `id, person_id, kind, need_id, shift_id, application_id, message, created_at, read_at`

// AttendanceConfirmed is the outbox event the ledger mints coins from, once per application.
type AttendanceConfirmed struct {
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

// TopicAttendanceConfirmed is the outbox topic of AttendanceConfirmed.
const TopicAttendanceConfirmed = "attendance.confirmed"
