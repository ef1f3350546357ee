import { useState } from 'preact/hooks';
import { gql, useQuery } from '../api';
import { CalendarFeedDocument, MyApplicationsDocument, RecommendedNeedsDocument, WithdrawApplicationDocument, YearOverviewDocument } from '../gql/graphql';
import { formatNumber, formatSpan, useT } from '../i18n';
import { NeedCardView } from '../needcard';
import { ErrorMessage, Loading, Page, announce, useId } from '../ui';
import { statusKey } from './need';

const ACTIVE = ['PENDING', 'ACCEPTED', 'WAITING'];

export function MyShiftsPage() {
  const tr = useT();
  const q = useQuery(MyApplicationsDocument, { first: 50 });
  const [feed, setFeed] = useState<string | null>(null);
  const apps = q.data?.myApplications.edges.map((e) => e.node) ?? [];
  const now = Date.now();
  const upcoming = apps.filter((a) => ACTIVE.includes(a.status) && (!a.shift || Date.parse(a.shift.endsAt) > now));
  const past = apps.filter((a) => !upcoming.includes(a));

  const withdraw = async (id: string, title: string) => {
    if (!confirm(tr('withdrawConfirm', { title }))) return;
    const d = await gql(WithdrawApplicationDocument, { input: { applicationId: id } });
    if (d.withdrawApplication.userErrors.length) announce(d.withdrawApplication.userErrors[0].message);
    else announce(tr('withdrawn'));
    q.reload();
  };
  const getFeed = async () => {
    const d = await gql(CalendarFeedDocument, {});
    setFeed(d.calendarFeed.url ?? null);
    announce(tr('calendarReady'));
  };

  const row = (a: (typeof apps)[number], canWithdraw: boolean) => (
    <li key={a.id} class="card">
      <h3><a href={`/needs/${encodeURIComponent(a.need.id)}`}>{a.need.title}</a></h3>
      <p class="meta">{a.need.organisation.name}</p>
      <p>{a.shift ? formatSpan(a.shift.startsAt, a.shift.endsAt) : tr('scheduleFlexible')}</p>
      <p class="badge">{tr(statusKey(a.status))}{a.status === 'WAITING' && a.waitingPosition ? ` (${tr('waitingPosition', { n: a.waitingPosition })})` : ''}
        {a.minutesConfirmed != null && ` · ${tr('hoursN', { n: formatNumber(a.minutesConfirmed / 60, undefined, { maximumFractionDigits: 1 }) })}`}</p>
      {canWithdraw && (
        <button type="button" class="secondary" onClick={() => withdraw(a.id, a.need.title)}>
          {tr('withdraw')}<span class="sr-only">: {a.need.title}</span>
        </button>
      )}
    </li>
  );

  return (
    <Page title={tr('navMyShifts')}>
      <p>{tr('withdrawNoProblem')}</p>
      <section aria-labelledby="cal-h" class="card">
        <h2 id="cal-h">{tr('calendarTitle')}</h2>
        <p>{tr('calendarIntro')}</p>
        {feed ? (
          <p><a href={feed} data-native>{tr('calendarLink')}</a><br /><code class="wrap">{feed}</code></p>
        ) : (
          <button type="button" class="secondary" onClick={getFeed}>{tr('calendarGet')}</button>
        )}
      </section>
      {q.loading && !q.data && <Loading />}
      <ErrorMessage error={q.error} />
      <section aria-labelledby="up-h">
        <h2 id="up-h">{tr('upcoming')}</h2>
        {q.data && upcoming.length === 0 && <p>{tr('noUpcoming')} <a href="/">{tr('navSearch')}</a></p>}
        <ul class="cards">{upcoming.map((a) => row(a, true))}</ul>
      </section>
      {past.length > 0 && (
        <section aria-labelledby="past-h">
          <h2 id="past-h">{tr('pastAndClosed')}</h2>
          <ul class="cards">{past.map((a) => row(a, false))}</ul>
        </section>
      )}
    </Page>
  );
}

export function RecommendationsPage() {
  const tr = useT();
  const q = useQuery(RecommendedNeedsDocument, { first: 10 });
  return (
    <Page title={tr('navForYou')}>
      <p>{tr('forYouIntro')} <a href="/me/profile">{tr('navProfile')}</a></p>
      {q.loading && !q.data && <Loading />}
      <ErrorMessage error={q.error} />
      {q.data && q.data.recommendedNeeds.length === 0 && <p>{tr('forYouEmpty')}</p>}
      <ul class="cards">
        {q.data?.recommendedNeeds.map((m) => (
          <li key={m.need.id}>
            <NeedCardView need={m.need}>
              <div class="reasons">
                <p><strong>{tr('matchScore', { n: Math.round(m.score * 100) })}</strong></p>
                {m.reasons.length > 0 && <><p>{tr('whyFits')}</p><ul>{m.reasons.map((r) => <li key={r.code + r.text}>{r.text}</li>)}</ul></>}
                {m.missing.length > 0 && <><p>{tr('whatMissing')}</p><ul>{m.missing.map((r) => <li key={r.code + r.text}>{r.text}</li>)}</ul></>}
              </div>
            </NeedCardView>
          </li>
        ))}
      </ul>
    </Page>
  );
}

export function YearPage() {
  const tr = useT();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const q = useQuery(YearOverviewDocument, { year });
  const id = useId('year');
  const y = q.data?.me?.yearOverview;
  return (
    <Page title={tr('navYear')}>
      <div class="field narrow">
        <label for={id}>{tr('year')}</label>
        <select id={id} value={String(year)} onChange={(e) => setYear(Number((e.target as HTMLSelectElement).value))}>
          {[thisYear, thisYear - 1, thisYear - 2].map((x) => <option key={x} value={String(x)}>{x}</option>)}
        </select>
      </div>
      {q.loading && !q.data && <Loading />}
      <ErrorMessage error={q.error} />
      {y && (
        <>
          <ul class="stats" aria-live="polite">
            <li><span class="big">{formatNumber(y.hours, undefined, { maximumFractionDigits: 1 })}</span> {tr('statHours')}</li>
            <li><span class="big">{formatNumber(y.shifts)}</span> {tr('statShifts')}</li>
            <li><span class="big">{formatNumber(y.organisations.length)}</span> {tr('statOrganisations')}</li>
            <li><span class="big">{formatNumber(y.thanks)}</span> {tr('statThanks')}</li>
          </ul>
          {y.organisations.length > 0 && <><h2>{tr('organisationsHelped')}</h2><ul>{y.organisations.map((o) => <li key={o.id}>{o.name}</li>)}</ul></>}
          {y.themes.length > 0 && <><h2>{tr('theme')}</h2><ul>{y.themes.map((o) => <li key={o.id}>{o.name}</li>)}</ul></>}
          {y.minutes === 0 && <p>{tr('yearEmpty')}</p>}
          <p><button type="button" class="secondary" onClick={() => print()}>{tr('print')}</button></p>
        </>
      )}
    </Page>
  );
}
