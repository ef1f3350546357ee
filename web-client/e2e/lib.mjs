// Helpers shared by the end-to-end tests.
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { spawnSync } from 'node:child_process';

export const BASE = process.env.E2E_BASE_URL;
export const PASSWORD = 'Antwerpen-helpt-2026';
export const demo = (key) => `${key}@demo.helpendehanden.example`;
/** How long one step (a click, a heading to appear) may take before the test fails. */
export const STEP_TIMEOUT = Number(process.env.E2E_STEP_TIMEOUT_MS ?? 40000);

/**
 * Runs SQL on the throwaway database of this run (test set-up only, e.g. moving a shift into
 * the past). Returns the rows as arrays of strings (psql -At, fields split on "|").
 */
export function sql(query) {
  const url = process.env.E2E_THROWAWAY_DB;
  if (!url || !/hh_e2e_/.test(url)) throw new Error('sql(): only on the throwaway e2e database');
  const r = spawnSync('psql', [url.replace(/\?.*$/, ''), '-v', 'ON_ERROR_STOP=1', '-qAtc', query], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('|'));
}

let browser;
export async function getBrowser() {
  browser ??= await chromium.connectOverCDP(process.env.E2E_CDP_URL);
  return browser;
}
// Disconnect when the file's tests are done, so the test process can end.
after(async () => {
  await browser?.close();
});

/** A fresh browser context (own cookies and storage), optionally in a language and signed in. */
export async function newUser({ lang = 'nl', login, viewport = { width: 1000, height: 800 } } = {}) {
  const b = await getBrowser();
  const context = await b.newContext({ baseURL: BASE, viewport, locale: lang === 'ar' ? 'ar' : `${lang}-BE`, timezoneId: 'Europe/Brussels' });
  // Generous: CI is a loaded 2-core machine. A step that waits this long has failed for real.
  context.setDefaultTimeout(STEP_TIMEOUT);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT);
  await context.addInitScript((l) => { try { if (!localStorage.getItem('hh-lang')) localStorage.setItem('hh-lang', l); } catch {} }, lang);
  if (login) await apiLogin(context, login);
  const page = await context.newPage();
  return { context, page };
}

/** Signs in through the API; the HttpOnly session cookie lands in the context. */
export async function apiLogin(context, email, password = PASSWORD) {
  const res = await context.request.post('/graphql', {
    data: { query: 'mutation($i: LoginInput!) { login(input: $i) { person { id } session { token } userErrors { message } } }', variables: { i: { email, password } } },
  });
  const body = await res.json();
  assert.ok(body.data?.login?.person, `login ${email}: ${JSON.stringify(body)}`);
  return body.data.login.session.token;
}

/** A GraphQL call with a bearer token (for test set-up and checks, not for the journeys). */
export async function api(token, query, variables = {}) {
  const res = await fetch(`${BASE}/graphql`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export async function tokenFor(email) {
  const res = await fetch(`${BASE}/graphql`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'mutation($i: LoginInput!) { login(input: $i) { session { token } } }', variables: { i: { email, password: PASSWORD } } }),
  });
  return (await res.json()).data.login.session.token;
}

/** No serious or critical axe violation (WCAG 2.0/2.1 A and AA). */
export async function checkA11y(page, label) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`), [], `axe on ${label}`);
}

/** Waits until the live region says something matching re. */
export async function announced(page, re) {
  try {
    await page.locator('.toast').filter({ hasText: re }).waitFor();
  } catch (e) {
    const said = await page.locator('.toast').textContent().catch(() => '?');
    throw new Error(`expected an announcement ${re}, the page said: "${said}"`, { cause: e });
  }
}

/** The accessible name "Label: who" of a button whose "who" part is screen-reader only
 * text, perhaps followed by "(when)" where one person can appear on several cards. */
export const named = (label, who) => new RegExp(`^${esc(label)}\\s*:\\s*${esc(who)}(\\s*\\(.*\\))?$`);
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
