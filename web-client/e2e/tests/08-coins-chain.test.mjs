// The whole chain in one test: a coordinator posts a need; a new volunteer finds it by search and
// applies; the coordinator accepts; the shift is moved into the past (SQL on the throwaway
// database: time cannot pass in a test); the coordinator confirms attendance for the whole shift;
// the volunteer's wallet shows the coins; the volunteer redeems a reward; the merchant accepts the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announced, api, demo, named, newUser, sql, tokenFor } from '../lib.mjs';

/** Presses Tab until the focused element's text is label (fails after 30 presses). */
async function tabTo(page, label) {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === label) return;
  }
  throw new Error(`Tab never reached "${label}"`);
}

const inDays = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

test('post, find, apply, accept, confirm, coins, redeem, accept the voucher', async () => {
  const word = `Kettingtest${Math.random().toString(36).slice(2, 8)}`;
  const title = `Fietsen herstellen ${word}`;
  const coordToken = await tokenFor(demo('coordinator'));
  const org = (await api(coordToken, '{ me { memberships { organisation { id name status kind } } } }')).me.memberships
    .map((m) => m.organisation).find((o) => o.status === 'APPROVED' && o.kind !== 'MERCHANT');
  const perHour = (await api(coordToken, '{ coinPolicy { coinsPerHour } }')).coinPolicy.coinsPerHour;

  // 1. The coordinator posts a need with one three-hour shift.
  const coord = await newUser({ login: demo('coordinator') });
  const cp = coord.page;
  await cp.goto('/');
  await cp.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: org.name }).click();
  await cp.getByRole('heading', { level: 1, name: org.name }).waitFor();
  await cp.getByRole('link', { name: 'Nieuwe vraag' }).click();
  await cp.getByLabel('Titel').fill(title);
  await cp.getByLabel('Wat gaan vrijwilligers doen?').fill('Samen fietsen van buren herstellen.');
  await cp.getByLabel('Datum').fill(inDays(3));
  await cp.getByLabel('Begint om').fill('13:00');
  await cp.getByLabel('Eindigt om').fill('16:00');
  await cp.getByLabel('Aantal plaatsen').fill('3');
  await cp.getByRole('button', { name: 'Vraag bewaren' }).click();
  await cp.getByRole('heading', { level: 1, name: title }).waitFor();
  await cp.getByText('Nieuwe kandidaten verschijnen hier vanzelf.').waitFor();

  // 2. A new volunteer registers, finds it by search and applies.
  const vol = await newUser();
  const vp = vol.page;
  const name = `Yusuf ${word}`;
  await vp.goto('/register');
  await vp.getByLabel('Je naam').fill(name);
  await vp.getByLabel('E-mailadres').fill(`yusuf.${word.toLowerCase()}@example.org`);
  await vp.getByLabel('Wachtwoord').fill('Rode-tram-naar-Merksem-19!');
  await vp.getByRole('button', { name: 'Account maken' }).click();
  await vp.getByRole('heading', { level: 1, name: 'Mijn talenten' }).waitFor();
  await vp.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Vrijwilligerswerk zoeken' }).click();
  await vp.getByRole('heading', { level: 1, name: 'Help mee in je buurt' }).waitFor();
  await vp.getByLabel('Wat wil je doen?').fill(word);
  await vp.getByRole('button', { name: 'Zoeken', exact: true }).click();
  await vp.getByRole('heading', { level: 2, name: /^1 resultaat$/ }).waitFor();
  await vp.getByRole('link', { name: title }).click();
  await vp.getByRole('heading', { level: 1, name: title }).waitFor();
  await vp.getByRole('button', { name: /^Ik doe mee/ }).first().click();
  await announced(vp, /Je vraag is verstuurd|Je bent ingeschreven/);

  // 3. The coordinator accepts (live list), then the shift is moved into the past.
  const card = cp.locator('.applicant', { hasText: name });
  await card.waitFor();
  if (await card.getByRole('button', { name: named('Ja', name) }).count()) {
    await card.getByRole('button', { name: named('Ja', name) }).click();
    await announced(cp, new RegExp(`${name} is ingeschreven`));
  }
  await cp.locator('.applicant[data-status="ACCEPTED"]', { hasText: name }).waitFor();
  const needId = decodeURIComponent(cp.url().split('/').pop());
  const moved = sql(`UPDATE shifts SET starts_at = now() - interval '4 hours', ends_at = now() - interval '1 hour'
    WHERE need_id = (SELECT n.id FROM needs n WHERE n.title = '${title.replace(/'/g, "''")}') RETURNING id`);
  assert.equal(moved.length, 1, `one shift moved (need ${needId})`);
  // The server caches the need for a short while and did not see this write: an ordinary update of
  // the need (same text) makes it drop what it cached about the need.
  const upd = await api(coordToken, 'mutation($i: UpdateNeedInput!) { updateNeed(input: $i) { userErrors { message } } }',
    { i: { needId, description: 'Samen fietsen van buren herstellen.' } });
  assert.deepEqual(upd.updateNeed.userErrors, []);

  // 4. The coordinator confirms attendance for the whole shift.
  await cp.reload();
  await cp.getByRole('heading', { level: 1, name: title }).waitFor();
  await cp.getByRole('button', { name: /^Aanwezigheid bevestigen voor iedereen \(1\)/ }).click();
  await announced(cp, /Bevestigd voor 1 persoon/);
  await cp.locator('.applicant[data-status="ATTENDED"]', { hasText: name }).waitFor();

  // 5. The volunteer's wallet shows the coins for three hours.
  const coins = 3 * perHour;
  await vp.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn muntjes' }).click();
  await vp.getByRole('heading', { level: 1, name: 'Mijn muntjes' }).waitFor();
  await vp.locator('.big-number', { hasText: new RegExp(`^${coins}$`) }).waitFor();
  await vp.locator('.entry', { hasText: title }).getByText(`+${coins}`).waitFor();

  // 6. The volunteer redeems a reward at the café — with the keyboard only.
  await vp.getByRole('main').getByRole('link', { name: 'Beloningen' }).click();
  await vp.getByRole('heading', { level: 1, name: 'Beloningen' }).waitFor();
  await vp.getByRole('link', { name: 'Koffie of thee' }).click();
  await vp.getByRole('heading', { level: 1, name: 'Koffie of thee' }).waitFor();
  await tabTo(vp, 'Inwisselen');
  await vp.keyboard.press('Enter');
  // Focus lands on the confirmation, which says what it costs and what is left.
  await vp.waitForFunction((t) => document.activeElement?.textContent === t, `Dit kost 10 muntjes. Je houdt er dan ${coins - 10} over.`);
  await tabTo(vp, 'Ja, inwisselen');
  await vp.keyboard.press('Enter');
  await vp.waitForURL(/\/me\/vouchers\/[A-Z0-9-]+$/);
  const code = decodeURIComponent(vp.url().split('/').pop());
  await vp.locator('.voucher .badge', { hasText: 'Klaar om te gebruiken' }).waitFor();

  // 7. The café accepts the code, typed as a person would read it out.
  const shop = await newUser({ login: demo('hatice') });
  const sp = shop.page;
  await sp.goto('/');
  await sp.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn winkel' }).click();
  await sp.getByRole('heading', { level: 1, name: 'Bon aanvaarden' }).waitFor();
  await sp.getByLabel('Code van de bon').focus();
  await sp.keyboard.type(code.toLowerCase().replace(/-/g, ' '));
  await sp.keyboard.press('Enter');
  const check = sp.locator('.voucher-check');
  await check.getByText(name).waitFor();
  await check.getByText('Koffie of thee').waitFor();
  await tabTo(sp, 'Aanvaarden (10 muntjes)');
  await sp.keyboard.press('Enter');
  await announced(sp, /Aanvaard/);
  await check.getByText('Gebruikt', { exact: true }).waitFor();

  // The volunteer's voucher now shows it was used.
  await vp.reload();
  await vp.locator('.voucher .badge', { hasText: 'Gebruikt' }).waitFor();
  for (const u of [coord, vol, shop]) await u.context.close();
});
