#!/usr/bin/env node
// Runs the official GraphQL-over-HTTP server audits of the `graphql-http`
// package against a running server.
//
//   node audit.mjs http://127.0.0.1:PORT/graphql
//
// Prints one line per audit, then a SHOULD summary and, as the very last
// line, `N passed, M failed` counting the MUST audits. Exits 1 if any MUST
// audit is not ok, 2 on bad usage, 0 otherwise.

import { serverAudits } from 'graphql-http';

const REQUEST_TIMEOUT_MS = Number(process.env.AUDIT_REQUEST_TIMEOUT_MS || 15000);

function usage(msg) {
  if (msg) console.error(`audit.mjs: ${msg}`);
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}

const url = process.argv[2];
if (!url || process.argv.length > 3) usage();
try {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') usage(`not an http(s) URL: ${url}`);
} catch {
  usage(`invalid URL: ${url}`);
}

// Every request gets a timeout, so a hanging server fails the audit instead
// of hanging the run.
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

const oneLine = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();
const levelOf = (name) => String(name).split(' ', 1)[0]; // MUST | SHOULD | MAY

const counts = {
  MUST: { ok: 0, notOk: 0 },
  SHOULD: { ok: 0, notOk: 0 },
  MAY: { ok: 0, notOk: 0 },
};

const audits = serverAudits({ url, fetchFn });

for (const audit of audits) {
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    // The audit function throws only on fatal errors (e.g. the server is unreachable).
    const cause = err && err.cause ? ` (${err.cause.code || err.cause.message || err.cause})` : '';
    result = { id: audit.id, name: audit.name, status: 'error', reason: `${err && err.message ? err.message : err}${cause}` };
  }

  const level = levelOf(audit.name);
  const bucket = counts[level] || (counts[level] = { ok: 0, notOk: 0 });
  const reason = oneLine(result.reason);

  if (result.status === 'ok') {
    bucket.ok++;
    console.log(`ok   ${audit.name}`);
    continue;
  }
  bucket.notOk++;
  let tag;
  if (level === 'MUST') tag = 'FAIL';
  else if (result.status === 'notice' || level === 'MAY') tag = 'NOTE';
  else tag = 'WARN';
  console.log(`${tag} ${audit.name} : ${reason}`);
}

const must = counts.MUST;
const should = counts.SHOULD;
const may = counts.MAY;
console.log('');
console.log(
  `SHOULD audits: ${should.ok} ok, ${should.notOk} warnings; MAY audits: ${may.ok} ok, ${may.notOk} notices`,
);
console.log(`${must.ok} passed, ${must.notOk} failed`);

process.exit(must.notOk > 0 ? 1 : 0);
