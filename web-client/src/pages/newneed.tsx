import { useState } from 'preact/hooks';
import { fieldErrors, gql, useQuery } from '../api';
import { CreateNeedDocument, PublishNeedDocument, ReferenceDocument, type ScheduleKind } from '../gql/graphql';
import { ACCESS_FACTS } from '../filters';
import { useT, type Key } from '../i18n';
import { accessKey } from '../needcard';
import { brusselsToday, emptyNeedForm, needInput, WEEKDAYS, type NeedForm } from '../needform';
import { navigate } from '../router';
import { Field, Page, announce } from '../ui';

export function NewNeedPage({ orgId }: { orgId: string }) {
  const tr = useT();
  const ref = useQuery(ReferenceDocument, {});
  const [f, setF] = useState<NeedForm>(() => emptyNeedForm(brusselsToday()));
  const [publish, setPublish] = useState(true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof NeedForm>(k: K, v: NeedForm[K]) => setF({ ...f, [k]: v });
  const val = (e: Event) => (e.target as HTMLInputElement).value;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const d = await gql(CreateNeedDocument, { input: needInput(orgId, f) });
      if (d.createNeed.userErrors.length || !d.createNeed.need) {
        setErrors(fieldErrors(d.createNeed.userErrors));
        announce(tr('formHasErrors'));
        return;
      }
      const id = d.createNeed.need.id;
      if (publish) {
        const p = await gql(PublishNeedDocument, { input: { needId: id } });
        if (p.publishNeed.userErrors.length) announce(p.publishNeed.userErrors[0].message);
        else announce(tr('needPublished'));
      } else announce(tr('needSaved'));
      navigate(`/manage/needs/${encodeURIComponent(id)}`);
    } catch {
      setErrors({ '': tr('errGeneric') });
    } finally {
      setBusy(false);
    }
  };

  const shiftField = (i: number, k: keyof NeedForm['shifts'][number], label: string, type: 'date' | 'time' | 'number') => (
    <Field label={label} error={i === 0 ? errors[k === 'date' || k === 'start' ? 'startsAt' : k === 'end' ? 'endsAt' : 'places'] : undefined}>
      {({ id, describedBy, invalid }) => (
        <input id={id} type={type} min={type === 'number' ? 1 : undefined} value={f.shifts[i][k]} aria-describedby={describedBy} aria-invalid={invalid}
          onInput={(e) => set('shifts', f.shifts.map((s, j) => (j === i ? { ...s, [k]: val(e) } : s)))} />
      )}
    </Field>
  );

  return (
    <Page title={tr('newNeed')}>
      <form onSubmit={submit} noValidate>
        {(errors[''] || errors.shifts || errors.weeklyPattern) && <p role="alert" class="error">{errors[''] ?? errors.shifts ?? errors.weeklyPattern}</p>}
        <Field label={tr('needTitle')} error={errors.title} hint={tr('needTitleHint')}>
          {({ id, describedBy, invalid }) => <input id={id} required value={f.title} aria-describedby={describedBy} aria-invalid={invalid} onInput={(e) => set('title', val(e))} />}
        </Field>
        <Field label={tr('needDescription')} error={errors.description}>
          {({ id, describedBy, invalid }) => <textarea id={id} rows={4} value={f.description} aria-describedby={describedBy} aria-invalid={invalid} onInput={(e) => set('description', val(e))} />}
        </Field>
        <div class="grid">
          <Field label={tr('theme')} error={errors.themeIds}>
            {({ id, describedBy }) => (
              <select id={id} value={f.themeId} aria-describedby={describedBy} onChange={(e) => set('themeId', val(e))}>
                <option value="">—</option>
                {ref.data?.themes.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
              </select>
            )}
          </Field>
          <Field label={tr('district')} error={errors.districtId}>
            {({ id, describedBy }) => (
              <select id={id} value={f.districtId} aria-describedby={describedBy} onChange={(e) => set('districtId', val(e))}>
                <option value="">—</option>
                {ref.data?.districts.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
              </select>
            )}
          </Field>
          <Field label={tr('street')} error={errors.street}>
            {({ id, describedBy }) => <input id={id} autocomplete="street-address" value={f.street} aria-describedby={describedBy} onInput={(e) => set('street', val(e))} />}
          </Field>
          <Field label={tr('postcode')} error={errors.postcode}>
            {({ id, describedBy }) => <input id={id} inputMode="numeric" autocomplete="postal-code" value={f.postcode} aria-describedby={describedBy} onInput={(e) => set('postcode', val(e))} />}
          </Field>
        </div>
        <label class="check"><input type="checkbox" checked={f.remote} onChange={(e) => set('remote', (e.target as HTMLInputElement).checked)} />{tr('remote')}</label>

        <fieldset>
          <legend>{tr('when')}</legend>
          {(['ONE_OFF', 'WEEKLY', 'FLEXIBLE'] as ScheduleKind[]).map((s) => (
            <label class="check" key={s}>
              <input type="radio" name="schedule" value={s} checked={f.schedule === s} onChange={() => set('schedule', s)} />
              {tr(`schedule_${s}` as Key)}
            </label>
          ))}
        </fieldset>

        {f.schedule === 'ONE_OFF' && (
          <fieldset>
            <legend>{tr('shifts')}</legend>
            {f.shifts.map((_, i) => (
              <div class="grid shift-row" key={i} role="group" aria-label={tr('shiftN', { n: i + 1 })}>
                {shiftField(i, 'date', tr('date'), 'date')}
                {shiftField(i, 'start', tr('startTime'), 'time')}
                {shiftField(i, 'end', tr('endTime'), 'time')}
                {shiftField(i, 'places', tr('places'), 'number')}
                {f.shifts.length > 1 && (
                  <button type="button" class="linklike" onClick={() => set('shifts', f.shifts.filter((_, j) => j !== i))}>
                    {tr('remove')}<span class="sr-only">: {tr('shiftN', { n: i + 1 })}</span>
                  </button>
                )}
              </div>
            ))}
            <button type="button" class="secondary" onClick={() => set('shifts', [...f.shifts, { ...f.shifts[f.shifts.length - 1] }])}>{tr('addShift')}</button>
          </fieldset>
        )}
        {f.schedule === 'WEEKLY' && (
          <fieldset>
            <legend>{tr('schedule_WEEKLY')}</legend>
            <div class="days">
              {WEEKDAYS.map((d) => (
                <label class="check" key={d}>
                  <input type="checkbox" checked={f.weekdays.includes(d)} onChange={(e) => set('weekdays', (e.target as HTMLInputElement).checked ? [...f.weekdays, d] : f.weekdays.filter((x) => x !== d))} />
                  {tr(`day_${d}` as Key)}
                </label>
              ))}
            </div>
            <div class="grid">
              <Field label={tr('startTime')} error={errors.startTime}>{({ id, describedBy }) => <input id={id} type="time" value={f.weeklyStart} aria-describedby={describedBy} onInput={(e) => set('weeklyStart', val(e))} />}</Field>
              <Field label={tr('durationMinutes')} error={errors.durationMinutes}>{({ id, describedBy }) => <input id={id} type="number" min={15} step={15} value={f.weeklyMinutes} aria-describedby={describedBy} onInput={(e) => set('weeklyMinutes', val(e))} />}</Field>
              <Field label={tr('places')} error={errors.places}>{({ id, describedBy }) => <input id={id} type="number" min={1} value={f.weeklyPlaces} aria-describedby={describedBy} onInput={(e) => set('weeklyPlaces', val(e))} />}</Field>
              <Field label={tr('fromDate')} error={errors.from}>{({ id, describedBy }) => <input id={id} type="date" value={f.weeklyFrom} aria-describedby={describedBy} onInput={(e) => set('weeklyFrom', val(e))} />}</Field>
            </div>
          </fieldset>
        )}
        {f.schedule === 'FLEXIBLE' && (
          <Field label={tr('flexiblePlaces')} hint={tr('flexiblePlacesHint')} error={errors.flexiblePlaces}>
            {({ id, describedBy }) => <input id={id} type="number" min={1} value={f.flexiblePlaces} aria-describedby={describedBy} onInput={(e) => set('flexiblePlaces', val(e))} />}
          </Field>
        )}

        <fieldset>
          <legend>{tr('accessibility')}</legend>
          {ACCESS_FACTS.map((a) => (
            <label class="check" key={a}>
              <input type="checkbox" checked={f.access.includes(a)} onChange={(e) => set('access', (e.target as HTMLInputElement).checked ? [...f.access, a] : f.access.filter((x) => x !== a))} />
              {tr(accessKey(a))}
            </label>
          ))}
        </fieldset>
        <label class="check"><input type="checkbox" checked={f.autoAccept} onChange={(e) => set('autoAccept', (e.target as HTMLInputElement).checked)} />{tr('autoAcceptYes')}</label>
        <label class="check"><input type="checkbox" checked={publish} onChange={(e) => setPublish((e.target as HTMLInputElement).checked)} />{tr('publishNow')}</label>
        <div class="actions"><button type="submit" disabled={busy}>{tr('saveNeed')}</button></div>
      </form>
    </Page>
  );
}
