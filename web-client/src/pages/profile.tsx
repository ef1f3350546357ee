import { useEffect, useState } from 'preact/hooks';
import { gql, useQuery } from '../api';
import {
  MyProfileDocument, SetVisibilityDocument, TalentSearchDocument, UpdateProfileDocument, type ProfileVisibility,
} from '../gql/graphql';
import { formatDateTime, useT, type Key } from '../i18n';
import { ErrorMessage, Loading, Page, announce, useId } from '../ui';

const VIS: ProfileVisibility[] = ['PRIVATE', 'MATCHMAKERS', 'ORGANISATIONS'];

export function ProfilePage() {
  const tr = useT();
  const q = useQuery(MyProfileDocument, {});
  const p = q.data?.me?.talentProfile;
  const [about, setAbout] = useState('');
  const [talentQuery, setTalentQuery] = useState('');
  const [options, setOptions] = useState<{ id: string; name: string }[]>([]);
  const [pick, setPick] = useState('');
  const [level, setLevel] = useState('2');
  const aboutId = useId('about'), tqId = useId('tq'), pickId = useId('pick'), levelId = useId('lvl');
  useEffect(() => setAbout(p?.about ?? ''), [p?.about]);

  // The choice shows at once (optimistic); it goes back if the server refuses it.
  const [chosenVis, setChosenVis] = useState<ProfileVisibility | null>(null);
  const shownVis = chosenVis ?? p?.visibility ?? 'PRIVATE';
  const setVis = async (v: ProfileVisibility) => {
    setChosenVis(v);
    const d = await gql(SetVisibilityDocument, { input: { visibility: v } }).catch((err) => {
      setChosenVis(null);
      throw err;
    });
    if (d.setProfileVisibility.userErrors.length) {
      setChosenVis(null);
      announce(d.setProfileVisibility.userErrors[0].message);
    } else announce(tr('visibilitySaved'));
    q.reload();
  };
  const saveAbout = async (e: Event) => {
    e.preventDefault();
    const d = await gql(UpdateProfileDocument, { input: { about } });
    announce(d.updateTalentProfile.userErrors[0]?.message ?? tr('saved'));
    q.reload();
  };
  const findTalents = async (e: Event) => {
    e.preventDefault();
    const d = await gql(TalentSearchDocument, { search: talentQuery, first: 20 });
    const o = d.talents.edges.map((x) => x.node);
    setOptions(o);
    setPick(o[0]?.id ?? '');
    announce(tr('resultsCount', { n: o.length }));
  };
  const addTalent = async () => {
    if (!p || !pick) return;
    const talents = p.talents.filter((x) => x.talent.id !== pick).map((x) => ({ talentId: x.talent.id, level: x.level, learned: x.learned }));
    talents.push({ talentId: pick, level: Number(level), learned: [] });
    const d = await gql(UpdateProfileDocument, { input: { talents } });
    announce(d.updateTalentProfile.userErrors[0]?.message ?? tr('saved'));
    q.reload();
  };
  const removeTalent = async (id: string) => {
    if (!p) return;
    const talents = p.talents.filter((x) => x.talent.id !== id).map((x) => ({ talentId: x.talent.id, level: x.level, learned: x.learned }));
    await gql(UpdateProfileDocument, { input: { talents } });
    announce(tr('saved'));
    q.reload();
  };

  return (
    <Page title={tr('navProfile')}>
      <p>{tr('profileIntro')}</p>
      {q.loading && !q.data && <Loading />}
      <ErrorMessage error={q.error} />
      {q.data && (
        <>
          <fieldset class="card">
            <legend>{tr('whoSeesProfile')}</legend>
            {VIS.map((v) => (
              <label class="check" key={v}>
                <input type="radio" name="visibility" value={v} checked={shownVis === v} onChange={() => setVis(v)} />
                <span><strong>{tr(`vis_${v}` as Key)}</strong><br /><span class="hint">{tr(`visHint_${v}` as Key)}</span></span>
              </label>
            ))}
            <p class="hint">{tr('contactNeverShown')}</p>
          </fieldset>

          <section aria-labelledby="tal-h" class="card">
            <h2 id="tal-h">{tr('myTalents')}</h2>
            {p && p.talents.length > 0 ? (
              <ul class="plain">
                {p.talents.map((x) => (
                  <li key={x.talent.id} class="row">
                    <span>{x.talent.name} — {tr(`level_${x.level}` as Key)}{x.verified && <> · <strong>{tr('verified')}</strong></>}</span>
                    <button type="button" class="linklike" onClick={() => removeTalent(x.talent.id)}>{tr('remove')}<span class="sr-only">: {x.talent.name}</span></button>
                  </li>
                ))}
              </ul>
            ) : <p>{tr('noTalentsYet')}</p>}
            <form onSubmit={findTalents} class="inline-form">
              <div class="field">
                <label for={tqId}>{tr('findTalent')}</label>
                <input id={tqId} value={talentQuery} onInput={(e) => setTalentQuery((e.target as HTMLInputElement).value)} />
              </div>
              <button type="submit" class="secondary">{tr('search')}</button>
            </form>
            {options.length > 0 && (
              <div class="grid">
                <div class="field">
                  <label for={pickId}>{tr('talent')}</label>
                  <select id={pickId} value={pick} onChange={(e) => setPick((e.target as HTMLSelectElement).value)}>
                    {options.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
                  </select>
                </div>
                <div class="field">
                  <label for={levelId}>{tr('level')}</label>
                  <select id={levelId} value={level} onChange={(e) => setLevel((e.target as HTMLSelectElement).value)}>
                    {[1, 2, 3, 4].map((l) => <option key={l} value={String(l)}>{tr(`level_${l}` as Key)}</option>)}
                  </select>
                </div>
                <button type="button" onClick={addTalent}>{tr('addTalent')}</button>
              </div>
            )}
          </section>

          <form onSubmit={saveAbout} class="card">
            <div class="field">
              <label for={aboutId}>{tr('aboutMe')}</label>
              <textarea id={aboutId} rows={3} value={about} onInput={(e) => setAbout((e.target as HTMLTextAreaElement).value)} />
            </div>
            <button type="submit">{tr('save')}</button>
          </form>

          {p && p.endorsements.length > 0 && (
            <section aria-labelledby="end-h" class="card">
              <h2 id="end-h">{tr('endorsements')}</h2>
              <ul>{p.endorsements.map((e) => <li key={e.id}>{e.talent.name} — {e.organisation.name}, {formatDateTime(e.endorsedAt)}</li>)}</ul>
            </section>
          )}
          {p && p.consentHistory.length > 0 && (
            <details class="card">
              <summary>{tr('consentHistory')}</summary>
              <ul>{p.consentHistory.map((c, i) => <li key={i}>{formatDateTime(c.at)}: {c.kind} → {c.value}{c.by && ` (${c.by.displayName})`}</li>)}</ul>
            </details>
          )}
        </>
      )}
    </Page>
  );
}
