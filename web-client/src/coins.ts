// Coins, rewards and vouchers: pure helpers (unit-tested). No DOM, no API calls.
import type { CreateRewardInput, OrganisationKind, RewardFilter, UpdateRewardInput } from './gql/graphql';
import { brusselsDateTime } from './filters';
import { LOCALES, TIME_ZONE, type Lang } from './i18n';

/**
 * A voucher code as typed or scanned ("3uaf mw9s-pp", " 3UAF–MW9S PP ") in its canonical
 * form "3UAF-MW9S-PP": letters and digits only, upper case, in groups of 4, 4 and the rest.
 * Anything that is not a letter or digit (spaces, any dash) is dropped.
 */
export function normaliseCode(input: string): string {
  const raw = input.normalize('NFKC').toUpperCase().replace(/[^A-Z0-9]/g, '');
  const groups = [raw.slice(0, 4), raw.slice(4, 8), raw.slice(8)].filter(Boolean);
  return groups.join('-');
}

/** A code is complete when it has its 10 characters (8 plus the 2 check characters). */
export const codeComplete = (input: string) => normaliseCode(input).replace(/-/g, '').length === 10;

/** The groups of a code, to show each character spaced and read aloud group by group. */
export const codeGroups = (code: string) => normaliseCode(code).split('-');

/**
 * The QR image's address relative to the page: the API gives an absolute URL built on the
 * server's PUBLIC_URL, which may not be the origin the browser uses (another port, a proxy).
 */
export function qrPath(url: string, size?: number): string {
  let path: string;
  try {
    const u = new URL(url, 'http://x.invalid');
    path = u.pathname;
  } catch {
    path = url;
  }
  return size ? `${path}?size=${size}` : path;
}

/** Coins left after paying price from balance (never below zero: then the button is off anyway). */
export const coinsLeft = (balance: number, price: number) => balance - price;
export const canAfford = (balance: number, price: number) => price <= balance;

export function formatCoins(n: number, lang: Lang): string {
  return new Intl.NumberFormat(LOCALES[lang]).format(n);
}

/** "+25" / "−10" (a real minus sign, as Intl writes it); 0 without a sign. */
export function formatSignedCoins(n: number, lang: Lang): string {
  return new Intl.NumberFormat(LOCALES[lang], { signDisplay: 'exceptZero' }).format(n);
}

/** Euro cents in the language's currency format: "€ 12,50" (nl-BE), "12,50 €" (fr-BE). */
export function formatEuro(cents: number, lang: Lang): string {
  return new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency: 'EUR' }).format(cents / 100);
}

/** A settlement period "2026-10" as "oktober 2026". */
export function formatPeriod(period: string, lang: Lang): string {
  const [y, m] = period.split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALES[lang], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 15)));
}

/** The date (YYYY-MM-DD) of an instant in Brussels, for date inputs. */
export function brusselsDate(iso: string): string {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(iso));
  const get = (t: string) => p.find((x) => x.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** A key for one intent of the person (a tap on "yes"): the same key on a retry never pays twice. */
export function newIdempotencyKey(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const b = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// --- The rewards catalogue's filters <-> the URL <-> the API's RewardFilter ---

export interface RewardSearch {
  districtId: string;
  merchantId: string;
  themeId: string;
  maxPrice: string; // digits, or ''
  order: 'NEWEST' | 'CHEAPEST';
}

export const emptyRewardSearch = (): RewardSearch => ({ districtId: '', merchantId: '', themeId: '', maxPrice: '', order: 'NEWEST' });

export function rewardSearchFromQuery(search: string): RewardSearch {
  const q = new URLSearchParams(search);
  const max = q.get('max') ?? '';
  return {
    districtId: q.get('district') ?? '',
    merchantId: q.get('merchant') ?? '',
    themeId: q.get('theme') ?? '',
    maxPrice: /^\d{1,7}$/.test(max) ? String(Number(max)) : '',
    order: q.get('order') === 'CHEAPEST' ? 'CHEAPEST' : 'NEWEST',
  };
}

export function queryFromRewardSearch(s: RewardSearch): string {
  const q = new URLSearchParams();
  if (s.districtId) q.set('district', s.districtId);
  if (s.merchantId) q.set('merchant', s.merchantId);
  if (s.themeId) q.set('theme', s.themeId);
  if (/^\d+$/.test(s.maxPrice.trim())) q.set('max', String(Number(s.maxPrice.trim())));
  if (s.order === 'CHEAPEST') q.set('order', 'CHEAPEST');
  const str = q.toString();
  return str ? `?${str}` : '';
}

export function rewardFilterFromSearch(s: RewardSearch): RewardFilter {
  const f: RewardFilter = {};
  if (s.districtId) f.districtId = s.districtId;
  if (s.merchantId) f.merchantId = s.merchantId;
  if (s.themeId) f.themeId = s.themeId;
  if (/^\d+$/.test(s.maxPrice)) f.maxPrice = Number(s.maxPrice);
  return f;
}

// --- The merchant's reward form -> CreateRewardInput / UpdateRewardInput ---

export interface RewardForm {
  title: string;
  description: string;
  price: string;
  stock: string;
  validFrom: string; // YYYY-MM-DD or ''
  validUntil: string; // YYYY-MM-DD or ''
  photoUrl: string;
}

export const emptyRewardForm = (): RewardForm => ({ title: '', description: '', price: '', stock: '', validFrom: '', validUntil: '', photoUrl: '' });

export function rewardFormFrom(r: { title: string; description: string; price: number; stock: number; validFrom: string; validUntil?: string | null; photoUrl?: string | null }): RewardForm {
  return {
    title: r.title, description: r.description, price: String(r.price), stock: String(r.stock),
    validFrom: brusselsDate(r.validFrom), validUntil: r.validUntil ? brusselsDate(r.validUntil) : '', photoUrl: r.photoUrl ?? '',
  };
}

/** A whole number typed by a person ("30", " 30 "), or NaN (the server then says what is wrong). */
const int = (s: string) => (/^\s*\d+\s*$/.test(s) ? Number(s.trim()) : Number.NaN);

export function createRewardInput(merchantId: string, f: RewardForm): CreateRewardInput {
  const input: CreateRewardInput = {
    merchantId, title: f.title.trim(), description: f.description.trim(), price: int(f.price), stock: int(f.stock),
  };
  if (f.validFrom) input.validFrom = brusselsDateTime(f.validFrom);
  if (f.validUntil) input.validUntil = brusselsDateTime(f.validUntil, '23:59');
  if (f.photoUrl.trim()) input.photoUrl = f.photoUrl.trim();
  return input;
}

/** Only what changed; an emptied end date or photo is removed. */
export function updateRewardInput(rewardId: string, before: RewardForm, f: RewardForm): UpdateRewardInput {
  const input: UpdateRewardInput = { rewardId };
  if (f.title.trim() !== before.title) input.title = f.title.trim();
  if (f.description.trim() !== before.description) input.description = f.description.trim();
  if (f.price.trim() !== before.price) input.price = int(f.price);
  if (f.stock.trim() !== before.stock) input.stock = int(f.stock);
  if (f.validFrom !== before.validFrom && f.validFrom) input.validFrom = brusselsDateTime(f.validFrom);
  if (f.validUntil !== before.validUntil) {
    if (f.validUntil) input.validUntil = brusselsDateTime(f.validUntil, '23:59');
    else input.clearValidUntil = true;
  }
  if (f.photoUrl.trim() !== before.photoUrl) input.photoUrl = f.photoUrl.trim();
  return input;
}

/** The merchant organisations a person works for (members of an organisation of kind MERCHANT). */
export function merchantsOf(me: { memberships: readonly { organisation: { id: string; name: string; kind?: string | null } }[] } | null) {
  return (me?.memberships ?? []).filter((m) => m.organisation.kind === 'MERCHANT').map((m) => m.organisation);
}

// --- Administrator: budgets (issuers) and settlement periods ---

/** The month (YYYY-MM) an instant falls in, in Brussels: the settlement period it belongs to. */
export function brusselsPeriod(at: Date): string {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit' }).formatToParts(at);
  const get = (t: string) => p.find((x) => x.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}`;
}

/** The n months that have ended at `now` (Brussels time), newest first: the ones that can be settled. */
export function endedPeriods(now: Date, n: number): string[] {
  const [y, m] = brusselsPeriod(now).split('-').map(Number);
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    const total = y * 12 + (m - 1) - i;
    out.push(`${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

/** Minting budgets in the order an administrator looks for them: the city's own first, then by organisation name. */
export function sortIssuers<T extends { id: string; organisation?: { name: string } | null }>(issuers: readonly T[], lang: Lang): T[] {
  const coll = new Intl.Collator(LOCALES[lang]);
  return [...issuers].sort((a, b) => {
    if (!a.organisation !== !b.organisation) return a.organisation ? 1 : -1;
    return coll.compare(a.organisation?.name ?? '', b.organisation?.name ?? '') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

/** Which kinds of organisation may have their own minting budget: every kind but shops. */
const BUDGET_KIND: Record<OrganisationKind, boolean> = {
  NON_PROFIT: true, NEIGHBOURHOOD_CENTRE: true, CITY_SERVICE: true, SCHOOL: true, SPORTS_CLUB: true, CULTURAL: true, OTHER: true, MERCHANT: false,
};
export const BUDGET_KINDS = (Object.keys(BUDGET_KIND) as OrganisationKind[]).filter((k) => BUDGET_KIND[k]);

/**
 * The budget select's values: an existing issuer's id, or "new:" and the id of an organisation
 * that gets its own budget on its first funding. What the value funds, as fundIssuer input.
 */
const NEW_BUDGET = 'new:';
export const newBudgetValue = (organisationId: string) => `${NEW_BUDGET}${organisationId}`;
export function fundTarget(value: string): { issuerId: string } | { organisationId: string } {
  return value.startsWith(NEW_BUDGET) ? { organisationId: value.slice(NEW_BUDGET.length) } : { issuerId: value };
}

/** The organisations that have no budget yet, by name (the same name: by district, then id). */
export function organisationsWithoutBudget<O extends { id: string; name: string; district?: { name: string } | null }>(
  organisations: readonly O[], issuers: readonly { organisation?: { id: string } | null }[], lang: Lang,
): O[] {
  const funded = new Set(issuers.map((i) => i.organisation?.id).filter(Boolean));
  const coll = new Intl.Collator(LOCALES[lang]);
  return organisations.filter((o) => !funded.has(o.id)).sort((a, b) =>
    coll.compare(a.name, b.name) || coll.compare(a.district?.name ?? '', b.district?.name ?? '') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The issuers with one added or replaced by id (the budget just funded, until the list reloads). */
export function withIssuer<T extends { id: string }>(issuers: readonly T[], issuer: T | null | undefined): T[] {
  if (!issuer) return [...issuers];
  return issuers.some((i) => i.id === issuer.id) ? issuers.map((i) => (i.id === issuer.id ? issuer : i)) : [...issuers, issuer];
}

/** What settling a month did, from the statement the API returned and the statements known before. */
export type SettleOutcome = 'settled' | 'nothing' | 'already';
export function settleOutcome(statement: { id: string; vouchers: number }, knownIds: readonly string[]): SettleOutcome {
  if (knownIds.includes(statement.id)) return 'already';
  return statement.vouchers > 0 ? 'settled' : 'nothing';
}
