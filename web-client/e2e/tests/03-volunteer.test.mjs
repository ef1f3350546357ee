// Volunteer: filters and "near me", recommendations with reasons, talent profile and its
// visibility, the yearly overview, download my data, delete my account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announced, demo, newUser, BASE, STEP_TIMEOUT } from '../lib.mjs';

test('search by district and near me (geolocation permission)', async () => {
  const { context, page } = await newUser();
  await context.grantPermissions(['geolocation'], { origin: BASE });
  await context.setGeolocation({ latitude: 51.2108, longitude: 4.4331 }); // Borgerhout
  await page.goto('/');
  await page.getByLabel('District').selectOption({ label: 'Borgerhout' });
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('districtIds')),
    page.getByRole('button', { name: 'Zoeken', exact: true }).click(),
  ]);
  await page.waitForURL(/district=/);
  // The list is replaced once the filtered answer is in: then every result is in Borgerhout.
  await page.waitForFunction(() => {
    const m = [...document.querySelectorAll('.need-card .meta')].map((e) => e.textContent);
    return m.length > 0 && m.every((t) => t.includes('Borgerhout'));
  }, null, { timeout: STEP_TIMEOUT });

  await page.getByRole('link', { name: 'Alles wissen' }).click();
  await page.getByRole('button', { name: 'Dicht bij mij' }).click();
  await page.waitForURL(/lat=51\.211/);
  await page.getByText(/binnen 3 km/).waitFor();
  // The URL (and the hint) change at once; the list is replaced when the answer is in: wait for it,
  // then the nearest result shows its distance.
  await page.waitForFunction(() => {
    const m = [...document.querySelectorAll('.need-card .meta')].map((e) => e.textContent);
    return document.querySelector('[aria-busy="false"]') && m.length > 0 && /\d km$/.test(m[0]);
  }).catch(async (e) => {
    throw new Error(`the nearest result shows its distance: ${(await page.locator('.need-card .meta').allTextContents()).slice(0, 3)}`, { cause: e });
  });
  await context.close();
});

test('recommendations, profile visibility, year, download', async () => {
  const { context, page } = await newUser({ login: demo('volunteer') });
  await page.goto('/me/recommendations');
  await page.getByRole('heading', { level: 1, name: 'Voor jou' }).waitFor();
  await page.getByText('Waarom dit past:').first().waitFor();

  await page.getByRole('navigation').getByRole('link', { name: 'Mijn talenten' }).click();
  await page.getByRole('group', { name: 'Wie mag je profiel zien?' }).waitFor();
  await page.getByLabel(/^Begeleiders/).check();
  await announced(page, /Bewaard/);
  await page.reload();
  assert.ok(await page.getByLabel(/^Begeleiders/).isChecked(), 'visibility is kept');
  await page.getByLabel('Zoek een talent').fill('koken');
  await page.getByRole('button', { name: 'Zoeken', exact: true }).click();
  await page.getByLabel('Niveau').selectOption('3');
  await page.getByRole('button', { name: 'Talent toevoegen' }).click();
  await announced(page, /Bewaard/);

  await page.getByRole('navigation').getByRole('link', { name: 'Mijn jaar' }).click();
  await page.getByText('uren', { exact: false }).first().waitFor();

  await page.getByRole('navigation').getByRole('link', { name: 'Mijn gegevens' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Alles downloaden (JSON)' }).click()]);
  const path = await download.path();
  const json = JSON.parse(await (await import('node:fs/promises')).readFile(path, 'utf8'));
  assert.ok(json && typeof json === 'object', 'the export is JSON');
  await context.close();
});

test('a new volunteer deletes the account', async () => {
  const { context, page } = await newUser({ lang: 'en' });
  const email = `del.${Date.now()}@example.org`;
  await page.goto('/register');
  await page.getByLabel('Your name').fill('Tijdelijke Tester');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('Groene-tram-naar-Hoboken-7');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'My talents' }).waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'My data' }).click();
  await page.getByLabel('Password').fill('wrong-password-here');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Delete account' }).click();
  await page.locator('.error').first().waitFor(); // the server's message, tied to the field
  await page.getByLabel('Password').fill('Groene-tram-naar-Hoboken-7');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Delete account' }).click();
  await announced(page, /Your account is deleted/);
  await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
  await context.close();
});
