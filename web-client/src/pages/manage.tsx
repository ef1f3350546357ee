import { useEffect, useState } from 'preact/hooks';
import { gql, useQuery } from '../api';
import {
  AcceptApplicationDocument, ApplicationChangedDocument, CandidatesDocument, ConfirmAttendanceDocument, DeclineApplicationDocument,
  ManageNeedDocument, ThankVolunteerDocument, type ApplicantFieldsFragment, type CandidatesQuery,
} from '../gql/graphql';
import { groupByStatus, ordered, upsert } from '../applicants';
import { formatNumber, formatSpan, useT, type Key } from '../i18n';
import { ErrorMessage, Loading, Page, announce, useId } from '../ui';
import { statusKey } from './need';

type App = ApplicantFieldsFragment;

export function ManageNeedPage({ id }: { id: string }) {
  const tr = useT();
  const q = useQuery(ManageNeedDocument, { id });
  const [apps, setApps] = useState<App[]>([]);
  const [live, setLive] = useState(false);
  const [cands, setCands] = useState<CandidatesQuery['candidatesForNeed'] | null>(null);
  const n = q.data?.need;

  useEffect(() => {
    if (n) setApps(ordered(n.applications.edges.map((e) => e.node)));
  }, [q.data]);

  // Live: new and changed applications arrive without a reload.
  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    import('../ws').then(({ subscribe }) => {
      if (cancelled) return;
      stop = subscribe(ApplicationChangedDocument, { needId: id }, (d) => {
        const a = d.applicationChanged;
        setApps((list) => {
          const isNew = !list.some((x) => x.id === a.id);
          announce(isNew ? tr('liveNewApplicant', { name: a.person.displayName }) : tr('liveChanged', { name: a.person.displayName, status: tr(statusKey(a.status)) }));
          return upsert(list, a);
        });
      });
      setLive(true);
    });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [id]);

  if (q.loading && !q.data) return <Loading />;
  if (q.error) return <Page title={tr('errTitle')}><ErrorMessage error={q.error} /></Page>;
  if (!n) return <Page title={tr('notFoundTitle')}><p>{tr('errNotFound')}</p></Page>;

  const act = async (kind: 'accept' | 'decline', a: App) => {
    const d = kind === 'accept'
      ? (await gql(AcceptApplicationDocument, { input: { applicationId: a.id } })).acceptApplication
      : (await gql(DeclineApplicationDocument, { input: { applicationId: a.id } })).declineApplication;
    if (d.userErrors.length) announce(d.userErrors[0].message);
    else {
      announce(tr(kind === 'accept' ? 'acceptedName' : 'declinedName', { name: a.person.displayName }));
      q.reload();
    }
  };
  const confirmShift = async (shiftId: string, count: number) => {
    const d = await gql(ConfirmAttendanceDocument, { input: { shiftId } });
    if (d.confirmAttendance.userErrors.length) announce(d.confirmAttendance.userErrors[0].message);
    else announce(tr('confirmedN', { n: d.confirmAttendance.applications.length || count }));
    q.reload();
  };
  const showCandidates = async () => {
    const d = await gql(CandidatesDocument, { needId: id });
    setCands(d.candidatesForNeed);
    announce(tr('resultsCount', { n: d.candidatesForNeed.length }));
  };

  const now = Date.now();
  const shifts = n.shifts.edges.map((e) => e.node);
  return (
    <Page title={n.title}>
      <p class="meta">
        {n.organisation.name} · <span class="badge">{tr(`needStatus_${n.status}` as Key)}</span> · <a href={`/needs/${encodeURIComponent(n.id)}`}>{tr('viewAsVolunteer')}</a>
      </p>
      <p class="hint" aria-live="polite">{live ? tr('liveOn') : ''}</p>

      {shifts.length > 0 && (
        <section aria-labelledby="sh-h">
          <h2 id="sh-h">{tr('shifts')}</h2>
          <ul class="cards">
            {shifts.map((s) => {
              const accepted = apps.filter((a) => a.shift?.id === s.id && a.status === 'ACCEPTED').length;
              const ended = Date.parse(s.endsAt) <= now;
              return (
                <li key={s.id} class="card">
                  <p><strong>{formatSpan(s.startsAt, s.endsAt)}</strong>{s.status === 'CANCELLED' && ` · ${tr('cancelled')}`}</p>
                  <p>{tr('placesTakenOf', { taken: s.placesTaken, places: s.places })}{s.waitingCount > 0 && ` · ${tr('waitingN', { n: s.waitingCount })}`}</p>
                  {ended && accepted > 0 && (
                    <button type="button" onClick={() => confirmShift(s.id, accepted)}>
                      {tr('confirmWholeShift', { n: accepted })}<span class="sr-only">: {formatSpan(s.startsAt, s.endsAt)}</span>
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      )}

      <section aria-labelledby="ap-h">
        <h2 id="ap-h">{tr('applicants')} ({formatNumber(apps.length)})</h2>
        {apps.length === 0 && <p>{tr('noApplicants')}</p>}
        {groupByStatus(apps).map(([status, list]) => (
          <section key={status} aria-label={tr(statusKey(status))}>
            <h3>{tr(statusKey(status))} ({formatNumber(list.length)})</h3>
            <ul class="cards">
              {list.map((a) => (
                <li key={a.id} class="card applicant" data-status={a.status} data-id={a.id}>
                  <p><strong>{a.person.displayName}</strong>{a.shift && <> · {formatSpan(a.shift.startsAt, a.shift.endsAt)}</>}</p>
                  {a.message && <p class="quote">“{a.message}”</p>}
                  {a.match && (
                    <details class="reasons">
                      <summary>{tr('matchScore', { n: Math.round(a.match.score * 100) })}</summary>
                      {a.match.reasons.length > 0 && <><p>{tr('whyFits')}</p><ul>{a.match.reasons.map((r) => <li key={r.code + r.text}>{r.text}</li>)}</ul></>}
                      {a.match.missing.length > 0 && <><p>{tr('whatMissing')}</p><ul>{a.match.missing.map((r) => <li key={r.code + r.text}>{r.text}</li>)}</ul></>}
                    </details>
                  )}
                  {(a.person.email || a.person.phone) && <p class="meta">{[a.person.email, a.person.phone].filter(Boolean).join(' · ')}</p>}
                  {a.minutesConfirmed != null && <p>{tr('hoursN', { n: formatNumber(a.minutesConfirmed / 60, undefined, { maximumFractionDigits: 1 }) })}</p>}
                  <div class="actions">
                    {(a.status === 'PENDING' || a.status === 'WAITING') && (
                      <>
                        <button type="button" onClick={() => act('accept', a)}>{tr('accept')}<Who app={a} /></button>
                        <button type="button" class="secondary" onClick={() => act('decline', a)}>{tr('decline')}<Who app={a} /></button>
                      </>
                    )}
                  </div>
                  {a.status === 'ACCEPTED' && (!a.shift || Date.parse(a.shift.endsAt) <= now) && (
                    <ConfirmOne app={a} talents={n.talents.map((t) => t.talent)} flexible={!a.shift} onDone={q.reload} />
                  )}
                  {a.status === 'ATTENDED' && <Thank app={a} />}
                </li>
              ))}
            </ul>
          </section>
        ))}
      </section>

      <section aria-labelledby="cand-h">
        <h2 id="cand-h">{tr('candidatesTitle')}</h2>
        <p>{tr('candidatesIntro')}</p>
        <button type="button" class="secondary" onClick={showCandidates}>{tr('showCandidates')}</button>
        {cands && cands.length === 0 && <p>{tr('noResults')}</p>}
        {cands && cands.length > 0 && (
          <ul class="cards">
            {cands.map((c) => (
              <li key={c.profile.id} class="card">
                <p><strong>{c.profile.displayName}</strong> · {tr('matchScore', { n: Math.round(c.score * 100) })}</p>
                {c.reasons.length > 0 && <><p>{tr('whyFits')}</p><ul>{c.reasons.map((r) => <li key={r.code + r.text}>{r.text}</li>)}</ul></>}
                {c.missing.length > 0 && <><p>{tr('whatMissing')}</p><ul>{c.missing.map((r) => <li key={r.code + r.text}>{r.text}</li>)}</ul></>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}

function ConfirmOne({ app, talents, flexible, onDone }: { app: App; talents: { id: string; name: string }[]; flexible: boolean; onDone: () => void }) {
  const tr = useT();
  const [minutes, setMinutes] = useState('120');
  const [endorse, setEndorse] = useState<string[]>([]);
  const minId = useId('min');
  const confirm = async (e: Event) => {
    e.preventDefault();
    const d = await gql(ConfirmAttendanceDocument, {
      input: {
        applicationIds: [app.id],
        minutes: flexible ? Number(minutes) : undefined,
        endorsements: endorse.length ? [{ applicationId: app.id, talentIds: endorse }] : undefined,
      },
    });
    if (d.confirmAttendance.userErrors.length) announce(d.confirmAttendance.userErrors[0].message);
    else {
      announce(tr('confirmedN', { n: 1 }));
      onDone();
    }
  };
  return (
    <form onSubmit={confirm} class="subform" aria-label={`${tr('confirmAttendance')}: ${app.person.displayName}${app.shift ? ` (${formatSpan(app.shift.startsAt, app.shift.endsAt)})` : ''}`}>
      {flexible && (
        <div class="field">
          <label for={minId}>{tr('minutesWorked')}</label>
          <input id={minId} type="number" min={1} value={minutes} onInput={(e) => setMinutes((e.target as HTMLInputElement).value)} />
        </div>
      )}
      {talents.length > 0 && (
        <fieldset>
          <legend>{tr('endorseTalents')}</legend>
          {talents.map((t) => (
            <label class="check" key={t.id}>
              <input type="checkbox" checked={endorse.includes(t.id)} onChange={(e) => setEndorse((e.target as HTMLInputElement).checked ? [...endorse, t.id] : endorse.filter((x) => x !== t.id))} />
              {t.name}
            </label>
          ))}
        </fieldset>
      )}
      <button type="submit">{tr('confirmAttendance')}<Who app={app} /></button>
    </form>
  );
}

/** Screen-reader text naming the volunteer and, as one person can have several
 * applications for a need, the shift: every button on the list has its own name. */
function Who({ app }: { app: App }) {
  return <span class="sr-only">: {app.person.displayName}{app.shift && ` (${formatSpan(app.shift.startsAt, app.shift.endsAt)})`}</span>;
}

function Thank({ app }: { app: App }) {
  const tr = useT();
  const [msg, setMsg] = useState('');
  const [sent, setSent] = useState(false);
  const id = useId('thx');
  if (sent) return <p class="badge">{tr('thanksSent')}</p>;
  const send = async (e: Event) => {
    e.preventDefault();
    const d = await gql(ThankVolunteerDocument, { input: { applicationId: app.id, message: msg } });
    if (d.thankVolunteer.userErrors.length) announce(d.thankVolunteer.userErrors[0].message);
    else {
      setSent(true);
      announce(tr('thanksSent'));
    }
  };
  return (
    <form onSubmit={send} class="subform">
      <div class="field">
        <label for={id}>{tr('thankMessage', { name: app.person.displayName })}{app.shift && <span class="sr-only"> ({formatSpan(app.shift.startsAt, app.shift.endsAt)})</span>}</label>
        <textarea id={id} rows={2} value={msg} onInput={(e) => setMsg((e.target as HTMLTextAreaElement).value)} />
      </div>
      <button type="submit" class="secondary">{tr('sendThanks')}<Who app={app} /></button>
    </form>
  );
}
