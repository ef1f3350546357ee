// "My vouchers" and one voucher: the code in very large spaced characters and the QR code, big
// enough to show at a counter; printable (just the voucher, black on white); cancellable.
import { useState } from 'preact/hooks';
import { gql, useQuery, type ApiError } from '../../api';
import { CancelVoucherDocument, MyVouchersDocument, VoucherDocument, type VoucherFieldsFragment } from '../../gql/graphql';
import { codeGroups, qrPath } from '../../coins';
import { formatDate, useT, type Key } from '../../i18n';
import { ErrorMessage, Loading, Page, announce } from '../../ui';

export const voucherStateKey = (s: string) => `voucherState_${s}` as Key;

/** The code, each character in its own box, groups apart; read out as separate characters. */
export function VoucherCode({ code }: { code: string }) {
  const groups = codeGroups(code);
  return (
    <p class="voucher-code">
      <span class="sr-only">{groups.map((g) => g.split('').join(' ')).join(', ')}</span>
      {groups.map((g, i) => (
        <span key={i} class="code-group" aria-hidden="true">{g}</span>
      ))}
    </p>
  );
}

export function MyVouchersPage() {
  const tr = useT();
  const q = useQuery(MyVouchersDocument, { first: 50 });
  const list = q.data?.myVouchers.edges.map((e) => e.node) ?? [];
  const open = list.filter((v) => v.state === 'ISSUED');
  const closed = list.filter((v) => v.state !== 'ISSUED');
  const item = (v: VoucherFieldsFragment) => (
    <li key={v.id} class="card" data-state={v.state}>
      <h3><a href={`/me/vouchers/${encodeURIComponent(v.code)}`}>{v.reward?.title ?? v.code}</a></h3>
      <p class="meta">{v.merchant.name} · {tr('priceCoins', { n: v.price })}</p>
      <p><span class="badge">{tr(voucherStateKey(v.state))}</span>{' '}
        {v.state === 'ISSUED' ? tr('validUntilDate', { date: formatDate(v.validUntil) }) : v.closedAt ? formatDate(v.closedAt) : ''}</p>
    </li>
  );
  return (
    <Page title={tr('myVouchers')}>
      <p>{tr('myVouchersIntro')}</p>
      <p><a href="/rewards">{tr('navRewards')}</a> · <a href="/wallet">{tr('navWallet')}</a></p>
      {q.loading && !q.data && <Loading />}
      <ErrorMessage error={q.error} />
      {q.data && list.length === 0 && <p>{tr('noVouchers')}</p>}
      {open.length > 0 && (
        <section aria-labelledby="vo-h">
          <h2 id="vo-h">{tr('vouchersToUse')}</h2>
          <ul class="cards">{open.map(item)}</ul>
        </section>
      )}
      {closed.length > 0 && (
        <section aria-labelledby="vc-h">
          <h2 id="vc-h">{tr('vouchersUsed')}</h2>
          <ul class="cards">{closed.map(item)}</ul>
        </section>
      )}
    </Page>
  );
}

export function VoucherPage({ code }: { code: string }) {
  const tr = useT();
  const q = useQuery(VoucherDocument, { code });
  const [override, setOverride] = useState<VoucherFieldsFragment | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [problem, setProblem] = useState('');
  if (q.loading && !q.data) return <Page title={tr('voucherTitle')}><Loading /></Page>;
  const v = override ?? q.data?.voucher;
  if (q.error || !v) return <Page title={tr('notFoundTitle')}>{q.error ? <ErrorMessage error={q.error} /> : <p>{tr('errNotFound')}</p>}</Page>;

  const cancel = async () => {
    if (!confirm(tr('cancelVoucherConfirm', { n: v.price }))) return;
    setBusy(true);
    setFailure(null);
    try {
      const d = await gql(CancelVoucherDocument, { input: { voucher: v.code } });
      if (d.cancelVoucher.userErrors.length || !d.cancelVoucher.voucher) setProblem(d.cancelVoucher.userErrors.map((e) => e.message).join(' '));
      else {
        setOverride(d.cancelVoucher.voucher);
        announce(tr('voucherCancelled', { n: v.price }));
      }
    } catch (e) {
      setFailure(e as ApiError); // cancelling twice is harmless: try again
    } finally {
      setBusy(false);
    }
  };
  const title = v.reward?.title ?? tr('voucherTitle');
  const a = v.merchant.address;
  return (
    <Page title={title}>
      <div class="voucher" data-state={v.state}>
        <p class="voucher-merchant">{v.merchant.name}</p>
        <p class="voucher-title" aria-hidden="true">{title}</p>
        <p class="voucher-label">{tr('voucherCodeLabel')}</p>
        <VoucherCode code={v.code} />
        <img class="voucher-qr" src={qrPath(v.qrCodeUrl, 512)} width={288} height={288} alt={tr('qrAlt', { code: v.code })} />
        <dl class="facts">
          <dt>{tr('voucherStatus')}</dt><dd><strong class="badge">{tr(voucherStateKey(v.state))}</strong></dd>
          <dt>{tr('validUntil')}</dt><dd>{formatDate(v.validUntil)}</dd>
          <dt>{tr('price')}</dt><dd>{tr('priceCoins', { n: v.price })}</dd>
          {a && <><dt>{tr('address')}</dt><dd>{[a.street, `${a.postcode ?? ''} ${a.city ?? ''}`.trim()].filter(Boolean).join(', ')}</dd></>}
        </dl>
      </div>
      <p class="no-print">{v.state === 'ISSUED' ? tr('voucherShowHow') : ''}</p>
      {problem && <p class="error" role="alert">{problem}</p>}
      <ErrorMessage error={failure} />
      <div class="actions no-print">
        <button type="button" onClick={() => window.print()}>{tr('print')}</button>
        {v.state === 'ISSUED' && (
          <button type="button" class="secondary" onClick={cancel} disabled={busy}>{busy ? tr('loading') : tr('cancelVoucher')}</button>
        )}
      </div>
      {v.state === 'CANCELLED' && <p role="status">{tr('coinsBack', { n: v.price })}</p>}
      <p class="no-print"><a href="/me/vouchers">{tr('myVouchers')}</a> · <a href="/wallet">{tr('navWallet')}</a></p>
    </Page>
  );
}
