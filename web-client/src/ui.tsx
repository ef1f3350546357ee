// Small accessible building blocks: labelled fields with their errors, status messages,
// a page heading that sets the document title, and lazy pages.
import type { ComponentChildren, FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from './api';
import { t, useT, type Key } from './i18n';
import { createStore, useStore } from './store';

export function Page({ title, children }: { title: string; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} — Helpende Handen`;
  }, [title]);
  return (
    <>
      <h1>{title}</h1>
      {children}
    </>
  );
}

let uid = 0;
export const useId = (prefix = 'f') => useState(() => `${prefix}-${++uid}`)[0];

interface FieldProps {
  label: string;
  error?: string;
  hint?: string;
  children: (ids: { id: string; describedBy?: string; invalid: boolean }) => ComponentChildren;
}

/** A label, an optional hint and an error, tied to the control with for/aria-describedby. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      {hint && <p class="hint" id={hintId}>{hint}</p>}
      {children({ id, describedBy, invalid: !!error })}
      {error && (
        <p class="error" id={errId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function Loading() {
  const tr = useT();
  return (
    <p role="status" class="loading">
      {tr('loading')}
    </p>
  );
}

export function ErrorMessage({ error }: { error: ApiError | null }) {
  const tr = useT();
  if (!error) return null;
  const key: Key =
    error.code === 'UNAUTHENTICATED' ? 'errSignIn'
      : error.code === 'FORBIDDEN' ? 'errForbidden'
        : error.code === 'NOT_FOUND' ? 'errNotFound'
          : error.code === 'NETWORK' ? 'errNetwork'
            : error.code === 'RATE_LIMITED' ? 'errRateLimited' : 'errGeneric';
  return (
    <div role="alert" class="alert">
      <p>{tr(key)}</p>
      {error.code === 'UNAUTHENTICATED' && <a href={`/login?next=${encodeURIComponent(location.pathname)}`}>{tr('signIn')}</a>}
    </div>
  );
}

/** A polite live region for results of actions (shown and read out). */
export const announcement = createStore('');
let lastAt = 0;
let text = '';
/** Shows and reads out a message; messages within a few seconds of each other are kept together. */
export function announce(msg: string) {
  const now = Date.now();
  text = now - lastAt < 4000 && text ? `${text} ${msg}` : msg;
  lastAt = now;
  const say = text;
  announcement.set('');
  setTimeout(() => announcement.set(say), 50);
}
export function LiveRegion() {
  const msg = useStore(announcement);
  return (
    <div class="toast" role="status" aria-live="polite">
      {msg}
    </div>
  );
}

/** Loads a page's code only when it is visited. */
export function lazyPage<P>(load: () => Promise<FunctionComponent<P>>): FunctionComponent<P> {
  let Comp: FunctionComponent<P> | null = null;
  return (props: P) => {
    const [, force] = useState(0);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (!Comp) load().then((c) => {
        Comp = c;
        force((x) => x + 1);
      }, () => setFailed(true));
    }, []);
    if (failed) return <p role="alert">{t('errNetwork')}</p>;
    return Comp ? <Comp {...(props as any)} /> : <Loading />;
  };
}

export function Chips({ items }: { items: { id: string; name: string }[] }) {
  if (!items.length) return null;
  return (
    <ul class="chips">
      {items.map((i) => (
        <li key={i.id}>{i.name}</li>
      ))}
    </ul>
  );
}
