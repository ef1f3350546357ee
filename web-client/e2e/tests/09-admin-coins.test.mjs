// Administrator, coins: fund the city's budget and see every balance; find that booking among the
// recent bookings (fundings only), let its button fill in the number, reverse it through the
// confirmation step, with the keyboard, and see the result, the list loaded again (the funding
// reversed, the reversal at the top) and the API's message when it is reversed a second time; give an approved organisation that is no shop its own budget (the
// API's message at the field when it is no longer approved), then see it listed and offered as an
// existing budget; open a shop's settlement statements and settle the month that ended last (and
// again: nothing changes).
// Cards and rows are found by their data-* attributes, never by their position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announced, api, checkA11y, demo, named, newUser, sql, tokenFor } from '../lib.mjs';

const nl = (n) => new Intl.NumberFormat('nl-BE').format(n);
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ISSUERS = '{ coinIssuers { id balance organisation { id name } } }';
const TXS = 'query($k: [String!], $a: String) { ledgerTransactions(kinds: $k, first: 20, after: $a) { pageInfo { hasNextPage endCursor } edges { node { id } } } }';

/** Waits until the recent bookings list only bookings of this kind (at least one). */
const listedOnly = (page, kind) => page.waitForFunction((k) => {
  const items = [...document.querySelectorAll('.recent-transactions li[data-transaction-id]')];
  return items.length > 0 && items.every((li) => li.dataset.kind === k);
}, kind);
/** The id of the booking listed first. */
const firstListed = (recent) => recent.locator('li[data-transaction-id]').first().getAttribute('data-transaction-id');

/** The month that ended last, in Brussels time (YYYY-MM), and its first instant. */
function lastMonth() {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit' }).formatToParts(new Date());
  const get = (t) => Number(p.find((x) => x.type === t).value);
  const prev = get('year') * 12 + get('month') - 2;
  const period = `${Math.floor(prev / 12)}-${String((prev % 12) + 1).padStart(2, '0')}`;
  const thisMonth = `${get('year')}-${String(get('month')).padStart(2, '0')}`;
  return { period, end: `${thisMonth}-01 00:00:00 Europe/Brussels` };
}

/** The database key inside a global ID ("Organisation:<uuid>", base64url). */
const keyOf = (id) => Buffer.from(id, 'base64url').toString('utf8').split(':').slice(1).join(':');

/** Presses Tab until the focused element's text is label (fails after 30 presses). */
async function tabTo(page, label) {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === label) return;
  }
  throw new Error(`Tab never reached "${label}"`);
}

test('administrator funds a budget, sees every balance, then reverses that booking after confirming', async () => {
  const token = await tokenFor(demo('admin'));
  const issuers = (await api(token, ISSUERS)).coinIssuers;
  // Always the city's own budget: the test below adds organisations' budgets (in any order).
  const issuer = issuers.find((i) => !i.organisation);
  assert.ok(issuer, 'the city has a budget');
  const name = 'De stad';
  const balanceOf = async () => (await api(token, ISSUERS)).coinIssuers.find((i) => i.id === issuer.id).balance;
  const b0 = issuer.balance;
  const add = 777;

  const { context, page } = await newUser({ login: demo('admin') });
  await page.goto('/admin');
  await page.getByRole('main').getByRole('link', { name: 'Regels voor muntjes' }).click();
  await page.getByRole('heading', { level: 1, name: 'Regels voor muntjes' }).waitFor();
  const budgets = page.getByRole('region', { name: 'Budgetten voor muntjes' });
  // Every issuer with its balance; the city first and chosen.
  for (const i of issuers) {
    await budgets.locator(`tr[data-issuer-id="${i.id}"]`).getByRole('cell', { name: nl(i.balance), exact: true }).waitFor();
  }
  const select = budgets.getByLabel('Welk budget vul je aan?');
  assert.equal(await select.inputValue(), issuer.id, 'the city is chosen first');
  assert.equal(await select.locator('optgroup[data-group="existing"] option').count(), issuers.length);

  // Fund the chosen budget.
  await select.selectOption(issuer.id);
  await budgets.locator(`.big-inline[data-issuer-id="${issuer.id}"]`, { hasText: nl(b0) }).waitFor();
  await budgets.getByLabel('Muntjes erbij').fill(String(add));
  await budgets.getByLabel(/^Waarom/).fill('Extra budget (test 09)');
  await budgets.getByRole('button', { name: 'Budget aanvullen' }).click();
  await announced(page, new RegExp(`${add} muntjes toegevoegd`));
  await budgets.locator(`tr[data-issuer-id="${issuer.id}"]`).getByRole('cell', { name: nl(b0 + add), exact: true }).waitFor();
  await budgets.locator(`.big-inline[data-issuer-id="${issuer.id}"]`, { hasText: nl(b0 + add) }).waitFor();
  assert.equal(await balanceOf(), b0 + add);
  const funded = budgets.locator(`[data-funded-transaction-id][data-issuer-id="${issuer.id}"]`);
  await funded.getByText(`${name}: ${add} muntjes erbij.`).waitFor();
  const txId = await funded.getAttribute('data-funded-transaction-id');
  assert.ok(txId, 'the booking of the funding has a number');
  await funded.getByText(txId, { exact: true }).waitFor();
  await checkA11y(page, 'a budget funded');

  // The funding's booking, reversed: the link fills in its number.
  await funded.getByRole('link', { name: 'Deze boeking terugdraaien' }).click();
  await page.getByRole('heading', { level: 1, name: 'Boeking terugdraaien' }).waitFor();
  const txField = page.getByLabel('Nummer van de boeking');
  assert.equal(await txField.inputValue(), txId);
  const memoField = page.getByLabel('Waarom draai je de boeking terug?');
  const signed = (n) => new Intl.NumberFormat('nl-BE', { signDisplay: 'exceptZero' }).format(n);

  // The recent bookings, newest first (every kind, 20 at a time: "Meer tonen" adds the next ones).
  const recent = page.getByRole('region', { name: 'Recente boekingen' });
  const kindField = recent.getByLabel('Welke soort boekingen wil je zien?');
  assert.equal(await kindField.inputValue(), '', 'every kind at first');
  const first = (await api(token, TXS)).ledgerTransactions;
  await recent.locator(`li[data-transaction-id="${first.edges[0].node.id}"]`).waitFor();
  assert.equal(await recent.locator('li[data-transaction-id]').count(), first.edges.length);
  if (first.pageInfo.hasNextPage) {
    const second = (await api(token, TXS, { a: first.pageInfo.endCursor })).ledgerTransactions;
    await recent.getByRole('button', { name: 'Meer tonen' }).click();
    // The first of the new ones gets the focus.
    const added = recent.locator(`li[data-transaction-id="${second.edges[0].node.id}"]`);
    await added.waitFor();
    await page.waitForFunction((id) => document.activeElement?.id === `tx-h-${id}`, second.edges[0].node.id);
    assert.equal(await recent.locator('li[data-transaction-id]').count(), first.edges.length + second.edges.length);
  }

  // Only fundings: the one just made is at the top, with where its coins went.
  await kindField.selectOption('FUND');
  await listedOnly(page, 'FUND');
  await announced(page, /boekingen? in de lijst/);
  const fundedItem = recent.locator(`li[data-transaction-id="${txId}"]`);
  await fundedItem.getByRole('heading', { level: 3, name: `Budget aangevuld: ${nl(add)} muntjes` }).waitFor();
  assert.equal(await firstListed(recent), txId, 'the newest funding first');
  await fundedItem.getByText('Reden: Extra budget (test 09)').waitFor();
  await fundedItem.locator('[data-account-kind="ISSUER"]', { hasText: `Budget van de stad: ${signed(add)}` }).waitFor();
  await fundedItem.locator('[data-account-kind="FUNDING"]', { hasText: `Geld van de stad voor budgetten: ${signed(-add)}` }).waitFor();
  await checkA11y(page, 'the recent bookings');
  // Its button fills in the number (with the keyboard) and puts the focus on the reason; nothing is asked yet.
  await txField.fill('');
  const pickButton = fundedItem.getByRole('button', { name: /^Deze boeking terugdraaien/ });
  await pickButton.focus();
  await page.keyboard.press('Enter');
  await announced(page, /Het nummer van de boeking staat in het formulier/);
  assert.equal(await txField.inputValue(), txId);
  await memoField.evaluate((el) => new Promise((res) => {
    const check = () => (document.activeElement === el ? res() : setTimeout(check, 20));
    check();
  }));
  assert.equal(await page.getByRole('button', { name: 'Ja, terugdraaien' }).count(), 0, 'nothing is asked yet');
  // Without a reason: the field says what is missing, nothing is asked yet.
  await page.getByRole('button', { name: 'Verder' }).click();
  await page.locator('.field.has-error', { hasText: 'Schrijf waarom je de boeking terugdraait.' }).waitFor();
  await memoField.fill('Te veel aangevuld (test 09)');
  await page.getByRole('button', { name: 'Verder' }).click();
  // The confirmation gets the focus; nothing has changed yet.
  const question = `Je draait boeking ${txId} terug. Dat kan je daarna niet ongedaan maken.`;
  await page.waitForFunction((t) => document.activeElement?.textContent === t, question);
  await page.locator('.confirm').getByText('Reden: Te veel aangevuld (test 09)').waitFor();
  // What the booking was and where its coins went, looked up before anything is asked.
  await page.locator('.confirm [data-account-kind="ISSUER"]', { hasText: `Budget van de stad: ${signed(add)}` }).waitFor();
  await page.locator('.confirm [data-account-kind="FUNDING"]', { hasText: `Geld van de stad voor budgetten: ${signed(-add)}` }).waitFor();
  await page.locator('.confirm').getByText(`Budget aangevuld: ${nl(add)}`).waitFor();
  assert.equal(await balanceOf(), b0 + add);
  await checkA11y(page, 'the confirmation of a reversal');
  await tabTo(page, 'Ja, terugdraaien');
  await page.keyboard.press('Enter');
  await announced(page, /De boeking is teruggedraaid/);
  const done = page.locator(`[data-reverses="${txId}"]`);
  await done.getByRole('heading', { name: 'De boeking is teruggedraaid.' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === 'De boeking is teruggedraaid.');
  const newTx = await done.getAttribute('data-transaction-id');
  assert.ok(newTx && newTx !== txId, 'a new booking');
  await done.getByText(newTx, { exact: true }).waitFor();
  await done.getByText(nl(add), { exact: true }).waitFor();
  await done.getByText('Te veel aangevuld (test 09)', { exact: true }).waitFor();
  assert.equal(await balanceOf(), b0);

  // The list has loaded again: the funding is reversed and has no button any more.
  await fundedItem.locator('[data-state="reversed"]', { hasText: 'Deze boeking is teruggedraaid.' }).waitFor();
  assert.equal(await fundedItem.getAttribute('data-reversed-by'), newTx);
  assert.equal(await fundedItem.getByRole('button').count(), 0);
  // Only reversals: the new one at the top; it says which booking it reverses and has no button itself.
  await kindField.selectOption('REVERSAL');
  await listedOnly(page, 'REVERSAL');
  const reversalItem = recent.locator(`li[data-transaction-id="${newTx}"]`);
  await reversalItem.getByRole('heading', { level: 3, name: `Terugdraaiing: ${nl(add)} muntjes` }).waitFor();
  assert.equal(await firstListed(recent), newTx, 'the newest reversal first');
  assert.equal(await reversalItem.getAttribute('data-reverses'), txId);
  await reversalItem.locator('[data-state="reversal"]', { hasText: 'Deze boeking draait een andere boeking terug:' }).getByText(txId, { exact: true }).waitFor();
  await reversalItem.getByText('Reden: Te veel aangevuld (test 09)').waitFor();
  assert.equal(await reversalItem.getByRole('button').count(), 0);
  await checkA11y(page, 'the recent reversals');

  // A second time: said at the field and read out before anything is asked; nothing changes.
  await txField.fill(txId);
  await memoField.fill('Nog eens (test 09)');
  await page.getByRole('button', { name: 'Verder' }).click();
  await announced(page, /Deze verrichting is al teruggedraaid/);
  await page.locator('.field.has-error', { hasText: 'Deze verrichting is al teruggedraaid.' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Ja, terugdraaien' }).count(), 0, 'nothing is asked');
  // A number that is no booking: said at the field too.
  await txField.fill('geen-boeking');
  await page.getByRole('button', { name: 'Verder' }).click();
  await page.locator('.field.has-error', { hasText: 'Er is geen boeking met dit nummer.' }).waitFor();
  assert.equal(await balanceOf(), b0);

  // Back to the budgets: the balance as it was.
  await page.getByRole('navigation', { name: 'Muntjes beheren' }).getByRole('link', { name: 'Regels voor muntjes' }).click();
  await page.getByRole('heading', { level: 1, name: 'Regels voor muntjes' }).waitFor();
  await budgets.locator(`tr[data-issuer-id="${issuer.id}"]`).getByRole('cell', { name: nl(b0), exact: true }).waitFor();
  await context.close();
});

test('administrator gives an organisation its own budget; it is listed and then offered as an existing budget', async () => {
  const token = await tokenFor(demo('admin'));
  const orgsOf = async (filter) => (await api(token, `{ organisations(filter: ${filter}, first: 100) { edges { node { id name kind status } } } }`))
    .organisations.edges.map((e) => e.node);
  const approved = await orgsOf('{ kinds: [NON_PROFIT, NEIGHBOURHOOD_CENTRE, CITY_SERVICE, SCHOOL, SPORTS_CLUB, CULTURAL, OTHER], status: APPROVED }');
  const shops = await orgsOf('{ kinds: [MERCHANT] }');
  const pending = await orgsOf('{ status: PENDING }');
  const issuers = (await api(token, ISSUERS)).coinIssuers;
  const withBudget = new Set(issuers.map((i) => i.organisation?.id).filter(Boolean));
  // The first by name of the approved organisations that are no shop and have no budget yet.
  const org = approved.filter((o) => !withBudget.has(o.id)).sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1))[0];
  assert.ok(org, 'an approved organisation that is no shop and has no budget yet');
  assert.notEqual(org.kind, 'MERCHANT');
  const budgetOf = async () => (await api(token, ISSUERS)).coinIssuers.find((i) => i.organisation?.id === org.id);
  const add = 640;

  const { context, page } = await newUser({ login: demo('admin') });
  await page.goto('/admin/coins');
  await page.getByRole('heading', { level: 1, name: 'Regels voor muntjes' }).waitFor();
  const budgets = page.getByRole('region', { name: 'Budgetten voor muntjes' });
  const select = budgets.getByLabel('Welk budget vul je aan?');
  await budgets.getByText('Heeft een organisatie een eigen budget? Dan komen de muntjes voor de uren die zij bevestigt eerst uit dat budget.').waitFor();
  // The organisation is offered for a new budget; shops, organisations waiting for approval and
  // those that have a budget are not.
  const newGroup = select.locator('optgroup[data-group="new"][label="Nieuw budget voor een organisatie"]');
  const offered = newGroup.locator(`option[data-organisation-id="${org.id}"]`);
  await offered.waitFor({ state: 'attached' });
  assert.match(await offered.textContent(), new RegExp(`^${esc(org.name)}( \\(.*\\))?: nog geen budget$`));
  for (const o of [...shops, ...pending]) assert.equal(await select.locator(`option[data-organisation-id="${o.id}"]`).count(), 0, `${o.name} is not offered`);
  for (const id of withBudget) assert.equal(await newGroup.locator(`option[data-organisation-id="${id}"]`).count(), 0);

  await select.selectOption(await offered.getAttribute('value'));
  await budgets.locator(`[data-new-budget="${org.id}"]`, { hasText: `${org.name} heeft nog geen budget.` }).waitFor();
  await budgets.getByLabel('Muntjes erbij').fill(String(add));
  await budgets.getByLabel(/^Waarom/).fill('Eigen budget (test 09)');

  // No longer approved when the form is sent: the API's message at the field, read out; no budget.
  sql(`UPDATE organisations SET status = 'PENDING' WHERE id = '${keyOf(org.id)}'`);
  try {
    await budgets.getByRole('button', { name: 'Budget aanvullen' }).click();
    await announced(page, /Deze organisatie is nog niet goedgekeurd/);
    await budgets.locator('.field.has-error', { hasText: 'Deze organisatie is nog niet goedgekeurd.' }).locator('select').waitFor();
    assert.equal(await budgetOf(), undefined, 'no budget was made');
  } finally {
    sql(`UPDATE organisations SET status = 'APPROVED' WHERE id = '${keyOf(org.id)}'`);
  }

  // Approved again: sent again, the budget is made with the coins added.
  await budgets.getByRole('button', { name: 'Budget aanvullen' }).click();
  await announced(page, new RegExp(`${add} muntjes toegevoegd`));
  const budget = await budgetOf();
  assert.ok(budget, 'the organisation has a budget');
  assert.equal(budget.balance, add);
  // Listed in the table with the coins added...
  const row = budgets.locator(`tr[data-issuer-id="${budget.id}"][data-organisation-id="${org.id}"]`);
  await row.getByRole('rowheader', { name: org.name, exact: true }).waitFor();
  await row.getByRole('cell', { name: nl(add), exact: true }).waitFor();
  const funded = budgets.locator(`[data-funded-transaction-id][data-issuer-id="${budget.id}"]`);
  await funded.getByText(`${org.name}: ${add} muntjes erbij.`).waitFor();
  // ...and offered as an existing budget (chosen now), no longer as a new one.
  const existing = select.locator(`optgroup[data-group="existing"] option[value="${budget.id}"]`);
  await existing.waitFor({ state: 'attached' });
  assert.equal(await existing.textContent(), `${org.name}: ${add} muntjes`);
  assert.equal(await select.inputValue(), budget.id);
  await page.waitForFunction((id) => !document.querySelector(`optgroup[data-group="new"] option[data-organisation-id="${id}"]`), org.id);
  await budgets.locator(`.big-inline[data-issuer-id="${budget.id}"]`, { hasText: nl(add) }).waitFor();
  await budgets.getByText(`Muntjes die ${org.name} nog kan geven:`).waitFor();
  await checkA11y(page, 'an organisation given its own budget');

  // After a reload too: in the table and among the existing budgets.
  await page.reload();
  await row.getByRole('cell', { name: nl(add), exact: true }).waitFor();
  await select.locator(`optgroup[data-group="existing"] option[value="${budget.id}"]`).waitFor({ state: 'attached' });
  // Once the organisations without a budget have loaded (when there are others), it is not among them.
  const other = approved.find((o) => !withBudget.has(o.id) && o.id !== org.id);
  if (other) await newGroup.locator(`option[data-organisation-id="${other.id}"]`).waitFor({ state: 'attached' });
  assert.equal(await select.locator(`option[data-organisation-id="${org.id}"]`).count(), 0);
  await context.close();
});

test("administrator opens a shop's settlement statements and settles the month that ended last", async () => {
  const token = await tokenFor(demo('admin'));
  const merchants = (await api(token, '{ organisations(filter: { kinds: [MERCHANT] }, first: 100) { edges { node { id name } } } }'))
    .organisations.edges.map((e) => e.node);
  assert.ok(merchants.length > 0, 'the demo has shops');
  // A shop other than the café whose statement 07-merchant makes (the café when it is the only one).
  const shop = merchants.filter((m) => m.name !== 'Buurtcafé Den Draaiboom').sort((a, b) => a.name.localeCompare(b.name))[0] ?? merchants[0];
  const { period, end } = lastMonth();
  const statements = async () => (await api(token, 'query($m: ID!) { settlementStatements(merchantId: $m) { id period vouchers coins euroCents } }',
    { m: shop.id })).settlementStatements;
  const before = await statements();
  // What settling will do, from the data: made before, vouchers to settle, or nothing.
  const [[open]] = sql(`SELECT count(*) FROM vouchers WHERE merchant_id = '${keyOf(shop.id)}' AND state = 'ACCEPTED'
    AND statement_id IS NULL AND closed_at < timestamptz '${end}'`);
  const expected = before.some((s) => s.period === period) ? 'already' : Number(open) > 0 ? 'settled' : 'nothing';
  const month = new Intl.DateTimeFormat('nl-BE', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${period}-15T12:00:00Z`));
  const says = {
    settled: `De afrekening voor ${month} is gemaakt.`,
    nothing: `Niets af te rekenen voor ${month}: de winkel aanvaardde geen nieuwe bonnen.`,
    already: `${month} was al afgerekend. Er is niets veranderd.`,
  };

  const { context, page } = await newUser({ login: demo('admin') });
  await page.goto('/admin');
  await page.getByRole('main').getByRole('link', { name: 'Afrekeningen met winkels' }).click();
  await page.getByRole('heading', { level: 1, name: 'Afrekeningen met winkels' }).waitFor();
  await page.getByLabel('Welke winkel?').selectOption(shop.id);
  const section = page.locator(`section[data-merchant-id="${shop.id}"]`);
  await section.getByRole('heading', { level: 2, name: shop.name }).waitFor();
  assert.ok(page.url().includes(`merchant=${encodeURIComponent(shop.id)}`), 'the shop is kept in the address');
  if (before.length === 0) await section.getByText('Nog geen afrekeningen.').waitFor();
  for (const s of before) await section.locator(`tr[data-statement-id="${s.id}"]`).waitFor();

  // The month that ended last is proposed; settle it.
  const monthField = section.getByLabel('Welke maand?');
  assert.equal(await monthField.inputValue(), period);
  const settle = section.getByRole('button', { name: named('Afrekenen', shop.name) });
  await settle.click();
  await announced(page, new RegExp(esc(says[expected])));
  const result = section.locator(`.settle-result[data-period="${period}"]`);
  await result.getByText(says[expected]).waitFor();
  assert.equal(await result.getAttribute('data-outcome'), expected);
  await checkA11y(page, 'a settlement made');
  const after = await statements();
  const st = after.find((s) => s.period === period);
  assert.ok(st, `a statement for ${period}`);
  const row = section.locator(`tr[data-statement-id="${st.id}"][data-period="${period}"]`);
  await row.getByRole('rowheader', { name: month }).waitFor();
  assert.equal(await row.getAttribute('data-vouchers'), String(st.vouchers));
  if (expected === 'nothing') assert.equal(st.vouchers, 0);
  if (expected === 'settled') assert.ok(st.vouchers > 0 && st.coins > 0);
  const euros = new Intl.NumberFormat('nl-BE', { style: 'currency', currency: 'EUR' }).format(st.euroCents / 100);
  assert.ok((await row.textContent()).includes(euros), `the row shows ${euros}`);

  // Settling the same month again changes nothing, and says so.
  await settle.click();
  await section.locator(`.settle-result[data-period="${period}"][data-outcome="already"]`).getByText(says.already).waitFor();
  assert.deepEqual(await statements(), after);
  await context.close();
});
