// Package web holds the static assets the service serves: GraphiQL and
// the React it runs on, so that the playground works on a machine that
// cannot reach a CDN.
//
// The files are the npm packages graphiql@4.1.2 (graphiql.min.js,
// graphiql.min.css), react@18.2.0 and react-dom@18.2.0 (umd/*.production.min.js),
// byte for byte: their SHA-256 digests are the subresource-integrity
// hashes gqlgen's playground pins for the same versions, and a test checks
// that they still match. To update, `npm pack` the new versions, copy the
// same files and their LICENSE files here, and update the digests in
// GraphiQLFiles.
package web

import "embed"

// GraphiQL is the directory graphiql/ of this package.
//
//go:embed graphiql
var GraphiQL embed.FS

// An Asset is one file of GraphiQL with its subresource-integrity digest.
type Asset struct {
	Name      string // path below graphiql/
	Integrity string // "sha256-" and the base64 SHA-256 of the file
}

// GraphiQLAssets are the files the playground page loads.
type GraphiQLAssets struct {
	JS, CSS, React, ReactDOM Asset
}

// GraphiQLFiles returns the files the playground page loads.
func GraphiQLFiles() GraphiQLAssets {
	return GraphiQLAssets{
		JS:       Asset{"graphiql.min.js", "sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs="},
		CSS:      Asset{"graphiql.min.css", "sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU="},
		React:    Asset{"react.production.min.js", "sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY="},
		ReactDOM: Asset{"react-dom.production.min.js", "sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc="},
	}
}
