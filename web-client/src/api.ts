// The GraphQL client: one fetch per operation, JSON over POST (a non-simple request, so
// the server's CSRF rule is met), the session in an HttpOnly cookie, the interface
// language as Accept-Language, and the matchmaker's Act-On-Behalf-Of header when set.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { TypedDocumentString } from './gql/graphql';
import { currentLang, i18n } from './i18n';
import { createStore, useStore } from './store';

export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export interface UserError {
  field?: readonly string[] | null;
  code?: string;
  message: string;
}

/** The person a matchmaker is acting for (with consent), or null. */
export const onBehalf = createStore<{ id: string; name: string } | null>(readOnBehalf());

function readOnBehalf() {
  try {
    const s = sessionStorage.getItem('hh-on-behalf');
    return s ? JSON.parse(s) : null;
  } catch {
    return null;
  }
}

export function setOnBehalf(p: { id: string; name: string } | null) {
  try {
    if (p) sessionStorage.setItem('hh-on-behalf', JSON.stringify(p));
    else sessionStorage.removeItem('hh-on-behalf');
  } catch {
    /* not remembered */
  }
  onBehalf.set(p);
}

export function requestHeaders(lang: string, behalf: { id: string } | null): Record<string, string> {
  const h: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/graphql-response+json, application/json',
    'Accept-Language': lang,
  };
  if (behalf) h['Act-On-Behalf-Of'] = behalf.id;
  return h;
}

export async function gql<R, V>(doc: TypedDocumentString<R, V>, variables?: V, opts: { asSelf?: boolean } = {}): Promise<R> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: requestHeaders(currentLang(), opts.asSelf ? null : onBehalf.get()),
      body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError('', 'NETWORK');
  }
  let body: { data?: R; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(res.statusText, res.status >= 500 ? 'INTERNAL' : 'BAD_RESPONSE');
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new ApiError(e.message, e.extensions?.code ?? 'ERROR');
  }
  if (!body.data) throw new ApiError(res.statusText, 'BAD_RESPONSE');
  return body.data;
}

/** Maps user errors to the input field they are about (last path element), '' for the form. */
export function fieldErrors(errors: readonly UserError[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors ?? []) {
    const f = e.field?.length ? e.field[e.field.length - 1] : '';
    out[f] = out[f] ? `${out[f]} ${e.message}` : e.message;
  }
  return out;
}

export interface QueryState<R> {
  data: R | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** Runs a query when the variables (as JSON) or the language change. */
export function useQuery<R, V>(doc: TypedDocumentString<R, V>, variables?: V, skip = false): QueryState<R> {
  const { lang } = useStore(i18n);
  const behalf = useStore(onBehalf);
  const key = JSON.stringify(variables ?? {});
  const [n, setN] = useState(0);
  const [state, setState] = useState<{ data: R | null; error: ApiError | null; loading: boolean }>({
    data: null, error: null, loading: !skip,
  });
  useEffect(() => {
    if (skip) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    gql(doc, variables).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: ApiError) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, lang, n, skip, behalf?.id]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { ...state, reload };
}
