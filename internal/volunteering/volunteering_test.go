package volunteering_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/reference"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// ---------------------------------------------------------------------------------------
// Set-up

type env struct {
	t   *testing.T
	ctx context.Context
	db  *sqlx.DB
	svc *volunteering.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testutil.NewDB(t)
	log := testutil.Logger(t)
	ref := reference.NewService(db)
	orgs := organisations.NewService(db, ref, log)
	svc := volunteering.NewService(db, ref, orgs, volunteering.NewBroker(), log)
	return &env{t: t, ctx: context.Background(), db: db, svc: svc}
}

// with returns the env for a subtest (so that its helpers fail the subtest).
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

var personSeq atomic.Int64

// person inserts a person (with a birth date when birth is not zero) and returns their viewer.
func (e *env) person(name string, birth time.Time) *accounts.Viewer {
	e.t.Helper()
	email := fmt.Sprintf("%s-%d@example.org", strings.ToLower(strings.ReplaceAll(name, " ", ".")), personSeq.Add(1))
	var bd any
	if !birth.IsZero() {
		bd = birth.Format(time.DateOnly)
	}
	var id string
	if err := e.db.Get(&id, `INSERT INTO people (email, password_hash, display_name, birth_date) VALUES ($1, 'x', $2, $3)
		RETURNING id`, email, name, bd); err != nil {
		e.t.Fatalf("insert person: %v", err)
	}
	return &accounts.Viewer{PersonID: id}
}

// org inserts an organisation with the given status and makes admin its ADMIN member.
func (e *env) org(name, status string, admin *accounts.Viewer) string {
	e.t.Helper()
	var id string
	if err := e.db.Get(&id, `INSERT INTO organisations (kind, name, status) VALUES ('NON_PROFIT', $1, $2) RETURNING id`,
		name, status); err != nil {
		e.t.Fatalf("insert organisation: %v", err)
	}
	if _, err := e.db.Exec(`INSERT INTO organisation_members (organisation_id, person_id, role) VALUES ($1, $2, 'ADMIN')`,
		id, admin.PersonID); err != nil {
		e.t.Fatalf("insert member: %v", err)
	}
	return id
}

func ptr[T any](v T) *T { return &v }

// at returns a whole-hour time some days from now, in Brussels.
func at(days, hour int) time.Time {
	n := time.Now().In(volunteering.Zone)
	return time.Date(n.Year(), n.Month(), n.Day()+days, hour, 0, 0, 0, volunteering.Zone)
}

func shift(start time.Time, minutes, places int) volunteering.ShiftSpec {
	return volunteering.ShiftSpec{StartsAt: start, EndsAt: start.Add(time.Duration(minutes) * time.Minute), Places: places}
}

func oneOff(title string, autoAccept bool, shifts ...volunteering.ShiftSpec) volunteering.NeedInput {
	return volunteering.NeedInput{Title: ptr(title), Schedule: ptr(volunteering.ScheduleOneOff), AutoAccept: ptr(autoAccept),
		Shifts: shifts}
}

// publishedNeed creates and publishes a need and returns it with its shifts in time order.
func (e *env) publishedNeed(coord *accounts.Viewer, orgID string, in volunteering.NeedInput) (*volunteering.Need, []volunteering.Shift) {
	e.t.Helper()
	n, err := e.svc.CreateNeed(e.ctx, coord, orgID, in)
	if err != nil {
		e.t.Fatalf("create need: %v", err)
	}
	if n, err = e.svc.PublishNeed(e.ctx, coord, n.ID); err != nil {
		e.t.Fatalf("publish need: %v", err)
	}
	return n, e.shifts(n.ID)
}

func (e *env) shifts(needID string) []volunteering.Shift {
	e.t.Helper()
	page, err := e.svc.Shifts(e.ctx, needID, true, 500, nil)
	if err != nil {
		e.t.Fatalf("shifts: %v", err)
	}
	return page.Shifts
}

func (e *env) shift(id string) *volunteering.Shift {
	e.t.Helper()
	sh, err := e.svc.Shift(e.ctx, id)
	if err != nil {
		e.t.Fatalf("shift: %v", err)
	}
	return sh
}

func (e *env) need(id string) *volunteering.Need {
	e.t.Helper()
	var n volunteering.Need
	if err := e.db.Get(&n, `SELECT id, status, next_start, places_left, flexible_taken FROM needs WHERE id = $1`, id); err != nil {
		e.t.Fatalf("need: %v", err)
	}
	return &n
}

func (e *env) app(id string) *volunteering.Application {
	e.t.Helper()
	a, err := e.svc.Application(e.ctx, id)
	if err != nil {
		e.t.Fatalf("application: %v", err)
	}
	return a
}

func (e *env) mustApply(v *accounts.Viewer, needID, shiftID string) *volunteering.Application {
	e.t.Helper()
	a, err := e.svc.Apply(e.ctx, v, needID, &shiftID, "")
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return a
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Get(&n, query, args...); err != nil {
		e.t.Fatalf("count %q: %v", query, err)
	}
	return n
}

func (e *env) notifications(personID, kind string) int {
	e.t.Helper()
	return e.count(`SELECT count(*) FROM notifications WHERE person_id = $1 AND kind = $2`, personID, kind)
}

// wantUserError checks that err carries a user error on field (dotted, below "input") with code and message key.
func wantUserError(t *testing.T, err error, field string, code errs.Code, key string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s %s (%s)", field, code, key)
	}
	ues, ok := errs.AsUserErrors(err)
	if !ok {
		t.Fatalf("error %v is not a user error, want %s %s (%s)", err, field, code, key)
	}
	want := "input"
	if field != "" {
		want += "." + field
	}
	for _, u := range ues {
		if strings.Join(u.Field, ".") == want && u.Code == code && u.Message == key {
			return
		}
	}
	t.Fatalf("user errors = %+v, want %s %s (%s)", ues, want, code, key)
}

func wantForbidden(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("%s: error = %v, want FORBIDDEN", what, err)
	}
}

// checkHistory checks that every application's status changes are all recorded: each
// application has events, all with a time, the last one being its current status, and
// every change made by a person names them (only the waiting list moves people up by itself).
func (e *env) checkHistory() {
	e.t.Helper()
	var apps []volunteering.Application
	if err := e.db.Select(&apps, `SELECT id, status, person_id FROM applications`); err != nil {
		e.t.Fatalf("load applications: %v", err)
	}
	for _, a := range apps {
		ev, err := e.svc.History(e.ctx, a.ID)
		if err != nil {
			e.t.Fatalf("history: %v", err)
		}
		if len(ev) == 0 {
			e.t.Errorf("application %s (%s) has no history", a.ID, a.Status)
			continue
		}
		if last := ev[len(ev)-1]; last.Status != a.Status {
			e.t.Errorf("application %s is %s but its last recorded change is %s", a.ID, a.Status, last.Status)
		}
		for i, x := range ev {
			if x.At.IsZero() {
				e.t.Errorf("application %s event %d has no time", a.ID, i)
			}
			if x.ActorID == nil && x.Note != "waiting list" {
				e.t.Errorf("application %s event %d (%s) does not say who made it", a.ID, i, x.Status)
			}
			if i > 0 && x.At.Before(ev[i-1].At) {
				e.t.Errorf("application %s events out of order", a.ID)
			}
		}
	}
}

// ---------------------------------------------------------------------------------------
// 1. Concurrency

func TestFiftyVolunteersApplyAtOnceForThreePlaces(t *testing.T) {
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Voedselbank", organisations.StatusApproved, coord)
	n, shifts := e.publishedNeed(coord, orgID, oneOff("Voedselpakketten maken", true, shift(at(5, 9), 180, 3)))
	shiftID := shifts[0].ID

	const people = 50
	vols := make([]*accounts.Viewer, people)
	for i := range vols {
		vols[i] = e.person(fmt.Sprintf("Volunteer %d", i), time.Time{})
	}
	results := make([]*volunteering.Application, people)
	errList := make([]error, people)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range vols {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			sid := shiftID
			results[i], errList[i] = e.svc.Apply(e.ctx, vols[i], n.ID, &sid, "")
		}(i)
	}
	close(start)
	wg.Wait()

	var accepted, waiting []*volunteering.Application
	for i, a := range results {
		if errList[i] != nil {
			t.Fatalf("apply %d: %v", i, errList[i])
		}
		if db := e.app(a.ID); db.Status != a.Status || db.HoldsPlace != a.HoldsPlace {
			t.Errorf("apply %d returned %s/%v but the database has %s/%v", i, a.Status, a.HoldsPlace, db.Status, db.HoldsPlace)
		}
		switch a.Status {
		case volunteering.AppAccepted:
			if !a.HoldsPlace || a.WaitingSince != nil {
				t.Errorf("accepted application %+v should hold a place and not wait", a)
			}
			accepted = append(accepted, a)
		case volunteering.AppWaiting:
			if a.HoldsPlace || a.WaitingSince == nil {
				t.Errorf("waiting application %+v should not hold a place and should have waiting_since", a)
			}
			waiting = append(waiting, a)
		default:
			t.Errorf("apply %d gave status %s", i, a.Status)
		}
	}
	if len(accepted) != 3 || len(waiting) != 47 {
		t.Fatalf("accepted %d, waiting %d; want 3 and 47", len(accepted), len(waiting))
	}
	if sh := e.shift(shiftID); sh.PlacesTaken != 3 {
		t.Errorf("places_taken = %d, want 3", sh.PlacesTaken)
	}
	if nd := e.need(n.ID); nd.Status != volunteering.NeedFilled || nd.PlacesLeft != 0 {
		t.Errorf("need is %s with %d places left, want FILLED with 0", nd.Status, nd.PlacesLeft)
	}
	if c, _ := e.svc.WaitingCount(e.ctx, shiftID); c != 47 {
		t.Errorf("waiting count = %d, want 47", c)
	}

	// Arrival order is the order in which applications got the shift: the first event of each
	// application is written under the shift's lock, so its id is the arrival order.
	arrival := map[string]int64{}
	var rows []struct {
		AppID string `db:"application_id"`
		ID    int64  `db:"id"`
	}
	if err := e.db.Select(&rows, `SELECT application_id, min(id) AS id FROM application_events GROUP BY application_id`); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		arrival[r.AppID] = r.ID
	}
	lastAccepted := int64(0)
	for _, a := range accepted {
		lastAccepted = max(lastAccepted, arrival[a.ID])
	}
	for _, w := range waiting {
		if arrival[w.ID] < lastAccepted {
			t.Errorf("application %s arrived before an accepted one but waits", w.ID)
		}
	}

	// Positions 1..47, ordered by waiting_since and by arrival.
	byPos := positions(t, e, waiting)
	for pos := 2; pos <= 47; pos++ {
		prev, cur := byPos[pos-1], byPos[pos]
		if cur.WaitingSince.Before(*prev.WaitingSince) {
			t.Errorf("position %d waits since %s, before position %d (%s)", pos, cur.WaitingSince, pos-1, prev.WaitingSince)
		}
		if arrival[cur.ID] < arrival[prev.ID] {
			t.Errorf("position %d arrived before position %d", pos, pos-1)
		}
	}

	// Everybody was told: the organisation of every application, the accepted of their place.
	if got := e.notifications(coord.PersonID, volunteering.NoteApplicationReceived); got != people {
		t.Errorf("coordinator got %d APPLICATION_RECEIVED, want %d", got, people)
	}
	for _, a := range accepted {
		if got := e.notifications(a.PersonID, volunteering.NoteApplicationAccepted); got != 1 {
			t.Errorf("accepted volunteer got %d APPLICATION_ACCEPTED, want 1", got)
		}
	}

	// One accepted volunteer withdraws: the first in line gets the place.
	first := byPos[1]
	w, err := e.svc.Withdraw(e.ctx, &accounts.Viewer{PersonID: accepted[0].PersonID}, accepted[0].ID, "ziek")
	if err != nil {
		t.Fatalf("withdraw: %v", err)
	}
	if w.Status != volunteering.AppWithdrawn || w.HoldsPlace {
		t.Errorf("withdrawn application = %s holds %v", w.Status, w.HoldsPlace)
	}
	if got := e.app(first.ID); got.Status != volunteering.AppAccepted || !got.HoldsPlace {
		t.Errorf("first in line is %s (holds %v), want ACCEPTED holding a place", got.Status, got.HoldsPlace)
	}
	if sh := e.shift(shiftID); sh.PlacesTaken != 3 {
		t.Errorf("places_taken after withdrawal and move up = %d, want 3", sh.PlacesTaken)
	}
	if got := e.notifications(first.PersonID, volunteering.NoteWaitingMovedUp); got != 1 {
		t.Errorf("first in line got %d WAITING_LIST_MOVED_UP, want 1", got)
	}
	if got := e.notifications(coord.PersonID, volunteering.NoteApplicationWithdrawn); got != 1 {
		t.Errorf("coordinator got %d APPLICATION_WITHDRAWN, want 1", got)
	}
	ev, _ := e.svc.History(e.ctx, first.ID)
	if last := ev[len(ev)-1]; last.Status != volunteering.AppAccepted || last.ActorID != nil {
		t.Errorf("move up recorded as %+v, want ACCEPTED by the platform", last)
	}
	for pos := 2; pos <= 47; pos++ {
		a := e.app(byPos[pos].ID)
		got, err := e.svc.WaitingPosition(e.ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != volunteering.AppWaiting || got != pos-1 {
			t.Errorf("old position %d is now %s at %d, want WAITING at %d", pos, a.Status, got, pos-1)
		}
	}

	// Two more accepted volunteers withdraw at the same moment: positions 2 and 3 move up.
	var wg2 sync.WaitGroup
	go2 := make(chan struct{})
	for _, a := range accepted[1:] {
		wg2.Add(1)
		go func(a *volunteering.Application) {
			defer wg2.Done()
			<-go2
			if _, err := e.svc.Withdraw(e.ctx, &accounts.Viewer{PersonID: a.PersonID}, a.ID, ""); err != nil {
				t.Errorf("withdraw: %v", err)
			}
		}(a)
	}
	close(go2)
	wg2.Wait()
	for pos := 2; pos <= 4; pos++ {
		want := volunteering.AppWaiting
		if pos <= 3 {
			want = volunteering.AppAccepted
		}
		if got := e.app(byPos[pos].ID).Status; got != want {
			t.Errorf("old position %d is %s, want %s", pos, got, want)
		}
	}
	if sh := e.shift(shiftID); sh.PlacesTaken != 3 {
		t.Errorf("places_taken = %d, want 3", sh.PlacesTaken)
	}
	if got := e.count(`SELECT count(*) FROM applications WHERE shift_id = $1 AND holds_place`, shiftID); got != 3 {
		t.Errorf("%d applications hold a place, want 3", got)
	}
	e.checkHistory()
}

// positions maps waiting positions to applications and checks they are exactly 1..len.
func positions(t *testing.T, e *env, waiting []*volunteering.Application) map[int]*volunteering.Application {
	t.Helper()
	byPos := map[int]*volunteering.Application{}
	for _, w := range waiting {
		a := e.app(w.ID)
		pos, err := e.svc.WaitingPosition(e.ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if pos < 1 || pos > len(waiting) || byPos[pos] != nil {
			t.Fatalf("waiting position %d is out of range or taken twice", pos)
		}
		byPos[pos] = a
	}
	return byPos
}

func TestWithoutAutoAcceptApplicationsWaitForTheOrganisationAndAcceptanceNeverOversells(t *testing.T) {
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Buurthuis", organisations.StatusApproved, coord)
	n, shifts := e.publishedNeed(coord, orgID, oneOff("Koffie schenken", false, shift(at(4, 14), 120, 2)))
	shiftID := shifts[0].ID

	const people = 6
	apps := make([]*volunteering.Application, people)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < people; i++ {
		v := e.person(fmt.Sprintf("V%d", i), time.Time{})
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			sid := shiftID
			a, err := e.svc.Apply(e.ctx, v, n.ID, &sid, "Ik help graag")
			if err != nil {
				t.Errorf("apply: %v", err)
				return
			}
			apps[i] = a
		}(i)
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, a := range apps {
		if a.Status != volunteering.AppPending || a.HoldsPlace {
			t.Errorf("application is %s (holds %v), want PENDING without a place", a.Status, a.HoldsPlace)
		}
	}
	if sh := e.shift(shiftID); sh.PlacesTaken != 0 {
		t.Errorf("places_taken = %d, want 0 before acceptance", sh.PlacesTaken)
	}

	// The coordinator accepts all six at once: two get the places, four are refused.
	var ok, full atomic.Int32
	start2 := make(chan struct{})
	for _, a := range apps {
		wg.Add(1)
		go func(a *volunteering.Application) {
			defer wg.Done()
			<-start2
			_, err := e.svc.Accept(e.ctx, coord, a.ID)
			if err == nil {
				ok.Add(1)
				return
			}
			if ues, isUE := errs.AsUserErrors(err); isUE && ues[0].Code == errs.InvalidState && ues[0].Message == "no_places_left" {
				full.Add(1)
				return
			}
			t.Errorf("accept: %v", err)
		}(a)
	}
	close(start2)
	wg.Wait()
	if ok.Load() != 2 || full.Load() != 4 {
		t.Errorf("accepted %d, refused %d; want 2 and 4", ok.Load(), full.Load())
	}
	if sh := e.shift(shiftID); sh.PlacesTaken != 2 {
		t.Errorf("places_taken = %d, want 2", sh.PlacesTaken)
	}
	if got := e.count(`SELECT count(*) FROM applications WHERE status = 'ACCEPTED'`); got != 2 {
		t.Errorf("%d ACCEPTED, want 2", got)
	}

	// One more by one: still no place.
	var pending *volunteering.Application
	for _, a := range apps {
		if e.app(a.ID).Status == volunteering.AppPending {
			pending = a
			break
		}
	}
	_, err := e.svc.Accept(e.ctx, coord, pending.ID)
	wantUserError(t, err, "applicationId", errs.InvalidState, "no_places_left")

	// A newcomer on the full shift joins the waiting list.
	late := e.mustApply(e.person("Late", time.Time{}), n.ID, shiftID)
	if late.Status != volunteering.AppWaiting {
		t.Errorf("applying to a full shift gave %s, want WAITING", late.Status)
	}
	e.checkHistory()
}

// ---------------------------------------------------------------------------------------
// 2. Who may apply

func TestAVolunteerCannotApplyTwiceNorToOverlappingShifts(t *testing.T) {
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Buurthuis", organisations.StatusApproved, coord)
	n1, s1 := e.publishedNeed(coord, orgID, oneOff("Soep koken", true, shift(at(3, 10), 120, 5), shift(at(3, 12), 60, 5)))
	n2, s2 := e.publishedNeed(coord, orgID, oneOff("Tuin wieden", true, shift(at(3, 11), 120, 5), shift(at(4, 11), 120, 5)))
	vol := e.person("Vera", time.Time{})

	a := e.mustApply(vol, n1.ID, s1[0].ID) // day 3, 10:00–12:00
	_, err := e.svc.Apply(e.ctx, vol, n1.ID, &s1[0].ID, "")
	wantUserError(t, err, "shiftId", errs.InvalidState, "already_applied")

	_, err = e.svc.Apply(e.ctx, vol, n2.ID, &s2[0].ID, "") // day 3, 11:00–13:00
	wantUserError(t, err, "shiftId", errs.InvalidState, "overlapping_shift")

	// Back-to-back is not overlapping, another day is fine.
	e.mustApply(vol, n1.ID, s1[1].ID) // day 3, 12:00–13:00
	e.mustApply(vol, n2.ID, s2[1].ID)

	// After withdrawing, the volunteer may apply again (a new application).
	if _, err := e.svc.Withdraw(e.ctx, vol, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	again := e.mustApply(vol, n1.ID, s1[0].ID)
	if again.ID == a.ID {
		t.Error("re-applying reused the withdrawn application")
	}
	if got := e.count(`SELECT count(*) FROM applications WHERE person_id = $1`, vol.PersonID); got != 4 {
		t.Errorf("%d applications, want 4", got)
	}
	if sh := e.shift(s1[0].ID); sh.PlacesTaken != 1 {
		t.Errorf("places_taken = %d, want 1", sh.PlacesTaken)
	}

	// Applying twice at the very same moment still gives one application.
	other := e.person("Omar", time.Time{})
	var wg sync.WaitGroup
	var okCount atomic.Int32
	start := make(chan struct{})
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			sid := s2[1].ID
			if _, err := e.svc.Apply(e.ctx, other, n2.ID, &sid, ""); err == nil {
				okCount.Add(1)
			} else if ues, ok := errs.AsUserErrors(err); !ok || ues[0].Message != "already_applied" {
				t.Errorf("concurrent duplicate: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if okCount.Load() != 1 {
		t.Errorf("%d concurrent duplicate applications succeeded, want 1", okCount.Load())
	}
	e.checkHistory()
}

func TestMinimumAge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Jeugdhuis", organisations.StatusApproved, coord)
	in := oneOff("Bar openhouden", true, shift(at(10, 20), 180, 10))
	in.MinAge = ptr(18)
	n, s := e.publishedNeed(coord, orgID, in)
	today := e.svc.Now().In(volunteering.Zone)
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)

	// The age that counts is the age on the day of the shift.
	sd := s[0].StartsAt.In(volunteering.Zone)
	shiftDay := time.Date(sd.Year(), sd.Month(), sd.Day(), 0, 0, 0, 0, time.UTC)
	young := e.person("Young", shiftDay.AddDate(-18, 0, 1)) // 18 the day after the shift
	_, err := e.svc.Apply(e.ctx, young, n.ID, &s[0].ID, "")
	wantUserError(t, err, "needId", errs.InvalidState, "below_minimum_age")
	if ues, _ := errs.AsUserErrors(err); ues[0].Args["Age"] != 18 {
		t.Errorf("below_minimum_age args = %v, want Age 18", ues[0].Args)
	}

	unknown := e.person("Unknown", time.Time{})
	_, err = e.svc.Apply(e.ctx, unknown, n.ID, &s[0].ID, "")
	wantUserError(t, err, "needId", errs.InvalidState, "birth_date_needed")

	onTheDay := e.person("On the day", shiftDay.AddDate(-18, 0, 0)) // 17 today, 18 on the day of the shift
	if a := e.mustApply(onTheDay, n.ID, s[0].ID); a.Status != volunteering.AppAccepted {
		t.Errorf("18 on the day of the shift gave %s", a.Status)
	}

	exactly := e.person("Exactly", day.AddDate(-18, 0, 0)) // 18 today
	if a := e.mustApply(exactly, n.ID, s[0].ID); a.Status != volunteering.AppAccepted {
		t.Errorf("exactly 18 gave %s", a.Status)
	}
	older := e.person("Older", day.AddDate(-70, 0, 0))
	e.mustApply(older, n.ID, s[0].ID)

	if got := e.count(`SELECT count(*) FROM applications`); got != 3 {
		t.Errorf("%d applications, want 3 (refused ones write nothing)", got)
	}
	if sh := e.shift(s[0].ID); sh.PlacesTaken != 3 {
		t.Errorf("places_taken = %d, want 3", sh.PlacesTaken)
	}

	if got := volunteering.AgeOn(time.Date(2009, 2, 28, 0, 0, 0, 0, time.UTC), time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC)); got != 18 {
		t.Errorf("AgeOn on the birthday = %d, want 18", got)
	}
	if got := volunteering.AgeOn(time.Date(2009, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC)); got != 17 {
		t.Errorf("AgeOn the day before = %d, want 17", got)
	}
}

// ---------------------------------------------------------------------------------------
// 3. Forbidden transitions

func TestForbiddenTransitions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coordA := e.person("Coordinator A", time.Time{})
	orgA := e.org("Organisatie A", organisations.StatusApproved, coordA)
	coordB := e.person("Coordinator B", time.Time{})
	orgB := e.org("Organisatie B", organisations.StatusApproved, coordB)
	nB, sB := e.publishedNeed(coordB, orgB, oneOff("Boeken sorteren", false, shift(at(2, 9), 120, 5), shift(at(9, 9), 120, 5)))
	vol := e.person("Vera", time.Time{})
	other := e.person("Omar", time.Time{})

	t.Run("accept a withdrawn application", func(t *testing.T) {
		e := e.with(t)
		a := e.mustApply(vol, nB.ID, sB[0].ID)
		if _, err := e.svc.Withdraw(e.ctx, vol, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.Accept(e.ctx, coordB, a.ID)
		wantUserError(t, err, "applicationId", errs.InvalidState, "cannot_accept")
		_, err = e.svc.Withdraw(e.ctx, vol, a.ID, "")
		wantUserError(t, err, "applicationId", errs.InvalidState, "cannot_withdraw")
		_, err = e.svc.Decline(e.ctx, coordB, a.ID, "")
		wantUserError(t, err, "applicationId", errs.InvalidState, "cannot_decline")
		if got := e.app(a.ID).Status; got != volunteering.AppWithdrawn {
			t.Errorf("status = %s", got)
		}
	})

	t.Run("somebody else's application", func(t *testing.T) {
		e := e.with(t)
		a := e.mustApply(other, nB.ID, sB[1].ID)
		_, err := e.svc.Withdraw(e.ctx, vol, a.ID, "")
		wantForbidden(t, err, "withdraw someone else's application")
		_, err = e.svc.Accept(e.ctx, other, a.ID)
		wantForbidden(t, err, "accept your own application")
		_, err = e.svc.Decline(e.ctx, other, a.ID, "")
		wantForbidden(t, err, "decline your own application")
		_, err = e.svc.Accept(e.ctx, coordA, a.ID)
		wantForbidden(t, err, "accept another organisation's application")
		_, err = e.svc.Accept(e.ctx, nil, a.ID)
		if !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("anonymous accept: %v", err)
		}
		if got := e.app(a.ID); got.Status != volunteering.AppPending {
			t.Errorf("status = %s, want PENDING", got.Status)
		}
	})

	t.Run("another organisation's need", func(t *testing.T) {
		e := e.with(t)
		_, err := e.svc.UpdateNeed(e.ctx, coordA, nB.ID, volunteering.NeedInput{Title: ptr("Overgenomen")})
		wantForbidden(t, err, "update")
		_, err = e.svc.CloseNeed(e.ctx, coordA, nB.ID, false, "")
		wantForbidden(t, err, "close")
		_, err = e.svc.CloseNeed(e.ctx, coordA, nB.ID, true, "")
		wantForbidden(t, err, "cancel")
		_, err = e.svc.AddShifts(e.ctx, coordA, nB.ID, []volunteering.ShiftSpec{shift(at(20, 9), 60, 1)})
		wantForbidden(t, err, "add shifts")
		_, err = e.svc.CancelShift(e.ctx, coordA, sB[0].ID, "")
		wantForbidden(t, err, "cancel shift")
		_, err = e.svc.CreateNeed(e.ctx, coordA, orgB, oneOff("In naam van B", false, shift(at(3, 9), 60, 1)))
		wantForbidden(t, err, "create a need for another organisation")
		_, err = e.svc.ConfirmAttendance(e.ctx, coordA, volunteering.AttendanceInput{ShiftID: sB[1].ID})
		wantForbidden(t, err, "confirm attendance")

		if got := e.count(`SELECT count(*) FROM needs WHERE title = 'Overgenomen' OR status <> 'OPEN'`); got != 0 {
			t.Errorf("another organisation changed the need")
		}
		if got := e.count(`SELECT count(*) FROM shifts WHERE need_id = $1`, nB.ID); got != 2 {
			t.Errorf("%d shifts, want 2", got)
		}
		if got := e.count(`SELECT count(*) FROM needs`); got != 1 {
			t.Errorf("%d needs, want 1", got)
		}
	})

	t.Run("confirm attendance on a future shift", func(t *testing.T) {
		e := e.with(t)
		a := e.mustApply(vol, nB.ID, sB[1].ID)
		if _, err := e.svc.Accept(e.ctx, coordB, a.ID); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.ConfirmAttendance(e.ctx, coordB, volunteering.AttendanceInput{ApplicationIDs: []string{a.ID}})
		wantUserError(t, err, "applicationIds.0", errs.InvalidState, "shift_not_ended")
		_, err = e.svc.MarkNoShow(e.ctx, coordB, a.ID)
		wantUserError(t, err, "applicationId", errs.InvalidState, "shift_not_ended")
		if got := e.app(a.ID); got.Status != volunteering.AppAccepted || got.Minutes != nil {
			t.Errorf("application = %s with minutes %v", got.Status, got.Minutes)
		}
		if got := e.count(`SELECT count(*) FROM outbox`); got != 0 {
			t.Errorf("%d outbox rows, want 0", got)
		}
	})

	t.Run("apply to a closed need", func(t *testing.T) {
		e := e.with(t)
		n, s := e.publishedNeed(coordA, orgA, oneOff("Kerstmarkt", true, shift(at(6, 9), 60, 5)))
		if _, err := e.svc.CloseNeed(e.ctx, coordA, n.ID, false, "genoeg mensen"); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.Apply(e.ctx, vol, n.ID, &s[0].ID, "")
		wantUserError(t, err, "needId", errs.InvalidState, "need_not_open")
		_, err = e.svc.UpdateNeed(e.ctx, coordA, n.ID, volunteering.NeedInput{Title: ptr("Heropend")})
		wantUserError(t, err, "needId", errs.InvalidState, "need_closed")
		_, err = e.svc.AddShifts(e.ctx, coordA, n.ID, []volunteering.ShiftSpec{shift(at(7, 9), 60, 1)})
		wantUserError(t, err, "needId", errs.InvalidState, "need_closed")
		_, err = e.svc.CloseNeed(e.ctx, coordA, n.ID, true, "")
		wantUserError(t, err, "needId", errs.InvalidState, "need_closed")
		if got := e.count(`SELECT count(*) FROM applications WHERE need_id = $1`, n.ID); got != 0 {
			t.Errorf("%d applications to the closed need", got)
		}
	})

	t.Run("apply to a draft need", func(t *testing.T) {
		e := e.with(t)
		n, err := e.svc.CreateNeed(e.ctx, coordA, orgA, oneOff("Nog niet klaar", true, shift(at(6, 14), 60, 5)))
		if err != nil {
			t.Fatal(err)
		}
		s := e.shifts(n.ID)
		_, err = e.svc.Apply(e.ctx, vol, n.ID, &s[0].ID, "")
		wantUserError(t, err, "needId", errs.InvalidState, "need_not_open")
		if _, err := e.svc.Need(e.ctx, vol, n.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("a volunteer sees a draft need: %v", err)
		}
	})

	t.Run("publish for an organisation that is not approved", func(t *testing.T) {
		e := e.with(t)
		coordP := e.person("Coordinator P", time.Time{})
		orgP := e.org("Nog niet goedgekeurd", organisations.StatusPending, coordP)
		n, err := e.svc.CreateNeed(e.ctx, coordP, orgP, oneOff("Wachten op goedkeuring", true, shift(at(5, 9), 60, 2)))
		if err != nil {
			t.Fatalf("create need for a pending organisation: %v", err)
		}
		_, err = e.svc.PublishNeed(e.ctx, coordP, n.ID)
		wantUserError(t, err, "needId", errs.InvalidState, "org_not_approved")
		if got := e.need(n.ID).Status; got != volunteering.NeedDraft {
			t.Errorf("need status = %s, want DRAFT", got)
		}
		_, err = e.svc.PublishNeed(e.ctx, coordA, n.ID)
		wantForbidden(t, err, "publish another organisation's need")
	})

	t.Run("a shift that started", func(t *testing.T) {
		e := e.with(t)
		n, s := e.publishedNeed(coordA, orgA, oneOff("Vroege ploeg", false, shift(at(1, 7), 60, 5)))
		a := e.mustApply(other, n.ID, s[0].ID)
		saved := e.svc.Now
		e.svc.Now = func() time.Time { return s[0].StartsAt.Add(time.Minute) }
		defer func() { e.svc.Now = saved }()
		late := e.person("Laat", time.Time{})
		_, err := e.svc.Apply(e.ctx, late, n.ID, &s[0].ID, "")
		wantUserError(t, err, "shiftId", errs.InvalidState, "shift_started")
		_, err = e.svc.Accept(e.ctx, coordA, a.ID)
		wantUserError(t, err, "applicationId", errs.InvalidState, "shift_started")
		_, err = e.svc.Withdraw(e.ctx, other, a.ID, "")
		wantUserError(t, err, "applicationId", errs.InvalidState, "shift_started")
		_, err = e.svc.CancelShift(e.ctx, coordA, s[0].ID, "")
		wantUserError(t, err, "shiftId", errs.InvalidState, "shift_started")
	})
	e.checkHistory()
}

// ---------------------------------------------------------------------------------------
// 4. Attendance

// attendanceSetup makes a need with one 150-minute shift of 4 places, three accepted volunteers, one
// pending and one withdrawn, and moves the clock to after the shift.
func attendanceSetup(t *testing.T, e *env) (coord *accounts.Viewer, orgID string, n *volunteering.Need, sh volunteering.Shift, accepted []*volunteering.Application, pending *volunteering.Application) {
	t.Helper()
	coord = e.person("Coordinator", time.Time{})
	orgID = e.org("Repair Café", organisations.StatusApproved, coord)
	n, shifts := e.publishedNeed(coord, orgID, oneOff("Fietsen herstellen", false, shift(at(2, 13), 150, 4)))
	sh = shifts[0]
	for i := 0; i < 3; i++ {
		a := e.mustApply(e.person(fmt.Sprintf("Fixer %d", i), time.Time{}), n.ID, sh.ID)
		if a, err := e.svc.Accept(e.ctx, coord, a.ID); err != nil {
			t.Fatal(err)
		} else {
			accepted = append(accepted, a)
		}
	}
	pending = e.mustApply(e.person("Pending", time.Time{}), n.ID, sh.ID)
	gone := e.mustApply(e.person("Gone", time.Time{}), n.ID, sh.ID)
	if _, err := e.svc.Withdraw(e.ctx, &accounts.Viewer{PersonID: gone.PersonID}, gone.ID, ""); err != nil {
		t.Fatal(err)
	}
	end := sh.EndsAt
	e.svc.Now = func() time.Time { return end.Add(2 * time.Hour) }
	return
}

func TestConfirmingAWholeShiftWritesOneOutboxRowPerApplicationOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord, orgID, n, sh, accepted, pending := attendanceSetup(t, e)

	out, err := e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{
		ShiftID:      sh.ID,
		Endorsements: map[string][]string{accepted[0].ID: {"buddy", "listening_and_support", "buddy"}},
	})
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if len(out) != 3 {
		t.Fatalf("confirmed %d, want the 3 accepted", len(out))
	}
	workedOn := sh.StartsAt.In(volunteering.Zone).Format(time.DateOnly)
	for _, a := range accepted {
		got := e.app(a.ID)
		if got.Status != volunteering.AppAttended || got.Minutes == nil || *got.Minutes != 150 {
			t.Errorf("application = %s with minutes %v, want ATTENDED with 150", got.Status, got.Minutes)
		}
		if got.ConfirmedBy == nil || *got.ConfirmedBy != coord.PersonID || got.ConfirmedAt == nil {
			t.Errorf("confirmation does not say who and when: %+v", got)
		}
		if got.WorkedOn == nil || got.WorkedOn.Format(time.DateOnly) != workedOn {
			t.Errorf("worked_on = %v, want %s", got.WorkedOn, workedOn)
		}
	}
	if got := e.app(pending.ID).Status; got != volunteering.AppPending {
		t.Errorf("pending application became %s", got)
	}

	// One outbox row per application, keyed by the application.
	var rows []struct {
		Topic   string `db:"topic"`
		Key     string `db:"key"`
		Payload []byte `db:"payload"`
	}
	if err := e.db.Select(&rows, `SELECT topic, key, payload FROM outbox ORDER BY key`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d outbox rows, want 3", len(rows))
	}
	ids := []string{accepted[0].ID, accepted[1].ID, accepted[2].ID}
	slices.Sort(ids)
	for i, r := range rows {
		if r.Topic != volunteering.TopicAttendanceConfirmed || r.Key != ids[i] {
			t.Errorf("outbox row %d = %s/%s, want %s/%s", i, r.Topic, r.Key, volunteering.TopicAttendanceConfirmed, ids[i])
		}
		var ev volunteering.AttendanceConfirmed
		if err := json.Unmarshal(r.Payload, &ev); err != nil {
			t.Fatal(err)
		}
		a := e.app(r.Key)
		if ev.ApplicationID != a.ID || ev.PersonID != a.PersonID || ev.NeedID != n.ID || ev.OrganisationID != orgID ||
			ev.Minutes != 150 || ev.WorkedOn != workedOn || ev.ConfirmedBy != coord.PersonID || ev.ShiftID == nil || *ev.ShiftID != sh.ID ||
			ev.ConfirmedAt.IsZero() {
			t.Errorf("outbox payload = %+v", ev)
		}
	}

	// Endorsements, with organisation, need and endorser; duplicates kept once.
	ends, err := e.svc.EndorsementsOf(e.ctx, accepted[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ends) != 2 || ends[0].TalentKey != "buddy" || ends[1].TalentKey != "listening_and_support" {
		t.Fatalf("endorsements = %+v", ends)
	}
	for _, en := range ends {
		if en.OrganisationID != orgID || en.NeedID != n.ID || en.EndorsedBy == nil || *en.EndorsedBy != coord.PersonID ||
			en.PersonID != accepted[0].PersonID || en.Hidden {
			t.Errorf("endorsement = %+v", en)
		}
	}

	// Retrying the same confirmation adds nothing.
	_, err = e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ShiftID: sh.ID})
	wantUserError(t, err, "shiftId", errs.InvalidState, "nobody_to_confirm")
	_, err = e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ApplicationIDs: ids, Minutes: ptr(600)})
	wantUserError(t, err, "applicationIds.0", errs.InvalidState, "already_confirmed")
	if got := e.count(`SELECT count(*) FROM outbox`); got != 3 {
		t.Errorf("%d outbox rows after retries, want 3", got)
	}
	if got := e.count(`SELECT count(*) FROM applications WHERE minutes = 150`); got != 3 {
		t.Errorf("confirmed minutes changed on retry")
	}

	// Confirmed hours are final.
	a := accepted[1]
	_, err = e.svc.Decline(e.ctx, coord, a.ID, "")
	wantUserError(t, err, "applicationId", errs.InvalidState, "cannot_decline")
	_, err = e.svc.MarkNoShow(e.ctx, coord, a.ID)
	wantUserError(t, err, "applicationId", errs.InvalidState, "cannot_mark_no_show")
	_, err = e.svc.Withdraw(e.ctx, &accounts.Viewer{PersonID: a.PersonID}, a.ID, "")
	wantUserError(t, err, "applicationId", errs.InvalidState, "cannot_withdraw")
	_, err = e.svc.Accept(e.ctx, coord, a.ID)
	wantUserError(t, err, "applicationId", errs.InvalidState, "cannot_accept")
	if got := e.app(a.ID); got.Status != volunteering.AppAttended || *got.Minutes != 150 {
		t.Errorf("after refused changes: %s, %d minutes", got.Status, *got.Minutes)
	}

	// Every status change keeps when and who.
	for _, a := range accepted {
		ev, _ := e.svc.History(e.ctx, a.ID)
		var statuses []string
		for _, x := range ev {
			statuses = append(statuses, x.Status)
		}
		if !slices.Equal(statuses, []string{"PENDING", "ACCEPTED", "ATTENDED"}) {
			t.Errorf("history = %v", statuses)
		}
		if ev[0].ActorID == nil || *ev[0].ActorID != a.PersonID || ev[1].ActorID == nil || *ev[1].ActorID != coord.PersonID ||
			ev[2].ActorID == nil || *ev[2].ActorID != coord.PersonID {
			t.Errorf("history actors wrong: %+v", ev)
		}
	}
	e.checkHistory()
}

func TestConfirmingOneByOneWithMinutesAndConcurrentRetriesMintOnce(t *testing.T) {
	e := newEnv(t)
	coord, _, _, sh, accepted, _ := attendanceSetup(t, e)

	out, err := e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ApplicationIDs: []string{accepted[0].ID}, Minutes: ptr(90)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || *out[0].Minutes != 90 {
		t.Fatalf("confirmed %+v, want 90 minutes", out)
	}
	_, err = e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ApplicationIDs: []string{accepted[0].ID}, Minutes: ptr(120)})
	wantUserError(t, err, "applicationIds.0", errs.InvalidState, "already_confirmed")
	if got := e.app(accepted[0].ID); *got.Minutes != 90 {
		t.Errorf("minutes changed to %d on a second confirmation", *got.Minutes)
	}

	// Ten coordinators' clicks on "confirm the shift" at once confirm the rest exactly once.
	var wg sync.WaitGroup
	var okCount atomic.Int32
	start := make(chan struct{})
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ShiftID: sh.ID}); err == nil {
				okCount.Add(1)
			} else if _, ok := errs.AsUserErrors(err); !ok {
				t.Errorf("concurrent confirm: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if okCount.Load() != 1 {
		t.Errorf("%d concurrent confirmations succeeded, want 1", okCount.Load())
	}
	if got := e.count(`SELECT count(*) FROM outbox WHERE topic = 'attendance.confirmed'`); got != 3 {
		t.Errorf("%d outbox rows, want 3", got)
	}
	if got := e.count(`SELECT count(*) FROM application_events WHERE status = 'ATTENDED'`); got != 3 {
		t.Errorf("%d ATTENDED events, want 3", got)
	}
	e.checkHistory()
}

func TestABatchWithOneInvalidApplicationConfirmsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord, _, _, _, accepted, pending := attendanceSetup(t, e)
	ends := map[string][]string{accepted[0].ID: {"buddy"}, accepted[1].ID: {"buddy"}}
	for _, bad := range []string{pending.ID, "not-a-uuid", "00000000-0000-0000-0000-000000000001"} {
		ids := []string{accepted[0].ID, accepted[1].ID, bad}
		_, err := e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ApplicationIDs: ids, Endorsements: ends})
		if bad == pending.ID {
			wantUserErrorKey(t, err, errs.InvalidState, "cannot_confirm")
		} else {
			wantUserErrorKey(t, err, errs.NotFoundCode, "application_not_found")
		}
		if got := e.count(`SELECT count(*) FROM applications WHERE status = 'ATTENDED'`); got != 0 {
			t.Errorf("batch with %s: %d ATTENDED", bad, got)
		}
		if got := e.count(`SELECT count(*) FROM outbox`); got != 0 {
			t.Errorf("batch with %s: %d outbox rows", bad, got)
		}
		if got := e.count(`SELECT count(*) FROM endorsements`); got != 0 {
			t.Errorf("batch with %s: %d endorsements", bad, got)
		}
		if got := e.count(`SELECT count(*) FROM application_events WHERE status = 'ATTENDED'`); got != 0 {
			t.Errorf("batch with %s: %d ATTENDED events", bad, got)
		}
	}
}

// wantUserErrorKey checks for a user error with code and message key, on any field.
func wantUserErrorKey(t *testing.T, err error, code errs.Code, key string) {
	t.Helper()
	ues, ok := errs.AsUserErrors(err)
	if !ok {
		t.Fatalf("error %v is not a user error, want %s (%s)", err, code, key)
	}
	for _, u := range ues {
		if u.Code == code && u.Message == key {
			return
		}
	}
	t.Fatalf("user errors = %+v, want %s (%s)", ues, code, key)
}

// The field of a refused application in a batch names its position in the caller's list, so
// that a client can point at the right volunteer.
func TestConfirmAttendanceErrorPointsAtTheCallersApplication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord, _, _, _, accepted, pending := attendanceSetup(t, e)
	// A well-formed id that does not exist, given first; it sorts after any real id.
	missing := "ffffffff-ffff-4fff-bfff-ffffffffffff"
	_, err := e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ApplicationIDs: []string{missing, accepted[0].ID}})
	wantUserError(t, err, "applicationIds.0", errs.NotFoundCode, "application_not_found")
	// One at the end of the caller's list that sorts before any real id.
	missing = "00000000-0000-4000-8000-000000000000"
	_, err = e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{
		ApplicationIDs: []string{accepted[0].ID, accepted[1].ID, missing}})
	wantUserError(t, err, "applicationIds.2", errs.NotFoundCode, "application_not_found")
	// A batch of one is trivially right.
	_, err = e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ApplicationIDs: []string{pending.ID}})
	wantUserError(t, err, "applicationIds.0", errs.InvalidState, "cannot_confirm")
	if got := e.count(`SELECT count(*) FROM outbox`); got != 0 {
		t.Errorf("%d outbox rows, want 0", got)
	}
}

// ---------------------------------------------------------------------------------------
// 5. Cancelling a shift

func TestCancelShiftTellsEveryoneOnItAndFreesThePlaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Sportclub", organisations.StatusApproved, coord)
	n, s := e.publishedNeed(coord, orgID, oneOff("Tornooi begeleiden", true, shift(at(5, 9), 240, 2), shift(at(12, 9), 240, 2)))
	var apps []*volunteering.Application
	for i := 0; i < 3; i++ {
		apps = append(apps, e.mustApply(e.person(fmt.Sprintf("Speler %d", i), time.Time{}), n.ID, s[0].ID))
	}
	elsewhere := e.mustApply(e.person("Elders", time.Time{}), n.ID, s[1].ID)
	if apps[2].Status != volunteering.AppWaiting {
		t.Fatalf("third is %s, want WAITING", apps[2].Status)
	}

	sh, err := e.svc.CancelShift(e.ctx, coord, s[0].ID, "Zaal onder water")
	if err != nil {
		t.Fatalf("cancel shift: %v", err)
	}
	if sh.Status != volunteering.ShiftCancelled || sh.PlacesTaken != 0 || sh.CancelledAt == nil {
		t.Errorf("cancelled shift = %+v", sh)
	}
	for _, a := range apps {
		got := e.app(a.ID)
		if got.Status != volunteering.AppCancelled || got.HoldsPlace {
			t.Errorf("application on the cancelled shift is %s (holds %v)", got.Status, got.HoldsPlace)
		}
		var msg string
		if err := e.db.Get(&msg, `SELECT message FROM notifications WHERE person_id = $1 AND kind = 'SHIFT_CANCELLED'
			AND shift_id = $2 AND application_id = $3`, a.PersonID, s[0].ID, a.ID); err != nil {
			t.Errorf("no SHIFT_CANCELLED notification for %s: %v", a.PersonID, err)
		} else if msg != "Zaal onder water" {
			t.Errorf("notification message = %q", msg)
		}
		ev, _ := e.svc.History(e.ctx, a.ID)
		if last := ev[len(ev)-1]; last.Status != volunteering.AppCancelled || last.ActorID == nil ||
			*last.ActorID != coord.PersonID || last.Note != "Zaal onder water" {
			t.Errorf("cancellation recorded as %+v", last)
		}
	}
	if got := e.app(elsewhere.ID).Status; got != volunteering.AppAccepted {
		t.Errorf("application on the other shift became %s", got)
	}
	if got := e.count(`SELECT count(*) FROM notifications WHERE kind = 'SHIFT_CANCELLED'`); got != 3 {
		t.Errorf("%d SHIFT_CANCELLED notifications, want 3", got)
	}
	nd := e.need(n.ID)
	if nd.PlacesLeft != 1 || nd.NextStart == nil || !nd.NextStart.Equal(s[1].StartsAt) {
		t.Errorf("need after cancel: %d places left, next %v; want 1 and %s", nd.PlacesLeft, nd.NextStart, s[1].StartsAt)
	}
	_, err = e.svc.CancelShift(e.ctx, coord, s[0].ID, "")
	wantUserError(t, err, "shiftId", errs.InvalidState, "shift_cancelled")
	_, err = e.svc.Apply(e.ctx, e.person("Nieuw", time.Time{}), n.ID, &s[0].ID, "")
	wantUserError(t, err, "shiftId", errs.InvalidState, "shift_cancelled")

	// The cancelled application no longer blocks the volunteer's time.
	n2, s2 := e.publishedNeed(coord, orgID, oneOff("Iets anders", true, shift(s[0].StartsAt, 60, 1)))
	e.mustApply(&accounts.Viewer{PersonID: apps[0].PersonID}, n2.ID, s2[0].ID)
	e.checkHistory()
}

func TestCancellingANeedCancelsItsLiveApplications(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Cultuurhuis", organisations.StatusApproved, coord)
	n, s := e.publishedNeed(coord, orgID, oneOff("Concert", true, shift(at(5, 19), 180, 1)))
	a1 := e.mustApply(e.person("A", time.Time{}), n.ID, s[0].ID)
	a2 := e.mustApply(e.person("B", time.Time{}), n.ID, s[0].ID)
	got, err := e.svc.CloseNeed(e.ctx, coord, n.ID, true, "Artiest ziek")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != volunteering.NeedCancelled || got.ClosedAt == nil {
		t.Errorf("need = %s", got.Status)
	}
	for _, a := range []*volunteering.Application{a1, a2} {
		if st := e.app(a.ID).Status; st != volunteering.AppCancelled {
			t.Errorf("application is %s, want CANCELLED", st)
		}
		if e.notifications(a.PersonID, volunteering.NoteShiftCancelled) != 1 {
			t.Errorf("volunteer not told")
		}
	}
	if sh := e.shift(s[0].ID); sh.Status != volunteering.ShiftCancelled || sh.PlacesTaken != 0 {
		t.Errorf("shift = %s with %d taken", sh.Status, sh.PlacesTaken)
	}
	e.checkHistory()
}

// ---------------------------------------------------------------------------------------
// 6. Bad input

func TestCreateNeedRejectsBadInputAndWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Buurthuis", organisations.StatusApproved, coord)
	start := at(3, 10)
	valid := func() volunteering.NeedInput {
		return volunteering.NeedInput{Title: ptr("Soep koken"), Description: ptr("Samen koken voor de buurt."),
			Schedule: ptr(volunteering.ScheduleOneOff), Shifts: []volunteering.ShiftSpec{shift(start, 120, 3)}}
	}
	cases := []struct {
		name   string
		mutate func(*volunteering.NeedInput)
		field  string
		code   errs.Code
		key    string
	}{
		{"empty title", func(in *volunteering.NeedInput) { in.Title = ptr("") }, "title", errs.Required, "required"},
		{"blank title", func(in *volunteering.NeedInput) { in.Title = ptr("  \t ") }, "title", errs.Required, "required"},
		{"end before start", func(in *volunteering.NeedInput) {
			in.Shifts = []volunteering.ShiftSpec{{StartsAt: start, EndsAt: start.Add(-time.Hour), Places: 3}}
		}, "shifts.0.endsAt", errs.Invalid, "end_before_start"},
		{"end equals start", func(in *volunteering.NeedInput) {
			in.Shifts = []volunteering.ShiftSpec{{StartsAt: start, EndsAt: start, Places: 3}}
		}, "shifts.0.endsAt", errs.Invalid, "end_before_start"},
		{"0 places", func(in *volunteering.NeedInput) { in.Shifts[0].Places = 0 }, "shifts.0.places", errs.OutOfRange, "out_of_range"},
		{"10,000 places", func(in *volunteering.NeedInput) { in.Shifts[0].Places = 10000 }, "shifts.0.places", errs.OutOfRange, "out_of_range"},
		{"latitude 100", func(in *volunteering.NeedInput) { in.Location = &organisations.Point{Lat: 100, Lon: 4.4} },
			"location", errs.OutOfRange, "invalid_coordinates"},
		{"longitude -200", func(in *volunteering.NeedInput) { in.Location = &organisations.Point{Lat: 51.2, Lon: -200} },
			"location", errs.OutOfRange, "invalid_coordinates"},
		{"1 MB description", func(in *volunteering.NeedInput) { in.Description = ptr(strings.Repeat("a", 1<<20)) },
			"description", errs.TooLong, "too_long"},
		{"unknown theme", func(in *volunteering.NeedInput) { in.Themes, in.SetThemes = []string{"care", "no-such-theme"}, true },
			"themeIds", errs.UnknownReference, "unknown_theme"},
		{"unknown talent", func(in *volunteering.NeedInput) {
			in.Talents, in.SetTalents = []volunteering.TalentAsk{{TalentKey: "no-such-talent", MinLevel: 1}}, true
		}, "talents.0.talentId", errs.UnknownReference, "unknown_talent"},
		{"no shifts", func(in *volunteering.NeedInput) { in.Shifts = nil }, "shifts", errs.Required, "shift_needed"},
		{"shift in the past", func(in *volunteering.NeedInput) { in.Shifts = []volunteering.ShiftSpec{shift(at(-1, 10), 60, 1)} },
			"shifts.0.startsAt", errs.Invalid, "shift_in_past"},
		{"shift longer than a day", func(in *volunteering.NeedInput) { in.Shifts = []volunteering.ShiftSpec{shift(start, 25*60, 1)} },
			"shifts.0.endsAt", errs.OutOfRange, "shift_too_long"},
		{"minimum age 120", func(in *volunteering.NeedInput) { in.MinAge = ptr(120) }, "minimumAge", errs.OutOfRange, "out_of_range"},
		{"weekly without pattern", func(in *volunteering.NeedInput) {
			in.Schedule, in.Shifts = ptr(volunteering.ScheduleWeekly), nil
		}, "weeklyPattern", errs.Required, "required"},
		{"weekly pattern with 0 places", func(in *volunteering.NeedInput) {
			in.Schedule, in.Shifts = ptr(volunteering.ScheduleWeekly), nil
			in.Pattern = &volunteering.Pattern{Weekdays: []int{6}, Start: "09:30", Minutes: 60, Places: 0, From: start.Format(time.DateOnly)}
		}, "weeklyPattern.places", errs.OutOfRange, "out_of_range"},
		{"weekly pattern at 25:00", func(in *volunteering.NeedInput) {
			in.Schedule, in.Shifts = ptr(volunteering.ScheduleWeekly), nil
			in.Pattern = &volunteering.Pattern{Weekdays: []int{6}, Start: "25:00", Minutes: 60, Places: 2, From: start.Format(time.DateOnly)}
		}, "weeklyPattern.startTime", errs.Invalid, "time_invalid"},
		{"flexible with 0 places", func(in *volunteering.NeedInput) {
			in.Schedule, in.Shifts, in.FlexiblePlaces = ptr(volunteering.ScheduleFlexible), nil, ptr(0)
		}, "flexiblePlaces", errs.OutOfRange, "out_of_range"},
		{"unknown schedule", func(in *volunteering.NeedInput) { in.Schedule = ptr("DAILY") }, "schedule", errs.Invalid, "invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := valid()
			c.mutate(&in)
			n, err := e.svc.CreateNeed(e.ctx, coord, orgID, in)
			if n != nil {
				t.Errorf("got a need back")
			}
			wantUserError(t, err, c.field, c.code, c.key)
			for _, table := range []string{"needs", "shifts", "need_talents"} {
				if got := e.count(`SELECT count(*) FROM ` + table); got != 0 {
					t.Errorf("%d rows in %s, want 0", got, table)
				}
			}
		})
	}

	// Several problems at once are all reported.
	in := valid()
	in.Title = ptr("")
	in.Shifts[0].Places = 0
	in.Location = &organisations.Point{Lat: -91, Lon: 0}
	_, err := e.svc.CreateNeed(e.ctx, coord, orgID, in)
	wantUserError(t, err, "title", errs.Required, "required")
	wantUserError(t, err, "shifts.0.places", errs.OutOfRange, "out_of_range")
	wantUserError(t, err, "location", errs.OutOfRange, "invalid_coordinates")

	// An unknown organisation and an anonymous viewer.
	_, err = e.svc.CreateNeed(e.ctx, coord, "00000000-0000-0000-0000-000000000009", valid())
	wantUserError(t, err, "organisationId", errs.NotFoundCode, "organisation_not_found")
	if _, err := e.svc.CreateNeed(e.ctx, nil, orgID, valid()); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Errorf("anonymous create: %v", err)
	}

	// The valid input works, with every field as given.
	n, err := e.svc.CreateNeed(e.ctx, coord, orgID, valid())
	if err != nil {
		t.Fatalf("valid input: %v", err)
	}
	if n.Status != volunteering.NeedDraft || n.Title != "Soep koken" || e.count(`SELECT count(*) FROM shifts`) != 1 {
		t.Errorf("need = %+v", n)
	}

	// AddShifts validates the same way and writes nothing on error.
	_, err = e.svc.AddShifts(e.ctx, coord, n.ID, []volunteering.ShiftSpec{shift(at(8, 10), 60, 2), shift(at(9, 10), 60, 10000)})
	wantUserError(t, err, "shifts.1.places", errs.OutOfRange, "out_of_range")
	if got := e.count(`SELECT count(*) FROM shifts`); got != 1 {
		t.Errorf("%d shifts after a refused AddShifts, want 1", got)
	}
	// UpdateNeed too.
	_, err = e.svc.UpdateNeed(e.ctx, coord, n.ID, volunteering.NeedInput{Title: ptr(""), Description: ptr(strings.Repeat("é", 5001))})
	wantUserError(t, err, "title", errs.Required, "required")
	wantUserError(t, err, "description", errs.TooLong, "too_long")
	if got := e.need(n.ID); got.Status != volunteering.NeedDraft {
		t.Errorf("need changed")
	}
	var title string
	_ = e.db.Get(&title, `SELECT title FROM needs WHERE id = $1`, n.ID)
	if title != "Soep koken" {
		t.Errorf("title = %q after a refused update", title)
	}
}

// ---------------------------------------------------------------------------------------
// 7. Weekly needs across daylight-saving changes

func TestWeeklyNeedsKeepTheirLocalStartTimeAcrossDSTChanges(t *testing.T) {
	for _, c := range []struct {
		name    string
		now     time.Time
		from    string
		want    []string // local starts
		wantUTC []string
		next    string // the start ExtendWeeklyNeeds adds a week later
	}{
		{"March", time.Date(2027, 3, 20, 0, 0, 0, 0, volunteering.Zone), "2027-03-14",
			[]string{"2027-03-20 09:30 +0100", "2027-03-27 09:30 +0100", "2027-04-03 09:30 +0200"},
			[]string{"08:30", "08:30", "07:30"}, "2027-04-10 09:30 +0200"},
		{"October", time.Date(2027, 10, 20, 0, 0, 0, 0, volunteering.Zone), "2027-10-20",
			[]string{"2027-10-23 09:30 +0200", "2027-10-30 09:30 +0200", "2027-11-06 09:30 +0100"},
			[]string{"07:30", "07:30", "08:30"}, "2027-11-13 09:30 +0100"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			now := c.now
			e.svc.Now = func() time.Time { return now }
			coord := e.person("Coordinator", time.Time{})
			orgID := e.org("Taalcafé", organisations.StatusApproved, coord)
			n, err := e.svc.CreateNeed(e.ctx, coord, orgID, volunteering.NeedInput{Title: ptr("Taalcafé op zaterdag"),
				Schedule: ptr(volunteering.ScheduleWeekly), AutoAccept: ptr(true),
				Pattern: &volunteering.Pattern{Weekdays: []int{6}, Start: "09:30", Minutes: 120, Places: 4, WeeksAhead: 3, From: c.from}})
			if err != nil {
				t.Fatalf("create weekly need: %v", err)
			}
			check := func(want []string) {
				t.Helper()
				shifts := e.shifts(n.ID)
				var got []string
				for _, s := range shifts {
					got = append(got, s.StartsAt.In(volunteering.Zone).Format("2006-01-02 15:04 -0700"))
					if s.EndsAt.Sub(s.StartsAt) != 2*time.Hour || s.Places != 4 {
						t.Errorf("shift %+v: want 2 hours and 4 places", s)
					}
					if s.StartsAt.In(volunteering.Zone).Weekday() != time.Saturday {
						t.Errorf("shift on %s", s.StartsAt.In(volunteering.Zone).Weekday())
					}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("shifts = %v, want %v", got, want)
				}
				for i, u := range c.wantUTC {
					if g := shifts[i].StartsAt.UTC().Format("15:04"); g != u {
						t.Errorf("shift %d at %s UTC, want %s", i, g, u)
					}
				}
			}
			check(c.want)
			if p := n.WeeklyPattern(); p == nil || p.WeeksAhead != 3 || p.Start != "09:30" || !slices.Equal(p.Weekdays, []int{6}) {
				t.Errorf("stored pattern = %+v", p)
			}
			if n.PlacesLeft != 12 || n.NextStart == nil ||
				n.NextStart.In(volunteering.Zone).Format("2006-01-02 15:04 -0700") != c.want[0] {
				t.Errorf("need: %d places left, next %v", n.PlacesLeft, n.NextStart)
			}
			if _, err := e.svc.PublishNeed(e.ctx, coord, n.ID); err != nil {
				t.Fatal(err)
			}

			added, err := e.svc.ExtendWeeklyNeeds(e.ctx)
			if err != nil || added != 0 {
				t.Errorf("extending at once added %d (%v), want 0", added, err)
			}
			now = now.AddDate(0, 0, 7)
			for run := 0; run < 3; run++ {
				added, err := e.svc.ExtendWeeklyNeeds(e.ctx)
				want := 0
				if run == 0 {
					want = 1
				}
				if err != nil || added != want {
					t.Errorf("run %d a week later added %d (%v), want %d", run, added, err, want)
				}
			}
			check(append(slices.Clone(c.want), c.next))
			if nd := e.need(n.ID); nd.PlacesLeft != 16 {
				t.Errorf("places left = %d after extension, want 16", nd.PlacesLeft)
			}
		})
	}
}

// ---------------------------------------------------------------------------------------
// 8. Places left, next start and FILLED/OPEN

func TestNeedPlacesLeftAndStatusFollowTheShifts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Dierenasiel", organisations.StatusApproved, coord)
	first, second := at(6, 10), at(4, 14)
	n, err := e.svc.CreateNeed(e.ctx, coord, orgID, oneOff("Honden uitlaten", true, shift(first, 60, 2), shift(second, 60, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if n.Status != volunteering.NeedDraft || n.PlacesLeft != 3 || n.NextStart == nil || !n.NextStart.Equal(second) {
		t.Errorf("draft need: %s, %d left, next %v", n.Status, n.PlacesLeft, n.NextStart)
	}
	n, err = e.svc.PublishNeed(e.ctx, coord, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n.Status != volunteering.NeedOpen || n.PublishedAt == nil {
		t.Errorf("published need: %s", n.Status)
	}
	s := e.shifts(n.ID) // in time order: second, first
	var apps []*volunteering.Application
	apps = append(apps, e.mustApply(e.person("A", time.Time{}), n.ID, s[0].ID))
	if nd := e.need(n.ID); nd.Status != volunteering.NeedOpen || nd.PlacesLeft != 2 {
		t.Errorf("after 1: %s with %d left", nd.Status, nd.PlacesLeft)
	}
	apps = append(apps, e.mustApply(e.person("B", time.Time{}), n.ID, s[1].ID))
	apps = append(apps, e.mustApply(e.person("C", time.Time{}), n.ID, s[1].ID))
	if nd := e.need(n.ID); nd.Status != volunteering.NeedFilled || nd.PlacesLeft != 0 {
		t.Errorf("after the last place: %s with %d left, want FILLED with 0", nd.Status, nd.PlacesLeft)
	}
	// Someone on the waiting list of a filled need.
	waiting := e.mustApply(e.person("D", time.Time{}), n.ID, s[0].ID)
	if waiting.Status != volunteering.AppWaiting {
		t.Errorf("applying to a filled need gave %s", waiting.Status)
	}
	// A withdrawal with someone waiting keeps it FILLED; without, it opens again.
	if _, err := e.svc.Withdraw(e.ctx, &accounts.Viewer{PersonID: apps[0].PersonID}, apps[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	if nd := e.need(n.ID); nd.Status != volunteering.NeedFilled || nd.PlacesLeft != 0 {
		t.Errorf("after withdrawal with a waiting list: %s with %d left", nd.Status, nd.PlacesLeft)
	}
	if _, err := e.svc.Withdraw(e.ctx, &accounts.Viewer{PersonID: apps[1].PersonID}, apps[1].ID, ""); err != nil {
		t.Fatal(err)
	}
	if nd := e.need(n.ID); nd.Status != volunteering.NeedOpen || nd.PlacesLeft != 1 {
		t.Errorf("after withdrawal: %s with %d left, want OPEN with 1", nd.Status, nd.PlacesLeft)
	}
	// A declined accepted volunteer frees the place too.
	if _, err := e.svc.Decline(e.ctx, coord, apps[2].ID, "dubbel geboekt"); err != nil {
		t.Fatal(err)
	}
	if nd := e.need(n.ID); nd.Status != volunteering.NeedOpen || nd.PlacesLeft != 2 || !nd.NextStart.Equal(second) {
		t.Errorf("after decline: %s with %d left, next %v", nd.Status, nd.PlacesLeft, nd.NextStart)
	}
	// Adding a shift adds places and can move the next start.
	earlier := at(2, 9)
	if _, err := e.svc.AddShifts(e.ctx, coord, n.ID, []volunteering.ShiftSpec{shift(earlier, 60, 5)}); err != nil {
		t.Fatal(err)
	}
	if nd := e.need(n.ID); nd.PlacesLeft != 7 || !nd.NextStart.Equal(earlier) {
		t.Errorf("after AddShifts: %d left, next %v; want 7 and %s", nd.PlacesLeft, nd.NextStart, earlier)
	}
	e.checkHistory()
}

// ---------------------------------------------------------------------------------------
// 9. Calendar feed

func TestCalendarFeedShowsAcceptedShiftsUntilRevoked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Wijkcentrum", organisations.StatusApproved, coord)
	start := at(3, 10)
	n, s := e.publishedNeed(coord, orgID, oneOff("Soepbar Deurne", true, shift(start, 120, 3), shift(at(5, 10), 60, 3)))
	vol := e.person("Vera", time.Time{})
	e.mustApply(vol, n.ID, s[0].ID)
	gone := e.mustApply(vol, n.ID, s[1].ID)
	if _, err := e.svc.Withdraw(e.ctx, vol, gone.ID, ""); err != nil {
		t.Fatal(err)
	}

	tok, err := e.svc.NewCalendarFeed(e.ctx, vol.PersonID)
	if err != nil || tok == "" {
		t.Fatalf("new feed: %q %v", tok, err)
	}
	if got := e.count(`SELECT count(*) FROM calendar_feeds WHERE token_hash = $1::bytea`, []byte(tok)); got != 0 {
		t.Error("the token is stored as is")
	}
	body, err := e.svc.CalendarFeed(e.ctx, tok)
	if err != nil {
		t.Fatalf("feed: %v", err)
	}
	ical := strings.ReplaceAll(string(body), "\r\n ", "") // unfold
	for _, want := range []string{"BEGIN:VCALENDAR", "END:VCALENDAR", "BEGIN:VEVENT", "Soepbar Deurne",
		"DTSTART:" + start.UTC().Format("20060102T150405Z"), "DTEND:" + start.Add(2*time.Hour).UTC().Format("20060102T150405Z")} {
		if !strings.Contains(ical, want) {
			t.Errorf("feed lacks %q:\n%s", want, ical)
		}
	}
	if c := strings.Count(ical, "BEGIN:VEVENT"); c != 1 {
		t.Errorf("feed has %d events, want 1 (the withdrawn shift is left out)", c)
	}

	// A new feed ends the old address.
	tok2, err := e.svc.NewCalendarFeed(e.ctx, vol.PersonID)
	if err != nil || tok2 == tok {
		t.Fatalf("second feed: %v", err)
	}
	if _, err := e.svc.CalendarFeed(e.ctx, tok); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("old token after renewal: %v, want ErrNotFound", err)
	}
	if err := e.svc.RevokeCalendarFeed(e.ctx, vol.PersonID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CalendarFeed(e.ctx, tok2); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("revoked token: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "x", strings.Repeat("a", 200)} {
		if _, err := e.svc.CalendarFeed(e.ctx, bad); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("token %q: %v, want ErrNotFound", bad, err)
		}
	}
}

// ---------------------------------------------------------------------------------------
// Flexible needs share the rules: places are never oversold.

func TestFlexibleNeedPlacesUnderConcurrency(t *testing.T) {
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Bib", organisations.StatusApproved, coord)
	n, err := e.svc.CreateNeed(e.ctx, coord, orgID, volunteering.NeedInput{Title: ptr("Voorlezen"),
		Schedule: ptr(volunteering.ScheduleFlexible), FlexiblePlaces: ptr(2), AutoAccept: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if n, err = e.svc.PublishNeed(e.ctx, coord, n.ID); err != nil {
		t.Fatal(err)
	}
	const people = 10
	apps := make([]*volunteering.Application, people)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < people; i++ {
		v := e.person(fmt.Sprintf("L%d", i), time.Time{})
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			a, err := e.svc.Apply(e.ctx, v, n.ID, nil, "")
			if err != nil {
				t.Errorf("apply: %v", err)
				return
			}
			apps[i] = a
		}(i)
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	counts := map[string]int{}
	for _, a := range apps {
		counts[a.Status]++
	}
	if counts[volunteering.AppAccepted] != 2 || counts[volunteering.AppWaiting] != 8 {
		t.Errorf("statuses = %v, want 2 ACCEPTED and 8 WAITING", counts)
	}
	if nd := e.need(n.ID); nd.FlexibleTaken != 2 || nd.Status != volunteering.NeedFilled || nd.PlacesLeft != 0 {
		t.Errorf("need: %d taken, %s, %d left", nd.FlexibleTaken, nd.Status, nd.PlacesLeft)
	}
	_, err = e.svc.Apply(e.ctx, e.person("Shift", time.Time{}), n.ID, ptr("00000000-0000-0000-0000-000000000001"), "")
	wantUserError(t, err, "shiftId", errs.Invalid, "flexible_has_no_shifts")

	var waiting []*volunteering.Application
	for _, a := range apps {
		if a.Status == volunteering.AppWaiting {
			waiting = append(waiting, a)
		}
	}
	byPos := positions(t, e, waiting)
	var acc *volunteering.Application
	for _, a := range apps {
		if a.Status == volunteering.AppAccepted {
			acc = a
			break
		}
	}
	if _, err := e.svc.Withdraw(e.ctx, &accounts.Viewer{PersonID: acc.PersonID}, acc.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := e.app(byPos[1].ID).Status; got != volunteering.AppAccepted {
		t.Errorf("first in line is %s, want ACCEPTED", got)
	}
	if nd := e.need(n.ID); nd.FlexibleTaken != 2 {
		t.Errorf("flexible_taken = %d, want 2", nd.FlexibleTaken)
	}
	e.checkHistory()
}

// ---------------------------------------------------------------------------------------
// Flexible work: minutes are given by the organisation, on a day that is not in the future.

func TestConfirmFlexibleWorkNeedsMinutesAndAcceptsTodayInBrussels(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Huiswerkklas", organisations.StatusApproved, coord)
	n, err := e.svc.CreateNeed(e.ctx, coord, orgID, volunteering.NeedInput{Title: ptr("Huiswerkbegeleiding"),
		Schedule: ptr(volunteering.ScheduleFlexible), AutoAccept: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PublishNeed(e.ctx, coord, n.ID); err != nil {
		t.Fatal(err)
	}
	a, err := e.svc.Apply(e.ctx, e.person("Hanna", time.Time{}), n.ID, nil, "")
	if err != nil || a.Status != volunteering.AppAccepted {
		t.Fatalf("apply: %v %+v", err, a)
	}
	// Half past midnight in Antwerp (still the day before in UTC).
	now := time.Date(2027, 6, 10, 0, 30, 0, 0, volunteering.Zone)
	e.svc.Now = func() time.Time { return now }
	today := time.Date(2027, 6, 10, 0, 0, 0, 0, time.UTC) // a GraphQL Date
	tomorrow := today.AddDate(0, 0, 1)

	_, err = e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ApplicationIDs: []string{a.ID}})
	wantUserError(t, err, "minutes", errs.Required, "minutes_needed")
	_, err = e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ApplicationIDs: []string{a.ID}, Minutes: ptr(0)})
	wantUserError(t, err, "minutes", errs.OutOfRange, "out_of_range")
	_, err = e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ApplicationIDs: []string{a.ID}, Minutes: ptr(60),
		WorkedOn: &tomorrow})
	wantUserError(t, err, "workedOn", errs.Invalid, "worked_on_future")

	out, err := e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ApplicationIDs: []string{a.ID}, Minutes: ptr(75),
		WorkedOn: &today})
	if err != nil {
		t.Fatalf("confirming work done today (%s) at %s Brussels: %v", today.Format(time.DateOnly), now.Format("15:04"), err)
	}
	if *out[0].Minutes != 75 || out[0].WorkedOn.Format(time.DateOnly) != "2027-06-10" {
		t.Errorf("confirmed %d minutes on %s", *out[0].Minutes, out[0].WorkedOn.Format(time.DateOnly))
	}
	if got := e.count(`SELECT count(*) FROM outbox WHERE key = $1`, a.ID); got != 1 {
		t.Errorf("%d outbox rows, want 1", got)
	}
}

// Cancelling a need stops what is still to come; it does not take away work already done.
func TestCancellingANeedKeepsWorkAlreadyDone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord := e.person("Coordinator", time.Time{})
	orgID := e.org("Zomerschool", organisations.StatusApproved, coord)
	n, s := e.publishedNeed(coord, orgID, oneOff("Zomerschool", true, shift(at(2, 9), 180, 2), shift(at(9, 9), 180, 2)))
	done := e.mustApply(e.person("Done", time.Time{}), n.ID, s[0].ID)
	coming := e.mustApply(e.person("Coming", time.Time{}), n.ID, s[1].ID)
	// The first shift took place yesterday (moved with SQL: the service does not make past shifts).
	if _, err := e.db.Exec(`UPDATE shifts SET starts_at = now() - interval '1 day', ends_at = now() - interval '21 hours'
		WHERE id = $1`, s[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CloseNeed(e.ctx, coord, n.ID, true, "Geen geld meer"); err != nil {
		t.Fatal(err)
	}
	if got := e.app(coming.ID).Status; got != volunteering.AppCancelled {
		t.Errorf("application on the future shift is %s, want CANCELLED", got)
	}
	if sh := e.shift(s[0].ID); sh.Status != volunteering.ShiftScheduled {
		t.Errorf("the past shift became %s", sh.Status)
	}
	if got := e.app(done.ID).Status; got != volunteering.AppAccepted {
		t.Errorf("application on the shift that already took place became %s, want ACCEPTED (waiting for its hours)", got)
	}
	if got := e.notifications(done.PersonID, volunteering.NoteShiftCancelled); got != 0 {
		t.Errorf("the volunteer of the past shift was told it is cancelled")
	}
	_, err := e.svc.ConfirmAttendance(e.ctx, coord, volunteering.AttendanceInput{ApplicationIDs: []string{done.ID}})
	if err != nil {
		t.Errorf("confirming the past shift after cancelling the need: %v", err)
	}
}
