// Coordinator confirms attendance for a whole past shift (seeded), endorses and thanks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { named, announced, api, demo, newUser, tokenFor } from '../lib.mjs';

test('coordinator confirms a whole shift, endorses and thanks', async () => {
  const token = await tokenFor(demo('coordinator'));
  const orgs = (await api(token, '{ me { memberships { organisation { id } } } }')).me.memberships.map((m) => m.organisation.id);
  let target = null;
  for (const orgId of orgs) {
    const d = await api(token, `query($f: NeedFilter) { needs(filter: $f, first: 20, orderBy: NEWEST) { edges { node { id title
      applications(first: 100, status: [ACCEPTED]) { edges { node { id shift { id endsAt } } } } } } } }`,
    { f: { organisationId: orgId, statuses: ['OPEN', 'FILLED', 'CLOSED'] } });
    for (const { node } of d.needs.edges) {
      const past = node.applications.edges.map((e) => e.node).filter((a) => a.shift && Date.parse(a.shift.endsAt) < Date.now());
      if (past.length) {
        const shiftId = past[0].shift.id;
        target = { need: node, count: past.filter((a) => a.shift.id === shiftId).length };
        break;
      }
    }
    if (target) break;
  }
  assert.ok(target, 'the demo data has a past shift with accepted volunteers');

  const { context, page } = await newUser({ login: demo('coordinator') });
  await page.goto(`/manage/needs/${encodeURIComponent(target.need.id)}`);
  await page.getByRole('heading', { level: 1, name: target.need.title }).waitFor();

  // One volunteer confirmed on their own, with an endorsed talent, when there are several.
  // Cards are found by application, never by position: live updates and reloads may
  // arrive in any order, and one person can have several applications for a need.
  const withForm = page.locator('.applicant[data-status="ACCEPTED"]').filter({ has: page.locator('fieldset') });
  if (target.count > 1 && (await withForm.count())) {
    const appId = await withForm.first().getAttribute('data-id');
    const single = page.locator(`.applicant[data-id="${appId}"]`);
    const who = (await single.locator('strong').first().textContent()).trim();
    await single.locator('fieldset input[type=checkbox]').first().check();
    await single.getByRole('button', { name: named('Aanwezigheid bevestigen', who) }).click();
    await announced(page, /Bevestigd voor 1 persoon/);
    await page.locator(`.applicant[data-id="${appId}"][data-status="ATTENDED"]`).waitFor();
  }
  await page.getByRole('button', { name: /^Aanwezigheid bevestigen voor iedereen/ }).first().click();
  await announced(page, /Bevestigd voor/);
  // Wait until the list has reloaded (nobody of that shift left to confirm) before typing.
  await page.getByRole('button', { name: /^Aanwezigheid bevestigen voor iedereen/ }).first().waitFor({ state: 'detached' }).catch(() => {});
  await page.waitForFunction(() => !document.querySelector('.loading'));
  const attended = page.locator('.applicant[data-status="ATTENDED"]').first();
  await attended.waitFor();
  const card = page.locator(`.applicant[data-id="${await attended.getAttribute('data-id')}"]`);
  const name = (await card.locator('strong').first().textContent()).trim();
  await card.getByLabel(`Bedankje voor ${name}`).fill('Dank je wel voor je hulp!');
  await card.getByRole('button', { name: named('Bedankje sturen', name) }).click();
  await announced(page, /Je bedankje is verstuurd/);
  await context.close();
});
