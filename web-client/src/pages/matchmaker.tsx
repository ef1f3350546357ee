import { useState } from 'preact/hooks';
import { fieldErrors, gql, setOnBehalf, useQuery } from '../api';
import {
  ActOnBehalfConsentDocument, MyConsentsDocument, ProposeCandidateDocument, ReferenceDocument, SearchNeedsDocument, TalentBankDocument,
  type TalentBankQuery, type TalentProfileFilter,
} from '../gql/graphql';
import { addDays, brusselsDateTime } from '../filters';
import { formatDate, useT, type Key } from '../i18n';
import { brusselsToday } from '../needform';
import { navigate } from '../router';
import { Field, Page, announce, useId } from '../ui';

type Profile = TalentBankQuery['talentProfiles']['edges'][number]['node'];

export function MatchmakerPage() {
  const tr = useT();
  const ref = useQuery(ReferenceDocument, {});
  const consents = useQuery(MyConsentsDocument, {}, false);
  const [filter, setFilter] = useState<{ language: string; district: string; verified: boolean }>({ language: '', district: '', verified: false });
  const [results, setResults] = useState<Profile[] | null>(null);
  const [selected, setSelected] = useState<Profile | null>(null);
  const langId = useId('l'), distId = useId('d');

  const search = async (e: Event) => {
    e.preventDefault();
    const f: TalentProfileFilter = {};
    if (filter.language) f.languages = [filter.language];
    if (filter.district) f.districtIds = [filter.district];
    if (filter.verified) f.verifiedOnly = true;
    const d = await gql(TalentBankDocument, { filter: f, first: 20 });
    setResults(d.talentProfiles.edges.map((x) => x.node));
    setSelected(null);
    announce(tr('resultsCount', { n: d.talentProfiles.totalCount }));
  };

  return (
    <Page title={tr('navMatchmaker')}>
      <p>{tr('matchmakerIntro')}</p>
      {consents.data?.me && consents.data.me.onBehalfConsents.filter((c) => c.active).length > 0 && (
        <section aria-labelledby="cons-h" class="card">
          <h2 id="cons-h">{tr('consentsGiven')}</h2>
          <ul class="plain">
            {consents.data.me.onBehalfConsents.filter((c) => c.active).map((c) => (
              <li key={c.id} class="row">
                <span>{tr('consentFrom', { name: c.person.displayName, until: formatDate(c.endsAt) })}</span>
                <button type="button" onClick={() => { setOnBehalf({ id: c.person.id, name: c.person.displayName }); announce(tr('onBehalfActive', { name: c.person.displayName })); navigate('/'); }}>
                  {tr('actFor', { name: c.person.displayName })}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <form onSubmit={search} class="card" aria-labelledby="tb-h">
        <h2 id="tb-h">{tr('talentBankSearch')}</h2>
        <div class="grid">
          <div class="field">
            <label for={langId}>{tr('languageSpoken')}</label>
            <select id={langId} value={filter.language} onChange={(e) => setFilter({ ...filter, language: (e.target as HTMLSelectElement).value })}>
              <option value="">—</option>
              {ref.data?.languages.map((l) => <option key={l.code} value={l.code}>{l.name}</option>)}
            </select>
          </div>
          <div class="field">
            <label for={distId}>{tr('district')}</label>
            <select id={distId} value={filter.district} onChange={(e) => setFilter({ ...filter, district: (e.target as HTMLSelectElement).value })}>
              <option value="">—</option>
              {ref.data?.districts.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
            </select>
          </div>
        </div>
        <label class="check"><input type="checkbox" checked={filter.verified} onChange={(e) => setFilter({ ...filter, verified: (e.target as HTMLInputElement).checked })} />{tr('verifiedOnly')}</label>
        <button type="submit">{tr('search')}</button>
      </form>
      {results && (
        <section aria-labelledby="res-h">
          <h2 id="res-h">{tr('resultsCount', { n: results.length })}</h2>
          <ul class="cards">
            {results.map((p) => (
              <li key={p.id} class="card">
                <h3>{p.displayName}</h3>
                {p.about && <p>{p.about}</p>}
                {p.talents.length > 0 && <p>{p.talents.map((t) => `${t.talent.name} (${tr(`level_${t.level}` as Key)}${t.verified ? `, ${tr('verified')}` : ''})`).join(', ')}</p>}
                {p.languages.length > 0 && <p class="meta">{p.languages.map((l) => `${l.language.name} ${l.level === 'NATIVE' ? tr('nativeLevel') : l.level}`).join(', ')}</p>}
                <button type="button" class="secondary" aria-expanded={selected?.id === p.id} onClick={() => setSelected(selected?.id === p.id ? null : p)}>
                  {tr('helpThisPerson')}<span class="sr-only">: {p.displayName}</span>
                </button>
                {selected?.id === p.id && <PersonActions profile={p} onConsent={consents.reload} />}
              </li>
            ))}
          </ul>
        </section>
      )}
    </Page>
  );
}

function PersonActions({ profile, onConsent }: { profile: Profile; onConsent: () => void }) {
  const tr = useT();
  const personId = profile.personId;
  const [needText, setNeedText] = useState('');
  const [needs, setNeeds] = useState<{ id: string; title: string }[]>([]);
  const [needId, setNeedId] = useState('');
  const [message, setMessage] = useState('');
  const [until, setUntil] = useState(addDays(brusselsToday(), 90));
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const nq = useId('nq'), ns = useId('ns'), msg = useId('msg');

  const findNeeds = async () => {
    const d = await gql(SearchNeedsDocument, { filter: { text: needText || undefined, hasPlacesLeft: true }, first: 20 });
    const list = d.needs.edges.map((e) => ({ id: e.node.id, title: e.node.title }));
    setNeeds(list);
    setNeedId(list[0]?.id ?? '');
    announce(tr('resultsCount', { n: list.length }));
  };
  const propose = async (e: Event) => {
    e.preventDefault();
    const d = await gql(ProposeCandidateDocument, { input: { needId, personId, message: message || undefined } });
    if (d.proposeCandidate.userErrors.length) setErrors(fieldErrors(d.proposeCandidate.userErrors));
    else announce(tr('proposalSent', { name: profile.displayName }));
  };
  const consent = async (e: Event) => {
    e.preventDefault();
    if (!until) return;
    const d = await gql(ActOnBehalfConsentDocument, { input: { personId, until: brusselsDateTime(until, '23:59'), note: note || undefined } });
    if (d.actOnBehalfConsent.userErrors.length) setErrors(fieldErrors(d.actOnBehalfConsent.userErrors));
    else {
      announce(tr('consentRecorded', { name: profile.displayName }));
      onConsent();
    }
  };
  return (
    <div class="subform">
      <form onSubmit={propose} aria-label={tr('proposeTitle')}>
        <h4>{tr('proposeTitle')}</h4>
        <div class="inline-form">
          <div class="field">
            <label for={nq}>{tr('findNeed')}</label>
            <input id={nq} value={needText} onInput={(e) => setNeedText((e.target as HTMLInputElement).value)} />
          </div>
          <button type="button" class="secondary" onClick={findNeeds}>{tr('search')}</button>
        </div>
        {needs.length > 0 && (
          <>
            <div class="field">
              <label for={ns}>{tr('need')}</label>
              <select id={ns} value={needId} onChange={(e) => setNeedId((e.target as HTMLSelectElement).value)}>
                {needs.map((n) => <option key={n.id} value={n.id}>{n.title}</option>)}
              </select>
            </div>
            <div class="field">
              <label for={msg}>{tr('messageToPerson')}</label>
              <textarea id={msg} rows={2} value={message} onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} />
            </div>
            {errors.needId && <p class="error" role="alert">{errors.needId}</p>}
            {errors.personId && <p class="error" role="alert">{errors.personId}</p>}
            <button type="submit">{tr('propose')}</button>
          </>
        )}
      </form>
      <form onSubmit={consent} aria-label={tr('consentTitle')}>
        <h4>{tr('consentTitle')}</h4>
        <p class="hint">{tr('consentIntro')}</p>
        <Field label={tr('consentUntil')} error={errors.until}>
          {({ id, describedBy, invalid }) => <input id={id} type="date" value={until} aria-describedby={describedBy} aria-invalid={invalid} onInput={(e) => setUntil((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field label={tr('consentNote')} error={errors.note}>
          {({ id, describedBy }) => <input id={id} value={note} aria-describedby={describedBy} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />}
        </Field>
        {errors[''] && <p class="error" role="alert">{errors['']}</p>}
        <button type="submit" class="secondary">{tr('recordConsent')}</button>
      </form>
    </div>
  );
}
