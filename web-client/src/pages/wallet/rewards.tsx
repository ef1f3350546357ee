// The rewards catalogue (filters in the URL) and a reward's page with a clear two-step redeem.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { gql, useQuery, type ApiError } from '../../api';
import { RedeemRewardDocument, RewardAndWalletDocument, RewardDetailDocument, RewardFiltersDocument, RewardsDocument, type RewardCardFragment } from '../../gql/graphql';
import {
  canAfford, coinsLeft, formatCoins, newIdempotencyKey, queryFromRewardSearch, rewardFilterFromSearch, rewardSearchFromQuery, type RewardSearch,
} from '../../coins';
import { formatDate, i18n, useT } from '../../i18n';
import { navigate } from '../../router';
import { session } from '../../session';
import { useStore } from '../../store';
import { ErrorMessage, Loading, Page, announce, useId } from '../../ui';

const PAGE = 20;

function Select({ label, value, options, onChange }: { label: string; value: string; options: { id: string; name: string }[]; onChange: (v: string) => void }) {
  const id = useId('rs');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        <option value="">—</option>
        {options.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
      </select>
    </div>
  );
}

export function RewardCardView({ r }: { r: RewardCardFragment }) {
  const tr = useT();
  return (
    <article class="card reward-card">
      <h3><a href={`/rewards/${encodeURIComponent(r.id)}`}>{r.title}</a></h3>
      <p class="meta">{r.merchant.name}{r.district && <> · {r.district.name}</>}</p>
      <p class="price"><strong>{tr('priceCoins', { n: r.price })}</strong>
        {' · '}{r.available ? tr('stockLeft', { n: r.stock }) : tr('notAvailable')}</p>
    </article>
  );
}

export function RewardsPage({ search }: { search: string }) {
  const tr = useT();
  const { me } = useStore(session);
  const opts = useQuery(RewardFiltersDocument, {});
  const applied = rewardSearchFromQuery(search);
  const [form, setForm] = useState<RewardSearch>(applied);
  const formFor = useRef(search);
  if (formFor.current !== search) {
    formFor.current = search;
    setForm(rewardSearchFromQuery(search));
  }
  const [list, setList] = useState<RewardCardFragment[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const latest = useRef(0);
  const maxId = useId('max');

  const run = async (after?: string) => {
    const mine = ++latest.current;
    setLoading(true);
    setError(null);
    try {
      const d = await gql(RewardsDocument, { filter: rewardFilterFromSearch(applied), orderBy: applied.order, first: PAGE, after });
      if (mine !== latest.current) return; // an older answer: the newer search wins
      const nodes = d.rewards.edges.map((e) => e.node);
      setList((l) => (after ? [...l, ...nodes] : nodes));
      setNext(d.rewards.pageInfo.hasNextPage ? d.rewards.pageInfo.endCursor ?? null : null);
      if (!after) announce(tr('rewardsCount', { n: nodes.length }));
    } catch (e) {
      if (mine === latest.current) setError(e as ApiError);
    } finally {
      if (mine === latest.current) setLoading(false);
    }
  };
  useEffect(() => {
    run();
  }, [search, tr('language')]);

  const set = <K extends keyof RewardSearch>(k: K, v: RewardSearch[K]) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: Event) => {
    e.preventDefault();
    navigate(`/rewards${queryFromRewardSearch(form)}`);
  };
  const o = opts.data;
  return (
    <Page title={tr('navRewards')}>
      <p class="lead">{tr('rewardsIntro')}</p>
      {me && <p><a href="/wallet">{tr('navWallet')}</a> · <a href="/me/vouchers">{tr('myVouchers')}</a></p>}
      <form class="search" role="search" aria-label={tr('rewardsFilter')} onSubmit={submit}>
        <div class="grid">
          <Select label={tr('district')} value={form.districtId} options={o?.districts ?? []} onChange={(v) => set('districtId', v)} />
          <Select label={tr('merchant')} value={form.merchantId} options={o?.merchants.edges.map((e) => e.node) ?? []} onChange={(v) => set('merchantId', v)} />
          <Select label={tr('theme')} value={form.themeId} options={o?.themes ?? []} onChange={(v) => set('themeId', v)} />
          <div class="field">
            <label for={maxId}>{tr('maxPrice')}</label>
            <input id={maxId} inputMode="numeric" pattern="[0-9]*" value={form.maxPrice} onInput={(e) => set('maxPrice', (e.target as HTMLInputElement).value)} />
          </div>
        </div>
        <div class="actions">
          <button type="submit">{tr('search')}</button>
          <button type="button" class="secondary" aria-pressed={form.order === 'CHEAPEST'}
            onClick={() => navigate(`/rewards${queryFromRewardSearch({ ...form, order: form.order === 'CHEAPEST' ? 'NEWEST' : 'CHEAPEST' })}`)}>
            {tr('cheapestFirst')}
          </button>
          {search && <a href="/rewards">{tr('clearFilters')}</a>}
        </div>
      </form>
      <section aria-labelledby="rw-h" aria-busy={loading}>
        <h2 id="rw-h">{tr('rewardsListTitle')}</h2>
        <ErrorMessage error={error} />
        {!loading && !error && list.length === 0 && <p>{tr('noRewards')}</p>}
        <ul class="cards">
          {list.map((r) => <li key={r.id}><RewardCardView r={r} /></li>)}
        </ul>
        {loading && <Loading />}
        {next && !loading && <button type="button" class="secondary" onClick={() => run(next)}>{tr('showMore')}</button>}
      </section>
    </Page>
  );
}

export function RewardPage({ id }: { id: string }) {
  const tr = useT();
  const { lang } = useStore(i18n);
  const { me } = useStore(session);
  const q = useQuery(RewardAndWalletDocument, { id }, !me);
  const pub = useQuery(RewardDetailDocument, { id }, !!me); // without an account: the reward, no wallet
  const [intent, setIntent] = useState<string | null>(null); // the idempotency key of this "yes"
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [problem, setProblem] = useState('');
  // The "redeem" button makes way for the confirmation: keyboard and screen-reader users land on it.
  const confirmRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (intent) confirmRef.current?.focus();
  }, [intent]);

  if (!me) {
    if (pub.loading && !pub.data) return <Page title={tr('navRewards')}><Loading /></Page>;
    const r = pub.data?.reward;
    if (pub.error || !r) return <Page title={tr('notFoundTitle')}>{pub.error ? <ErrorMessage error={pub.error} /> : <p>{tr('errNotFound')}</p>}</Page>;
    return (
      <Page title={r.title}>
        <RewardFacts r={r} />
        <p>{tr('signInToRedeem')}</p>
        <p><a class="button" href={`/login?next=${encodeURIComponent(`/rewards/${id}`)}`}>{tr('signIn')}</a></p>
        <p><a href="/rewards">{tr('backToRewards')}</a></p>
      </Page>
    );
  }
  if (q.loading && !q.data) return <Page title={tr('navRewards')}><Loading /></Page>;
  const r = q.data?.reward;
  if (q.error || !r) return <Page title={tr('notFoundTitle')}>{q.error ? <ErrorMessage error={q.error} /> : <p>{tr('errNotFound')}</p>}</Page>;
  const balance = q.data!.wallet.balance;
  const enough = canAfford(balance, r.price);

  const redeem = async () => {
    if (!intent) return;
    setBusy(true);
    setFailure(null);
    try {
      const d = await gql(RedeemRewardDocument, { input: { rewardId: r.id, idempotencyKey: intent } });
      if (d.redeemReward.userErrors.length || !d.redeemReward.voucher) {
        setProblem(d.redeemReward.userErrors.map((e) => e.message).join(' ') || tr('errGeneric'));
        setIntent(null);
        q.reload();
      } else {
        announce(tr('redeemed'));
        navigate(`/me/vouchers/${encodeURIComponent(d.redeemReward.voucher.code)}`);
      }
    } catch (e) {
      setFailure(e as ApiError); // the same key is sent again on "yes": never paid twice
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title={r.title}>
      <RewardFacts r={r}>
        <dt>{tr('yourBalance')}</dt><dd>{tr('priceCoins', { n: balance })}</dd>
      </RewardFacts>
      {problem && <p class="error" role="alert">{problem}</p>}
      {!r.available ? null : !enough ? (
        <p class="alert" role="status">{tr('notEnoughCoinsFor', { n: r.price - balance })}</p>
      ) : !intent ? (
        <div class="actions">
          <button type="button" onClick={() => { setProblem(''); setIntent(newIdempotencyKey()); }}>{tr('redeem')}</button>
        </div>
      ) : (
        <div class="confirm card" role="group" aria-labelledby="redeem-confirm">
          <p id="redeem-confirm" ref={confirmRef} tabIndex={-1}><strong>{tr('redeemConfirm', { n: r.price, left: formatCoins(coinsLeft(balance, r.price), lang) })}</strong></p>
          <p class="hint">{tr('redeemHow')}</p>
          <ErrorMessage error={failure} />
          <div class="actions">
            <button type="button" onClick={redeem} disabled={busy}>{busy ? tr('loading') : tr('redeemYes')}</button>
            <button type="button" class="secondary" onClick={() => { setIntent(null); setFailure(null); }} disabled={busy}>{tr('goBack')}</button>
          </div>
        </div>
      )}
      <p><a href="/rewards">{tr('backToRewards')}</a></p>
    </Page>
  );
}

type RewardWithShop = RewardCardFragment & { merchant: { address?: { street?: string | null; postcode?: string | null; city?: string | null } | null; openingHours?: string | null } };

function RewardFacts({ r, children }: { r: RewardWithShop; children?: ComponentChildren }) {
  const tr = useT();
  const m = r.merchant;
  return (
    <>
      <p class="meta">{m.name}{r.district && <> · {r.district.name}</>}</p>
      {r.photoUrl && /^https:\/\//.test(r.photoUrl) && <img class="reward-photo" src={r.photoUrl} alt="" loading="lazy" referrerpolicy="no-referrer" />}
      <p>{r.description}</p>
      <dl class="facts">
        <dt>{tr('price')}</dt><dd><strong>{tr('priceCoins', { n: r.price })}</strong></dd>
        <dt>{tr('stock')}</dt><dd>{r.available ? tr('stockLeft', { n: r.stock }) : tr('notAvailable')}</dd>
        {r.validUntil && <><dt>{tr('validUntil')}</dt><dd>{formatDate(r.validUntil)}</dd></>}
        {m.address && <><dt>{tr('address')}</dt><dd>{[m.address.street, `${m.address.postcode ?? ''} ${m.address.city ?? ''}`.trim()].filter(Boolean).join(', ')}</dd></>}
        {m.openingHours && <><dt>{tr('openingHours')}</dt><dd>{m.openingHours}</dd></>}
        {children}
      </dl>
    </>
  );
}
