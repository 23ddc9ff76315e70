// Interop test: certificates the real talentloop issues through its API must
// verify with the independent @digitalbazaar verifier stack.
//
// It starts `talentloop serve --demo` on a free loopback port (the binary
// is TALENTLOOP_BIN, which run.sh builds; without it the test builds one),
// waits for the demo data and its certificates (one revoked, one
// suspended), takes a new learner through a free program via the API until
// the operator can issue their certificate, and verifies certificates
// fetched from /credentials/{id}.json with did:key resolved locally and the
// status lists fetched from the running server. The JSON Resume export is
// validated against @jsonresume/schema.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync, readdirSync, rmSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {dirname, join} from 'node:path';
import resumeSchema from '@jsonresume/schema';
import {verify, makeDocumentLoader} from '../lib/verifier.mjs';
import {Talentloop, buildBinary, tempDir, progress} from '../lib/talentloop.mjs';
import {prepareQualifiedLearner} from '../lib/earn.mjs';
import {files, lookup} from '../export-contexts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
// No timed assertions: these only stop a hung run.
const SLOW = {timeout: 300_000};

let scratch;
let server;
let operator;
let demo; // the demo's certificates by status, listed before the test changes any
let earned; // {learner, user, program, notYetQualified, issued, credential}

// loader returns a fresh document loader for the running server. Without
// --base-url, talentloop names its credentials and status lists
// https://127.0.0.1:PORT/… (credentials must name https URLs) while it
// serves plain http, so status lists are fetched by rewriting
// https://127.0.0.1:PORT/ to http://127.0.0.1:PORT/.
function loader(options = {}) {
  return makeDocumentLoader({
    ...options,
    rewrite: {[`https://127.0.0.1:${server.port}/`]: `http://127.0.0.1:${server.port}/`}
  });
}

async function listCertificates(query) {
  const out = [];
  for(let offset = 0; ; ) {
    const {items, total} = await operator.get(`/api/v1/credentials?${query}&limit=200&offset=${offset}`);
    out.push(...items);
    offset += items.length;
    if(items.length === 0 || offset >= total) {
      return out;
    }
  }
}

// credentialOf fetches a certificate's signed credential from its public
// JSON URL, the one the API lists.
async function credentialOf(cert) {
  assert.equal(cert.json_url, `${server.base}/credentials/${cert.id}.json`);
  const res = await fetch(cert.json_url);
  assert.equal(res.status, 200, `GET ${cert.json_url}`);
  return res.json();
}

function statusByPurpose(result) {
  assert.ok(result.statusResult, `no statusResult: ${JSON.stringify(result.error ?? result)}`);
  return Object.fromEntries(result.statusResult.results.map(
    r => [r.credentialStatus.statusPurpose, r.status]));
}

function explain(result) {
  return JSON.stringify(result.error ?? result, (k, v) => (k === 'stack' ? undefined : v), 2);
}

function validateResume(resume) {
  return new Promise(resolve => resumeSchema.validate(resume,
    (errors, valid) => resolve({valid, errors: (errors ?? []).map(e => e.stack ?? String(e))})));
}

before(async () => {
  scratch = tempDir();
  const bin = process.env.TALENTLOOP_BIN || buildBinary(repoRoot, scratch.dir);
  server = new Talentloop({bin, dir: scratch.dir, pidFile: process.env.TALENTLOOP_PIDFILE});
  process.on('exit', () => server.killNow());
  await server.start();
  operator = await server.api('operator@demo.test');
  demo = {
    revoked: await listCertificates('status=revoked'),
    suspended: await listCertificates('status=suspended'),
    valid: await listCertificates('status=valid')
  };
  progress(`the demo issued ${demo.valid.length} valid, ${demo.revoked.length} revoked and ${demo.suspended.length} suspended certificates`);
}, {timeout: 600_000});

after(async () => {
  if(server) {
    await server.stop();
    progress('talentloop stopped');
  }
  if(scratch?.owned) {
    rmSync(scratch.dir, {recursive: true, force: true});
  }
});

test('the API issues a new certificate to a learner who has just qualified', SLOW, async () => {
  const prepared = await prepareQualifiedLearner(server, operator);
  assert.equal(prepared.notYetQualified.status, 400,
    `issuing before the reviews: ${JSON.stringify(prepared.notYetQualified.body)}`);

  const req = {learner_id: prepared.user.id, program_id: prepared.program.id};
  const {status, body: issued} = await operator.request('POST', '/api/v1/credentials', req);
  assert.equal(status, 201, JSON.stringify(issued));
  assert.equal(issued.status, 'valid');
  assert.equal(issued.learner_id, prepared.user.id);
  assert.equal(issued.program_id, prepared.program.id);
  progress(`issued certificate ${issued.id} through the API`);

  // Issuing again returns the certificate the learner holds.
  const again = await operator.request('POST', '/api/v1/credentials', req);
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.id, issued.id);

  const inProgram = await listCertificates(`program_id=${prepared.program.id}`);
  assert.ok(inProgram.some(c => c.id === issued.id), 'listed under its program');

  const credential = await credentialOf(issued);
  assert.equal(credential.id, `https://127.0.0.1:${server.port}/credentials/${issued.id}`);
  assert.match(credential.issuer.id, /^did:key:z6Mk/);
  earned = {...prepared, issued, credential};
});

test('issuing for a learner who already holds a certificate returns it (200)', SLOW, async () => {
  const held = demo.valid[0];
  assert.ok(held, 'the demo has a valid certificate');
  const {status, body} = await operator.request('POST', '/api/v1/credentials',
    {learner_id: held.learner_id, program_id: held.program_id});
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.id, held.id);
});

test('the newly issued certificate verifies, its status lists fetched from the server', SLOW, async () => {
  assert.ok(earned, 'no certificate was issued');
  const documentLoader = loader();
  const result = await verify(earned.credential, {documentLoader});
  assert.equal(result.verified, true, explain(result));
  assert.equal(result.statusResult.verified, true);
  assert.deepEqual(statusByPurpose(result), {revocation: false, suspension: false});
  const lists = documentLoader.fetched.map(f => f.from);
  assert.equal(lists.length, 2, lists.join(', '));
  for(const from of lists) {
    assert.ok(from.startsWith(`${server.base}/status-lists/`), from);
  }
});

test('a tampered copy fails', SLOW, async () => {
  assert.ok(earned, 'no certificate was issued');
  const tampered = structuredClone(earned.credential);
  tampered.credentialSubject.achievement.name += '（荣誉）/ with honours';
  const result = await verify(tampered, {documentLoader: loader()});
  assert.equal(result.verified, false);
  const messages = (result.error?.errors ?? [result.error]).map(e => e?.message);
  assert.ok(messages.some(m => /signature/i.test(m)), messages.join('; '));
});

test('a copy claiming another holder fails', SLOW, async () => {
  assert.ok(earned, 'no certificate was issued');
  const tampered = structuredClone(earned.credential);
  const [identifier] = tampered.credentialSubject.identifier;
  identifier.identityHash = identifier.identityHash.replace(/.$/, c => (c === '0' ? '1' : '0'));
  const result = await verify(tampered, {documentLoader: loader()});
  assert.equal(result.verified, false);
});

test('the new learner\'s JSON Resume validates and lists the certificate', SLOW, async () => {
  assert.ok(earned, 'no certificate was issued');
  const resume = await earned.learner.get('/api/v1/me/resume.json');
  const {valid, errors} = await validateResume(resume);
  assert.ok(valid, errors.join('\n'));
  assert.ok(resume.certificates.some(c => c.url === earned.issued.verify_url),
    JSON.stringify(resume.certificates));
});

test('after revoking it through the API, the certificate reads as revoked', SLOW, async () => {
  assert.ok(earned, 'no certificate was issued');
  const revoked = await operator.post(`/api/v1/credentials/${earned.issued.id}/revoke`,
    {reason: '互操作测试撤销 / Revoked by the interop test'}, 200);
  assert.equal(revoked.status, 'revoked');
  // The credential itself does not change; only its status list bit does.
  const credential = await credentialOf(earned.issued);
  assert.deepEqual(credential, earned.credential);
  const result = await verify(credential, {documentLoader: loader()});
  // This library keeps `verified` about the proof and reports revocation
  // in statusResult.
  assert.equal(result.verified, true, explain(result));
  assert.deepEqual(statusByPurpose(result), {revocation: true, suspension: false});
  const listed = await listCertificates('status=revoked');
  assert.ok(listed.some(c => c.id === earned.issued.id));
});

test('the demo\'s revoked certificate reads as revoked', SLOW, async () => {
  assert.equal(demo.revoked.length, 1, JSON.stringify(demo.revoked.map(c => c.id)));
  const result = await verify(await credentialOf(demo.revoked[0]), {documentLoader: loader()});
  assert.equal(result.verified, true, explain(result));
  assert.deepEqual(statusByPurpose(result), {revocation: true, suspension: false});
});

test('the demo\'s suspended certificate reads as suspended', SLOW, async () => {
  assert.equal(demo.suspended.length, 1, JSON.stringify(demo.suspended.map(c => c.id)));
  const result = await verify(await credentialOf(demo.suspended[0]), {documentLoader: loader()});
  assert.equal(result.verified, true, explain(result));
  assert.deepEqual(statusByPurpose(result), {revocation: false, suspension: true});
});

test('every valid certificate the demo issued verifies with a clean status', SLOW, async () => {
  assert.ok(demo.valid.length > 0);
  // One cache: the demo's certificates share a few status lists.
  const documentLoader = loader();
  const failures = [];
  for(const cert of demo.valid) {
    const result = await verify(await credentialOf(cert), {documentLoader});
    const status = result.statusResult && statusByPurpose(result);
    if(!result.verified || status.revocation || status.suspension) {
      failures.push(`${cert.id} (program ${cert.program_id}): ${explain(result)}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('a status list that cannot be fetched fails the status check', SLOW, async () => {
  const cert = demo.valid[0];
  const base = loader();
  const documentLoader = async url => {
    if(url.includes('/status-lists/')) {
      throw new Error('status list unavailable');
    }
    return base(url);
  };
  const result = await verify(await credentialOf(cert), {documentLoader});
  assert.equal(result.verified, false);
  assert.equal(result.statusResult.verified, false);
});

test('learner@demo.test\'s JSON Resume validates against @jsonresume/schema', SLOW, async () => {
  const learner = await server.api('learner@demo.test');
  const resume = await learner.get('/api/v1/me/resume.json');
  const {valid, errors} = await validateResume(resume);
  assert.ok(valid, errors.join('\n'));
  assert.ok(resume.certificates.length > 0, 'the demo learner\'s resume lists a certificate');
  const {items: mine} = await learner.get('/api/v1/me/credentials');
  const urls = new Set(mine.map(c => c.verify_url));
  for(const c of resume.certificates) {
    assert.ok(urls.has(c.url), `${c.url} is not one of the learner's certificates`);
  }
  // The validator is not vacuous: a broken copy fails.
  const broken = {...resume, certificates: 'none', basics: {...resume.basics, name: 42}};
  assert.equal((await validateResume(broken)).valid, false);
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
