// The needs search form <-> the URL query <-> the API's NeedFilter. Pure functions.
import type { AccessibilityFact, NeedFilter, NeedOrder } from './gql/graphql';

export interface SearchForm {
  text: string;
  districtIds: string[];
  themeIds: string[];
  talentIds: string[];
  languages: string[];
  access: AccessibilityFact[];
  from: string; // YYYY-MM-DD
  to: string; // YYYY-MM-DD
  placesLeft: boolean;
  near: { lat: number; lon: number; radiusKm: number } | null;
  order: NeedOrder | '';
}

export const ACCESS_FACTS: AccessibilityFact[] = ['NO_DUTCH_NEEDED', 'NO_EXPERIENCE_NEEDED', 'FIRST_TIMER_FRIENDLY', 'WHEELCHAIR_ACCESSIBLE'];
const ORDERS: NeedOrder[] = ['RELEVANCE', 'SOONEST', 'DISTANCE', 'NEWEST'];

export const emptyForm = (): SearchForm => ({
  text: '', districtIds: [], themeIds: [], talentIds: [], languages: [], access: [], from: '', to: '',
  placesLeft: false, near: null, order: '',
});

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

export function formFromQuery(search: string): SearchForm {
  const q = new URLSearchParams(search);
  const f = emptyForm();
  f.text = q.get('q') ?? '';
  f.districtIds = q.getAll('district');
  f.themeIds = q.getAll('theme');
  f.talentIds = q.getAll('talent');
  f.languages = q.getAll('lang');
  f.access = q.getAll('access').filter((a): a is AccessibilityFact => ACCESS_FACTS.includes(a as AccessibilityFact));
  f.from = isDate(q.get('from') ?? '') ? q.get('from')! : '';
  f.to = isDate(q.get('to') ?? '') ? q.get('to')! : '';
  f.placesLeft = q.get('open') === '1';
  const lat = Number(q.get('lat')), lon = Number(q.get('lon')), r = Number(q.get('km') || 5);
  if (q.has('lat') && q.has('lon') && Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    f.near = { lat, lon, radiusKm: Number.isFinite(r) && r > 0 && r <= 50 ? r : 5 };
  }
  const o = q.get('order') as NeedOrder | null;
  f.order = o && ORDERS.includes(o) ? o : '';
  return f;
}

export function queryFromForm(f: SearchForm): string {
  const q = new URLSearchParams();
  if (f.text.trim()) q.set('q', f.text.trim());
  f.districtIds.forEach((d) => q.append('district', d));
  f.themeIds.forEach((d) => q.append('theme', d));
  f.talentIds.forEach((d) => q.append('talent', d));
  f.languages.forEach((d) => q.append('lang', d));
  f.access.forEach((d) => q.append('access', d));
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (f.placesLeft) q.set('open', '1');
  if (f.near) {
    q.set('lat', f.near.lat.toFixed(3));
    q.set('lon', f.near.lon.toFixed(3));
    q.set('km', String(f.near.radiusKm));
  }
  if (f.order) q.set('order', f.order);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The UTC offset of Europe/Brussels at an instant, as "+01:00" or "+02:00". */
export function brusselsOffset(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Brussels', timeZoneName: 'longOffset' }).formatToParts(at);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+01:00';
  const m = /GMT([+-]\d{2}:\d{2})/.exec(name);
  return m ? m[1] : '+00:00';
}

/** A local Brussels date and time ("2026-03-29", "09:30") as an RFC 3339 instant with the right offset. */
export function brusselsDateTime(date: string, time = '00:00'): string {
  // Guess with the offset at noon UTC that day, then correct once (daylight-saving days).
  let off = brusselsOffset(new Date(`${date}T12:00:00Z`));
  const guess = new Date(`${date}T${time}:00${off}`);
  off = brusselsOffset(guess);
  return `${date}T${time}:00${off}`;
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function needFilterFromForm(f: SearchForm): NeedFilter {
  const filter: NeedFilter = {};
  if (f.text.trim()) filter.text = f.text.trim();
  if (f.districtIds.length) filter.districtIds = f.districtIds;
  if (f.themeIds.length) filter.themeIds = f.themeIds;
  if (f.talentIds.length) filter.talentIds = f.talentIds;
  if (f.languages.length) filter.languages = f.languages;
  if (f.access.length) filter.accessibility = f.access;
  if (f.from) filter.from = brusselsDateTime(f.from);
  if (f.to) filter.to = brusselsDateTime(addDays(f.to, 1)); // the whole last day
  if (f.placesLeft) filter.hasPlacesLeft = true;
  if (f.near) filter.near = { point: { latitude: f.near.lat, longitude: f.near.lon }, radiusKm: f.near.radiusKm };
  return filter;
}

export function orderFor(f: SearchForm): NeedOrder {
  if (f.order && (f.order !== 'DISTANCE' || f.near)) return f.order;
  if (f.near) return 'DISTANCE';
  return f.text.trim() ? 'RELEVANCE' : 'SOONEST';
}

/** Rounds a position to about 100 m: enough for "near me", less precise about where someone is. */
export const roundCoord = (x: number) => Math.round(x * 1000) / 1000;
