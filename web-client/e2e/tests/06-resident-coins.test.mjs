// Resident with coins: the wallet (balance, history, year statement, live), the rewards catalogue
// with filters, redeem with a confirmation step, the voucher (code, QR image, print view), cancel
// (the coins come back), "my vouchers"; gifts only when the coin policy allows them. Administrator:
// the coin policy form, the budget and the ledger audit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announced, api, demo, newUser, tokenFor } from '../lib.mjs';

const nl = (n) => new Intl.NumberFormat('nl-BE').format(n);
const balanceOf = async (token) => (await api(token, '{ wallet { balance } }')).wallet.balance;

test('wallet, catalogue, redeem, voucher with QR and print view, cancel gives the coins back', async () => {
  const token = await tokenFor(demo('volunteer'));
  const start = await balanceOf(token);
  assert.ok(start >= 30, `the demo volunteer has coins (${start})`);

  const { context, page } = await newUser({ login: demo('volunteer') });
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn muntjes' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mijn muntjes' }).waitFor();
  await page.locator('.big-number', { hasText: nl(start) }).waitFor();
  // History: the demo voucher's payment and coins earned, with +/- amounts and dates.
  const paid = page.locator('.entry', { hasText: 'Ingeruild voor “Koffie of thee”' });
  await paid.waitFor();
  assert.match(await paid.locator('.amount').textContent(), /[-−]10$/);
  const earned = page.locator('.entry', { hasText: 'Verdiend bij' }).first();
  assert.match(await earned.locator('.amount').textContent(), /\+\d+$/);
  assert.match(await earned.locator('time').textContent(), /\d{1,2} \w+ 20\d\d/);
  const before = await page.locator('.entry').count();
  await page.getByRole('button', { name: 'Meer tonen' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('.entry').length > n, before);
  // Year statement.
  const stmt = page.getByRole('table', { name: /^Overzicht van 20\d\d$/ });
  await stmt.getByRole('row', { name: /Verdiend met vrijwilligerswerk/ }).waitFor();
  assert.match(await stmt.getByRole('row', { name: /^Nu, of op 31 december/ }).textContent(), new RegExp(nl(start).replace('.', '\\.')));
  // No gifts under the demo policy: no gift form.
  assert.equal(await page.getByRole('heading', { name: 'Muntjes geven' }).count(), 0);

  // A second tab keeps the wallet open: its balance must follow live.
  const live = await context.newPage();
  await live.goto('/wallet');
  await live.getByText('Nieuwe muntjes verschijnen hier vanzelf.').waitFor();
  await page.bringToFront(); // a background tab gets few animation frames: clicks there wait for them

  // Catalogue with filters: the café's rewards of at most 30 coins.
  await page.getByRole('main').getByRole('link', { name: 'Beloningen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Beloningen' }).waitFor();
  await page.getByLabel('Winkel').selectOption({ label: 'Buurtcafé Den Draaiboom' });
  await page.getByLabel('Hoogstens (muntjes)').fill('30');
  await page.getByRole('button', { name: 'Zoeken', exact: true }).click();
  await page.waitForURL(/merchant=.*max=30/);
  await page.waitForFunction(() => {
    const cards = [...document.querySelectorAll('.reward-card')];
    return cards.length === 2 && cards.every((c) => c.textContent.includes('Den Draaiboom'));
  });
  await page.getByRole('link', { name: 'Soep van de dag' }).click();
  await page.getByRole('heading', { level: 1, name: 'Soep van de dag' }).waitFor();

  // Redeem: a confirmation step that says what it costs and what is left.
  await page.getByRole('button', { name: 'Inwisselen' }).click();
  await page.getByText(`Dit kost 30 muntjes. Je houdt er dan ${nl(start - 30)} over.`).waitFor();
  await page.getByRole('button', { name: 'Ja, inwisselen' }).click();
  await page.waitForURL(/\/me\/vouchers\/[A-Z0-9-]+$/);
  await page.getByRole('heading', { level: 1, name: 'Soep van de dag' }).waitFor();
  const code = decodeURIComponent(page.url().split('/').pop());
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
  assert.equal((await page.locator('.voucher-code .code-group').allTextContents()).join('-'), code);
  // Screen readers read it character by character, group by group.
  assert.equal(await page.locator('.voucher-code .sr-only').textContent(), code.split('-').map((g) => g.split('').join(' ')).join(', '));
  await page.locator('.voucher .badge', { hasText: 'Klaar om te gebruiken' }).waitFor();
  await page.getByText(/^Geldig tot$/).waitFor();
  // The QR image is loaded from this origin and big enough to show at a counter.
  const qr = page.getByRole('img', { name: `QR-code van de bon ${code}` });
  await page.waitForFunction(() => { const i = document.querySelector('.voucher-qr'); return i && i.complete && i.naturalWidth > 0; });
  assert.match(await qr.getAttribute('src'), new RegExp(`^/vouchers/${code}\\.png`));
  assert.ok((await qr.boundingBox()).width >= 250, 'the QR code is at least 250 px wide');
  assert.equal(await balanceOf(token), start - 30);
  await live.locator('.big-number', { hasText: nl(start - 30) }).waitFor(); // live, no reload

  // Print view: only the voucher, black on white.
  await page.emulateMedia({ media: 'print' });
  const print = await page.evaluate(() => {
    const shown = (s) => { const e = document.querySelector(s); return !!e && e.getBoundingClientRect().height > 0 && getComputedStyle(e).display !== 'none'; };
    const v = getComputedStyle(document.querySelector('.voucher-code'));
    return { voucher: shown('.voucher'), qr: shown('.voucher-qr'), header: shown('header.top'), h1: shown('main h1'), buttons: shown('main .actions'), color: v.color, bg: getComputedStyle(document.querySelector('.voucher')).backgroundColor };
  });
  assert.deepEqual(print, { voucher: true, qr: true, header: false, h1: false, buttons: false, color: 'rgb(0, 0, 0)', bg: 'rgb(255, 255, 255)' });
  await page.emulateMedia({ media: 'screen' });
  await page.getByRole('button', { name: 'Afdrukken' }).waitFor();

  // Cancel: the coins come back.
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Bon annuleren' }).click();
  await announced(page, /De bon is geannuleerd/);
  await page.locator('.voucher .badge', { hasText: 'Geannuleerd' }).waitFor();
  assert.equal(await balanceOf(token), start);
  await live.locator('.big-number', { hasText: nl(start) }).waitFor();

  // My vouchers: the demo voucher still to use, this one cancelled.
  await page.getByRole('link', { name: 'Mijn bonnen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mijn bonnen' }).waitFor();
  await page.getByRole('region', { name: 'Nog te gebruiken' }).getByRole('link', { name: 'Koffie of thee' }).waitFor();
  await page.getByRole('region', { name: 'Gebruikt of geannuleerd' }).getByRole('link', { name: 'Soep van de dag' }).first().waitFor();
  await context.close();
});

test('administrator allows gifts, a resident gives coins; budget and audit', async () => {
  const admin = await newUser({ login: demo('admin') });
  const ap = admin.page;
  await ap.goto('/admin');
  await ap.getByRole('main').getByRole('link', { name: 'Regels voor muntjes' }).click();
  await ap.getByRole('heading', { level: 1, name: 'Regels voor muntjes' }).waitFor();
  await ap.getByText(/muntjes per uur\. 10 muntjes = €\s1,00 voor de winkel\./).waitFor();
  await ap.getByLabel('Mensen mogen muntjes aan elkaar geven').check();
  await ap.getByRole('button', { name: 'Regels bewaren' }).click();
  await announced(ap, /De nieuwe regels gelden nu/);
  await ap.getByRole('table', { name: 'Vroegere regels' }).getByRole('cell', { name: 'ja', exact: true }).waitFor();

  const giverToken = await tokenFor(demo('volunteer'));
  const receiverToken = await tokenFor(demo('fatima'));
  const [g0, r0] = [await balanceOf(giverToken), await balanceOf(receiverToken)];
  const { context, page } = await newUser({ login: demo('volunteer') });
  await page.goto('/wallet');
  await page.getByRole('heading', { name: 'Muntjes geven' }).waitFor();
  await page.getByLabel('E-mailadres van de persoon').fill(demo('fatima'));
  await page.getByLabel('Hoeveel muntjes?').fill('5');
  await page.getByLabel('Berichtje (mag leeg)').fill('Voor een koffie!');
  await page.getByRole('button', { name: 'Verder' }).click();
  await page.getByText(`Je geeft 5 muntjes aan ${demo('fatima')}. Je houdt er dan ${nl(g0 - 5)} over.`).waitFor();
  await page.getByRole('button', { name: 'Ja, geven' }).click();
  await announced(page, /Je gaf 5 muntjes/);
  await page.locator('.big-number', { hasText: nl(g0 - 5) }).waitFor();
  assert.equal(await balanceOf(receiverToken), r0 + 5);
  await context.close();

  // Gifts off again (the other tests expect the demo policy).
  await ap.reload();
  await ap.getByLabel('Mensen mogen muntjes aan elkaar geven').uncheck();
  await ap.getByRole('button', { name: 'Regels bewaren' }).click();
  await announced(ap, /De nieuwe regels gelden nu/);

  // Budget: the city's balance goes up by what is added.
  const budget = Number((await ap.locator('.big-inline').textContent()).replace(/\D/g, ''));
  await ap.getByLabel('Muntjes erbij').fill('1000');
  await ap.getByLabel(/^Waarom/).fill('Extra budget (test)');
  await ap.getByRole('button', { name: 'Budget aanvullen' }).click();
  await announced(ap, /1\.000 muntjes toegevoegd/);
  await ap.locator('.big-inline', { hasText: nl(budget + 1000) }).waitFor();

  await ap.getByRole('button', { name: 'Nu controleren' }).click();
  await ap.locator('[data-ok="true"]', { hasText: 'Alles klopt.' }).waitFor();
  await admin.context.close();
});
