// Interface language: Dutch (bundled), French, English and Arabic (loaded on demand).
// The choice is remembered (localStorage) and sent to the API as Accept-Language, so
// the server's labels and messages come back in the same language.
import { createStore, useStore } from '../store';
import nl, { type Dict } from './nl';

export type Lang = 'nl' | 'fr' | 'en' | 'ar';
export type Key = keyof Dict;

export const LANGS: { code: Lang; name: string; dir: 'ltr' | 'rtl' }[] = [
  { code: 'nl', name: 'Nederlands', dir: 'ltr' },
  { code: 'fr', name: 'Français', dir: 'ltr' },
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'ar', name: 'العربية', dir: 'rtl' },
];

export const STORAGE_KEY = 'hh-lang';

/** Locale for Intl: Belgian conventions; Arabic with Latin digits, as on Belgian letters and signs. */
export const LOCALES: Record<Lang, string> = { nl: 'nl-BE', fr: 'fr-BE', en: 'en-GB', ar: 'ar-u-nu-latn' };
export const TIME_ZONE = 'Europe/Brussels';

/** Picks the language: a remembered choice, else the browser's first supported one, else Dutch. */
export function pickLanguage(stored: string | null, browser: readonly string[]): Lang {
  const ok = (s: string | null | undefined): s is Lang => !!s && LANGS.some((l) => l.code === s);
  if (ok(stored)) return stored;
  for (const b of browser) {
    const base = b.toLowerCase().split('-')[0];
    if (ok(base)) return base;
  }
  return 'nl';
}

export const dirOf = (l: Lang) => (l === 'ar' ? 'rtl' : 'ltr');

const loaders: Record<Lang, () => Promise<Dict>> = {
  nl: async () => nl,
  fr: () => import('./fr').then((m) => m.default),
  en: () => import('./en').then((m) => m.default),
  ar: () => import('./ar').then((m) => m.default),
};

interface State {
  lang: Lang;
  dict: Dict;
}
export const i18n = createStore<State>({ lang: 'nl', dict: nl });

export async function setLanguage(lang: Lang, remember = true): Promise<void> {
  const dict = await loaders[lang]();
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      /* private mode: not remembered */
    }
  }
  if (typeof document !== 'undefined') {
    document.documentElement.lang = lang;
    document.documentElement.dir = dirOf(lang);
  }
  i18n.set({ lang, dict });
}

export const currentLang = () => i18n.get().lang;

/** Replaces {name} placeholders. */
export function interpolate(s: string, vars?: Record<string, string | number>): string {
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** Translates a key; a value "one|other" is chosen by the plural rules of the language and {n}. */
export function translate(dict: Dict, lang: Lang, key: Key, vars?: Record<string, string | number>): string {
  let s: string = dict[key] ?? nl[key] ?? key;
  if (s.includes('|') && vars && typeof vars.n === 'number') {
    const forms = s.split('|');
    const cat = new Intl.PluralRules(LOCALES[lang]).select(vars.n);
    s = (cat === 'one' ? forms[0] : forms[forms.length - 1]) ?? s;
    vars = { ...vars, n: formatNumber(vars.n, lang) };
  }
  return interpolate(s, vars);
}

export function t(key: Key, vars?: Record<string, string | number>): string {
  const { dict, lang } = i18n.get();
  return translate(dict, lang, key, vars);
}

/** Re-renders the component when the language changes; returns t. */
export function useT() {
  useStore(i18n);
  return t;
}

export function formatNumber(n: number, lang: Lang = currentLang(), opts?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(LOCALES[lang], opts).format(n);
}

export function formatDateTime(iso: string, lang: Lang = currentLang()): string {
  return new Intl.DateTimeFormat(LOCALES[lang], {
    weekday: 'short', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: TIME_ZONE,
  }).format(new Date(iso));
}

export function formatDate(iso: string, lang: Lang = currentLang()): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { day: 'numeric', month: 'long', year: 'numeric', timeZone: TIME_ZONE })
    .format(new Date(iso));
}

export function formatTime(iso: string, lang: Lang = currentLang()): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { hour: '2-digit', minute: '2-digit', timeZone: TIME_ZONE })
    .format(new Date(iso));
}

/** "2026-03" → "maart 2026". */
export function formatMonth(ym: string, lang: Lang = currentLang()): string {
  const [y, m] = ym.split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALES[lang], { month: 'short', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, 15)));
}

/** A shift's time span: "za 6 juni, 09:00 – 12:00". */
export function formatSpan(startIso: string, endIso: string, lang: Lang = currentLang()): string {
  return `${formatDateTime(startIso, lang)} – ${formatTime(endIso, lang)}`;
}
