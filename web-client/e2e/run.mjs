// End-to-end tests: a throwaway database, the real Go server (migrate, seed, serve on a
// free port with its own Redis prefix), one Debian Chromium (never downloaded) driven by
// playwright-core over CDP, and node:test running tests/*.test.mjs against them.
//
//   node e2e/run.mjs            (from web-client/, after `npm run build` and `make build`)
// Env: E2E_DATABASE_URL (maintenance database, default postgres://postgres@127.0.0.1:5432/postgres),
//      E2E_REDIS_URL, CHROMIUM (default /usr/bin/chromium), HH_BIN (default ../bin/helpende-handen).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const here = new URL('.', import.meta.url).pathname;
const client = resolve(here, '..');
const repo = resolve(client, '..');
const bin = resolve(repo, process.env.HH_BIN ?? 'bin/helpende-handen');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const adminUrl = new URL(process.env.E2E_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable');
const redisUrl = process.env.E2E_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const id = randomBytes(4).toString('hex');
const dbName = `hh_e2e_${id}`;
const started = Date.now();
const log = (...a) => console.log(`e2e [${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);

for (const [what, p] of [['server binary', bin], ['Chromium', chromiumPath], ['web build', join(client, 'dist/index.html')]]) {
  if (!existsSync(p)) {
    console.error(`e2e: ${what} missing at ${p}`);
    process.exit(2);
  }
}

function psql(sql) {
  const u = new URL(adminUrl);
  const r = spawnSync('psql', [u.toString().replace(/\?.*$/, ''), '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
}
const dbUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  if (!u.searchParams.has('sslmode')) u.searchParams.set('sslmode', 'disable');
  return u.toString();
})();

const freePort = () => new Promise((res, rej) => {
  const s = createServer();
  s.once('error', rej);
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => res(port));
  });
});

const children = [];
let userDataDir = '';
let cleaningUp = false;
function cleanup() {
  cleaningUp = true;
  for (const c of children) {
    try { c.kill('SIGTERM'); } catch { /* gone */ }
  }
  if (userDataDir) {
    try { rmSync(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }); } catch { /* Chromium still closing */ }
  }
  try { psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`); } catch (e) { console.error(String(e)); }
}
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });

let code = 1;
try {
  psql(`CREATE DATABASE ${dbName}`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env, DATABASE_URL: dbUrl, REDIS_URL: redisUrl, REDIS_PREFIX: `hh-e2e-${id}:`, LISTEN_ADDR: `127.0.0.1:${port}`,
    PUBLIC_URL: base, HH_ENV: 'development', WEB_DIR: join(client, 'dist'), LOG_LEVEL: 'warn', COOKIE_SECURE: 'false',
  };
  for (const args of [['migrate', 'up'], ['seed']]) {
    const r = spawnSync(bin, args, { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr || r.stdout}`);
  }
  log('database', dbName, 'migrated and seeded');

  const server = spawn(bin, ['serve'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(server);
  // If the server goes away during the run, say so (every test after it fails with "fetch failed").
  server.once('exit', (c, sig) => { if (!cleaningUp) log(`the server exited during the run (code ${c}, signal ${sig})`); });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch { /* not yet */ }
    if (i > 150 || server.exitCode !== null) throw new Error('server did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  log('server ready on', base);

  userDataDir = mkdtempSync(join(tmpdir(), 'hh-e2e-chromium-'));
  const chromium = spawn(chromiumPath, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0',
    'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(chromium);
  const cdp = await new Promise((res, rej) => {
    let buf = '';
    const t = setTimeout(() => rej(new Error(`Chromium did not start: ${buf}`)), 30000);
    chromium.stderr.on('data', (d) => {
      buf += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(buf);
      if (m) { clearTimeout(t); res(m[1]); }
    });
    chromium.once('exit', (c) => rej(new Error(`Chromium exited (${c}): ${buf}`)));
  });
  log('chromium ready');

  const files = readdirSync(join(here, 'tests')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(here, 'tests', f));
  const only = process.argv.slice(2);
  const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec',
    ...(only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files)], {
    env: { ...process.env, E2E_BASE_URL: base, E2E_CDP_URL: cdp, E2E_THROWAWAY_DB: dbUrl }, stdio: 'inherit', cwd: client,
  });
  code = run.status ?? 1;
  log(code === 0 ? 'all passed' : `failed (exit ${code})`);
} catch (e) {
  console.error('e2e:', e);
  code = 1;
} finally {
  cleanup();
}
process.exit(code);
