// Administrator: the coin policy (the one in force, a form for a new version, the history), the
// minting budgets (every issuer's balance and funding) and the ledger audit; with ?view= the
// merchants' settlement statements and the reversal of a transaction (./coinadmin).
import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, gql, useQuery, type ApiError } from '../../api';
import { CoinAdminDocument, LedgerAuditDocument, SetCoinPolicyDocument, type LedgerAuditQuery, type PolicyFieldsFragment } from '../../gql/graphql';
import { formatCoins, formatEuro } from '../../coins';
import { formatDateTime, i18n, useT } from '../../i18n';
import { useLocation } from '../../router';
import { useStore } from '../../store';
import { ErrorMessage, Field, Loading, announce } from '../../ui';
import { Budgets, CoinAdminFrame, ReverseAdmin, SettlementsAdmin } from './coinadmin';

interface PolicyForm {
  coinsPerHour: string;
  yearlyCapPerPerson: string;
  giftsAllowed: boolean;
  expiryMonths: string;
  merchantCap: string;
  euroCentsPer10Coins: string;
}

const str = (n: number | null | undefined) => (n == null ? '' : String(n));
export const policyForm = (p: PolicyFieldsFragment): PolicyForm => ({
  coinsPerHour: str(p.coinsPerHour), yearlyCapPerPerson: str(p.yearlyCapPerPerson), giftsAllowed: p.giftsAllowed,
  expiryMonths: str(p.expiryMonths), merchantCap: str(p.merchantCap), euroCentsPer10Coins: str(p.euroCentsPer10Coins),
});
const num = (s: string) => (/^\s*\d+\s*$/.test(s) ? Number(s) : Number.NaN);
const optNum = (s: string) => (s.trim() === '' ? null : num(s));

/** /admin/coins: the policy and budgets; ?view=settlements (&merchant=) and ?view=reverse (&tx=). */
export function CoinPolicyPage() {
  const { search } = useLocation();
  const q = new URLSearchParams(search);
  const view = q.get('view');
  if (view === 'settlements') return <SettlementsAdmin merchantId={q.get('merchant') ?? ''} />;
  if (view === 'reverse') {
    const tx = q.get('tx') ?? '';
    return <ReverseAdmin key={tx} transactionId={tx} />;
  }
  return <PolicyView />;
}

function PolicyView() {
  const tr = useT();
  const { lang } = useStore(i18n);
  const q = useQuery(CoinAdminDocument, {});
  const [f, setF] = useState<PolicyForm | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  useEffect(() => {
    if (q.data) setF(policyForm(q.data.coinPolicy));
  }, [q.data]);

  if (q.loading && !q.data) return <CoinAdminFrame view="policy"><Loading /></CoinAdminFrame>;
  if (q.error || !q.data || !f) return <CoinAdminFrame view="policy"><ErrorMessage error={q.error} /></CoinAdminFrame>;
  const d = q.data;

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const r = await gql(SetCoinPolicyDocument, {
        input: {
          coinsPerHour: num(f.coinsPerHour), yearlyCapPerPerson: optNum(f.yearlyCapPerPerson), giftsAllowed: f.giftsAllowed,
          expiryMonths: optNum(f.expiryMonths), merchantCap: optNum(f.merchantCap), euroCentsPer10Coins: num(f.euroCentsPer10Coins),
        },
      });
      if (r.setCoinPolicy.userErrors.length) {
        setErrors(fieldErrors(r.setCoinPolicy.userErrors));
        announce(tr('formHasErrors'));
      } else {
        setErrors({});
        announce(tr('policySaved'));
        q.reload();
      }
    } catch (err) {
      setFailure(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const field = (k: Exclude<keyof PolicyForm, 'giftsAllowed'>, label: string, hint?: string) => (
    <Field label={label} error={errors[k]} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <input id={id} inputMode="numeric" value={f[k]} aria-describedby={describedBy} aria-invalid={invalid}
          onInput={(e) => setF({ ...f, [k]: (e.target as HTMLInputElement).value })} />
      )}
    </Field>
  );
  const p = d.coinPolicy;
  return (
    <CoinAdminFrame view="policy">
      <section class="card" aria-labelledby="cur-h">
        <h2 id="cur-h">{tr('policyNow')}</h2>
        <p>{tr('policySummary', { n: p.coinsPerHour, euro: formatEuro(p.euroCentsPer10Coins, lang) })}</p>
        <p class="meta">{tr('policySince', { when: formatDateTime(p.createdAt) })}</p>
      </section>

      <form onSubmit={save} aria-labelledby="pol-h" noValidate>
        <h2 id="pol-h">{tr('policyNew')}</h2>
        <p class="hint">{tr('policyNewHint')}</p>
        <div class="grid">
          {field('coinsPerHour', tr('polCoinsPerHour'))}
          {field('euroCentsPer10Coins', tr('polEuroCents'))}
          {field('yearlyCapPerPerson', tr('polYearlyCap'), tr('emptyNoLimit'))}
          {field('expiryMonths', tr('polExpiry'), tr('emptyNever'))}
          {field('merchantCap', tr('polMerchantCap'), tr('emptyNoLimit'))}
        </div>
        <label class="check">
          <input type="checkbox" checked={f.giftsAllowed} onChange={(e) => setF({ ...f, giftsAllowed: (e.target as HTMLInputElement).checked })} />
          {tr('polGifts')}
        </label>
        {errors[''] && <p class="error" role="alert">{errors['']}</p>}
        <ErrorMessage error={failure} />
        <button type="submit" disabled={busy}>{busy ? tr('loading') : tr('policySave')}</button>
      </form>

      <Budgets />

      <section aria-labelledby="hist-h">
        <h2 id="hist-h">{tr('policyHistory')}</h2>
        <div class="table-wrap">
          <table>
            <caption class="sr-only">{tr('policyHistory')}</caption>
            <thead>
              <tr><th scope="col">{tr('when')}</th><th scope="col" class="num">{tr('polCoinsPerHour')}</th><th scope="col" class="num">{tr('polEuroCents')}</th>
                <th scope="col">{tr('polGiftsShort')}</th><th scope="col" class="num">{tr('polYearlyCap')}</th><th scope="col" class="num">{tr('polExpiry')}</th></tr>
            </thead>
            <tbody>
              {d.coinPolicyHistory.map((h) => (
                <tr key={h.createdAt}>
                  <td>{formatDateTime(h.createdAt)}</td>
                  <td class="num">{formatCoins(h.coinsPerHour, lang)}</td>
                  <td class="num">{formatEuro(h.euroCentsPer10Coins, lang)}</td>
                  <td>{tr(h.giftsAllowed ? 'yes' : 'no')}</td>
                  <td class="num">{h.yearlyCapPerPerson == null ? '—' : formatCoins(h.yearlyCapPerPerson, lang)}</td>
                  <td class="num">{h.expiryMonths == null ? '—' : formatCoins(h.expiryMonths, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <Audit />
    </CoinAdminFrame>
  );
}

function Audit() {
  const tr = useT();
  const { lang } = useStore(i18n);
  const [res, setRes] = useState<LedgerAuditQuery['ledgerAudit'] | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const run = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const d = await gql(LedgerAuditDocument, {});
      setRes(d.ledgerAudit);
      announce(tr(d.ledgerAudit.ok ? 'auditOk' : 'auditProblems'));
    } catch (e) {
      setFailure(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="aud-h">
      <h2 id="aud-h">{tr('auditTitle')}</h2>
      <p>{tr('auditIntro')}</p>
      <button type="button" class="secondary" onClick={run} disabled={busy}>{busy ? tr('loading') : tr('auditRun')}</button>
      <ErrorMessage error={failure} />
      {res && (
        <div class={`card ${res.ok ? '' : 'danger'}`} data-ok={res.ok}>
          <p><strong>{tr(res.ok ? 'auditOk' : 'auditProblems')}</strong></p>
          <p class="meta">{tr('auditFacts', {
            accounts: formatCoins(res.accounts, lang), transactions: formatCoins(res.transactions, lang), outstanding: formatCoins(res.vouchersOutstanding, lang),
          })} · {formatDateTime(res.at)}</p>
          {res.problems.length > 0 && <ul lang="en">{res.problems.map((p, i) => <li key={i}>{p}</li>)}</ul>}
        </div>
      )}
    </section>
  );
}
