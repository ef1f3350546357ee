// Merchant: from the home page to "accept a voucher"; manage rewards (create, edit, switch off);
// accept the demo voucher typed in lower case with spaces, after seeing what it is for and whose it
// is; the vouchers list; a monthly settlement statement in coins and euros.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announced, api, demo, named, newUser, sql, tokenFor } from '../lib.mjs';

test('merchant manages rewards, accepts a voucher typed any way, reads the statements', async () => {
  const volToken = await tokenFor(demo('volunteer'));
  const d = await api(volToken, '{ me { displayName } myVouchers(states: [ISSUED]) { edges { node { code price merchant { name } reward { title } } } } }');
  const voucher = d.myVouchers.edges.map((e) => e.node).find((v) => v.merchant.name === 'Buurtcafé Den Draaiboom');
  assert.ok(voucher, 'the demo volunteer has a voucher for Den Draaiboom');

  const { context, page } = await newUser({ login: demo('hatice') });
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Snel naar' }).getByRole('link', { name: 'Bon aanvaarden' }).click();
  await page.getByRole('heading', { level: 1, name: 'Bon aanvaarden' }).waitFor();
  await page.getByText('Buurtcafé Den Draaiboom').first().waitFor();
  // The scan button only where the browser can read QR codes from a camera.
  const canScan = await page.evaluate(() => 'BarcodeDetector' in window && !!navigator.mediaDevices?.getUserMedia);
  assert.equal(await page.getByRole('button', { name: 'QR-code scannen' }).count(), canScan ? 1 : 0);

  // Rewards: create, edit, switch off.
  const title = `Appeltaart ${Date.now().toString(36)}`;
  await page.getByRole('navigation', { name: 'Menu van de winkel' }).getByRole('link', { name: 'Mijn beloningen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mijn beloningen' }).waitFor();
  await page.getByRole('button', { name: 'Nieuwe beloning' }).click();
  const form = page.getByRole('form', { name: 'Nieuwe beloning' });
  await form.getByLabel('Naam van de beloning').fill(title);
  await form.getByLabel('Wat krijgt de klant?').fill('Een stuk appeltaart met slagroom.');
  await form.getByLabel('Prijs in muntjes').fill('20');
  await form.getByLabel('Hoeveel nog').fill('12');
  await form.getByRole('button', { name: 'Nieuwe beloning' }).click();
  await announced(page, new RegExp(`${title} staat in de lijst`));
  const card = page.locator('li.card', { has: page.getByRole('heading', { name: title }) });
  await card.getByText('20 muntjes · nog 12').waitFor();
  await card.getByRole('button', { name: named('Aanpassen', title) }).click();
  await card.getByLabel('Prijs in muntjes').fill('25');
  await card.getByRole('button', { name: 'Bewaren' }).click();
  await announced(page, new RegExp(`${title} is bewaard`));
  await card.getByText('25 muntjes · nog 12').waitFor();
  const inCatalogue = async () => (await api(volToken, '{ rewards(first: 100) { edges { node { title } } } }')).rewards.edges.some((e) => e.node.title === title);
  assert.ok(await inCatalogue(), 'the new reward is in the catalogue');
  await card.getByRole('button', { name: named('Uitzetten', title) }).click();
  await announced(page, new RegExp(`${title} staat uit`));
  await card.getByText(/^Staat uit/).waitFor();
  assert.ok(!(await inCatalogue()), 'a switched-off reward is not in the catalogue');

  // Accept the demo voucher, typed in lower case with spaces instead of dashes.
  await page.getByRole('link', { name: 'Bon aanvaarden' }).first().click();
  const typed = `  ${voucher.code.toLowerCase().replace(/-/g, ' ')} `;
  await page.getByLabel('Code van de bon').fill(typed);
  await page.getByRole('button', { name: 'Bon zoeken' }).click();
  const check = page.locator('.voucher-check');
  await check.getByText(voucher.reward.title).waitFor();
  await check.getByText(d.me.displayName).waitFor();
  await check.getByText('Klaar om te gebruiken').waitFor();
  await check.getByText('10 muntjes').first().waitFor();
  await check.getByRole('button', { name: 'Aanvaarden (10 muntjes)' }).click();
  await announced(page, /Aanvaard\. 10 muntjes zijn voor jouw winkel/);
  await check.getByText('Gebruikt', { exact: true }).waitFor();
  await check.getByText('Deze bon is gebruikt. Geef de klant de beloning.').waitFor();
  // Typing it again: it shows as used, with no accept button.
  await page.getByRole('button', { name: 'Volgende bon' }).click();
  await page.getByLabel('Code van de bon').fill(voucher.code);
  await page.getByRole('button', { name: 'Bon zoeken' }).click();
  await check.getByText('Gebruikt', { exact: true }).waitFor();
  assert.equal(await check.getByRole('button', { name: /^Aanvaarden/ }).count(), 0);

  // The vouchers list.
  await page.getByRole('link', { name: 'Bonnen', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Bonnen' }).waitFor();
  await page.locator('li.card[data-state="ACCEPTED"]', { hasText: voucher.code }).waitFor();

  // Statements: move the acceptance into last month (throwaway database), settle that month.
  const last = new Date();
  last.setUTCDate(1);
  last.setUTCMonth(last.getUTCMonth() - 1);
  const period = last.toISOString().slice(0, 7);
  sql(`UPDATE vouchers SET closed_at = '${period}-15 12:00:00+00' WHERE code = '${voucher.code.replace(/-/g, '')}' OR code = '${voucher.code}'`);
  const adminToken = await tokenFor(demo('admin'));
  const merchantId = (await api(await tokenFor(demo('hatice')), '{ me { memberships { organisation { id kind } } } }')).me.memberships.find((m) => m.organisation.kind === 'MERCHANT').organisation.id;
  const settled = await api(adminToken, 'mutation($i: SettleMerchantInput!) { settleMerchant(input: $i) { statement { coins euroCents } userErrors { message } } }', { i: { merchantId, period } });
  assert.deepEqual(settled.settleMerchant.userErrors, []);
  assert.ok(settled.settleMerchant.statement.coins >= 10);
  await page.getByRole('link', { name: 'Afrekeningen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Afrekeningen' }).waitFor();
  const month = new Intl.DateTimeFormat('nl-BE', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${period}-15T12:00:00Z`));
  const row = page.getByRole('table', { name: 'Afrekeningen' }).getByRole('row', { name: new RegExp(month) });
  await row.waitFor();
  const euros = new Intl.NumberFormat('nl-BE', { style: 'currency', currency: 'EUR' }).format(settled.settleMerchant.statement.euroCents / 100);
  assert.ok((await row.textContent()).includes(euros), `the row shows ${euros}: ${await row.textContent()}`);
  await context.close();
});
