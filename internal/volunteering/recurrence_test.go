package volunteering

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// brussels builds a Brussels wall-clock time for the tests.
func brussels(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, Zone)
}

// wall formats a start as its Brussels local date and clock, e.g. "2027-03-27 Sat 09:30 +0100".
func wall(t time.Time) string {
	return t.In(Zone).Format("2006-01-02 Mon 15:04 -0700")
}

func walls(specs []ShiftSpec) []string {
	out := make([]string, 0, len(specs))
	for _, s := range specs {
		out = append(out, wall(s.StartsAt))
	}
	return out
}

func TestWeeklyOccurrencesKeepLocalStartAcrossSpringDSTChange(t *testing.T) {
	// 2027-03-28 (a Sunday) at 02:00 Brussels goes from CET (+01:00) to CEST (+02:00).
	p := &Pattern{Weekdays: []int{6}, Start: "09:30", Minutes: 150, Places: 4, WeeksAhead: 3, From: "2027-03-20"}
	from := brussels(2027, 3, 20, 0, 0)
	got := WeeklyOccurrences(p, from, from.AddDate(0, 0, 21))

	want := []string{
		"2027-03-20 Sat 09:30 +0100",
		"2027-03-27 Sat 09:30 +0100",
		"2027-04-03 Sat 09:30 +0200",
	}
	if !slices.Equal(walls(got), want) {
		t.Fatalf("starts = %v, want %v", walls(got), want)
	}
	// In UTC the start moves an hour earlier after the change: that is what keeps 09:30 local.
	wantUTC := []string{"08:30", "08:30", "07:30"}
	for i, s := range got {
		if u := s.StartsAt.UTC().Format("15:04"); u != wantUTC[i] {
			t.Errorf("shift %d starts %s UTC, want %s", i, u, wantUTC[i])
		}
		if d := s.EndsAt.Sub(s.StartsAt); d != 150*time.Minute {
			t.Errorf("shift %d lasts %s, want 2h30m", i, d)
		}
		if e := s.EndsAt.In(Zone).Format("15:04"); e != "12:00" {
			t.Errorf("shift %d ends %s local, want 12:00", i, e)
		}
		if s.Places != 4 {
			t.Errorf("shift %d has %d places, want 4", i, s.Places)
		}
	}
}

func TestWeeklyOccurrencesKeepLocalStartAcrossAutumnDSTChange(t *testing.T) {
	// 2027-10-31 (a Sunday) at 03:00 Brussels goes back from CEST (+02:00) to CET (+01:00).
	p := &Pattern{Weekdays: []int{6}, Start: "09:30", Minutes: 90, Places: 2, WeeksAhead: 3, From: "2027-10-20"}
	from := brussels(2027, 10, 20, 8, 0)
	got := WeeklyOccurrences(p, from, from.AddDate(0, 0, 21))
	want := []string{
		"2027-10-23 Sat 09:30 +0200",
		"2027-10-30 Sat 09:30 +0200",
		"2027-11-06 Sat 09:30 +0100",
	}
	if !slices.Equal(walls(got), want) {
		t.Fatalf("starts = %v, want %v", walls(got), want)
	}
	wantUTC := []string{"07:30", "07:30", "08:30"}
	for i, s := range got {
		if u := s.StartsAt.UTC().Format("15:04"); u != wantUTC[i] {
			t.Errorf("shift %d starts %s UTC, want %s", i, u, wantUTC[i])
		}
		if d := s.EndsAt.Sub(s.StartsAt); d != 90*time.Minute {
			t.Errorf("shift %d lasts %s, want 1h30m", i, d)
		}
	}
}

func TestWeeklyOccurrencesOnTheNightOfTheChange(t *testing.T) {
	t.Run("a shift over the spring change lasts its real minutes", func(t *testing.T) {
		// 01:00–04:00 wall clock on the spring change is 2 real hours; a 180-minute shift ends at 05:00 local.
		p := &Pattern{Weekdays: []int{7}, Start: "01:00", Minutes: 180, Places: 1, From: "2027-03-28"}
		got := WeeklyOccurrences(p, brussels(2027, 3, 28, 0, 0), brussels(2027, 3, 29, 0, 0))
		if len(got) != 1 {
			t.Fatalf("got %v, want one shift", walls(got))
		}
		if wall(got[0].StartsAt) != "2027-03-28 Sun 01:00 +0100" {
			t.Errorf("start = %s", wall(got[0].StartsAt))
		}
		if d := got[0].EndsAt.Sub(got[0].StartsAt); d != 3*time.Hour {
			t.Errorf("lasts %s, want 3h", d)
		}
		if e := wall(got[0].EndsAt); e != "2027-03-28 Sun 05:00 +0200" {
			t.Errorf("ends %s, want 05:00 CEST", e)
		}
	})
	t.Run("a start time that does not exist that night gives one shift that day", func(t *testing.T) {
		// 02:30 does not exist on 2027-03-28 in Brussels (02:00 jumps to 03:00).
		p := &Pattern{Weekdays: []int{7}, Start: "02:30", Minutes: 60, Places: 1, From: "2027-03-21"}
		got := WeeklyOccurrences(p, brussels(2027, 3, 21, 0, 0), brussels(2027, 4, 5, 0, 0))
		if len(got) != 3 {
			t.Fatalf("got %v, want three Sundays", walls(got))
		}
		if w := wall(got[0].StartsAt); w != "2027-03-21 Sun 02:30 +0100" {
			t.Errorf("first = %s", w)
		}
		if w := got[1].StartsAt.In(Zone).Format(time.DateOnly); w != "2027-03-28" {
			t.Errorf("the change night's shift is on %s, want 2027-03-28", w)
		}
		if w := wall(got[2].StartsAt); w != "2027-04-04 Sun 02:30 +0200" {
			t.Errorf("third = %s", w)
		}
		for i, s := range got {
			if d := s.EndsAt.Sub(s.StartsAt); d != time.Hour {
				t.Errorf("shift %d lasts %s", i, d)
			}
		}
	})
	t.Run("a start time that happens twice that night gives one shift, not two", func(t *testing.T) {
		// 02:30 happens twice on 2027-10-31 in Brussels.
		p := &Pattern{Weekdays: []int{7}, Start: "02:30", Minutes: 60, Places: 1, From: "2027-10-31"}
		got := WeeklyOccurrences(p, brussels(2027, 10, 30, 0, 0), brussels(2027, 11, 1, 0, 0))
		if len(got) != 1 {
			t.Fatalf("got %v, want exactly one shift", walls(got))
		}
		if c := got[0].StartsAt.In(Zone).Format("2006-01-02 15:04"); c != "2027-10-31 02:30" {
			t.Errorf("start = %s", c)
		}
	})
}

func TestWeeklyOccurrencesRange(t *testing.T) {
	// Monday and Thursday at 18:00, from Wednesday 2027-06-02 until Thursday 2027-06-17 (inclusive).
	p := &Pattern{Weekdays: []int{4, 1}, Start: "18:00", Minutes: 120, Places: 3, From: "2027-06-02", Until: "2027-06-17"}
	cases := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"whole pattern", brussels(2027, 5, 1, 0, 0), brussels(2027, 8, 1, 0, 0), []string{
			"2027-06-03 Thu 18:00 +0200", "2027-06-07 Mon 18:00 +0200", "2027-06-10 Thu 18:00 +0200",
			"2027-06-14 Mon 18:00 +0200", "2027-06-17 Thu 18:00 +0200"}},
		{"from is inclusive", brussels(2027, 6, 7, 18, 0), brussels(2027, 6, 11, 0, 0), []string{
			"2027-06-07 Mon 18:00 +0200", "2027-06-10 Thu 18:00 +0200"}},
		{"a start before from is left out", brussels(2027, 6, 7, 18, 1), brussels(2027, 6, 11, 0, 0), []string{
			"2027-06-10 Thu 18:00 +0200"}},
		{"to is exclusive", brussels(2027, 6, 1, 0, 0), brussels(2027, 6, 10, 18, 0), []string{
			"2027-06-03 Thu 18:00 +0200", "2027-06-07 Mon 18:00 +0200"}},
		{"from given in UTC late the evening before", time.Date(2027, 6, 9, 22, 30, 0, 0, time.UTC),
			brussels(2027, 6, 12, 0, 0), []string{"2027-06-10 Thu 18:00 +0200"}},
		{"range before the pattern", brussels(2027, 5, 1, 0, 0), brussels(2027, 6, 2, 0, 0), nil},
		{"range after until", brussels(2027, 6, 18, 0, 0), brussels(2027, 7, 18, 0, 0), nil},
		{"empty range", brussels(2027, 6, 10, 0, 0), brussels(2027, 6, 10, 0, 0), nil},
		{"to before from", brussels(2027, 6, 10, 0, 0), brussels(2027, 6, 3, 0, 0), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := walls(WeeklyOccurrences(p, c.from, c.to))
			if len(got) == 0 && len(c.want) == 0 {
				return
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("starts = %v, want %v", got, c.want)
			}
		})
	}
}

func TestWeeklyOccurrencesSundayIsSevenAndWeekdaysDoNotRepeat(t *testing.T) {
	p := &Pattern{Weekdays: []int{7, 7, 1}, Start: "10:00", Minutes: 60, Places: 1, From: "2027-01-01"}
	got := walls(WeeklyOccurrences(p, brussels(2027, 1, 9, 0, 0), brussels(2027, 1, 12, 0, 0)))
	want := []string{"2027-01-10 Sun 10:00 +0100", "2027-01-11 Mon 10:00 +0100"}
	if !slices.Equal(got, want) {
		t.Errorf("starts = %v, want %v", got, want)
	}
}

func TestWeeklyOccurrencesWithABadPatternGiveNothing(t *testing.T) {
	from, to := brussels(2027, 1, 1, 0, 0), brussels(2027, 2, 1, 0, 0)
	for _, p := range []*Pattern{
		{Weekdays: []int{1}, Start: "25:00", Minutes: 60, Places: 1, From: "2027-01-01"},
		{Weekdays: []int{1}, Start: "9h30", Minutes: 60, Places: 1, From: "2027-01-01"},
		{Weekdays: []int{1}, Start: "09:30", Minutes: 60, Places: 1, From: "01/01/2027"},
		{Weekdays: nil, Start: "09:30", Minutes: 60, Places: 1, From: "2027-01-01"},
	} {
		if got := WeeklyOccurrences(p, from, to); len(got) != 0 {
			t.Errorf("pattern %+v gave %v, want nothing", p, walls(got))
		}
	}
}

// FuzzWeeklyOccurrences checks the rules of a weekly pattern for any valid pattern and range:
// every start is on a chosen weekday at the pattern's local HH:MM in Brussels (on a night where
// that time does not exist, the same day one hour later), within the range and the pattern's
// dates, sorted, without duplicates, lasting exactly the pattern's minutes; and no occurrence
// is missing.
func FuzzWeeklyOccurrences(f *testing.F) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Seeds around both 2027 changes (days since base), in the middle of the night and by day.
	f.Add(uint8(1<<5), uint8(9), uint8(30), uint16(150), uint16(443), uint16(0), uint16(21), int16(0), uint16(0))
	f.Add(uint8(1<<6), uint8(2), uint8(30), uint16(60), uint16(450), uint16(1), uint16(30), int16(-3), uint16(10))
	f.Add(uint8(1<<6), uint8(2), uint8(30), uint16(60), uint16(660), uint16(3), uint16(14), int16(0), uint16(0))
	f.Add(uint8(0x7f), uint8(0), uint8(0), uint16(1440), uint16(300), uint16(1439), uint16(400), int16(5), uint16(200))
	f.Add(uint8(0x7f), uint8(23), uint8(59), uint16(15), uint16(664), uint16(720), uint16(3), int16(1), uint16(2))
	f.Fuzz(func(t *testing.T, mask, hh, mm uint8, minutes, fromDay, fromMinute, rangeDays uint16, patternOffset int16, untilDays uint16) {
		var weekdays []int
		for d := 1; d <= 7; d++ {
			if mask&(1<<(d-1)) != 0 {
				weekdays = append(weekdays, d)
			}
		}
		if len(weekdays) == 0 {
			weekdays = []int{1 + int(mask)%7}
		}
		h, m := int(hh)%24, int(mm)%60
		mins := 15 + int(minutes)%(24*60-14) // 15 … 1440, as validated
		from := base.AddDate(0, 0, int(fromDay)%1200).Add(time.Duration(fromMinute%1440) * time.Minute)
		to := from.AddDate(0, 0, int(rangeDays)%400)
		fromDate := from.In(Zone).AddDate(0, 0, int(patternOffset)%60)
		p := &Pattern{Weekdays: weekdays, Start: fmt.Sprintf("%02d:%02d", h, m), Minutes: mins, Places: 5,
			From: fromDate.Format(time.DateOnly)}
		var untilDate string
		if untilDays > 0 {
			untilDate = fromDate.AddDate(0, 0, int(untilDays)%500).Format(time.DateOnly)
			p.Until = untilDate
		}

		got := WeeklyOccurrences(p, from, to)

		chosen := map[time.Weekday]bool{}
		for _, d := range weekdays {
			chosen[time.Weekday(d%7)] = true
		}
		seen := map[string]bool{}
		for i, s := range got {
			local := s.StartsAt.In(Zone)
			date := local.Format(time.DateOnly)
			intended := time.Date(local.Year(), local.Month(), local.Day(), h, m, 0, 0, Zone)
			exists := intended.In(Zone).Hour() == h && intended.In(Zone).Minute() == m
			switch {
			case exists && (local.Hour() != h || local.Minute() != m):
				t.Fatalf("shift %d starts %s, want %02d:%02d local (pattern %+v)", i, wall(s.StartsAt), h, m, p)
			case !exists && local.Hour()*60+local.Minute() != (h+1)*60+m:
				t.Fatalf("shift %d starts %s; %02d:%02d does not exist that night, want one hour later", i, wall(s.StartsAt), h, m)
			}
			if !chosen[local.Weekday()] {
				t.Fatalf("shift %d starts %s, not on one of weekdays %v", i, wall(s.StartsAt), weekdays)
			}
			if s.StartsAt.Before(from) || !s.StartsAt.Before(to) {
				t.Fatalf("shift %d starts %s, outside [%s, %s)", i, wall(s.StartsAt), wall(from), wall(to))
			}
			if date < p.From || (untilDate != "" && date > untilDate) {
				t.Fatalf("shift %d on %s, outside pattern dates %s … %q", i, date, p.From, untilDate)
			}
			if i > 0 && !got[i-1].StartsAt.Before(s.StartsAt) {
				t.Fatalf("shifts not sorted or duplicated: %s then %s", wall(got[i-1].StartsAt), wall(s.StartsAt))
			}
			if seen[date] {
				t.Fatalf("two shifts on %s", date)
			}
			seen[date] = true
			if d := s.EndsAt.Sub(s.StartsAt); d != time.Duration(mins)*time.Minute {
				t.Fatalf("shift %d lasts %s, want %d minutes", i, d, mins)
			}
			if s.Places != 5 {
				t.Fatalf("shift %d has %d places, want 5", i, s.Places)
			}
		}

		// Completeness: every chosen day in range whose start falls in [from, to) has a shift.
		first := from.In(Zone)
		for day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, Zone); day.Before(to); day = day.AddDate(0, 0, 1) {
			date := day.Format(time.DateOnly)
			if !chosen[day.Weekday()] || date < p.From || (untilDate != "" && date > untilDate) {
				continue
			}
			start := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, Zone)
			if start.Before(from) || !start.Before(to) {
				continue
			}
			if !seen[date] {
				t.Fatalf("no shift on %s (%s) though it is a chosen day in range; got %v", date, wall(start), walls(got))
			}
		}
	})
}
