// Interop test: credentials issued by the Go engine must verify with the
// independent @digitalbazaar verifier stack.
//
// It starts the Go fixture server (TALENTLOOP_FIXTURE_CMD, by default
// `go run ./credential/internal/fixturegen -serve 127.0.0.1:0` in the
// repository root), which prints "READY <base URL>" and serves
// /credentials/*.json and the status lists. To test the product instead,
// point the fetches at its API.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {readFileSync, readdirSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {dirname, join} from 'node:path';
import {verify, makeDocumentLoader} from '../lib/verifier.mjs';
import {files, lookup} from '../export-contexts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
let server;
let base;

before(async () => {
  const cmd = process.env.TALENTLOOP_FIXTURE_CMD ||
    'go run ./credential/internal/fixturegen -serve 127.0.0.1:0';
  server = spawn(cmd, {cwd: repoRoot, shell: true, stdio: ['pipe', 'pipe', 'inherit']});
  base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('fixture server did not start')), 240000);
    server.stdout.on('data', chunk => {
      out += chunk;
      const m = out.match(/READY (\S+)/);
      if(m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on('exit', code => reject(new Error(`fixture server exited: ${code}`)));
  });
});

after(() => {
  if(server) {
    server.stdin.end();
    server.kill();
  }
});

async function fetchCredential(name) {
  const res = await fetch(`${base}/credentials/${name}.json`);
  assert.equal(res.status, 200);
  return res.json();
}

test('a fresh certificate verifies, with a clean status', async () => {
  const result = await verify(await fetchCredential('fresh'));
  assert.equal(result.verified, true, JSON.stringify(result.error ?? result, null, 2));
  assert.equal(result.statusResult.verified, true);
  for(const r of result.statusResult.results) {
    assert.equal(r.status, false, `${r.credentialStatus.statusPurpose} bit`);
  }
});

test('a tampered copy fails', async () => {
  const result = await verify(await fetchCredential('tampered'));
  assert.equal(result.verified, false);
  const messages = (result.error?.errors ?? [result.error]).map(e => e?.message);
  assert.ok(messages.some(m => /signature/i.test(m)), messages.join('; '));
});

test('a revoked certificate reads as revoked', async () => {
  const result = await verify(await fetchCredential('revoked'));
  // The signature is fine; revocation shows in statusResult.
  assert.equal(result.verified, true, JSON.stringify(result.error ?? result, null, 2));
  const byPurpose = Object.fromEntries(result.statusResult.results.map(
    r => [r.credentialStatus.statusPurpose, r.status]));
  assert.deepEqual(byPurpose, {revocation: true, suspension: false});
});

test('a suspended certificate reads as suspended', async () => {
  const result = await verify(await fetchCredential('suspended'));
  assert.equal(result.verified, true, JSON.stringify(result.error ?? result, null, 2));
  const byPurpose = Object.fromEntries(result.statusResult.results.map(
    r => [r.credentialStatus.statusPurpose, r.status]));
  assert.deepEqual(byPurpose, {revocation: false, suspension: true});
});

test('a status list that cannot be fetched fails the status check', async () => {
  const credential = await fetchCredential('fresh');
  const loader = makeDocumentLoader();
  const documentLoader = async url => {
    if(url.includes('/status/')) {
      throw new Error('status list unavailable');
    }
    return loader(url);
  };
  const result = await verify(credential, {documentLoader});
  assert.equal(result.verified, false);
  assert.equal(result.statusResult.verified, false);
});

test('the Go engine bundles exactly the npm packages\' contexts', () => {
  const dir = join(repoRoot, 'credential', 'contexts');
  const bundled = new Set(readdirSync(dir).filter(f => /\.json(ld)?$/.test(f)));
  for(const [url, name] of Object.entries(files)) {
    assert.ok(bundled.has(name), `${name} missing`);
    const goCopy = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    assert.deepEqual(goCopy, lookup(url), url);
  }
});
