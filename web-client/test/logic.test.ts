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
import { groupByStatus, ordered, upsert } from '../src/applicants';
import { aggregate, pct } from '../src/impact';
import { safeNext } from '../src/pages/auth';
import {
  brusselsDate, brusselsPeriod, canAfford, codeComplete, codeGroups, coinsLeft, createRewardInput, emptyRewardForm, formatEuro, formatPeriod, formatSignedCoins,
  endedPeriods, merchantsOf, newIdempotencyKey, normaliseCode, qrPath, queryFromRewardSearch, rewardFilterFromSearch, rewardFormFrom, rewardSearchFromQuery,
  settleOutcome, sortIssuers, updateRewardInput, BUDGET_KINDS, fundTarget, newBudgetValue, organisationsWithoutBudget, withIssuer,
} from '../src/coins';

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
  it('keeps applications made at the same moment in one order, whichever order they arrive in', () => {
    const at = '2026-01-01T10:00:00Z';
    const x = { id: 'b', createdAt: at, status: 'ATTENDED' };
    const y = { id: 'a', createdAt: at, status: 'ATTENDED' };
    const z = { id: 'c', createdAt: '2026-01-02T10:00:00Z', status: 'ACCEPTED' };
    const want = ['c', 'a', 'b'];
    expect(ordered([x, y, z]).map((v) => v.id)).toEqual(want);
    expect(ordered([z, y, x]).map((v) => v.id)).toEqual(want);
    expect(upsert([y, x, z], { ...x, status: 'ATTENDED' }).map((v) => v.id)).toEqual(want);
    expect(upsert(ordered([x, z]), y).map((v) => v.id)).toEqual(want);
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

describe('coins, rewards and vouchers', () => {
  it('reads a voucher code typed any way', () => {
    expect(normaliseCode('3uaf mw9s pp')).toBe('3UAF-MW9S-PP');
    expect(normaliseCode(' 3UAF–MW9S—PP ')).toBe('3UAF-MW9S-PP'); // en and em dashes
    expect(normaliseCode('3u-a-f-m-w-9-s-p-p')).toBe('3UAF-MW9S-PP');
    expect(normaliseCode('３ＵＡＦ')).toBe('3UAF'); // full-width characters from some keyboards
    expect(codeComplete('3uafmw9spp')).toBe(true);
    expect(codeComplete('3uaf mw9s')).toBe(false);
    expect(codeGroups('3uafmw9spp')).toEqual(['3UAF', 'MW9S', 'PP']);
  });
  it("shows the QR image from the page's own origin", () => {
    expect(qrPath('http://127.0.0.1:8080/vouchers/3UAF-MW9S-PP.png')).toBe('/vouchers/3UAF-MW9S-PP.png');
    expect(qrPath('https://helpendehanden.example/vouchers/3UAF-MW9S-PP.png', 512)).toBe('/vouchers/3UAF-MW9S-PP.png?size=512');
    expect(qrPath('/vouchers/X.png')).toBe('/vouchers/X.png');
  });
  it('says what is left after paying', () => {
    expect(coinsLeft(50, 30)).toBe(20);
    expect(canAfford(30, 30)).toBe(true);
    expect(canAfford(29, 30)).toBe(false);
  });
  it("formats coins with a sign and euros in the language's currency format", () => {
    expect(formatSignedCoins(25, 'nl')).toBe('+25');
    expect(formatSignedCoins(-10, 'en')).toBe('-10');
    expect(formatSignedCoins(0, 'fr')).toBe('0');
    expect(formatEuro(1250, 'nl').replace(/\s/g, ' ')).toBe('€ 12,50');
    expect(formatEuro(1250, 'fr').replace(/\s/g, ' ')).toBe('12,50 €');
    expect(formatEuro(123456, 'en')).toBe('€1,234.56');
    expect(formatEuro(1250, 'ar')).toMatch(/12\.50/); // Latin digits in Arabic
    expect(formatPeriod('2026-10', 'nl')).toBe('oktober 2026');
    expect(brusselsDate('2026-06-06T22:30:00Z')).toBe('2026-06-07');
  });
  it('makes a new idempotency key for every intent', () => {
    const a = newIdempotencyKey(), b = newIdempotencyKey();
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(32);
  });
  it('keeps the catalogue filters in the URL and builds the API filter', () => {
    const s = { districtId: 'D1', merchantId: 'M1', themeId: '', maxPrice: ' 40 ', order: 'CHEAPEST' as const };
    const q = queryFromRewardSearch(s);
    expect(q).toBe('?district=D1&merchant=M1&max=40&order=CHEAPEST');
    const back = rewardSearchFromQuery(q);
    expect(back).toEqual({ districtId: 'D1', merchantId: 'M1', themeId: '', maxPrice: '40', order: 'CHEAPEST' });
    expect(rewardFilterFromSearch(back)).toEqual({ districtId: 'D1', merchantId: 'M1', maxPrice: 40 });
    expect(rewardSearchFromQuery('?max=lots&order=DROP')).toEqual({ districtId: '', merchantId: '', themeId: '', maxPrice: '', order: 'NEWEST' });
  });
  it("builds the merchant's reward input: Brussels dates, only what changed on edit", () => {
    const f = { ...emptyRewardForm(), title: ' Soep ', description: 'Een kom soep', price: '30', stock: '10', validUntil: '2026-12-31' };
    expect(createRewardInput('M1', f)).toEqual({ merchantId: 'M1', title: 'Soep', description: 'Een kom soep', price: 30, stock: 10, validUntil: '2026-12-31T23:59:00+01:00' });
    expect(Number.isNaN(createRewardInput('M1', { ...f, price: 'dertig' }).price)).toBe(true);
    const before = rewardFormFrom({ title: 'Soep', description: 'x', price: 30, stock: 10, validFrom: '2026-06-01T10:00:00Z', validUntil: '2026-12-31T22:59:00Z', photoUrl: null });
    expect(before.validFrom).toBe('2026-06-01');
    expect(before.validUntil).toBe('2026-12-31');
    expect(updateRewardInput('R1', before, { ...before, price: '25', validUntil: '' })).toEqual({ rewardId: 'R1', price: 25, clearValidUntil: true });
    expect(updateRewardInput('R1', before, before)).toEqual({ rewardId: 'R1' });
  });
  it('knows which organisations are shops', () => {
    const me = { memberships: [{ organisation: { id: 'O1', name: 'Soepbar', kind: 'NON_PROFIT' } }, { organisation: { id: 'M1', name: 'Bakkerij', kind: 'MERCHANT' } }] };
    expect(merchantsOf(me).map((o) => o.id)).toEqual(['M1']);
    expect(merchantsOf(null)).toEqual([]);
  });
  it('lists the months that can be settled: ended in Brussels time, newest first', () => {
    expect(brusselsPeriod(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07'); // 00:30 on 1 July in Brussels
    expect(brusselsPeriod(new Date('2026-12-31T22:59:59Z'))).toBe('2026-12');
    expect(endedPeriods(new Date('2026-03-10T12:00:00Z'), 4)).toEqual(['2026-02', '2026-01', '2025-12', '2025-11']);
    // Just after midnight on 1 July in Brussels (still June in UTC): June has ended.
    expect(endedPeriods(new Date('2026-06-30T22:30:00Z'), 1)).toEqual(['2026-06']);
    expect(endedPeriods(new Date('2026-01-01T00:30:00+01:00'), 2)).toEqual(['2025-12', '2025-11']);
    expect(endedPeriods(new Date('2026-05-05T12:00:00Z'), 0)).toEqual([]);
  });
  it("puts the city's own budget first, then the organisations' by name", () => {
    const list = [
      { id: 'b', organisation: { name: 'Zorgnet' } },
      { id: 'c', organisation: { name: 'Ávila vzw' } },
      { id: 'a', organisation: null },
      { id: 'd', organisation: { name: 'Buurtwerk' } },
    ];
    expect(sortIssuers(list, 'nl').map((i) => i.id)).toEqual(['a', 'c', 'd', 'b']);
    expect(list[0].id).toBe('b'); // the input is not changed
    expect(sortIssuers([], 'fr')).toEqual([]);
  });
  it('offers a new budget to organisations that are no shop and have none yet', () => {
    expect(BUDGET_KINDS).not.toContain('MERCHANT');
    expect(BUDGET_KINDS).toContain('NON_PROFIT');
    expect(BUDGET_KINDS).toHaveLength(7);
    const orgs = [
      { id: 'o3', name: 'Zorgnet', district: null },
      { id: 'o2', name: 'Buurtwerk', district: { name: 'Noord' } },
      { id: 'o1', name: 'Buurtwerk', district: { name: 'Berchem' } },
      { id: 'o4', name: 'Ávila vzw', district: null },
    ];
    const issuers = [{ id: 'i0', organisation: null }, { id: 'i3', organisation: { id: 'o3' } }];
    expect(organisationsWithoutBudget(orgs, issuers, 'nl').map((o) => o.id)).toEqual(['o4', 'o1', 'o2']);
    expect(orgs[0].id).toBe('o3'); // the input is not changed
    expect(organisationsWithoutBudget(orgs, [], 'ar')).toHaveLength(4);
  });
  it('sends organisationId for a new budget and issuerId for an existing one', () => {
    expect(fundTarget('SXNzdWVyOjE')).toEqual({ issuerId: 'SXNzdWVyOjE' });
    expect(fundTarget(newBudgetValue('T3JnOjE'))).toEqual({ organisationId: 'T3JnOjE' });
    expect(newBudgetValue('T3JnOjE')).not.toBe('T3JnOjE');
  });
  it('shows the budget just funded until the list reloads', () => {
    const list = [{ id: 'a', balance: 5 }, { id: 'b', balance: 1 }];
    expect(withIssuer(list, { id: 'b', balance: 9 })).toEqual([{ id: 'a', balance: 5 }, { id: 'b', balance: 9 }]);
    expect(withIssuer(list, { id: 'c', balance: 3 }).map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(withIssuer(list, null)).toEqual(list);
    expect(list).toHaveLength(2); // the input is not changed
  });
  it('says what settling a month did', () => {
    expect(settleOutcome({ id: 'S1', vouchers: 3 }, [])).toBe('settled');
    expect(settleOutcome({ id: 'S1', vouchers: 0 }, ['S0'])).toBe('nothing');
    expect(settleOutcome({ id: 'S1', vouchers: 3 }, ['S1'])).toBe('already');
  });
});
