// Package contexts bundles the JSON-LD context documents that talentloop
// credentials use, so that processing them never touches the network.
//
// The files are exported from the npm packages that the independent
// verifier in interop/ uses (see interop/export-contexts.mjs), so both sides
// read byte-for-byte the same definitions.
package contexts

import (
	"embed"
	"fmt"
)

// Context URLs.
const (
	CredentialsV2   = "https://www.w3.org/ns/credentials/v2"
	OpenBadgesV3    = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	OpenBadgesExt   = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
	DataIntegrityV2 = "https://w3id.org/security/data-integrity/v2"
	StatusListV1    = "https://www.w3.org/ns/credentials/status/v1"
	MultikeyV1      = "https://w3id.org/security/multikey/v1"
)

var files = map[string]string{
	CredentialsV2:   "credentials-v2.jsonld",
	OpenBadgesV3:    "ob-v3p0-context-3.0.3.json",
	OpenBadgesExt:   "ob-v3p0-extensions.json",
	DataIntegrityV2: "data-integrity-v2.jsonld",
	StatusListV1:    "bitstring-status-list-v1.jsonld",
	MultikeyV1:      "multikey-v1.jsonld",
}

//go:embed *.jsonld *.json
var fsys embed.FS

// Documents returns a new map from context URL to the JSON context document.
func Documents() map[string][]byte {
	m := make(map[string][]byte, len(files))
	for url, name := range files {
		b, err := fsys.ReadFile(name)
		if err != nil {
			panic(fmt.Sprintf("contexts: %s missing from the build: %v", name, err))
		}
		m[url] = b
	}
	return m
}

// URLs returns the URLs of the bundled contexts.
func URLs() []string {
	out := make([]string, 0, len(files))
	for url := range files {
		out = append(out, url)
	}
	return out
}
