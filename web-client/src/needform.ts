// The "new need" form -> CreateNeedInput. Pure, so it is unit-tested.
import type { AccessibilityFact, CreateNeedInput, ScheduleKind, Weekday } from './gql/graphql';
import { brusselsDateTime } from './filters';

export interface ShiftRow { date: string; start: string; end: string; places: string }

export interface NeedForm {
  title: string;
  description: string;
  themeId: string;
  districtId: string;
  street: string;
  postcode: string;
  remote: boolean;
  schedule: ScheduleKind;
  shifts: ShiftRow[];
  weekdays: Weekday[];
  weeklyStart: string;
  weeklyMinutes: string;
  weeklyPlaces: string;
  weeklyFrom: string;
  flexiblePlaces: string;
  autoAccept: boolean;
  access: AccessibilityFact[];
}

export const WEEKDAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

export const emptyNeedForm = (today: string): NeedForm => ({
  title: '', description: '', themeId: '', districtId: '', street: '', postcode: '', remote: false,
  schedule: 'ONE_OFF', shifts: [{ date: today, start: '09:00', end: '12:00', places: '2' }],
  weekdays: [], weeklyStart: '14:00', weeklyMinutes: '120', weeklyPlaces: '2', weeklyFrom: today,
  flexiblePlaces: '', autoAccept: false, access: [],
});

const int = (s: string) => (s.trim() === '' ? undefined : Number.parseInt(s, 10));

/** Builds the API input; the server checks everything again and answers in the user's language. */
export function needInput(orgId: string, f: NeedForm): CreateNeedInput {
  const input: CreateNeedInput = {
    organisationId: orgId,
    title: f.title.trim(),
    description: f.description.trim() || undefined,
    themeIds: f.themeId ? [f.themeId] : undefined,
    districtId: f.districtId || undefined,
    remote: f.remote,
    address: f.street.trim() ? { street: f.street.trim(), postcode: f.postcode.trim() || undefined, city: 'Antwerpen' } : undefined,
    accessibility: f.access.length ? f.access : undefined,
    schedule: f.schedule,
    autoAccept: f.autoAccept,
  };
  if (f.schedule === 'ONE_OFF') {
    input.shifts = f.shifts.map((s) => {
      // A shift that ends at or before it starts ends the next day (a night shift).
      const endDate = s.end <= s.start ? nextDay(s.date) : s.date;
      return { startsAt: brusselsDateTime(s.date, s.start), endsAt: brusselsDateTime(endDate, s.end), places: int(s.places) ?? 1 };
    });
  } else if (f.schedule === 'WEEKLY') {
    input.weeklyPattern = {
      weekdays: f.weekdays, startTime: f.weeklyStart, durationMinutes: int(f.weeklyMinutes) ?? 60,
      places: int(f.weeklyPlaces) ?? 1, from: f.weeklyFrom,
    };
  } else {
    input.flexiblePlaces = int(f.flexiblePlaces);
  }
  return input;
}

function nextDay(d: string): string {
  const x = new Date(`${d}T12:00:00Z`);
  x.setUTCDate(x.getUTCDate() + 1);
  return x.toISOString().slice(0, 10);
}

/** Today's date in Brussels, YYYY-MM-DD. */
export function brusselsToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
