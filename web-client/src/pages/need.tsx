import { useState } from 'preact/hooks';
import { gql, useQuery, type ApiError } from '../api';
import { ApplyToNeedDocument, NeedDetailDocument } from '../gql/graphql';
import { formatSpan, useT, type Key } from '../i18n';
import { accessKey } from '../needcard';
import { useStore } from '../store';
import { session } from '../session';
import { Chips, ErrorMessage, Loading, Page, announce, useId } from '../ui';

export const statusKey = (s: string) => `status_${s}` as Key;

export function NeedPage({ id }: { id: string }) {
  const tr = useT();
  const { me } = useStore(session);
  const q = useQuery(NeedDetailDocument, { id });
  const [msg, setMsg] = useState('');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const msgId = useId('msg');
  if (q.loading && !q.data) return <Loading />;
  if (q.error) return <Page title={tr('errTitle')}><ErrorMessage error={q.error} /></Page>;
  const n = q.data?.need;
  if (!n) return <Page title={tr('notFoundTitle')}><p>{tr('errNotFound')}</p></Page>;
  const shifts = n.shifts.edges.map((e) => e.node).filter((s) => s.status === 'SCHEDULED');
  const mine = new Map(n.viewerApplications.filter((a) => !['WITHDRAWN', 'DECLINED', 'CANCELLED'].includes(a.status)).map((a) => [a.shift?.id ?? 'flex', a]));
  const manage = n.organisation.viewerRole != null;

  const apply = async (shiftId?: string) => {
    setBusy(true);
    setErr('');
    try {
      const d = await gql(ApplyToNeedDocument, { input: { needId: n.id, shiftId, message: msg || undefined } });
      if (d.applyToNeed.userErrors.length) setErr(d.applyToNeed.userErrors.map((e) => e.message).join(' '));
      else {
        const a = d.applyToNeed.application!;
        announce(a.status === 'WAITING' ? tr('appliedWaiting', { n: a.waitingPosition ?? 1 }) : a.status === 'ACCEPTED' ? tr('appliedAccepted') : tr('appliedPending'));
        q.reload();
      }
    } catch (e) {
      setErr((e as ApiError).message || tr('errGeneric'));
    } finally {
      setBusy(false);
    }
  };

  const applyButton = (shiftId: string | undefined, label: string) => {
    const a = mine.get(shiftId ?? 'flex');
    if (a) return <p class="badge">{tr(statusKey(a.status))}{a.status === 'WAITING' && a.waitingPosition ? ` (${tr('waitingPosition', { n: a.waitingPosition })})` : ''}</p>;
    if (!me) return <a class="button" href={`/login?next=${encodeURIComponent(`/needs/${n.id}`)}`}>{tr('signInToApply')}</a>;
    return <button type="button" disabled={busy} onClick={() => apply(shiftId)} aria-label={label}>{tr('apply')}</button>;
  };

  return (
    <Page title={n.title}>
      <p class="meta">
        <a href={`/org/${encodeURIComponent(n.organisation.id)}`}>{n.organisation.name}</a>
        {n.district && <> · {n.district.name}</>}
        {n.remote && <> · {tr('remote')}</>}
      </p>
      {manage && <p><a class="button secondary" href={`/manage/needs/${encodeURIComponent(n.id)}`}>{tr('manageApplicants')}</a></p>}
      <p class="description">{n.description}</p>
      <dl class="facts">
        {n.address && <><dt>{tr('address')}</dt><dd>{n.address.street}, {n.address.postcode} {n.address.city}</dd></>}
        {n.themes.length > 0 && <><dt>{tr('theme')}</dt><dd><Chips items={n.themes} /></dd></>}
        {n.talents.length > 0 && <><dt>{tr('talentsAsked')}</dt><dd><ul class="plain">{n.talents.map((t) => (
          <li key={t.talent.id}>{t.talent.name} — {t.required ? tr('required') : tr('welcome')}, {tr('levelN', { n: t.minLevel })}</li>))}</ul></dd></>}
        {n.languages.length > 0 && <><dt>{tr('languageSpoken')}</dt><dd>{n.languages.map((l) => l.name).join(', ')}</dd></>}
        {n.accessibility.length > 0 && <><dt>{tr('accessibility')}</dt><dd>{n.accessibility.map((a) => tr(accessKey(a))).join(', ')}</dd></>}
        {n.minimumAge != null && <><dt>{tr('minimumAge')}</dt><dd>{tr('yearsN', { n: n.minimumAge })}</dd></>}
        <dt>{tr('acceptance')}</dt><dd>{n.autoAccept ? tr('autoAcceptYes') : tr('autoAcceptNo')}</dd>
      </dl>

      {me && (
        <div class="field">
          <label for={msgId}>{tr('messageToOrg')}</label>
          <textarea id={msgId} rows={2} value={msg} onInput={(e) => setMsg((e.target as HTMLTextAreaElement).value)} />
        </div>
      )}
      {err && <p role="alert" class="error">{err}</p>}

      <section aria-labelledby="shifts-h">
        <h2 id="shifts-h">{n.schedule === 'FLEXIBLE' ? tr('whenFlexible') : tr('shifts')}</h2>
        {n.schedule === 'FLEXIBLE' ? (
          <div class="card">
            <p>{tr('scheduleFlexible')} · <strong>{n.placesLeft == null ? tr('placesNoLimit') : tr('placesLeft', { n: n.placesLeft })}</strong></p>
            {applyButton(undefined, `${tr('apply')}: ${n.title}`)}
          </div>
        ) : shifts.length === 0 ? (
          <p>{tr('noUpcomingShift')}</p>
        ) : (
          <ul class="cards">
            {shifts.map((s) => (
              <li key={s.id} class="card shift">
                <p><strong>{formatSpan(s.startsAt, s.endsAt)}</strong></p>
                <p>{s.placesLeft > 0 ? tr('placesLeft', { n: s.placesLeft }) : tr('shiftFull', { n: s.waitingCount })}</p>
                {applyButton(s.id, `${tr('apply')}: ${formatSpan(s.startsAt, s.endsAt)}`)}
              </li>
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}
