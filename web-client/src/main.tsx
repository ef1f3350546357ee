import { render } from 'preact';
import { App } from './app';
import { pickLanguage, setLanguage, STORAGE_KEY } from './i18n';
import { startRouter } from './router';
import { loadMe } from './session';
import './styles.css';

let stored: string | null = null;
try {
  stored = localStorage.getItem(STORAGE_KEY);
} catch {
  /* no storage */
}
const lang = pickLanguage(stored, navigator.languages ?? [navigator.language]);
startRouter();
// The dictionary (Dutch is bundled) and the session load at the same time.
Promise.all([setLanguage(lang, stored !== null), loadMe()]).finally(() => {
  const root = document.getElementById('app')!;
  root.textContent = ''; // the "loading" text from index.html (render would keep it)
  render(<App />, root);
});
