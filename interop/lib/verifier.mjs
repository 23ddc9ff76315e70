// verifier.mjs: an independent verifier for talentloop credentials, built
// from Digital Bazaar's libraries, with an offline document loader: contexts
// come from their npm packages, did:key documents are computed locally, and
// only status list credentials are fetched, from loopback servers.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as didKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {lookup} from '../export-contexts.mjs';

const didKeyDriver = didKey.driver();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

function isLoopback(url) {
  const {hostname} = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' ||
    hostname === '[::1]';
}

// makeDocumentLoader returns a loader that never leaves this machine.
//
// cache (optional) holds fetched documents by URL. rewrite (optional) maps
// URL prefixes to the prefixes to fetch them from, e.g.
// {'https://127.0.0.1:8080/': 'http://127.0.0.1:8080/'} for a local server
// that names https URLs in its credentials but speaks plain http. The
// document is still returned under its original URL. The loader's
// `fetched` array records every fetch as {url, from}.
export function makeDocumentLoader({cache = new Map(), rewrite = {}} = {}) {
  const fetched = [];
  async function documentLoader(url) {
    const context = lookup(url);
    if(context) {
      return {contextUrl: null, documentUrl: url, document: context};
    }
    if(url.startsWith('did:key:')) {
      const document = await didKeyDriver.get({url});
      return {contextUrl: null, documentUrl: url, document};
    }
    let from = url;
    for(const [prefix, to] of Object.entries(rewrite)) {
      if(url.startsWith(prefix)) {
        from = to + url.slice(prefix.length);
        break;
      }
    }
    if(from.startsWith('http://') && isLoopback(from)) {
      if(!cache.has(url)) {
        const res = await fetch(from);
        if(!res.ok) {
          throw new Error(`GET ${from}: ${res.status}`);
        }
        cache.set(url, await res.json());
        fetched.push({url, from});
      }
      return {contextUrl: null, documentUrl: url, document: cache.get(url)};
    }
    throw new Error(`document loader: refusing to load ${url}`);
  }
  documentLoader.fetched = fetched;
  return documentLoader;
}

export function makeSuite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
}

// verify returns the @digitalbazaar/vc result for a credential.
export async function verify(credential, {documentLoader, suite} = {}) {
  documentLoader ??= makeDocumentLoader();
  suite ??= makeSuite();
  return vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    checkStatus: options => checkStatus({...options, suite})
  });
}
