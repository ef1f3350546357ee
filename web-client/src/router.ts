// A tiny router: path patterns with :params, the History API, and focus management so
// screen-reader and keyboard users land on the new page's heading after a navigation.
import { createStore, useStore } from './store';

export interface Match {
  name: string;
  params: Record<string, string>;
}

export interface Route {
  pattern: string;
  name: string;
}

/** Finds the first route whose pattern matches the path ("/needs/:id" matches "/needs/abc"). */
export function matchRoute(path: string, routes: Route[]): Match | null {
  const clean = path.split(/[?#]/)[0].replace(/\/+$/, '') || '/';
  const parts = clean.split('/').filter(Boolean);
  for (const r of routes) {
    const pp = r.pattern.split('/').filter(Boolean);
    if (pp.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pp.length; i++) {
      if (pp[i].startsWith(':')) {
        try {
          params[pp[i].slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
          break;
        }
      } else if (pp[i] !== parts[i]) {
        ok = false;
        break;
      }
    }
    if (ok) return { name: r.name, params };
  }
  return null;
}

/** Builds a path from a pattern and parameters (encoded). */
export function buildPath(pattern: string, params: Record<string, string> = {}): string {
  return pattern.replace(/:([a-zA-Z]+)/g, (_, k: string) => encodeURIComponent(params[k] ?? ''));
}

/** Parses the query string into an object of (possibly repeated) values. */
export function parseQuery(search: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  new URLSearchParams(search).forEach((v, k) => {
    (out[k] ||= []).push(v);
  });
  return out;
}

export const location = createStore({ path: '/', search: '' });

function sync() {
  location.set({ path: window.location.pathname, search: window.location.search });
}

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  sync();
  afterNavigation();
}

function afterNavigation() {
  window.scrollTo(0, 0);
  // Let the new page render, then move focus to its main heading.
  setTimeout(() => {
    const h = document.querySelector<HTMLElement>('main h1');
    if (h) {
      h.setAttribute('tabindex', '-1');
      h.focus();
    }
  }, 0);
}

/** Same-origin links navigate inside the app (no full reload). */
export function startRouter() {
  sync();
  window.addEventListener('popstate', () => {
    sync();
    afterNavigation();
  });
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download') || a.dataset.native !== undefined) return;
    const url = new URL(a.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    if (url.pathname.startsWith('/graphql') || url.pathname.startsWith('/calendar/')) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}

export const useLocation = () => useStore(location);
