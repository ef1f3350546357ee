import { useState } from 'preact/hooks';
import { fieldErrors, gql, useQuery } from '../api';
import { DeleteMyAccountDocument, ExportMyDataDocument, OnBehalfLogDocument } from '../gql/graphql';
import { formatDate, formatDateTime, useT } from '../i18n';
import { navigate } from '../router';
import { session } from '../session';
import { ErrorMessage, Field, Page, announce } from '../ui';

/** Saves text as a file the person can keep. */
export function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.dataset.native = '';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function AccountPage() {
  const tr = useT();
  const log = useQuery(OnBehalfLogDocument, {});
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const exportData = async (kind: 'json' | 'html') => {
    setBusy(true);
    try {
      const d = await gql(ExportMyDataDocument, {});
      const p = d.exportMyData;
      if (kind === 'json' && p.json) download('helpende-handen-mijn-gegevens.json', p.json, 'application/json');
      if (kind === 'html' && p.portfolioHtml) download('helpende-handen-portfolio.html', p.portfolioHtml, 'text/html');
      announce(tr('downloadReady'));
    } finally {
      setBusy(false);
    }
  };
  const del = async (e: Event) => {
    e.preventDefault();
    if (!confirm(tr('deleteConfirm'))) return;
    const d = await gql(DeleteMyAccountDocument, { input: { password } });
    if (!d.deleteMyAccount.deleted) {
      setErrors(fieldErrors(d.deleteMyAccount.userErrors));
      return;
    }
    session.set({ me: null, ready: true });
    announce(tr('accountDeleted'));
    navigate('/');
  };
  const me = log.data?.me;
  return (
    <Page title={tr('navAccount')}>
      <section aria-labelledby="dl-h" class="card">
        <h2 id="dl-h">{tr('downloadTitle')}</h2>
        <p>{tr('downloadIntro')}</p>
        <div class="actions">
          <button type="button" disabled={busy} onClick={() => exportData('json')}>{tr('downloadJson')}</button>
          <button type="button" class="secondary" disabled={busy} onClick={() => exportData('html')}>{tr('downloadPortfolio')}</button>
        </div>
      </section>
      <section aria-labelledby="ob-h" class="card">
        <h2 id="ob-h">{tr('onBehalfTitle')}</h2>
        <ErrorMessage error={log.error} />
        {me && me.onBehalfConsents.length === 0 && me.onBehalfLog.length === 0 && <p>{tr('onBehalfNone')}</p>}
        {me && me.onBehalfConsents.length > 0 && (
          <ul>{me.onBehalfConsents.map((c) => <li key={c.id}>{tr('consentTo', { name: c.matchmaker.displayName, until: formatDate(c.endsAt) })}{!c.active && ` (${tr('ended')})`}</li>)}</ul>
        )}
        {me && me.onBehalfLog.length > 0 && (
          <table>
            <caption>{tr('onBehalfLogCaption')}</caption>
            <thead><tr><th scope="col">{tr('when')}</th><th scope="col">{tr('who')}</th><th scope="col">{tr('what')}</th></tr></thead>
            <tbody>{me.onBehalfLog.map((l, i) => <tr key={i}><td>{formatDateTime(l.at)}</td><td>{l.matchmaker?.displayName ?? '—'}</td><td>{l.action}</td></tr>)}</tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="del-h" class="card danger">
        <h2 id="del-h">{tr('deleteTitle')}</h2>
        <p>{tr('deleteIntro')}</p>
        <form onSubmit={del} noValidate class="narrow">
          {errors[''] && <p role="alert" class="error">{errors['']}</p>}
          <Field label={tr('password')} error={errors.password}>
            {({ id, describedBy, invalid }) => (
              <input id={id} type="password" autocomplete="current-password" value={password} aria-describedby={describedBy} aria-invalid={invalid}
                onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
            )}
          </Field>
          <button type="submit" class="danger">{tr('deleteButton')}</button>
        </form>
      </section>
    </Page>
  );
}
