// Matchmaker: talent bank, propose, record consent, act on behalf. Administrator: approve
// an organisation, impact figures per district, theme and month.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { named, announced, demo, newUser } from '../lib.mjs';

test('matchmaker searches the talent bank, proposes, acts on behalf with consent', async () => {
  const { context, page } = await newUser({ login: demo('matchmaker') });
  await page.goto('/matchmaker');
  await page.getByRole('heading', { level: 1, name: 'Talentbank' }).waitFor();
  await page.getByRole('button', { name: 'Zoeken', exact: true }).click();
  const first = page.locator('li.card').first();
  await first.waitFor();
  const person = (await first.locator('h3').textContent()).trim();
  await first.getByRole('button', { name: named('Voorstellen of helpen', person) }).click();
  await first.getByRole('button', { name: 'Zoeken', exact: true }).click();
  await first.getByLabel('Vraag', { exact: true }).waitFor();
  await first.getByLabel('Bericht voor de persoon').fill('Dit lijkt me iets voor jou.');
  await first.getByRole('button', { name: 'Voorstellen', exact: true }).click();
  await announced(page, /Voorstel verstuurd/);

  await first.getByRole('button', { name: 'Toestemming bewaren' }).click();
  await announced(page, /Toestemming van .* is bewaard/);
  await page.getByRole('button', { name: `Help ${person}` }).click();
  await page.getByRole('region', { name: 'Hulp van een begeleider' }).getByText(`Je helpt nu ${person}`).waitFor();
  await page.getByRole('link', { name: 'Mijn shiften' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mijn shiften' }).waitFor();
  await page.getByRole('button', { name: 'Stoppen met helpen' }).click();
  await announced(page, /weer als jezelf/);
  await context.close();
});

test('administrator approves an organisation and reads the impact figures', async () => {
  const { context, page } = await newUser({ login: demo('admin') });
  await page.goto('/admin');
  const card = page.locator('li.card', { hasText: 'Muziekatelier De Notenbalk' });
  await card.getByRole('button', { name: named('Goedkeuren', 'Muziekatelier De Notenbalk') }).click();
  await announced(page, /Muziekatelier De Notenbalk is goedgekeurd/);
  await card.waitFor({ state: 'detached' });

  await page.getByRole('link', { name: 'Cijfers' }).first().click();
  for (const caption of ['Per district', 'Per thema', 'Per maand']) {
    await page.getByRole('table', { name: caption }).waitFor();
  }
  const rows = await page.getByRole('table', { name: 'Per district' }).locator('tbody tr').count();
  assert.ok(rows > 0, 'district rows');
  await page.getByLabel('Toon').selectOption('needsFilled');
  await page.getByRole('columnheader', { name: 'vragen ingevuld' }).first().waitFor();
  await context.close();
});
