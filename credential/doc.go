// Package credential is talentloop's certificate engine: it builds Open
// Badges 3.0 credentials (W3C Verifiable Credentials Data Model 2.0), signs
// them with Data Integrity proofs using the eddsa-rdfc-2022 cryptosuite,
// verifies them, and manages the issuer's keys, DIDs and Bitstring Status
// Lists. It is pure: no database, no HTTP, no network access. Contexts come
// from the bundled copies in credential/contexts; DIDs other than did:key
// and status lists come through interfaces the caller implements.
//
// Issuing a certificate:
//
//	ks, _ := credential.OpenKeystore(dir, nil)         // load or create keys
//	id, _ := credential.NewIdentity(ks, publicBaseURL) // did:key, or did:web with a URL
//	vc, _ := credential.BuildOpenBadge(credential.OpenBadgeParams{...})
//	signed, _ := credential.Sign(vc, id.Signer(), time.Now())
//
// Verifying one:
//
//	v := &credential.Verifier{Resolver: id.Resolver(), StatusFetcher: f}
//	res := v.Verify(ctx, signed)
//	res.Verified; res.Checks // parse, context, proof, dates, status, issuer
package credential
