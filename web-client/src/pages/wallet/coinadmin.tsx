// Administrator, next to the coin policy (/admin/coins): the minting budgets (every issuer's balance;
// fund the one chosen, or give an approved organisation that is no shop its own budget), the settlement statements per merchant (settle a month that ended) and the
// reversal of a ledger transaction, with a confirmation step and the recent transactions to choose it from. Loaded with the coin
// policy page only.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { fieldErrors, gql, useQuery, type ApiError, type UserError } from '../../api';
import {
  AdminMerchantsDocument, BudgetOrganisationsDocument, CoinIssuersDocument, FundIssuerDocument, LedgerTransactionDocument, LedgerTransactionsDocument,
  ReverseTransactionDocument, SettleMerchantDocument, SettlementsDocument, type AdminMerchantsQuery, type BudgetOrganisationsQuery,
  type IssuerFieldsFragment, type LedgerTransactionFieldsFragment, type LedgerTransactionQuery, type LedgerTransactionsQuery,
  type SettlementFieldsFragment,
} from '../../gql/graphql';
import {
  BUDGET_KINDS, endedPeriods, formatCoins, formatEuro, formatPeriod, formatSignedCoins, fundTarget, newBudgetValue, newIdempotencyKey,
  organisationsWithoutBudget, settleOutcome, sortIssuers, withIssuer, type SettleOutcome,
} from '../../coins';
import { formatDateTime, i18n, useT, type Key } from '../../i18n';
import { useStore } from '../../store';
import { SettlementTable } from './settlements';
import { ErrorMessage, Field, Loading, Page, announce, useId } from '../../ui';

export type CoinAdminView = 'policy' | 'settlements' | 'reverse';
const VIEWS: { view: CoinAdminView; href: string; key: Key }[] = [
  { view: 'policy', href: '/admin/coins', key: 'coinPolicy' },
  { view: 'settlements', href: '/admin/coins?view=settlements', key: 'settleAdminTitle' },
  { view: 'reverse', href: '/admin/coins?view=reverse', key: 'reverseTitle' },
];

export const reverseHref = (transactionId: string) => `/admin/coins?view=reverse&tx=${encodeURIComponent(transactionId)}`;

/** The heading, the way back to the administration and the menu of the coin screens. */
export function CoinAdminFrame({ view, children }: { view: CoinAdminView; children: ComponentChildren }) {
  const tr = useT();
  const current = VIEWS.find((v) => v.view === view)!;
  return (
    <Page title={tr(current.key)}>
      <p><a href="/admin">{tr('navAdmin')}</a></p>
      <nav aria-label={tr('coinAdminMenu')}>
        <ul class="tabs">
          {VIEWS.map((v) => (
            <li key={v.view}><a href={v.href} aria-current={v.view === view ? 'page' : undefined}>{tr(v.key)}</a></li>
          ))}
        </ul>
      </nav>
      {children}
    </Page>
  );
}

const num = (s: string) => (/^\s*\d+\s*$/.test(s) ? Number(s) : Number.NaN);
const messages = (errors: readonly UserError[]) => errors.map((e) => e.message).join(' ');

/** An ID as text that may break anywhere and stays left-to-right in Arabic. */
const Id = ({ id }: { id: string }) => <code class="wrap" dir="ltr">{id}</code>;

// --- Budgets: every issuer's balance, fund the one chosen or give an organisation its own ---

type BudgetOrg = BudgetOrganisationsQuery['organisations']['edges'][number]['node'];
type OrgPage<N> = { organisations: { pageInfo: { hasNextPage: boolean; endCursor?: string | null }; edges: { node: N }[] } };

/** Every organisation a query lists, page by page (at most 100 a page, 50 pages). */
async function allOrganisations<N>(page: (after: string | undefined) => Promise<OrgPage<N>>): Promise<N[]> {
  const all: N[] = [];
  let after: string | undefined;
  for (let i = 0; i < 50; i++) {
    const d = await page(after);
    all.push(...d.organisations.edges.map((e) => e.node));
    if (!d.organisations.pageInfo.hasNextPage || !d.organisations.pageInfo.endCursor) break;
    after = d.organisations.pageInfo.endCursor;
  }
  return all;
}

/** Every approved organisation that is no shop: the ones that may get their own budget. */
function useBudgetOrganisations() {
  const { lang } = useStore(i18n);
  const [state, setState] = useState<{ list: BudgetOrg[] | null; error: ApiError | null }>({ list: null, error: null });
  useEffect(() => {
    let live = true;
    allOrganisations((after) => gql(BudgetOrganisationsDocument, { kinds: BUDGET_KINDS, after })).then(
      (list) => live && setState({ list, error: null }),
      (error: ApiError) => live && setState({ list: null, error }),
    );
    return () => {
      live = false;
    };
  }, [lang]);
  return state;
}

export function Budgets() {
  const tr = useT();
  const { lang } = useStore(i18n);
  const q = useQuery(CoinIssuersDocument, {});
  const orgs = useBudgetOrganisations();
  // The budget just funded (perhaps new), shown until the list has reloaded.
  const [justFunded, setJustFunded] = useState<IssuerFieldsFragment | null>(null);
  useEffect(() => setJustFunded(null), [q.data]);
  const issuers = sortIssuers(withIssuer(q.data?.coinIssuers ?? [], justFunded), lang);
  const newOrgs = orgs.list ? organisationsWithoutBudget(orgs.list, issuers, lang) : [];
  const [chosen, setChosen] = useState(''); // the select's value: an issuer's id or newBudgetValue(organisation)
  const [amount, setAmount] = useState('');
  const [memo, setMemo] = useState('');
  const [key, setKey] = useState<string | null>(null); // one key per intent; kept for a retry
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ tx: LedgerTransactionFieldsFragment; issuerId: string; name: string; n: number } | null>(null);
  const nameOf = (i: { organisation?: { name: string } | null }) => i.organisation?.name ?? tr('issuerCity');
  const orgLabel = (o: BudgetOrg) => (o.district ? `${o.name} (${o.district.name})` : o.name);
  // What is chosen: an existing budget, or an organisation without one (the city's budget first).
  const chosenIssuer = issuers.find((i) => i.id === chosen);
  const newOrg = chosenIssuer ? null : newOrgs.find((o) => newBudgetValue(o.id) === chosen) ?? (issuers.length ? null : newOrgs[0] ?? null);
  const selected = newOrg ? null : chosenIssuer ?? issuers[0] ?? null;
  const value = newOrg ? newBudgetValue(newOrg.id) : selected?.id ?? '';
  const choiceError = [errors.issuerId, errors.organisationId].filter(Boolean).join(' ') || undefined;

  const fund = async (e: Event) => {
    e.preventDefault();
    if (!value) return;
    const n = num(amount);
    if (!(n > 0)) {
      setErrors({ amount: tr('giftAmountNeeded') });
      announce(tr('formHasErrors'));
      return;
    }
    const name = newOrg ? newOrg.name : selected ? nameOf(selected) : '';
    const k = key ?? newIdempotencyKey();
    setKey(k);
    setBusy(true);
    setFailure(null);
    setDone(null);
    try {
      // An organisation without a budget: organisationId (its budget is made now); else the issuer.
      const r = await gql(FundIssuerDocument, { input: { ...fundTarget(value), amount: n, memo: memo.trim() || undefined, idempotencyKey: k } });
      if (r.fundIssuer.userErrors.length) {
        setErrors(fieldErrors(r.fundIssuer.userErrors));
        announce(messages(r.fundIssuer.userErrors));
      } else {
        const issuer = r.fundIssuer.issuer;
        setErrors({});
        setKey(null);
        setAmount('');
        setMemo('');
        if (issuer) {
          setJustFunded(issuer);
          setChosen(issuer.id); // a new budget is now an existing one
        }
        if (r.fundIssuer.transaction) setDone({ tx: r.fundIssuer.transaction, issuerId: issuer?.id ?? value, name, n });
        announce(tr('budgetFunded', { n }));
        q.reload();
      }
    } catch (err) {
      setFailure(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="bud-h">
      <h2 id="bud-h">{tr('budgetsTitle')}</h2>
      <p class="hint">{tr('budgetsIntro')}</p>
      {q.loading && !q.data && <Loading />}
      <ErrorMessage error={q.error} />
      {issuers.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>{tr('budgetsTable')}</caption>
            <thead><tr><th scope="col">{tr('issuerOf')}</th><th scope="col" class="num">{tr('coinsColumn')}</th></tr></thead>
            <tbody>
              {issuers.map((i) => (
                <tr key={i.id} data-issuer-id={i.id} data-organisation-id={i.organisation?.id ?? ''} data-balance={i.balance}>
                  <th scope="row">{nameOf(i)}</th>
                  <td class="num">{formatCoins(i.balance, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorMessage error={orgs.error} />
      {value && (
        <form onSubmit={fund} noValidate>
          <Field label={tr('issuerChoose')} hint={tr('issuerOrgHint')} error={choiceError}>
            {({ id, describedBy, invalid }) => (
              <select id={id} value={value} aria-describedby={describedBy} aria-invalid={invalid}
                onChange={(e) => { setChosen((e.target as HTMLSelectElement).value); setKey(null); setErrors({}); }}>
                <optgroup label={tr('issuerGroupExisting')} data-group="existing">
                  {issuers.map((i) => <option key={i.id} value={i.id}>{tr('issuerOption', { name: nameOf(i), n: i.balance })}</option>)}
                </optgroup>
                {newOrgs.length > 0 && (
                  <optgroup label={tr('issuerGroupNew')} data-group="new">
                    {newOrgs.map((o) => (
                      <option key={o.id} value={newBudgetValue(o.id)} data-organisation-id={o.id}>{tr('issuerNewOption', { name: orgLabel(o) })}</option>
                    ))}
                  </optgroup>
                )}
              </select>
            )}
          </Field>
          {newOrg ? (
            <p data-new-budget={newOrg.id}>{tr('issuerNew', { name: newOrg.name })}</p>
          ) : selected && (
            <p>
              {selected.organisation ? tr('issuerLeft', { name: selected.organisation.name }) : tr('budgetLeft')}{' '}
              <strong class="big-inline" data-issuer-id={selected.id}>{formatCoins(selected.balance, lang)}</strong>
            </p>
          )}
          <div class="grid">
            <Field label={tr('budgetAdd')} error={errors.amount}>
              {({ id, describedBy, invalid }) => <input id={id} inputMode="numeric" value={amount} aria-describedby={describedBy} aria-invalid={invalid}
                onInput={(e) => { setAmount((e.target as HTMLInputElement).value); setKey(null); }} />}
            </Field>
            <Field label={tr('budgetMemo')} error={errors.memo}>
              {({ id, describedBy, invalid }) => <input id={id} value={memo} aria-describedby={describedBy} aria-invalid={invalid}
                onInput={(e) => setMemo((e.target as HTMLInputElement).value)} />}
            </Field>
          </div>
          {errors[''] && <p class="error" role="alert">{errors['']}</p>}
          <ErrorMessage error={failure} />
          <button type="submit" disabled={busy}>{busy ? tr('loading') : tr('budgetFund')}</button>
        </form>
      )}
      {done && (
        <div class="card" data-funded-transaction-id={done.tx.id} data-issuer-id={done.issuerId}>
          <p><strong>{tr('fundedInto', { name: done.name, n: done.n })}</strong></p>
          <p>{tr('txNumber')} <Id id={done.tx.id} /></p>
          <p><a href={reverseHref(done.tx.id)}>{tr('reverseThisTx')}</a></p>
        </div>
      )}
    </section>
  );
}

// --- Settlements: per merchant, the statements; settle a month that ended ---

type Merchant = AdminMerchantsQuery['organisations']['edges'][number]['node'];

/** Every merchant (page by page: at most 100 a page), by name. */
function useMerchants() {
  const { lang } = useStore(i18n);
  const [state, setState] = useState<{ list: Merchant[] | null; error: ApiError | null }>({ list: null, error: null });
  useEffect(() => {
    let live = true;
    allOrganisations((after) => gql(AdminMerchantsDocument, { after })).then(
      (all) => live && setState({ list: all.sort((a, b) => a.name.localeCompare(b.name, lang)), error: null }),
      (error: ApiError) => live && setState({ list: null, error }),
    );
    return () => {
      live = false;
    };
  }, [lang]);
  return state;
}

export function SettlementsAdmin({ merchantId }: { merchantId: string }) {
  const tr = useT();
  const { list, error } = useMerchants();
  const [chosen, setChosen] = useState(merchantId);
  const selId = useId('merchant');
  const merchant = list?.find((m) => m.id === chosen) ?? list?.[0] ?? null;
  const choose = (id: string) => {
    setChosen(id);
    // Kept in the address (for a reload or a link) without moving the focus away from the list.
    history.replaceState(null, '', `/admin/coins?view=settlements&merchant=${encodeURIComponent(id)}`);
  };
  return (
    <CoinAdminFrame view="settlements">
      <p>{tr('settleAdminIntro')}</p>
      {!list && !error && <Loading />}
      <ErrorMessage error={error} />
      {list && list.length === 0 && <p>{tr('noMerchants')}</p>}
      {list && merchant && (
        <>
          <div class="field narrow">
            <label for={selId}>{tr('settleMerchantChoose')}</label>
            <select id={selId} value={merchant.id} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
              {list.map((m) => <option key={m.id} value={m.id}>{m.district ? `${m.name} (${m.district.name})` : m.name}</option>)}
            </select>
          </div>
          <MerchantStatements key={merchant.id} merchant={merchant} />
        </>
      )}
    </CoinAdminFrame>
  );
}

function MerchantStatements({ merchant }: { merchant: Merchant }) {
  const tr = useT();
  const { lang } = useStore(i18n);
  const q = useQuery(SettlementsDocument, { merchantId: merchant.id });
  const list = q.data?.settlementStatements ?? [];
  const periods = useMemo(() => endedPeriods(new Date(), 12), []);
  const [period, setPeriod] = useState(periods[0]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ outcome: SettleOutcome; statement: SettlementFieldsFragment } | null>(null);
  const hId = useId('merchant-h');
  const formH = useId('settle-h');

  const outcomeText = (o: SettleOutcome, p: string) =>
    tr(o === 'already' ? 'settleAlready' : o === 'nothing' ? 'settleNothing' : 'settleDone', { month: formatPeriod(p, lang) });

  const settle = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    setResult(null);
    try {
      const known = list.map((s) => s.id);
      const d = await gql(SettleMerchantDocument, { input: { merchantId: merchant.id, period } });
      const st = d.settleMerchant.statement;
      if (d.settleMerchant.userErrors.length || !st) {
        setErrors(fieldErrors(d.settleMerchant.userErrors));
        announce(messages(d.settleMerchant.userErrors));
      } else {
        setErrors({});
        const outcome = settleOutcome(st, known);
        setResult({ outcome, statement: st });
        announce(outcomeText(outcome, st.period));
        q.reload();
      }
    } catch (err) {
      setFailure(err as ApiError); // settling a month is once only on the server: trying again is safe
    } finally {
      setBusy(false);
    }
  };

  const general = [errors[''], errors.merchantId].filter(Boolean).join(' ');
  return (
    <section aria-labelledby={hId} data-merchant-id={merchant.id}>
      <h2 id={hId}>{merchant.name}</h2>
      {q.loading && !q.data && <Loading />}
      <ErrorMessage error={q.error} />
      {q.data && list.length === 0 && <p>{tr('noSettlements')}</p>}
      <SettlementTable list={list} caption={tr('settlementsOf', { name: merchant.name })} />

      <form class="card" onSubmit={settle} aria-labelledby={formH} noValidate>
        <h3 id={formH}>{tr('settleNowTitle')}</h3>
        <p class="hint">{tr('settleNowHint')}</p>
        <Field label={tr('settlePeriod')} error={errors.period}>
          {({ id, describedBy, invalid }) => (
            <select id={id} value={period} aria-describedby={describedBy} aria-invalid={invalid}
              onChange={(e) => { setPeriod((e.target as HTMLSelectElement).value); setResult(null); }}>
              {periods.map((p) => <option key={p} value={p}>{formatPeriod(p, lang)}</option>)}
            </select>
          )}
        </Field>
        {general && <p class="error" role="alert">{general}</p>}
        <ErrorMessage error={failure} />
        <button type="submit" disabled={busy || !q.data}>
          {busy ? tr('loading') : <>{tr('settleButton')}<span class="sr-only">: {merchant.name}</span></>}
        </button>
        {result && (
          <div class="settle-result" data-outcome={result.outcome} data-period={result.statement.period} data-statement-id={result.statement.id}>
            <p><strong>{outcomeText(result.outcome, result.statement.period)}</strong></p>
            <dl class="facts">
              <dt>{tr('vouchersWord')}</dt><dd>{formatCoins(result.statement.vouchers, lang)}</dd>
              <dt>{tr('coinsColumn')}</dt><dd>{formatCoins(result.statement.coins, lang)}</dd>
              <dt>{tr('euros')}</dt><dd>{formatEuro(result.statement.euroCents, lang)}</dd>
            </dl>
          </div>
        )}
      </form>
    </section>
  );
}

// --- Reverse a ledger transaction: the id and a reason, then an explicit "yes" ---

export function ReverseAdmin({ transactionId }: { transactionId: string }) {
  const tr = useT();
  const { lang } = useStore(i18n);
  const [txId, setTxId] = useState(transactionId);
  const [memo, setMemo] = useState('');
  const [confirming, setConfirming] = useState<{ key: string; txId: string; memo: string; tx: Looked } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<LedgerTransactionFieldsFragment | null>(null);
  const confirmRef = useRef<HTMLParagraphElement>(null);
  const doneRef = useRef<HTMLHeadingElement>(null);
  const txRef = useRef<HTMLInputElement>(null);
  const memoRef = useRef<HTMLInputElement>(null);
  const generalRef = useRef<HTMLParagraphElement>(null);
  const [listVersion, setListVersion] = useState(0); // the recent transactions load again when it changes
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming?.key]);
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done?.id]);

  /** Shows the errors and puts the focus where the first one is. */
  const showErrors = (errs: Record<string, string>) => {
    setErrors(errs);
    setTimeout(() => (errs.transactionId ? txRef : errs.memo ? memoRef : generalRef).current?.focus(), 0);
  };
  const ask = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!txId.trim()) errs.transactionId = tr('reverseTxNeeded');
    if (!memo.trim()) errs.memo = tr('reverseMemoNeeded');
    if (Object.keys(errs).length) {
      showErrors(errs);
      announce(tr('formHasErrors'));
      return;
    }
    setErrors({});
    setFailure(null);
    setDone(null);
    // First what the booking is: an unknown number or one that cannot be reversed is said at
    // the field before anything is asked.
    setBusy(true);
    let tx: Looked | null;
    try {
      tx = (await gql(LedgerTransactionDocument, { id: txId.trim() })).ledgerTransaction ?? null;
    } catch (err) {
      setFailure(err as ApiError);
      return;
    } finally {
      setBusy(false);
    }
    const problem = !tx ? tr('reverseTxUnknown') : tx.reversedBy ? tr('reverseAlready') : !tx.reversible ? tr('reverseNotAllowed') : '';
    if (problem || !tx) {
      showErrors({ transactionId: problem });
      announce(problem);
      return;
    }
    setConfirming({ key: newIdempotencyKey(), txId: txId.trim(), memo: memo.trim(), tx }); // one key per intent, reused on a retry
  };
  const back = () => {
    setConfirming(null);
    setFailure(null);
    setTimeout(() => txRef.current?.focus(), 0);
  };
  const reverse = async () => {
    if (!confirming) return;
    setBusy(true);
    setFailure(null);
    try {
      const d = await gql(ReverseTransactionDocument, { input: { transactionId: confirming.txId, memo: confirming.memo, idempotencyKey: confirming.key } });
      const r = d.reverseTransaction;
      if (r.userErrors.length || !r.transaction) {
        setConfirming(null);
        showErrors(fieldErrors(r.userErrors));
        announce(messages(r.userErrors));
      } else {
        setConfirming(null);
        setTxId('');
        setMemo('');
        setDone(r.transaction);
        setListVersion((v) => v + 1);
        announce(tr('reverseDone'));
      }
    } catch (err) {
      setFailure(err as ApiError); // kept: "yes" again sends the same key
    } finally {
      setBusy(false);
    }
  };
  const edit = () => {
    setConfirming(null);
    setDone(null);
  };
  /** A transaction chosen in the list: its number in the form, then the reason is asked. Nothing is reversed yet. */
  const pick = (id: string) => {
    setTxId(id);
    edit();
    setErrors({});
    setFailure(null);
    setTimeout(() => memoRef.current?.focus(), 0);
    announce(tr('txPicked'));
  };

  return (
    <CoinAdminFrame view="reverse">
      <p>{tr('reverseIntro')}</p>
      <p class="hint">{tr('reverseWhere')}</p>
      <form onSubmit={ask} noValidate aria-label={tr('reverseTitle')}>
        <Field label={tr('reverseTxId')} error={errors.transactionId}>
          {({ id, describedBy, invalid }) => (
            <input ref={txRef} id={id} dir="ltr" value={txId} autocomplete="off" autocapitalize="off" spellcheck={false} aria-describedby={describedBy}
              aria-invalid={invalid} onInput={(e) => { setTxId((e.target as HTMLInputElement).value); edit(); }} />
          )}
        </Field>
        <Field label={tr('reverseMemo')} hint={tr('reverseMemoHint')} error={errors.memo}>
          {({ id, describedBy, invalid }) => (
            <input ref={memoRef} id={id} value={memo} aria-describedby={describedBy} aria-invalid={invalid}
              onInput={(e) => { setMemo((e.target as HTMLInputElement).value); edit(); }} />
          )}
        </Field>
        {errors[''] && <p class="error" role="alert" tabIndex={-1} ref={generalRef}>{errors['']}</p>}
        {!confirming && <button type="submit" class="secondary" disabled={busy}>{busy ? tr('loading') : tr('reverseNext')}</button>}
      </form>
      {confirming && (
        <div class="confirm" role="group" aria-labelledby="reverse-confirm">
          <p id="reverse-confirm" ref={confirmRef} tabIndex={-1}><strong>{tr('reverseConfirm', { id: confirming.txId })}</strong></p>
          <dl class="facts">
            <dt>{tr('when')}</dt><dd>{formatDateTime(confirming.tx.at)}</dd>
            <dt>{tr('coinsColumn')}</dt><dd>{txKindLabel(tr, confirming.tx.kind)}: {formatCoins(confirming.tx.amount, lang)}</dd>
            {confirming.tx.memo && <><dt>{tr('reverseMemoShort')}</dt><dd>{confirming.tx.memo}</dd></>}
          </dl>
          <p>{tr('reverseLines')}</p>
          <ul class="postings">
            {confirming.tx.postings.map((p, i) => (
              <li key={i} data-account-kind={p.accountKind}>
                <bdi>{accountLabel(tr, p)}</bdi>: <span dir="ltr">{formatSignedCoins(p.amount, lang)}</span>
              </li>
            ))}
          </ul>
          <p>{tr('reverseConfirmMemo', { memo: confirming.memo })}</p>
          <ErrorMessage error={failure} />
          <div class="actions">
            <button type="button" class="danger" onClick={reverse} disabled={busy}>{busy ? tr('loading') : tr('reverseYes')}</button>
            <button type="button" class="secondary" onClick={back} disabled={busy}>{tr('goBack')}</button>
          </div>
        </div>
      )}
      {done && (
        <section class="card" aria-labelledby="reverse-done-h" data-transaction-id={done.id} data-reverses={done.reverses ?? ''}>
          <h2 id="reverse-done-h" ref={doneRef} tabIndex={-1}>{tr('reverseDone')}</h2>
          <dl class="facts">
            <dt>{tr('reverseNewTx')}</dt><dd><Id id={done.id} /></dd>
            {done.reverses && <><dt>{tr('reverseOfTx')}</dt><dd><Id id={done.reverses} /></dd></>}
            <dt>{tr('coinsColumn')}</dt><dd>{formatCoins(done.amount, lang)}</dd>
            <dt>{tr('when')}</dt><dd>{formatDateTime(done.at)}</dd>
            {done.memo && <><dt>{tr('reverseMemoShort')}</dt><dd>{done.memo}</dd></>}
          </dl>
        </section>
      )}
      <RecentTransactions version={listVersion} onPick={pick} />
    </CoinAdminFrame>
  );
}

// --- The recent transactions (newest first, of one kind or all), to choose the one to reverse ---

type Listed = LedgerTransactionsQuery['ledgerTransactions']['edges'][number]['node'];
const TX_PAGE = 20;

function RecentTransactions({ version, onPick }: { version: number; onPick: (id: string) => void }) {
  const tr = useT();
  const { lang } = useStore(i18n);
  const [kind, setKind] = useState(''); // '' = every kind
  const [items, setItems] = useState<Listed[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [more, setMore] = useState<{ loading: boolean; error: ApiError | null }>({ loading: false, error: null });
  const generation = useRef(0); // a page asked for before the list loaded again is dropped
  const tellCount = useRef(false); // after another kind is chosen, the number in the list is read out
  const focusOn = useRef<string | null>(null); // after "show more": the first new transaction
  const selId = useId('tx-kind');
  const variables = (after?: string) => ({ kinds: kind ? [kind] : undefined, first: TX_PAGE, after });

  useEffect(() => {
    const g = ++generation.current;
    setLoading(true);
    setError(null);
    setMore({ loading: false, error: null });
    gql(LedgerTransactionsDocument, variables()).then(
      (d) => {
        if (g !== generation.current) return;
        const list = d.ledgerTransactions.edges.map((e) => e.node);
        setItems(list);
        setNext(d.ledgerTransactions.pageInfo.hasNextPage ? d.ledgerTransactions.pageInfo.endCursor ?? null : null);
        setLoading(false);
        if (tellCount.current) announce(list.length ? tr('txListCount', { n: list.length }) : tr('txListEmpty'));
        tellCount.current = false;
      },
      (err: ApiError) => {
        if (g !== generation.current) return;
        setError(err);
        setLoading(false);
      },
    );
  }, [kind, version]);

  useEffect(() => {
    if (!focusOn.current) return;
    document.getElementById(`tx-h-${focusOn.current}`)?.focus();
    focusOn.current = null;
  }, [items]);

  const choose = (k: string) => {
    tellCount.current = true;
    setItems(null); // not the list of the other kind while this one loads
    setNext(null);
    setKind(k);
  };
  const loadMore = async () => {
    if (!next) return;
    const g = generation.current;
    setMore({ loading: true, error: null });
    try {
      const d = await gql(LedgerTransactionsDocument, variables(next));
      if (g !== generation.current) return;
      const page = d.ledgerTransactions.edges.map((e) => e.node);
      setItems((list) => {
        const fresh = page.filter((p) => !(list ?? []).some((x) => x.id === p.id));
        focusOn.current = fresh[0]?.id ?? null;
        return [...(list ?? []), ...fresh];
      });
      setNext(d.ledgerTransactions.pageInfo.hasNextPage ? d.ledgerTransactions.pageInfo.endCursor ?? null : null);
      setMore({ loading: false, error: null });
    } catch (err) {
      if (g === generation.current) setMore({ loading: false, error: err as ApiError });
    }
  };

  return (
    <section aria-labelledby="tx-recent-h" class="recent-transactions">
      <h2 id="tx-recent-h">{tr('txRecentTitle')}</h2>
      <p class="hint">{tr('txRecentIntro')}</p>
      <div class="field narrow">
        <label for={selId}>{tr('txKindFilter')}</label>
        <select id={selId} value={kind} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
          <option value="">{tr('txKindAll')}</option>
          {TX_KINDS.map((k) => <option key={k} value={k}>{txKindLabel(tr, k)}</option>)}
        </select>
      </div>
      {loading && !items && <Loading />}
      <ErrorMessage error={error} />
      {items && items.length === 0 && <p>{tr('txListEmpty')}</p>}
      {items && items.length > 0 && (
        <ul class="cards" aria-busy={loading}>
          {items.map((tx) => {
            const label = txKindLabel(tr, tx.kind);
            const when = formatDateTime(tx.at);
            return (
              <li key={tx.id} class="card" data-transaction-id={tx.id} data-kind={tx.kind} data-reversed-by={tx.reversedBy ?? undefined}
                data-reverses={tx.reverses ?? undefined}>
                <h3 id={`tx-h-${tx.id}`} tabIndex={-1}>
                  {label}: <bdi dir="ltr">{formatCoins(tx.amount, lang)}</bdi> {tr('coinsWord', { n: tx.amount })}
                </h3>
                <p><time dateTime={tx.at}>{when}</time></p>
                {tx.memo && <p>{tr('reverseMemoShort')}: <bdi>{tx.memo}</bdi></p>}
                <ul class="postings">
                  {tx.postings.map((p, i) => (
                    <li key={i} data-account-kind={p.accountKind}>
                      <bdi>{accountLabel(tr, p)}</bdi>: <span dir="ltr">{formatSignedCoins(p.amount, lang)}</span>
                    </li>
                  ))}
                </ul>
                <p>{tr('txNumber')} <Id id={tx.id} /></p>
                {tx.reversedBy && <p class="badge" data-state="reversed">{tr('txIsReversed')}</p>}
                {tx.reverses && <p data-state="reversal">{tr('txReversesOther')} <Id id={tx.reverses} /></p>}
                {!tx.reversible && !tx.reversedBy && !tx.reverses && <p class="hint">{tr('txNotReversible')}</p>}
                {tx.reversible && (
                  <button type="button" class="secondary" onClick={() => onPick(tx.id)}>
                    {tr('reverseThisTx')}<span class="sr-only">: {label}, {when}</span>
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <ErrorMessage error={more.error} />
      {next && !loading && (
        <button type="button" class="secondary" onClick={loadMore} disabled={more.loading}>{more.loading ? tr('loading') : tr('showMore')}</button>
      )}
    </section>
  );
}

type Looked = NonNullable<LedgerTransactionQuery['ledgerTransaction']>;

/** What kind of booking it is, in the viewer's language (the raw kind when there is no label). */
const TX_KINDS = ['FUND', 'MINT', 'TRANSFER', 'GIFT', 'REDEEM', 'ACCEPT', 'CANCEL', 'EXPIRE', 'SETTLE', 'REVERSAL'];
function txKindLabel(tr: ReturnType<typeof useT>, kind: string): string {
  return TX_KINDS.includes(kind) ? tr(`txKind_${kind}` as Key) : kind;
}

/** Whose account a posting is on, in the viewer's language. */
function accountLabel(tr: ReturnType<typeof useT>, p: Pick<Looked['postings'][number], 'accountKind' | 'person' | 'organisation'>): string {
  const name = p.person?.displayName ?? p.organisation?.name ?? '';
  if (p.accountKind === 'ISSUER' && !p.organisation) return tr('acct_ISSUER_city');
  return tr(`acct_${p.accountKind}` as Key, { name });
}
