import { useState } from 'preact/hooks';
import { useQuery } from '../api';
import { ImpactStatsDocument } from '../gql/graphql';
import { aggregate, pct, type Bar } from '../impact';
import { formatMonth, formatNumber, useT } from '../i18n';
import { ErrorMessage, Loading, Page, useId } from '../ui';

type Metric = 'hours' | 'needsFilled';

function BarTable({ caption, bars, metric, firstCol }: { caption: string; bars: Bar[]; metric: Metric; firstCol: string }) {
  const tr = useT();
  const max = Math.max(0, ...bars.map((b) => b[metric]));
  return (
    <table class="bars">
      <caption>{caption}</caption>
      <thead>
        <tr><th scope="col">{firstCol}</th><th scope="col">{tr(metric === 'hours' ? 'statHours' : 'statNeedsFilled')}</th><th scope="col"><span class="sr-only">{tr('chart')}</span></th></tr>
      </thead>
      <tbody>
        {bars.map((b) => (
          <tr key={b.key}>
            <th scope="row">{b.label}</th>
            <td class="num">{formatNumber(b[metric], undefined, { maximumFractionDigits: 0 })}{b.suppressed > 0 && <span class="hint"> *</span>}</td>
            <td class="barcell" aria-hidden="true"><span class="bar" style={{ inlineSize: `${pct(b[metric], max)}%` }} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ImpactPage() {
  const tr = useT();
  const [metric, setMetric] = useState<Metric>('hours');
  const byDistrict = useQuery(ImpactStatsDocument, { filter: { groupBy: ['DISTRICT'] } });
  const byTheme = useQuery(ImpactStatsDocument, { filter: { groupBy: ['THEME'] } });
  const id = useId('metric');
  const loading = byDistrict.loading || byTheme.loading;
  const dRows = byDistrict.data?.impactStats.rows ?? [];
  const tRows = byTheme.data?.impactStats.rows ?? [];
  const min = byDistrict.data?.impactStats.minimumGroupSize ?? 5;
  return (
    <Page title={tr('navImpact')}>
      <p>{tr('impactIntro', { n: min })}</p>
      <div class="field narrow">
        <label for={id}>{tr('showFigure')}</label>
        <select id={id} value={metric} onChange={(e) => setMetric((e.target as HTMLSelectElement).value as Metric)}>
          <option value="hours">{tr('statHours')}</option>
          <option value="needsFilled">{tr('statNeedsFilled')}</option>
        </select>
      </div>
      {loading && !byDistrict.data && <Loading />}
      <ErrorMessage error={byDistrict.error ?? byTheme.error} />
      {byDistrict.data && byTheme.data && (
        <>
          <BarTable caption={tr('perDistrict')} firstCol={tr('district')} metric={metric} bars={aggregate(dRows, 'district')} />
          <BarTable caption={tr('perTheme')} firstCol={tr('theme')} metric={metric} bars={aggregate(tRows, 'theme')} />
          <BarTable caption={tr('perMonth')} firstCol={tr('month')} metric={metric} bars={aggregate(dRows, 'month', (m) => formatMonth(m))} />
          <p class="hint">* {tr('suppressedNote', { n: min })}</p>
        </>
      )}
    </Page>
  );
}
