// bench.mjs: how many credentials @digitalbazaar/vc verifies per second
// (signature and status), on this one Node thread, for comparison with the
// Go engine (credential/credbench runs it).
//
//   node bench.mjs --credential FILE --lists DIR --seconds N
//
// DIR holds the status list credentials as <url-encoded URL>.json; they are
// served from memory, as the Go side's are. Prints one JSON line.
import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {verify, makeDocumentLoader, makeSuite} from './lib/verifier.mjs';

const {values} = parseArgs({options: {
  credential: {type: 'string'},
  lists: {type: 'string'},
  seconds: {type: 'string', default: '5'}
}});
const credential = JSON.parse(readFileSync(values.credential, 'utf8'));
const lists = new Map();
for(const f of readdirSync(values.lists)) {
  const url = decodeURIComponent(f.replace(/\.json$/, ''));
  lists.set(url, JSON.parse(readFileSync(join(values.lists, f), 'utf8')));
}
const base = makeDocumentLoader();
const documentLoader = async url => lists.has(url) ?
  {contextUrl: null, documentUrl: url, document: lists.get(url)} : base(url);
const suite = makeSuite();

const check = async () => {
  const r = await verify(credential, {documentLoader, suite});
  if(!r.verified || r.statusResult?.results?.some(s => s.status)) {
    throw new Error('the benchmark credential does not verify: ' +
      JSON.stringify(r.error ?? r.statusResult));
  }
};
// Warm up (JIT, caches), then measure.
for(let i = 0; i < 5; i++) {
  await check();
}
const seconds = Number(values.seconds);
const start = process.hrtime.bigint();
const end = start + BigInt(Math.round(seconds * 1e9));
let n = 0;
let now = start;
while(now < end) {
  await check();
  n++;
  now = process.hrtime.bigint();
}
const elapsed = Number(now - start) / 1e9;
console.log(JSON.stringify({
  verifier: '@digitalbazaar/vc', node: process.version,
  verifications: n, seconds: elapsed, perSecond: n / elapsed
}));
