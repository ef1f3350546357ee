import type { NeedCardFragment } from './gql/graphql';
import { formatDateTime, formatNumber, useT, type Key } from './i18n';

export const accessKey = (a: string) => `access_${a}` as Key;

export function NeedCardView({ need, children }: { need: NeedCardFragment; children?: preact.ComponentChildren }) {
  const tr = useT();
  return (
    <article class="card need-card">
      <h3>
        <a href={`/needs/${encodeURIComponent(need.id)}`}>{need.title}</a>
      </h3>
      <p class="meta">
        {need.organisation.name}
        {need.district && <> · {need.district.name}</>}
        {need.remote && <> · {tr('remote')}</>}
        {need.distanceKm != null && <> · {tr('kmAway', { km: formatNumber(need.distanceKm, undefined, { maximumFractionDigits: 1 }) })}</>}
      </p>
      <p>
        {need.schedule === 'FLEXIBLE' ? tr('scheduleFlexible')
          : need.nextShiftStartsAt ? tr('nextShift', { when: formatDateTime(need.nextShiftStartsAt) }) : tr('noUpcomingShift')}
        {' · '}
        <strong>{need.placesLeft == null ? tr('placesNoLimit') : tr('placesLeft', { n: need.placesLeft })}</strong>
      </p>
      {(need.themes.length > 0 || need.accessibility.length > 0) && (
        <ul class="chips">
          {need.themes.map((th) => <li key={th.id}>{th.name}</li>)}
          {need.accessibility.map((a) => <li key={a} class="chip-access">{tr(accessKey(a))}</li>)}
        </ul>
      )}
      {children}
    </article>
  );
}
