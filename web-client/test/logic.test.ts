import { describe, expect, it } from 'vitest';
import { buildPath, matchRoute, parseQuery } from '../src/router';
import { ROUTES_FOR_TEST } from './routes';
import { addDays, brusselsDateTime, emptyForm, formFromQuery, needFilterFromForm, orderFor, queryFromForm } from '../src/filters';
import { interpolate, pickLanguage, translate, formatDateTime, formatNumber } from '../src/i18n';
import nl from '../src/i18n/nl';
import en from '../src/i18n/en';
import fr from '../src/i18n/fr';
import ar from '../src/i18n/ar';
import { fieldErrors, requestHeaders } from '../src/api';
import { needInput, emptyNeedForm, brusselsToday } from '../src/needform';
import { groupByStatus, upsert } from '../src/applicants';
import { aggregate, pct } from '../src/impact';
import { safeNext } from '../src/pages/auth';
import { personIdFromProfileId } from '../src/pages/matchmaker';

describe('router', () => {
  it('matches patterns with parameters', () => {
    expect(matchRoute('/', ROUTES_FOR_TEST)).toEqual({ name: 'home', params: {} });
    expect(matchRoute('/needs/TmVlZDox', ROUTES_FOR_TEST)).toEqual({ name: 'need', params: { id: 'TmVlZDox' } });
    expect(matchRoute('/org/abc/new-need/', ROUTES_FOR_TEST)).toEqual({ name: 'newNeed', params: { id: 'abc' } });
    expect(matchRoute('/needs/a%20b?x=1', ROUTES_FOR_TEST)?.params.id).toBe('a b');
    expect(matchRoute('/nope', ROUTES_FOR_TEST)).toBeNull();
    expect(matchRoute('/needs/%E0%A4%A', ROUTES_FOR_TEST)).toBeNull();
  });
  it('builds paths and parses queries', () => {
    expect(buildPath('/needs/:id', { id: 'a/b' })).toBe('/needs/a%2Fb');
    expect(parseQuery('?a=1&a=2&b=x')).toEqual({ a: ['1', '2'], b: ['x'] });
  });
});

describe('search filters', () => {
  it('round-trips the form through the URL', () => {
    const f = { ...emptyForm(), text: 'soep', districtIds: ['D1'], themeIds: ['T1'], access: ['NO_DUTCH_NEEDED' as const], from: '2026-06-01', placesLeft: true,
      near: { lat: 51.2108, lon: 4.4331, radiusKm: 3 } };
    const back = formFromQuery(queryFromForm(f));
    expect(back.text).toBe('soep');
    expect(back.districtIds).toEqual(['D1']);
    expect(back.access).toEqual(['NO_DUTCH_NEEDED']);
    expect(back.near).toEqual({ lat: 51.211, lon: 4.433, radiusKm: 3 });
    expect(back.placesLeft).toBe(true);
  });
  it('ignores bad values in the URL', () => {
    const f = formFromQuery('?access=HACK&from=yesterday&lat=999&lon=4&order=DROP');
    expect(f.access).toEqual([]);
    expect(f.from).toBe('');
    expect(f.near).toBeNull();
    expect(f.order).toBe('');
  });
  it('builds the API filter with Brussels times and the whole last day', () => {
    const filter = needFilterFromForm({ ...emptyForm(), from: '2026-01-10', to: '2026-07-10' });
    expect(filter.from).toBe('2026-01-10T00:00:00+01:00');
    expect(filter.to).toBe('2026-07-11T00:00:00+02:00');
    expect(needFilterFromForm(emptyForm())).toEqual({});
  });
  it('handles daylight-saving days', () => {
    expect(brusselsDateTime('2026-03-29', '01:30')).toBe('2026-03-29T01:30:00+01:00');
    expect(brusselsDateTime('2026-03-29', '09:30')).toBe('2026-03-29T09:30:00+02:00');
    expect(brusselsDateTime('2026-10-25', '12:00')).toBe('2026-10-25T12:00:00+01:00');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
  it('orders by distance near a point, by relevance with text, else soonest', () => {
    expect(orderFor({ ...emptyForm(), near: { lat: 1, lon: 1, radiusKm: 2 } })).toBe('DISTANCE');
    expect(orderFor({ ...emptyForm(), text: 'x' })).toBe('RELEVANCE');
    expect(orderFor(emptyForm())).toBe('SOONEST');
    expect(orderFor({ ...emptyForm(), order: 'DISTANCE' })).toBe('SOONEST');
  });
});

describe('i18n', () => {
  it('has every key in every language, none empty', () => {
    for (const d of [en, fr, ar]) {
      expect(Object.keys(d).sort()).toEqual(Object.keys(nl).sort());
      for (const [k, v] of Object.entries(d)) expect(v, k).not.toBe('');
    }
  });
  it('keeps the same placeholders in every language', () => {
    const ph = (s: string) => [...new Set(s.match(/\{\w+\}/g) ?? [])].sort();
    for (const d of [en, fr, ar]) {
      for (const k of Object.keys(nl) as (keyof typeof nl)[]) {
        // Arabic may spell out "one" instead of {n} in the singular form.
        const target = d === ar ? d[k].split('|').pop()! : d[k];
        const source = d === ar ? nl[k].split('|').pop()! : nl[k];
        expect(ph(target), `${k}`).toEqual(ph(source));
      }
    }
  });
  it('picks a remembered, then a browser, then the Dutch language', () => {
    expect(pickLanguage('ar', ['fr-BE'])).toBe('ar');
    expect(pickLanguage(null, ['de-DE', 'fr-BE'])).toBe('fr');
    expect(pickLanguage('xx', ['de'])).toBe('nl');
  });
  it('interpolates and chooses plural forms', () => {
    expect(interpolate('Hallo {name}', { name: 'Lina' })).toBe('Hallo Lina');
    expect(translate(nl, 'nl', 'placesLeft', { n: 1 })).toBe('Nog 1 plaats');
    expect(translate(nl, 'nl', 'placesLeft', { n: 3 })).toBe('Nog 3 plaatsen');
    expect(translate(fr, 'fr', 'resultsCount', { n: 1234 })).toMatch(/^1\s?234 résultats$/);
  });
  it('formats dates in Brussels time in the chosen language', () => {
    const iso = '2026-06-06T07:00:00Z'; // 09:00 in Brussels (summer)
    expect(formatDateTime(iso, 'nl')).toContain('09:00');
    expect(formatDateTime(iso, 'en')).toContain('June');
    expect(formatDateTime(iso, 'ar')).toContain('09:00');
    expect(formatNumber(1234.5, 'nl')).toBe('1.234,5');
  });
});

describe('api helpers', () => {
  it('sends JSON (a non-simple request for the CSRF rule), the language and the on-behalf header', () => {
    expect(requestHeaders('fr', null)).toMatchObject({ 'Content-Type': 'application/json', 'Accept-Language': 'fr' });
    expect(requestHeaders('ar', { id: 'P1' })['Act-On-Behalf-Of']).toBe('P1');
  });
  it('ties user errors to fields', () => {
    expect(fieldErrors([{ field: ['input', 'email'], message: 'Bad email' }, { message: 'General' }, { field: ['input', 'email'], message: 'Taken' }]))
      .toEqual({ email: 'Bad email Taken', '': 'General' });
  });
  it('only follows same-site paths after sign-in', () => {
    expect(safeNext('?next=/needs/1')).toBe('/needs/1');
    expect(safeNext('?next=//evil.example')).toBe('/');
    expect(safeNext('?next=https://evil.example')).toBe('/');
    expect(safeNext('')).toBe('/');
  });
  it('converts a talent profile ID to the person ID (documented workaround)', () => {
    const b64 = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(personIdFromProfileId(b64('TalentProfile:e744def9-df0e-5792-8df0-41028f1a7478'))).toBe(b64('Person:e744def9-df0e-5792-8df0-41028f1a7478'));
    expect(personIdFromProfileId(b64('Need:1'))).toBeNull();
  });
});

describe('need form', () => {
  it('builds one-off shifts in Brussels time, a night shift ends the next day', () => {
    const f = { ...emptyNeedForm('2026-06-01'), title: ' Soep ', shifts: [{ date: '2026-06-06', start: '22:00', end: '02:00', places: '3' }] };
    const input = needInput('O1', f);
    expect(input.title).toBe('Soep');
    expect(input.shifts).toEqual([{ startsAt: '2026-06-06T22:00:00+02:00', endsAt: '2026-06-07T02:00:00+02:00', places: 3 }]);
    expect(input.weeklyPattern).toBeUndefined();
  });
  it('builds weekly and flexible schedules', () => {
    const w = needInput('O1', { ...emptyNeedForm('2026-06-01'), schedule: 'WEEKLY', weekdays: ['SATURDAY'] });
    expect(w.weeklyPattern).toMatchObject({ weekdays: ['SATURDAY'], startTime: '14:00', durationMinutes: 120, places: 2, from: '2026-06-01' });
    expect(w.shifts).toBeUndefined();
    const x = needInput('O1', { ...emptyNeedForm('2026-06-01'), schedule: 'FLEXIBLE', flexiblePlaces: '' });
    expect(x.flexiblePlaces).toBeUndefined();
  });
  it("knows today's date in Brussels", () => {
    expect(brusselsToday(new Date('2026-06-06T22:30:00Z'))).toBe('2026-06-07');
  });
});

describe('applicants and impact', () => {
  it('merges live updates, newest first', () => {
    const a = { id: '1', createdAt: '2026-01-01T10:00:00Z', status: 'PENDING' };
    const b = { id: '2', createdAt: '2026-01-02T10:00:00Z', status: 'PENDING' };
    expect(upsert([a], b).map((x) => x.id)).toEqual(['2', '1']);
    expect(upsert([a, b], { ...a, status: 'ACCEPTED' }).find((x) => x.id === '1')!.status).toBe('ACCEPTED');
    expect(groupByStatus([{ status: 'ACCEPTED' }, { status: 'PENDING' }]).map(([s]) => s)).toEqual(['PENDING', 'ACCEPTED']);
  });
  it('sums impact rows and never counts suppressed groups as zero', () => {
    const d = { id: 'D1', name: 'Berchem' };
    const rows = [
      { month: '2026-01', suppressed: false, hours: 10, needsFilled: 2, district: d },
      { month: '2026-02', suppressed: false, hours: 5, needsFilled: 1, district: d },
      { month: '2026-02', suppressed: true, district: { id: 'D2', name: 'Ekeren' } },
    ];
    expect(aggregate(rows, 'district')).toEqual([
      { key: 'D1', label: 'Berchem', hours: 15, needsFilled: 3, suppressed: 0 },
      { key: 'D2', label: 'Ekeren', hours: 0, needsFilled: 0, suppressed: 1 },
    ]);
    expect(aggregate(rows, 'month').map((b) => b.key)).toEqual(['2026-01', '2026-02']);
    expect(pct(5, 20)).toBe(25);
    expect(pct(0, 0)).toBe(0);
  });
});
