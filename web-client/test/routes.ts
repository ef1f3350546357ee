// The route table without importing the app (which needs a DOM).
import type { Route } from '../src/router';
export const ROUTES_FOR_TEST: Route[] = [
  { pattern: '/', name: 'home' },
  { pattern: '/needs/:id', name: 'need' },
  { pattern: '/org/:id', name: 'org' },
  { pattern: '/org/:id/new-need', name: 'newNeed' },
];
