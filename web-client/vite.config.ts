import { defineConfig } from 'vite';

// Preact's automatic JSX runtime through Vite's oxc transformer: no Babel, no preset plugin needed.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2020',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/graphql': { target: 'http://127.0.0.1:8080', ws: true }, '/calendar': 'http://127.0.0.1:8080' },
  },
  test: { environment: 'node', include: ['test/**/*.test.ts'] },
} as any);
