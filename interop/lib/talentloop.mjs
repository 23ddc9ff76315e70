// talentloop.mjs: starts the real talentloop server with its demo data for
// the interop test, and talks to its JSON API.
import {spawn, spawnSync} from 'node:child_process';
import {createServer} from 'node:net';
import {mkdtempSync, openSync, closeSync, readFileSync, writeFileSync,
  rmSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

export const DEMO_PASSWORD = 'talentloop-demo';

// progress prints a line at once, whatever the test reporter does with
// standard output.
export function progress(message) {
  process.stderr.write(`interop: ${message}\n`);
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before talentloop listens; start() then tries again.
async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// buildBinary builds ./cmd/talentloop into dir, for runs without run.sh.
export function buildBinary(repoRoot, dir) {
  const bin = join(dir, 'talentloop');
  progress(`building ${bin}`);
  const r = spawnSync('go', ['build', '-o', bin, './cmd/talentloop'],
    {cwd: repoRoot, stdio: 'inherit'});
  if(r.status !== 0) {
    throw new Error(`go build ./cmd/talentloop failed (${r.status ?? r.error})`);
  }
  return bin;
}

// WATCHDOG runs "$@" (talentloop serve …) and sends it SIGTERM when the
// watchdog's standard input reaches end of file; it exits with the server's
// status. Asynchronous commands read /dev/null unless told otherwise, hence
// fd 3.
const WATCHDOG = `
exec 3<&0
"$@" </dev/null 3<&- &
server=$!
{ cat <&3 >/dev/null; kill -TERM "$server" 2>/dev/null; } &
watcher=$!
exec 3<&-
wait "$server"
status=$?
kill "$watcher" 2>/dev/null
exit $status
`;

// signalGroup signals the process group a detached child leads.
function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// Talentloop is one running `talentloop serve --demo` on loopback.
export class Talentloop {
  constructor({bin, dir, pidFile}) {
    this.bin = bin;
    this.dir = dir;
    this.pidFile = pidFile;
    this.child = null;
  }

  // start starts the server on a free port and waits until /healthz
  // answers (loading the demo data and issuing its certificates comes
  // first). It retries on a new port when the server exits before that.
  async start({attempts = 3, timeoutMs = 300_000} = {}) {
    let lastError;
    for(let i = 1; i <= attempts; i++) {
      const port = await freePort();
      const dir = join(this.dir, `run${i}`);
      mkdirSync(dir, {recursive: true});
      try {
        await this.#startOn(port, dir, timeoutMs);
        return this;
      } catch(e) {
        lastError = e;
        await this.stop();
        progress(`talentloop did not start on port ${port} (attempt ${i}): ${e.message}`);
      }
    }
    throw lastError;
  }

  async #startOn(port, dir, timeoutMs) {
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    this.log = join(dir, 'server.log');
    const args = ['serve', '--demo', '--db', join(dir, 'demo.db'),
      '--addr', `127.0.0.1:${port}`, '--key-dir', join(dir, 'keys'),
      // The background job would issue due certificates by itself; keep it
      // from racing the test's own issuance through the API.
      '--certify-every', '24h'];
    progress(`starting ${this.bin} ${args.join(' ')} (log: ${this.log})`);
    const fd = openSync(this.log, 'a');
    // The server runs under a small shell watchdog that stops it when its
    // standard input closes: when stop() closes it, or when this process
    // ends in any way (a crash, a signal, a closed output pipe), so no
    // server outlives the test. The watchdog leads its own process group.
    const child = spawn('/bin/sh', ['-c', WATCHDOG, 'talentloop-watchdog', this.bin, ...args],
      {stdio: ['pipe', fd, fd], detached: true});
    closeSync(fd);
    child.stdin.on('error', () => {}); // EPIPE once it has gone
    this.child = child;
    const exited = new Promise(resolve => child.once('exit',
      (code, signal) => resolve({code, signal})));
    this.exited = exited;
    if(this.pidFile) {
      writeFileSync(this.pidFile, `${child.pid}\n`);
    }
    const started = Date.now();
    let lastNote = started;
    while(true) {
      const done = await Promise.race([exited, sleep(500).then(() => null)]);
      if(done) {
        this.child = null;
        throw new Error(`talentloop exited (${done.code ?? done.signal}) before it answered:\n${tail(this.log)}`);
      }
      try {
        const res = await fetch(`${this.base}/healthz`);
        if(res.ok) {
          progress(`talentloop is up at ${this.base} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
          return;
        }
      } catch {
        // Not listening yet: the demo data is still loading.
      }
      if(Date.now() - started > timeoutMs) {
        throw new Error(`talentloop did not answer /healthz within ${timeoutMs / 1000} s:\n${tail(this.log)}`);
      }
      if(Date.now() - lastNote > 10_000) {
        lastNote = Date.now();
        progress(`waiting for talentloop (${Math.round((lastNote - started) / 1000)} s)…`);
      }
    }
  }

  // stop closes the watchdog's input, which sends the server SIGTERM, waits
  // for a clean exit, and kills the process group after 30 s.
  async stop() {
    const child = this.child;
    this.child = null;
    if(child && child.exitCode === null && child.signalCode === null) {
      child.stdin.end();
      const done = await Promise.race([this.exited, sleep(30_000, null, {ref: false})]);
      if(!done) {
        progress('talentloop did not stop after SIGTERM; killing it');
        signalGroup(child.pid, 'SIGKILL');
        await this.exited;
      }
    }
    if(this.pidFile) {
      rmSync(this.pidFile, {force: true});
    }
  }

  // killNow is for process exit: no waiting.
  killNow() {
    if(this.child && this.child.exitCode === null) {
      signalGroup(this.child.pid, 'SIGTERM');
    }
  }

  // api returns a client; with email it signs in first.
  async api(email, password = DEMO_PASSWORD) {
    const client = new Api(this.base);
    if(email) {
      await client.signIn(email, password);
    }
    return client;
  }
}

// Api is a small JSON API client holding a Bearer token.
export class Api {
  constructor(base) {
    this.base = base;
    this.token = null;
  }

  async signIn(email, password) {
    const {status, body} = await this.request('POST', '/api/v1/auth/token',
      {email, password});
    if(status !== 201 || !body?.token) {
      throw new Error(`sign in as ${email}: HTTP ${status} ${JSON.stringify(body)}`);
    }
    this.token = body.token;
    this.user = body.user;
    return this;
  }

  // request returns {status, body} whatever the status.
  async request(method, path, json) {
    const headers = {Accept: 'application/json'};
    if(this.token) {
      headers.Authorization = `Bearer ${this.token}`;
    }
    let body;
    if(json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(json);
    }
    const started = Date.now();
    const res = await fetch(this.base + path, {method, headers, body});
    const text = await res.text();
    if(process.env.TALENTLOOP_INTEROP_TRACE) {
      progress(`${method} ${path} → ${res.status} (${Date.now() - started} ms)`);
    }
    let parsed = null;
    if(text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return {status: res.status, body: parsed};
  }

  // call expects one status (or one of several) and returns the body.
  async call(method, path, json, expect = [200]) {
    const {status, body} = await this.request(method, path, json);
    const want = Array.isArray(expect) ? expect : [expect];
    if(!want.includes(status)) {
      throw new Error(`${method} ${path}: HTTP ${status}, want ${want.join(' or ')}: ${JSON.stringify(body)}`);
    }
    return body;
  }

  get(path, expect = 200) {
    return this.call('GET', path, undefined, expect);
  }

  post(path, json, expect = [200, 201]) {
    return this.call('POST', path, json, expect);
  }
}

// tempDir is the test's scratch folder: TALENTLOOP_INTEROP_DIR (run.sh
// makes and removes it) or a new one the caller removes.
export function tempDir() {
  if(process.env.TALENTLOOP_INTEROP_DIR) {
    mkdirSync(process.env.TALENTLOOP_INTEROP_DIR, {recursive: true});
    return {dir: process.env.TALENTLOOP_INTEROP_DIR, owned: false};
  }
  return {dir: mkdtempSync(join(tmpdir(), 'talentloop-interop-')), owned: true};
}
