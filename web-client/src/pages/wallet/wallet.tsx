// Resident with coins: the balance (live), the history (paged), the year statement, and a gift
// to another resident when the coin policy allows it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { fieldErrors, gql, useQuery, type ApiError } from '../../api';
import {
  TransferCoinsDocument, WalletChangedDocument, WalletDocument, WalletEntriesDocument, type WalletEntryFieldsFragment,
} from '../../gql/graphql';
import { canAfford, coinsLeft, formatCoins, formatSignedCoins, newIdempotencyKey } from '../../coins';
import { formatDate, i18n, useT, type Key } from '../../i18n';
import { useStore } from '../../store';
import { ErrorMessage, Field, Loading, Page, announce, useId } from '../../ui';

const PAGE = 20;
/** Entries whose memo is a person's note (a gift) or the city's (a correction). */
const NOTE_KINDS = ['GIFT_SENT', 'GIFT_RECEIVED', 'CORRECTION'];
type Entry = WalletEntryFieldsFragment;

export function WalletPage() {
  const tr = useT();
  const { lang } = useStore(i18n);
  const thisYear = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Europe/Brussels' }).format(new Date()));
  const [year, setYear] = useState(thisYear);
  const q = useQuery(WalletDocument, { first: PAGE, year });
  const [balance, setBalance] = useState<number | null>(null);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [more, setMore] = useState<{ loading: boolean; error: ApiError | null }>({ loading: false, error: null });
  const [live, setLive] = useState(false);
  const w = q.data?.wallet;

  useEffect(() => {
    if (!w) return;
    setBalance(w.balance);
    setEntries(w.entries.edges.map((e) => e.node));
    setNext(w.entries.pageInfo.hasNextPage ? w.entries.pageInfo.endCursor ?? null : null);
  }, [q.data]);

  // Live: the balance follows every change (coins earned, a voucher paid or given back) without a reload.
  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    import('../../ws').then(({ subscribe }) => {
      if (cancelled) return;
      stop = subscribe(WalletChangedDocument, {}, (d) => {
        setBalance((old) => {
          if (old !== null && old !== d.walletChanged.balance) announce(tr('balanceNow', { n: d.walletChanged.balance }));
          return d.walletChanged.balance;
        });
        // The newest entries: reload the first page (the history is newest first).
        gql(WalletEntriesDocument, { first: PAGE }).then((r) => {
          const fresh = r.wallet.entries.edges.map((e) => e.node);
          setEntries((list) => [...fresh, ...list.filter((x) => !fresh.some((f) => f.id === x.id))]);
        }, () => {});
      });
      setLive(true);
    }, () => {});
    return () => {
      cancelled = true;
      stop?.();
    };
  }, []);

  const loadMore = async () => {
    if (!next) return;
    setMore({ loading: true, error: null });
    try {
      const r = await gql(WalletEntriesDocument, { first: PAGE, after: next });
      const page = r.wallet.entries.edges.map((e) => e.node);
      setEntries((list) => [...list, ...page.filter((p) => !list.some((x) => x.id === p.id))]);
      setNext(r.wallet.entries.pageInfo.hasNextPage ? r.wallet.entries.pageInfo.endCursor ?? null : null);
      setMore({ loading: false, error: null });
    } catch (e) {
      setMore({ loading: false, error: e as ApiError });
    }
  };

  if (q.loading && !q.data) return <Page title={tr('navWallet')}><Loading /></Page>;
  if (q.error || !w) return <Page title={tr('navWallet')}><ErrorMessage error={q.error} /></Page>;
  const st = w.yearStatement;
  const bal = balance ?? w.balance;

  return (
    <Page title={tr('navWallet')}>
      <section class="balance card" aria-labelledby="bal-h">
        <h2 id="bal-h">{tr('balanceTitle')}</h2>
        <p class="balance-amount" data-testid="balance">
          <span class="big-number">{formatCoins(bal, lang)}</span> <span>{tr('coinsWord', { n: bal })}</span>
        </p>
        <p class="hint" aria-live="polite">{live ? tr('balanceLive') : ''}</p>
        <p class="hint">{tr('coinsHowEarn', { n: q.data!.coinPolicy.coinsPerHour })}</p>
        <div class="actions">
          <a class="button" href="/rewards">{tr('navRewards')}</a>
          <a class="button secondary" href="/me/vouchers">{tr('myVouchers')}</a>
        </div>
      </section>

      {q.data!.coinPolicy.giftsAllowed && <Gift balance={bal} onDone={(b) => { setBalance(b); q.reload(); }} />}

      <section aria-labelledby="year-h">
        <h2 id="year-h">{tr('statementTitle', { year: st.year })}</h2>
        <YearSelect year={year} thisYear={thisYear} onChange={setYear} />
        <table class="statement">
          <caption class="sr-only">{tr('statementTitle', { year: st.year })}</caption>
          <tbody>
            {([
              ['stOpening', st.opening, false], ['stEarned', st.earned, true], ['stReceived', st.received, true],
              ['stSpent', -st.spent, true], ['stGiven', -st.given, true], ['stExpired', -st.expired, true],
              ['stCorrections', st.corrections, true], ['stClosing', st.closing, false],
            ] as [Key, number, boolean][]).filter(([k, n]) => n !== 0 || ['stOpening', 'stEarned', 'stSpent', 'stClosing'].includes(k)).map(([k, n, signed]) => (
              <tr key={k} class={k === 'stClosing' ? 'total' : undefined}>
                <th scope="row">{tr(k)}</th>
                <td class="num"><bdi>{signed ? formatSignedCoins(n, lang) : formatCoins(n, lang)}</bdi></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="hist-h">
        <h2 id="hist-h">{tr('historyTitle')}</h2>
        {entries.length === 0 && <p>{tr('historyEmpty')}</p>}
        <ul class="entries">
          {entries.map((e) => (
            <li key={e.id} class="entry">
              <div>
                <p class="entry-desc">{e.description}</p>
                {e.memo && NOTE_KINDS.includes(e.kind) && <p class="hint">{e.memo}</p>}
                <p class="meta"><time dateTime={e.at}>{formatDate(e.at)}</time>{e.reversed && ` · ${tr('entryReversed')}`}</p>
              </div>
              <p class={`amount ${e.amount < 0 ? 'out' : 'in'}`}>
                <span class="sr-only">{tr(e.amount < 0 ? 'amountOut' : 'amountIn')} </span>
                <bdi>{formatSignedCoins(e.amount, lang)}</bdi>
              </p>
            </li>
          ))}
        </ul>
        <ErrorMessage error={more.error} />
        {next && (
          <button type="button" class="secondary" onClick={loadMore} disabled={more.loading}>{more.loading ? tr('loading') : tr('showMore')}</button>
        )}
      </section>

    </Page>
  );
}

function YearSelect({ year, thisYear, onChange }: { year: number; thisYear: number; onChange: (y: number) => void }) {
  const tr = useT();
  const id = useId('yr');
  return (
    <div class="field narrow">
      <label for={id}>{tr('year')}</label>
      <select id={id} value={String(year)} onChange={(e) => onChange(Number((e.target as HTMLSelectElement).value))}>
        {[thisYear, thisYear - 1, thisYear - 2].map((y) => <option key={y} value={String(y)}>{y}</option>)}
      </select>
    </div>
  );
}

/** Give coins to another resident by email, after a clear confirmation step. */
function Gift({ balance, onDone }: { balance: number; onDone: (balance: number) => void }) {
  const tr = useT();
  const { lang } = useStore(i18n);
  const [email, setEmail] = useState('');
  const [amount, setAmount] = useState('');
  const [memo, setMemo] = useState('');
  const [confirming, setConfirming] = useState<{ key: string; n: number } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const n = /^\s*\d+\s*$/.test(amount) ? Number(amount) : Number.NaN;
  const confirmRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming?.key]);

  const ask = (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!email.includes('@')) errs.toEmail = tr('giftEmailNeeded');
    if (!(n > 0)) errs.amount = tr('giftAmountNeeded');
    else if (!canAfford(balance, n)) errs.amount = tr('notEnoughCoins');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setConfirming({ key: newIdempotencyKey(), n }); // one key per intent, reused if the tap is retried
  };
  const give = async () => {
    if (!confirming) return;
    setBusy(true);
    setFailure(null);
    try {
      const d = await gql(TransferCoinsDocument, { input: { toEmail: email.trim(), amount: confirming.n, memo: memo.trim() || undefined, idempotencyKey: confirming.key } });
      if (d.transferCoins.userErrors.length) {
        setErrors(fieldErrors(d.transferCoins.userErrors));
        setConfirming(null);
      } else {
        announce(tr('giftSent', { n: confirming.n, email: email.trim() }));
        setConfirming(null);
        setEmail('');
        setAmount('');
        setMemo('');
        if (d.transferCoins.wallet) onDone(d.transferCoins.wallet.balance);
      }
    } catch (err) {
      setFailure(err as ApiError); // kept: "yes" again sends the same key
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="gift-h">
      <h2 id="gift-h">{tr('giftTitle')}</h2>
      <p>{tr('giftIntro')}</p>
      <form onSubmit={ask} noValidate>
        <Field label={tr('giftEmail')} error={errors.toEmail}>
          {({ id, describedBy, invalid }) => <input id={id} type="email" autocomplete="off" value={email} aria-describedby={describedBy} aria-invalid={invalid}
            onInput={(e) => { setEmail((e.target as HTMLInputElement).value); setConfirming(null); }} />}
        </Field>
        <Field label={tr('giftAmount')} error={errors.amount}>
          {({ id, describedBy, invalid }) => <input id={id} inputMode="numeric" value={amount} aria-describedby={describedBy} aria-invalid={invalid}
            onInput={(e) => { setAmount((e.target as HTMLInputElement).value); setConfirming(null); }} />}
        </Field>
        <Field label={tr('giftMemo')} error={errors.memo}>
          {({ id, describedBy }) => <input id={id} value={memo} aria-describedby={describedBy} onInput={(e) => setMemo((e.target as HTMLInputElement).value)} />}
        </Field>
        {errors[''] && <p class="error" role="alert">{errors['']}</p>}
        {!confirming && <button type="submit" class="secondary">{tr('giftNext')}</button>}
      </form>
      {confirming && (
        <div class="confirm" role="group" aria-labelledby="gift-confirm">
          <p id="gift-confirm" ref={confirmRef} tabIndex={-1}><strong>{tr('giftConfirm', { n: confirming.n, email: email.trim(), left: formatCoins(coinsLeft(balance, confirming.n), lang) })}</strong></p>
          <ErrorMessage error={failure} />
          <div class="actions">
            <button type="button" onClick={give} disabled={busy}>{busy ? tr('loading') : tr('giftYes')}</button>
            <button type="button" class="secondary" onClick={() => setConfirming(null)} disabled={busy}>{tr('goBack')}</button>
          </div>
        </div>
      )}
    </section>
  );
}
