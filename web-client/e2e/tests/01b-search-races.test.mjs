// The cause of the old flake in 01 ("1 resultaat" never showed on a loaded machine): two races in the
// search page, both on the client. Reproduced here without depending on load:
//  (a) the answer to an older search (the unfiltered list the page loads when it opens) arrived after
//      the answer to the newer one (the text search) and replaced it;
//  (b) the page copied the URL into the form in an effect, which runs a frame after the first render:
//      text typed before that frame was wiped, and "Zoeken" then searched for nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, newUser, tokenFor, STEP_TIMEOUT } from '../lib.mjs';

async function someOpenNeed() {
  const token = await tokenFor(demo('coordinator'));
  const d = await api(token, '{ needs(first: 1, orderBy: NEWEST) { edges { node { id title } } } }');
  return d.needs.edges[0].node;
}

test('a slower answer to an older search never replaces the newer results', async () => {
  const need = await someOpenNeed();
  const word = need.title.split(/\s+/).sort((a, b) => b.length - a.length)[0];
  const { context, page } = await newUser();
  let delayed = 0;
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route('**/graphql', async (route) => {
    const body = route.request().postData() ?? '';
    // Hold back the unfiltered list (no text in the filter) until the text search has been answered.
    if (body.includes('query SearchNeeds') && !body.includes('"text"') && delayed++ === 0) {
      await gate;
    }
    await route.continue();
  });
  await page.goto('/me/shifts');
  await page.locator('main h1').waitFor();
  await page.getByRole('link', { name: 'Vrijwilligerswerk zoeken' }).first().click();
  await page.getByLabel('Wat wil je doen?').fill(word);
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes(`"text":"${word}"`)),
    page.getByRole('button', { name: 'Zoeken', exact: true }).click(),
  ]);
  const heading = page.getByRole('heading', { level: 2, name: /resulta/ });
  await page.locator('.need-card').first().waitFor();
  const withText = await heading.textContent();
  // Now the old, unfiltered answer arrives: it must be ignored.
  const late = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('query SearchNeeds') && !(r.request().postData() ?? '').includes('"text"'));
  release();
  await late;
  await page.waitForTimeout(300); // let the page render whatever it does with the late answer (asserting an absence)
  assert.equal(await heading.textContent(), withText, 'the heading still counts the text search');
  assert.ok(await page.getByRole('link', { name: need.title }).count() > 0, 'the results are still those of the text search');
  await context.close();
});

test('text typed before the page has settled is searched for', async () => {
  const need = await someOpenNeed();
  const { context, page } = await newUser();
  await page.goto('/me/shifts');
  await page.locator('main h1').waitFor();
  // Click and type within one task of the page (a fast typist, or a slow phone): the text is in the
  // field before the page's first frame; "Zoeken" is pressed after it.
  await page.evaluate(async (title) => {
    document.querySelector('nav a[href="/"]').click();
    let input = null;
    for (let i = 0; i < 200 && !input; i++) {
      await Promise.resolve();
      input = document.querySelector('main input[type=search]');
    }
    if (!input) throw new Error('no search field after the click');
    input.value = title;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, need.title);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 100)))));
  await page.getByRole('button', { name: 'Zoeken', exact: true }).click();
  await page.waitForFunction(() => new URLSearchParams(location.search).has('q'), null, { timeout: STEP_TIMEOUT });
  assert.equal(await page.getByLabel('Wat wil je doen?').inputValue(), need.title, 'the typed text is kept');
  await page.getByRole('link', { name: need.title }).first().waitFor();
  await context.close();
});
