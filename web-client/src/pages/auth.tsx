import { useState } from 'preact/hooks';
import { fieldErrors, gql, type ApiError } from '../api';
import { LoginDocument, RegisterDocument, type Language } from '../gql/graphql';
import { currentLang, useT } from '../i18n';
import { navigate } from '../router';
import { session } from '../session';
import { Field, Page, announce } from '../ui';

/** Only same-site paths are followed after sign-in. */
export function safeNext(search: string): string {
  const n = new URLSearchParams(search).get('next') ?? '/';
  return n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') ? n : '/';
}

function useForm<T extends Record<string, string>>(init: T) {
  const [v, setV] = useState(init);
  const bind = (k: keyof T) => ({
    value: v[k],
    onInput: (e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value }),
  });
  return { v, bind };
}

export function LoginPage({ search }: { search: string }) {
  const tr = useT();
  const { v, bind } = useForm({ email: '', password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const d = await gql(LoginDocument, { input: v }, { asSelf: true });
      if (d.login.userErrors.length || !d.login.person) setErrors(fieldErrors(d.login.userErrors));
      else {
        session.set({ me: d.login.person, ready: true });
        announce(tr('signedIn', { name: d.login.person.displayName }));
        navigate(safeNext(search));
      }
    } catch (err) {
      setErrors({ '': (err as ApiError).code === 'RATE_LIMITED' ? tr('errRateLimited') : tr('errGeneric') });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title={tr('signIn')}>
      <form onSubmit={submit} noValidate class="narrow">
        {errors[''] && <p role="alert" class="error">{errors['']}</p>}
        <Field label={tr('email')} error={errors.email}>
          {({ id, describedBy, invalid }) => <input id={id} type="email" autocomplete="email" required aria-describedby={describedBy} aria-invalid={invalid} {...bind('email')} />}
        </Field>
        <Field label={tr('password')} error={errors.password}>
          {({ id, describedBy, invalid }) => <input id={id} type="password" autocomplete="current-password" required aria-describedby={describedBy} aria-invalid={invalid} {...bind('password')} />}
        </Field>
        <button type="submit" disabled={busy}>{tr('signIn')}</button>
      </form>
      <p>{tr('noAccountYet')} <a href={`/register${search}`}>{tr('register')}</a></p>
    </Page>
  );
}

export function RegisterPage({ search }: { search: string }) {
  const tr = useT();
  const { v, bind } = useForm({ displayName: '', email: '', password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const d = await gql(RegisterDocument, { input: { ...v, preferredLanguage: currentLang().toUpperCase() as Language } }, { asSelf: true });
      if (d.register.userErrors.length || !d.register.person) {
        setErrors(fieldErrors(d.register.userErrors));
        announce(tr('formHasErrors'));
      } else {
        session.set({ me: d.register.person, ready: true });
        announce(tr('welcomeNew', { name: d.register.person.displayName }));
        navigate(safeNext(search) === '/' ? '/me/profile' : safeNext(search));
      }
    } catch {
      setErrors({ '': tr('errGeneric') });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title={tr('register')}>
      <p>{tr('registerIntro')}</p>
      <form onSubmit={submit} noValidate class="narrow">
        {errors[''] && <p role="alert" class="error">{errors['']}</p>}
        <Field label={tr('yourName')} error={errors.displayName}>
          {({ id, describedBy, invalid }) => <input id={id} autocomplete="name" required aria-describedby={describedBy} aria-invalid={invalid} {...bind('displayName')} />}
        </Field>
        <Field label={tr('email')} error={errors.email}>
          {({ id, describedBy, invalid }) => <input id={id} type="email" autocomplete="email" required aria-describedby={describedBy} aria-invalid={invalid} {...bind('email')} />}
        </Field>
        <Field label={tr('password')} error={errors.password} hint={tr('passwordHint')}>
          {({ id, describedBy, invalid }) => <input id={id} type="password" autocomplete="new-password" required aria-describedby={describedBy} aria-invalid={invalid} {...bind('password')} />}
        </Field>
        <button type="submit" disabled={busy}>{tr('createAccount')}</button>
      </form>
      <p>{tr('haveAccount')} <a href={`/login${search}`}>{tr('signIn')}</a></p>
    </Page>
  );
}
