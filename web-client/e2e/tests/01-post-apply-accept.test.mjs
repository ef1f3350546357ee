// Coordinator posts a need; a new volunteer registers, finds it by search and applies;
// the coordinator sees the applicant arrive live (no reload) and accepts; the volunteer
// sees it in "my shifts" with the iCal feed, then withdraws (and the coordinator sees that live too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { named, announced, api, demo, newUser, tokenFor } from '../lib.mjs';

const inDays = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

test('coordinator posts, volunteer searches and applies, coordinator accepts live', async () => {
  const word = `Zeepkist${Math.random().toString(36).slice(2, 8)}`;
  const title = `Soep koken ${word}`;
  const coordToken = await tokenFor(demo('coordinator'));
  const org = (await api(coordToken, '{ me { memberships { organisation { id name status } } } }')).me.memberships
    .map((m) => m.organisation).find((o) => o.status === 'APPROVED');

  const coord = await newUser({ login: demo('coordinator') });
  const cp = coord.page;
  await cp.goto(`/org/${encodeURIComponent(org.id)}`);
  await cp.getByRole('heading', { level: 1, name: org.name }).waitFor();
  await cp.getByRole('link', { name: 'Nieuwe vraag' }).click();
  await cp.getByLabel('Titel').fill(title);
  await cp.getByLabel('Wat gaan vrijwilligers doen?').fill('Samen soep koken en uitdelen in de buurt.');
  await cp.getByLabel('Datum').fill(inDays(6));
  await cp.getByLabel('Begint om').fill('10:00');
  await cp.getByLabel('Eindigt om').fill('13:00');
  await cp.getByLabel('Aantal plaatsen').fill('2');
  await cp.getByLabel('Geen Nederlands nodig').check();
  await cp.getByRole('button', { name: 'Vraag bewaren' }).click();
  await cp.getByRole('heading', { level: 1, name: title }).waitFor();
  await cp.getByText('Nieuwe kandidaten verschijnen hier vanzelf.').waitFor();
  const manageUrl = cp.url();

  const vol = await newUser();
  const vp = vol.page;
  const name = `Lina ${word}`;
  await vp.goto('/register');
  await vp.getByLabel('Je naam').fill(name);
  await vp.getByLabel('E-mailadres').fill(`lina.${word.toLowerCase()}@example.org`);
  await vp.getByLabel('Wachtwoord').fill('Blauwe-fiets-op-de-Meir-42!');
  await vp.getByRole('button', { name: 'Account maken' }).click();
  await vp.getByRole('heading', { level: 1, name: 'Mijn talenten' }).waitFor();

  await vp.getByRole('link', { name: 'Vrijwilligerswerk zoeken' }).first().click();
  await vp.getByLabel('Wat wil je doen?').fill(word);
  await vp.getByRole('button', { name: 'Zoeken', exact: true }).click();
  await vp.getByRole('heading', { level: 2, name: /^1 resultaat$/ }).waitFor();
  await vp.getByRole('link', { name: title }).click();
  await vp.getByRole('heading', { level: 1, name: title }).waitFor();
  await vp.getByText('Nog 2 plaatsen').first().waitFor();
  await vp.getByLabel('Bericht voor de organisatie (mag leeg)').fill('Ik kook graag!');
  await vp.getByRole('button', { name: /^Ik doe mee/ }).first().click();
  await announced(vp, /Je vraag is verstuurd/);

  // Live: the applicant appears on the coordinator's open page without a reload.
  assert.equal(cp.url(), manageUrl);
  const card = cp.locator('.applicant', { hasText: name });
  await card.waitFor();
  await card.getByText('Ik kook graag!').waitFor();
  await card.getByRole('button', { name: named('Ja', name) }).click();
  await announced(cp, new RegExp(`${name} is ingeschreven`));
  await cp.locator('.applicant[data-status="ACCEPTED"]', { hasText: name }).waitFor();

  await vp.getByRole('link', { name: 'Mijn shiften' }).click();
  const mine = vp.locator('li.card', { hasText: title });
  await mine.getByText('Ingeschreven').waitFor();
  await vp.getByRole('button', { name: 'Agenda-link maken' }).click();
  const feed = await vp.getByRole('link', { name: 'Agenda openen (iCal)' }).getAttribute('href');
  const ics = await (await fetch(feed)).text();
  assert.match(ics, /BEGIN:VCALENDAR/);
  assert.ok(ics.includes(word), 'the accepted shift is in the iCal feed');

  vp.once('dialog', (d) => d.accept());
  await mine.getByRole('button', { name: /^Afmelden/ }).click();
  await announced(vp, /Je bent afgemeld/);
  await cp.locator('.applicant[data-status="WITHDRAWN"]', { hasText: name }).waitFor();

  await coord.context.close();
  await vol.context.close();
});
