// Merchant: accept a voucher (typed any way, or scanned where the browser can), manage the
// rewards, the vouchers list and the monthly settlement statements.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fieldErrors, gql, useQuery, type ApiError } from '../../api';
import {
  AcceptVoucherDocument, CreateRewardDocument, MerchantRewardsDocument, MerchantVouchersDocument, SettlementsDocument, UpdateRewardDocument,
  VoucherDocument, type RewardCardFragment, type VoucherFieldsFragment,
} from '../../gql/graphql';
import {
  codeComplete, createRewardInput, emptyRewardForm, merchantsOf, normaliseCode, rewardFormFrom,
  updateRewardInput, type RewardForm,
} from '../../coins';
import { formatDate, formatDateTime, useT, type Key } from '../../i18n';
import { navigate } from '../../router';
import { session } from '../../session';
import { useStore } from '../../store';
import { ErrorMessage, Field, Loading, Page, announce, useId } from '../../ui';
import { SettlementTable } from '../wallet/settlements';
import { VoucherCode, voucherStateKey } from '../wallet/vouchers';

type Section = 'accept' | 'rewards' | 'vouchers' | 'settlements';
const SECTIONS: { s: Section; path: string; key: Key }[] = [
  { s: 'accept', path: '/merchant', key: 'acceptVoucherTitle' },
  { s: 'rewards', path: '/merchant/rewards', key: 'merchantRewardsTitle' },
  { s: 'vouchers', path: '/merchant/vouchers', key: 'merchantVouchersTitle' },
  { s: 'settlements', path: '/merchant/settlements', key: 'settlementsTitle' },
];

/** The shop the person works for (?org= chooses when there are several). */
function useMerchant(search: string) {
  const { me } = useStore(session);
  const shops = merchantsOf(me);
  const wanted = new URLSearchParams(search).get('org');
  return { shops, shop: shops.find((s) => s.id === wanted) ?? shops[0] ?? null };
}

function MerchantFrame({ section, search, children }: { section: Section; search: string; children: (shopId: string, shopName: string) => ComponentChildren }) {
  const tr = useT();
  const { shops, shop } = useMerchant(search);
  const current = SECTIONS.find((x) => x.s === section)!;
  const orgQ = shops.length > 1 && shop ? `?org=${encodeURIComponent(shop.id)}` : '';
  const selId = useId('shop');
  if (!shop) {
    return (
      <Page title={tr(current.key)}>
        <p>{tr('notAMerchant')}</p>
      </Page>
    );
  }
  return (
    <Page title={tr(current.key)}>
      <p class="meta">{shop.name}</p>
      {shops.length > 1 && (
        <div class="field narrow">
          <label for={selId}>{tr('merchant')}</label>
          <select id={selId} value={shop.id} onChange={(e) => navigate(`${current.path}?org=${encodeURIComponent((e.target as HTMLSelectElement).value)}`)}>
            {shops.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </div>
      )}
      <nav aria-label={tr('merchantMenu')}>
        <ul class="tabs">
          {SECTIONS.map((x) => (
            <li key={x.s}><a href={`${x.path}${orgQ}`} aria-current={x.s === section ? 'page' : undefined}>{tr(x.key)}</a></li>
          ))}
        </ul>
      </nav>
      {children(shop.id, shop.name)}
    </Page>
  );
}

// --- Accept a voucher ---

export function MerchantPage({ search }: { search: string }) {
  return <MerchantFrame section="accept" search={search}>{(shopId) => <AcceptVoucher shopId={shopId} />}</MerchantFrame>;
}

/** Where the browser can read a QR code from the camera (BarcodeDetector + getUserMedia). */
export const canScan = () =>
  typeof window !== 'undefined' && 'BarcodeDetector' in window && !!navigator.mediaDevices?.getUserMedia;

function AcceptVoucher({ shopId }: { shopId: string }) {
  const tr = useT();
  const [code, setCode] = useState('');
  const [voucher, setVoucher] = useState<VoucherFieldsFragment | null>(null);
  const [problem, setProblem] = useState('');
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [scanning, setScanning] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const id = useId('code');
  const hintId = `${id}-hint`;
  const scan = canScan();

  const lookUp = async (raw: string) => {
    const c = normaliseCode(raw);
    setVoucher(null);
    setProblem('');
    setFailure(null);
    if (!codeComplete(c)) {
      setProblem(tr('codeIncomplete'));
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const d = await gql(VoucherDocument, { code: c });
      const v = d.voucher;
      if (!v) setProblem(tr('voucherUnknown'));
      else if (v.merchant.id !== shopId) setProblem(tr('voucherOtherShop', { name: v.merchant.name }));
      else setVoucher(v);
    } catch (e) {
      setFailure(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const accept = async () => {
    if (!voucher) return;
    setBusy(true);
    setFailure(null);
    try {
      const d = await gql(AcceptVoucherDocument, { input: { code: voucher.code } });
      if (d.acceptVoucher.userErrors.length || !d.acceptVoucher.voucher) setProblem(d.acceptVoucher.userErrors.map((e) => e.message).join(' '));
      else {
        setVoucher(d.acceptVoucher.voucher);
        announce(tr('voucherAccepted', { n: d.acceptVoucher.voucher.price }));
      }
    } catch (e) {
      setFailure(e as ApiError); // accepting is once only on the server: trying again is safe
    } finally {
      setBusy(false);
    }
  };
  const again = () => {
    setCode('');
    setVoucher(null);
    setProblem('');
    inputRef.current?.focus();
  };

  return (
    <div>
      <form onSubmit={(e) => { e.preventDefault(); lookUp(code); }} class="accept-form">
        <label for={id}>{tr('voucherCodeInput')}</label>
        <p class="hint" id={hintId}>{tr('voucherCodeHint')}</p>
        <input ref={inputRef} id={id} class="code-input" value={code} autocomplete="off" autocapitalize="characters" spellcheck={false}
          aria-describedby={hintId} aria-invalid={!!problem} onInput={(e) => { setCode((e.target as HTMLInputElement).value); setVoucher(null); setProblem(''); }} />
        <div class="actions">
          <button type="submit" disabled={busy}>{tr('voucherFind')}</button>
          {scan && <button type="button" class="secondary" onClick={() => setScanning(true)} aria-expanded={scanning}>{tr('scanCode')}</button>}
        </div>
      </form>
      {scanning && (
        <Scanner onCode={(c) => { setScanning(false); setCode(normaliseCode(c)); lookUp(c); }} onClose={() => setScanning(false)} />
      )}
      {problem && <p class="error" role="alert">{problem}</p>}
      <ErrorMessage error={failure} />
      {voucher && (
        <div class="card voucher-check" data-state={voucher.state} aria-live="polite">
          <VoucherCode code={voucher.code} />
          <dl class="facts">
            <dt>{tr('reward')}</dt><dd><strong>{voucher.reward?.title ?? '—'}</strong></dd>
            <dt>{tr('price')}</dt><dd>{tr('priceCoins', { n: voucher.price })}</dd>
            <dt>{tr('holder')}</dt><dd>{voucher.holder?.displayName ?? '—'}</dd>
            <dt>{tr('voucherStatus')}</dt><dd><strong class="badge">{tr(voucherStateKey(voucher.state))}</strong></dd>
            <dt>{tr('validUntil')}</dt><dd>{formatDate(voucher.validUntil)}</dd>
          </dl>
          {voucher.state === 'ISSUED' ? (
            <div class="actions">
              <button type="button" class="big" onClick={accept} disabled={busy}>{busy ? tr('loading') : tr('acceptVoucher', { n: voucher.price })}</button>
              <button type="button" class="secondary" onClick={again}>{tr('goBack')}</button>
            </div>
          ) : (
            <>
              <p role="status">{voucher.state === 'ACCEPTED' ? tr('voucherAcceptedGive') : tr('voucherNotUsable')}</p>
              <button type="button" class="secondary" onClick={again}>{tr('nextVoucher')}</button>
            </>
          )}
        </div>
      )}
    </div>
  );
}

/** The camera preview, looking for a QR code a few times a second; closes on a code or on request. */
function Scanner({ onCode, onClose }: { onCode: (code: string) => void; onClose: () => void }) {
  const tr = useT();
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer = 0;
    let stopped = false;
    (async () => {
      try {
        const Detector = (window as unknown as { BarcodeDetector: new (o: { formats: string[] }) => { detect: (s: HTMLVideoElement) => Promise<{ rawValue: string }[]> } }).BarcodeDetector;
        const detector = new Detector({ formats: ['qr_code'] });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
        if (stopped) return;
        const v = video.current!;
        v.srcObject = stream;
        await v.play();
        const tick = async () => {
          if (stopped) return;
          try {
            const found = await detector.detect(v);
            const text = found[0]?.rawValue;
            if (text) {
              // The QR holds the code (or an address ending in /vouchers/CODE.png).
              const m = /([A-Za-z0-9]{4}-?[A-Za-z0-9]{4}-?[A-Za-z0-9]{2})(?:\.png)?\/?$/.exec(text.trim());
              onCode(m ? m[1] : text);
              return;
            }
          } catch { /* a frame that could not be read */ }
          timer = window.setTimeout(tick, 250);
        };
        tick();
      } catch {
        setError(tr('cameraUnavailable'));
      }
    })();
    return () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);
  return (
    <div class="scanner card">
      <p>{tr('scanHow')}</p>
      {error ? <p class="error" role="alert">{error}</p> : <video ref={video} muted playsInline aria-label={tr('scanCode')} />}
      <button type="button" class="secondary" onClick={onClose}>{tr('scanStop')}</button>
    </div>
  );
}

// --- Rewards ---

export function MerchantRewardsPage({ search }: { search: string }) {
  return <MerchantFrame section="rewards" search={search}>{(shopId) => <Rewards shopId={shopId} />}</MerchantFrame>;
}

function Rewards({ shopId }: { shopId: string }) {
  const tr = useT();
  const q = useQuery(MerchantRewardsDocument, { merchantId: shopId });
  const [editing, setEditing] = useState<string | null>(null); // reward id, or 'new'
  const list = q.data?.merchantRewards ?? [];
  const toggle = async (r: RewardCardFragment) => {
    const d = await gql(UpdateRewardDocument, { input: { rewardId: r.id, active: !r.active } }).catch(() => null);
    if (!d) announce(tr('errNetwork'));
    else if (d.updateReward.userErrors.length) announce(d.updateReward.userErrors[0].message);
    else {
      announce(tr(r.active ? 'rewardSwitchedOff' : 'rewardSwitchedOn', { title: r.title }));
      q.reload();
    }
  };
  return (
    <div>
      {editing === 'new' ? (
        <RewardEditor shopId={shopId} onDone={() => { setEditing(null); q.reload(); }} />
      ) : (
        <p><button type="button" onClick={() => setEditing('new')}>{tr('newReward')}</button></p>
      )}
      {q.loading && !q.data && <Loading />}
      <ErrorMessage error={q.error} />
      {q.data && list.length === 0 && <p>{tr('noRewardsYet')}</p>}
      <ul class="cards">
        {list.map((r) => (
          <li key={r.id} class="card" data-active={r.active}>
            <h3>{r.title}</h3>
            <p>{tr('priceCoins', { n: r.price })} · {tr('stockLeft', { n: r.stock })}</p>
            <p class="meta">
              {r.active ? (r.available ? tr('rewardOn') : tr('notAvailable')) : tr('rewardOff')}
              {' · '}{tr('fromDate')} {formatDate(r.validFrom)}{r.validUntil && <> · {tr('validUntil')} {formatDate(r.validUntil)}</>}
            </p>
            {editing === r.id ? (
              <RewardEditor shopId={shopId} reward={r} onDone={() => { setEditing(null); q.reload(); }} />
            ) : (
              <div class="actions">
                <button type="button" class="secondary" onClick={() => setEditing(r.id)}>{tr('edit')}<span class="sr-only">: {r.title}</span></button>
                <button type="button" class="secondary" onClick={() => toggle(r)}>
                  {tr(r.active ? 'switchOff' : 'switchOn')}<span class="sr-only">: {r.title}</span>
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function RewardEditor({ shopId, reward, onDone }: { shopId: string; reward?: RewardCardFragment; onDone: () => void }) {
  const tr = useT();
  const before = reward ? rewardFormFrom(reward) : emptyRewardForm();
  const [f, setF] = useState<RewardForm>(before);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const set = (k: keyof RewardForm) => (e: Event) => {
    const v = (e.target as HTMLInputElement).value;
    setF((x) => ({ ...x, [k]: v }));
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const res = reward
        ? (await gql(UpdateRewardDocument, { input: updateRewardInput(reward.id, before, f) })).updateReward
        : (await gql(CreateRewardDocument, { input: createRewardInput(shopId, f) })).createReward;
      if (res.userErrors.length) {
        setErrors(fieldErrors(res.userErrors));
        announce(tr('formHasErrors'));
      } else {
        announce(tr(reward ? 'rewardSaved' : 'rewardCreated', { title: f.title.trim() }));
        onDone();
      }
    } catch (err) {
      setFailure(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const text = (k: keyof RewardForm, label: string, props: Record<string, unknown> = {}, hint?: string) => (
    <Field label={label} error={errors[k]} hint={hint}>
      {({ id, describedBy, invalid }) => <input id={id} value={f[k]} aria-describedby={describedBy} aria-invalid={invalid} onInput={set(k)} {...props} />}
    </Field>
  );
  return (
    <form onSubmit={save} class="subform" aria-label={reward ? `${tr('edit')}: ${reward.title}` : tr('newReward')} noValidate>
      {text('title', tr('rewardTitle'), { required: true, maxLength: 120 })}
      <Field label={tr('rewardDescription')} error={errors.description}>
        {({ id, describedBy, invalid }) => <textarea id={id} rows={3} value={f.description} aria-describedby={describedBy} aria-invalid={invalid} onInput={set('description')} />}
      </Field>
      <div class="grid">
        {text('price', tr('priceInCoins'), { inputMode: 'numeric', required: true })}
        {text('stock', tr('stock'), { inputMode: 'numeric', required: true })}
        {text('validFrom', tr('fromDate'), { type: 'date' })}
        {text('validUntil', tr('validUntil'), { type: 'date' }, tr('emptyNoEnd'))}
      </div>
      {text('photoUrl', tr('photoUrl'), { type: 'url', inputMode: 'url' }, tr('photoUrlHint'))}
      {errors[''] && <p class="error" role="alert">{errors['']}</p>}
      <ErrorMessage error={failure} />
      <div class="actions">
        <button type="submit" disabled={busy}>{busy ? tr('loading') : tr(reward ? 'save' : 'newReward')}</button>
        <button type="button" class="secondary" onClick={onDone}>{tr('goBack')}</button>
      </div>
    </form>
  );
}

// --- Vouchers and settlements ---

export function MerchantVouchersPage({ search }: { search: string }) {
  return <MerchantFrame section="vouchers" search={search}>{(shopId) => <Vouchers shopId={shopId} />}</MerchantFrame>;
}

function Vouchers({ shopId }: { shopId: string }) {
  const tr = useT();
  const [after, setAfter] = useState<string | undefined>(undefined);
  const [list, setList] = useState<VoucherFieldsFragment[]>([]);
  const q = useQuery(MerchantVouchersDocument, { merchantId: shopId, first: 30, after });
  useEffect(() => {
    if (q.data) {
      const page = q.data.merchantVouchers.edges.map((e) => e.node);
      setList((l) => (after ? [...l, ...page.filter((p) => !l.some((x) => x.id === p.id))] : page));
    }
  }, [q.data]);
  const info = q.data?.merchantVouchers.pageInfo;
  return (
    <div>
      {q.loading && !q.data && <Loading />}
      <ErrorMessage error={q.error} />
      {q.data && list.length === 0 && <p>{tr('noVouchers')}</p>}
      <ul class="cards">
        {list.map((v) => (
          <li key={v.id} class="card" data-state={v.state}>
            <p><strong>{v.reward?.title ?? '—'}</strong> · {tr('priceCoins', { n: v.price })}</p>
            <p><code>{v.code}</code> · {v.holder?.displayName ?? '—'}</p>
            <p class="meta"><span class="badge">{tr(voucherStateKey(v.state))}</span> {formatDateTime(v.closedAt ?? v.issuedAt)}</p>
          </li>
        ))}
      </ul>
      {info?.hasNextPage && !q.loading && <button type="button" class="secondary" onClick={() => setAfter(info.endCursor ?? undefined)}>{tr('showMore')}</button>}
    </div>
  );
}

export function SettlementsPage({ search }: { search: string }) {
  return <MerchantFrame section="settlements" search={search}>{(shopId) => <Settlements shopId={shopId} />}</MerchantFrame>;
}

function Settlements({ shopId }: { shopId: string }) {
  const tr = useT();
  const q = useQuery(SettlementsDocument, { merchantId: shopId });
  const list = q.data?.settlementStatements ?? [];
  return (
    <div>
      <p>{tr('settlementsIntro')}</p>
      {q.loading && !q.data && <Loading />}
      <ErrorMessage error={q.error} />
      {q.data && list.length === 0 && <p>{tr('noSettlements')}</p>}
      <SettlementTable list={list} caption={tr('settlementsTitle')} />
    </div>
  );
}
