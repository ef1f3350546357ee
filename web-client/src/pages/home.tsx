import { useEffect, useRef, useState } from 'preact/hooks';
import { gql, useQuery, type ApiError } from '../api';
import {
  ReferenceDocument, SearchNeedsDocument, TalentSearchDocument, type NeedCardFragment, type SearchNeedsQuery,
} from '../gql/graphql';
import { ACCESS_FACTS, formFromQuery, needFilterFromForm, orderFor, queryFromForm, roundCoord, type SearchForm } from '../filters';
import { useT, type Key } from '../i18n';
import { NeedCardView, accessKey } from '../needcard';
import { navigate } from '../router';
import { useStore } from '../store';
import { hasRole, isMerchant, session } from '../session';
import { ErrorMessage, Loading, Page, announce, useId } from '../ui';

const PAGE = 20;

function MultiSelect({ label, options, value, onChange }: {
  label: string; options: { id: string; name: string }[]; value: string[]; onChange: (v: string[]) => void;
}) {
  const id = useId('ms');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value[0] ?? ''} onChange={(e) => {
        const v = (e.target as HTMLSelectElement).value;
        onChange(v ? [v] : []);
      }}>
        <option value="">—</option>
        {options.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
      </select>
    </div>
  );
}

export function HomePage({ search }: { search: string }) {
  const tr = useT();
  const { me } = useStore(session);
  const ref = useQuery(ReferenceDocument, {});
  const [form, setForm] = useState<SearchForm>(() => formFromQuery(search));
  const [talents, setTalents] = useState<{ id: string; name: string }[]>([]);
  const [geoMsg, setGeoMsg] = useState('');
  const applied = formFromQuery(search);
  const [results, setResults] = useState<NeedCardFragment[]>([]);
  const [pageInfo, setPageInfo] = useState<SearchNeedsQuery['needs']['pageInfo'] | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const textId = useId('q');

  // The form follows the URL when the URL changes (back button, a link) — compared with the
  // search the form was last filled from, not in an effect: an effect runs a frame after the
  // first render and would wipe text typed in that frame.
  const formFor = useRef(search);
  if (formFor.current !== search) {
    formFor.current = search;
    setForm(formFromQuery(search));
  }

  // Only the answer to the latest search is shown: an older, slower answer (say, the unfiltered
  // list the page loads when it opens) arriving after a newer one is dropped.
  const latest = useRef(0);
  const run = async (after?: string) => {
    const mine = ++latest.current;
    setLoading(true);
    setError(null);
    try {
      const d = await gql(SearchNeedsDocument, { filter: needFilterFromForm(applied), first: PAGE, after, orderBy: orderFor(applied) });
      if (mine !== latest.current) return;
      const nodes = d.needs.edges.map((e) => e.node);
      setResults((r) => (after ? [...r, ...nodes] : nodes));
      setPageInfo(d.needs.pageInfo);
      setTotal(d.needs.totalCount);
      announce(tr('resultsCount', { n: d.needs.totalCount }));
    } catch (e) {
      if (mine === latest.current) setError(e as ApiError);
    } finally {
      if (mine === latest.current) setLoading(false);
    }
  };
  useEffect(() => {
    run();
  }, [search, tr('language')]);

  const loadTalents = () => {
    if (talents.length) return;
    gql(TalentSearchDocument, { first: 100 }).then((d) => setTalents(d.talents.edges.map((e) => e.node)), () => {});
  };

  const submit = (e: Event) => {
    e.preventDefault();
    navigate(`/${queryFromForm(form)}`);
  };
  const set = <K extends keyof SearchForm>(k: K, v: SearchForm[K]) => setForm((f) => ({ ...f, [k]: v }));

  const nearMe = () => {
    if (!navigator.geolocation) {
      setGeoMsg(tr('geoUnavailable'));
      return;
    }
    setGeoMsg(tr('geoAsking'));
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setGeoMsg('');
        const f = { ...form, near: { lat: roundCoord(pos.coords.latitude), lon: roundCoord(pos.coords.longitude), radiusKm: form.near?.radiusKm ?? 3 }, order: 'DISTANCE' as const };
        navigate(`/${queryFromForm(f)}`);
      },
      () => setGeoMsg(tr('geoDenied')),
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 },
    );
  };

  const r = ref.data;
  return (
    <Page title={tr('homeTitle')}>
      <p class="lead">{tr('homeIntro')}</p>
      {!me && (
        <p>
          <a class="button secondary" href="/register">{tr('register')}</a> <a href="/login">{tr('signIn')}</a>
        </p>
      )}
      {me && (
        <nav aria-label={tr('quickLinks')}>
          <ul class="quick">
            {isMerchant(me) && <li><a class="button" href="/merchant">{tr('acceptVoucherTitle')}</a></li>}
            <li><a class="button secondary" href="/wallet">{tr('navWallet')}</a></li>
            <li><a class="button secondary" href="/rewards">{tr('navRewards')}</a></li>
            {hasRole(me, 'ADMINISTRATOR') && <li><a class="button secondary" href="/admin/coins">{tr('coinPolicy')}</a></li>}
          </ul>
        </nav>
      )}
      <form role="search" aria-label={tr('searchNeeds')} onSubmit={submit} class="search">
        <div class="field">
          <label for={textId}>{tr('searchWhat')}</label>
          <input id={textId} type="search" name="q" value={form.text} placeholder={tr('searchPlaceholder')}
            onInput={(e) => set('text', (e.target as HTMLInputElement).value)} />
        </div>
        {r && (
          <div class="grid">
            <MultiSelect label={tr('district')} options={r.districts} value={form.districtIds} onChange={(v) => set('districtIds', v)} />
            <MultiSelect label={tr('theme')} options={r.themes} value={form.themeIds} onChange={(v) => set('themeIds', v)} />
          </div>
        )}
        <details onToggle={(e) => (e.target as HTMLDetailsElement).open && loadTalents()} open={applied.talentIds.length + applied.languages.length + applied.access.length > 0 || !!applied.from || !!applied.to}>
          <summary>{tr('moreFilters')}</summary>
          <div class="grid">
            {r && (
              <MultiSelect label={tr('languageSpoken')} options={r.languages.map((l) => ({ id: l.code, name: l.name }))}
                value={form.languages} onChange={(v) => set('languages', v)} />
            )}
            <MultiSelect label={tr('talent')} options={talents.length ? talents : form.talentIds.map((id) => ({ id, name: tr('talent') }))}
              value={form.talentIds} onChange={(v) => set('talentIds', v)} />
            <DateField label={tr('fromDate')} value={form.from} onChange={(v) => set('from', v)} />
            <DateField label={tr('toDate')} value={form.to} onChange={(v) => set('to', v)} />
          </div>
          <fieldset>
            <legend>{tr('accessibility')}</legend>
            {ACCESS_FACTS.map((a) => (
              <label class="check" key={a}>
                <input type="checkbox" checked={form.access.includes(a)}
                  onChange={(e) => set('access', (e.target as HTMLInputElement).checked ? [...form.access, a] : form.access.filter((x) => x !== a))} />
                {tr(accessKey(a))}
              </label>
            ))}
            <label class="check">
              <input type="checkbox" checked={form.placesLeft} onChange={(e) => set('placesLeft', (e.target as HTMLInputElement).checked)} />
              {tr('onlyPlacesLeft')}
            </label>
          </fieldset>
        </details>
        <div class="actions">
          <button type="submit">{tr('search')}</button>
          <button type="button" class="secondary" onClick={nearMe}>{tr('nearMe')}</button>
          {search && <a href="/">{tr('clearFilters')}</a>}
        </div>
        {geoMsg && <p role="status" class="hint">{geoMsg}</p>}
        {applied.near && (
          <p class="hint">
            {tr('nearActive', { km: applied.near.radiusKm })}{' '}
            <a href={`/${queryFromForm({ ...applied, near: null, order: '' })}`}>{tr('nearStop')}</a>
          </p>
        )}
      </form>

      <section aria-labelledby="results-h" aria-busy={loading}>
        <h2 id="results-h">{total == null ? tr('results') : tr('resultsCount', { n: total })}</h2>
        <ErrorMessage error={error} />
        {!loading && !error && results.length === 0 && <p>{tr('noResults')}</p>}
        <ul class="cards">
          {results.map((n) => <li key={n.id}><NeedCardView need={n} /></li>)}
        </ul>
        {loading && <Loading />}
        {pageInfo?.hasNextPage && !loading && (
          <button type="button" class="secondary" onClick={() => run(pageInfo.endCursor ?? undefined)}>{tr('showMore')}</button>
        )}
      </section>
    </Page>
  );
}

function DateField({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  const id = useId('d');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} type="date" value={value} onInput={(e) => onChange((e.target as HTMLInputElement).value)} />
    </div>
  );
}

export type { Key };
