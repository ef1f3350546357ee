// Every main page in every language: no serious or critical axe violation; Arabic is
// mirrored; nothing is cut off at 320 px wide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, checkA11y, demo, newUser, tokenFor } from '../lib.mjs';

const LANGS = ['nl', 'fr', 'en', 'ar'];

async function ids() {
  const token = await tokenFor(demo('coordinator'));
  const d = await api(token, '{ me { memberships { organisation { id } } } }');
  const org = d.me.memberships[0].organisation.id;
  const n = await api(token, 'query($f: NeedFilter) { needs(filter: $f, first: 1) { edges { node { id } } } }', { f: { organisationId: org } });
  const v = await api(await tokenFor(demo('volunteer')), '{ myVouchers(first: 1) { edges { node { code } } } rewards(first: 1) { edges { node { id } } } }');
  return { org, need: n.needs.edges[0].node.id, voucher: v.myVouchers.edges[0].node.code, reward: v.rewards.edges[0].node.id };
}

const pagesFor = ({ org, need, voucher, reward }) => ({
  anonymous: ['/', `/needs/${need}`, '/login', '/register', '/impact', '/rewards', `/rewards/${reward}`, '/no-such-page'],
  volunteer: ['/me/shifts', '/me/recommendations', '/me/profile', '/me/year', '/me/account', '/wallet', '/rewards', `/rewards/${reward}`,
    '/me/vouchers', `/me/vouchers/${voucher}`],
  coordinator: [`/org/${org}`, `/org/${org}/new-need`, `/manage/needs/${need}`],
  matchmaker: ['/matchmaker'],
  merchant: ['/merchant', '/merchant/rewards', '/merchant/vouchers', '/merchant/settlements'],
  admin: ['/admin', '/admin/coins', '/admin/coins?view=settlements', '/admin/coins?view=reverse'],
});

async function ready(page) {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.loading') && !document.querySelector('[aria-busy="true"]'));
}

for (const lang of LANGS) {
  test(`accessibility (axe) of every main page in ${lang}`, async () => {
    const pages = pagesFor(await ids());
    for (const [role, paths] of Object.entries(pages)) {
      const { context, page } = await newUser({ lang, login: role === 'anonymous' ? undefined : demo(role) });
      for (const p of paths) {
        await page.goto(p);
        await ready(page);
        assert.equal(await page.getAttribute('html', 'lang'), lang, `${p} lang`);
        await checkA11y(page, `${p} (${lang}, ${role})`);
      }
      await context.close();
    }
  });
}

test('Arabic is right-to-left and mirrored; switching language is remembered', async () => {
  const { context, page } = await newUser({ lang: 'nl' });
  await page.goto('/');
  await ready(page);
  await page.getByLabel('Taal', { exact: true }).selectOption('ar');
  await page.getByRole('heading', { level: 1, name: 'ساعد في حيّك' }).waitFor();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  const geo = await page.evaluate(() => {
    const box = (s) => document.querySelector(s).getBoundingClientRect();
    return { brand: box('.brand'), lang: box('.lang select'), h1: box('main h1'), main: box('main'), dir: getComputedStyle(document.querySelector('main')).direction };
  });
  assert.equal(geo.dir, 'rtl');
  assert.ok(geo.brand.left > geo.lang.left, 'the brand is on the right, the language switch on the left');
  assert.ok(Math.abs(geo.h1.right - (geo.main.right - 16)) < 2, 'the heading starts at the right edge');
  // Remembered: a reload keeps Arabic; the API answered in Arabic too (district names stay, theme labels change).
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'ساعد في حيّك' }).waitFor();
  const themeOptions = await page.getByLabel('المجال').locator('option').allTextContents();
  assert.ok(themeOptions.some((t) => /[\u0600-\u06FF]/.test(t)), `theme labels from the API in Arabic: ${themeOptions.slice(0, 4)}`);
  await context.close();
});

test('nothing is cut off at 320 px wide, in every language', async () => {
  const { org, need, voucher, reward } = await ids();
  const who = [
    ['coordinator', ['/', `/needs/${need}`, `/org/${org}`, `/manage/needs/${need}`, `/org/${org}/new-need`, '/me/profile', '/impact']],
    ['volunteer', ['/wallet', '/rewards', `/rewards/${reward}`, '/me/vouchers', `/me/vouchers/${voucher}`]],
    ['merchant', ['/merchant', '/merchant/rewards', '/merchant/settlements']],
    ['admin', ['/admin/coins', '/admin/coins?view=settlements', '/admin/coins?view=reverse']],
  ];
  for (const lang of LANGS) {
    for (const [role, paths] of who) {
      const { context, page } = await newUser({ lang, login: demo(role), viewport: { width: 320, height: 640 } });
      for (const p of paths) {
        await page.goto(p);
        await ready(page);
        const over = await page.evaluate(() => {
          const out = [];
          const doc = document.documentElement;
          if (doc.scrollWidth > doc.clientWidth) out.push(`page ${doc.scrollWidth}>${doc.clientWidth}`);
          for (const el of document.querySelectorAll('h1, h2, h3, nav, form, .card, table, button, label, .chips, select, input, .voucher-code, .voucher-qr, .big-number, .amount')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0) continue;
            if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'auto') out.push(`${el.tagName}.${el.className} ${el.scrollWidth}>${el.clientWidth}`);
            if (r.left < -1 || r.right > doc.clientWidth + 1) out.push(`${el.tagName}.${el.className} outside (${Math.round(r.left)}..${Math.round(r.right)})`);
          }
          return out;
        });
        assert.deepEqual(over, [], `${p} at 320 px in ${lang}`);
      }
      await context.close();
    }
  }
});

test('Arabic: the wallet and the voucher are mirrored; the code stays left-to-right', async () => {
  const { voucher } = await ids();
  const { context, page } = await newUser({ lang: 'ar', login: demo('volunteer') });
  await page.goto('/wallet');
  await ready(page);
  const w = await page.evaluate(() => {
    const e = document.querySelector('.entry');
    const a = e.querySelector('.amount').getBoundingClientRect(), d = e.querySelector('.entry-desc').getBoundingClientRect();
    return { dir: getComputedStyle(e).direction, amountLeftOfText: a.right <= d.left + 1 };
  });
  assert.deepEqual(w, { dir: 'rtl', amountLeftOfText: true }, 'in Arabic the amount is on the left, the description on the right');
  await page.goto(`/me/vouchers/${voucher}`);
  await ready(page);
  const v = await page.evaluate(() => ({ code: getComputedStyle(document.querySelector('.voucher-code')).direction, page: getComputedStyle(document.querySelector('main')).direction }));
  assert.deepEqual(v, { code: 'ltr', page: 'rtl' });
  await context.close();
});
