// Package web holds the pages the service serves to browsers and their
// static files: GraphiQL with a graph panel (the playground at /), the
// explorer at /explore, and what they run on, all embedded so that both
// work on a machine that cannot reach a CDN.
//
// Third-party files are npm packages byte for byte, pinned by digest, and
// a test checks each digest:
//
//   - graphiql/: graphiql@4.1.2 (graphiql.min.js, graphiql.min.css),
//     react@18.2.0 and react-dom@18.2.0 (umd/*.production.min.js). Their
//     SHA-256 digests are the subresource-integrity hashes gqlgen's
//     playground pins for the same versions. To update, `npm pack` the new
//     versions, copy the same files and their LICENSE files here, and
//     update the digests in GraphiQLFiles.
//   - ui/cytoscape.min.js: cytoscape@3.35.0 (dist/cytoscape.min.js), the
//     drawing library, whose npm tarball has the integrity in Cytoscape().
//     `go test ./web -run TestCytoscapeVendored -fetch` downloads the
//     tarball from the npm registry, checks it against that integrity and
//     rewrites the file; without -fetch the test checks the committed
//     file's digest. To update, change the version and both digests.
//
// The rest of ui/ (graphview.js, playground.js, explore.js, ties.css) is
// Ties' own code, plain scripts with no build step.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
)

//go:embed graphiql ui playground.html explore.html
var files embed.FS

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

// A Vendored file is one file taken from an npm package: the package, the
// tarball and the integrity npm records for it, the file's path in the
// tarball, and the file's SHA-256 in hex.
type Vendored struct {
	Package, Tarball, TarballIntegrity, File, FileSHA256 string
}

// Cytoscape returns the pin of ui/cytoscape.min.js, the drawing library.
func Cytoscape() Vendored {
	return Vendored{
		Package:          "cytoscape@3.35.0",
		Tarball:          "https://registry.npmjs.org/cytoscape/-/cytoscape-3.35.0.tgz",
		TarballIntegrity: "sha512-sMvBIXiGMnhkCaWz2R06FwF/27MNlS+Tqvi17foO9UhnUg3XGZccKjxsvEqQFAQYMSSZmN5SxYzUYlQ0DOJJ3g==",
		File:             "package/dist/cytoscape.min.js",
		FileSHA256:       "71fa9ebec21a7ca2c40cff6aacc30d1f6464e363662ad4b2c197e1adc770cd94",
	}
}

// Paths where Pages expects to be mounted.
const (
	GraphiQLPath = "/graphiql/" // GraphiQL and React
	UIPath       = "/ui/"       // the drawing library and Ties' own scripts
)

// Pages renders the playground and the explorer once, at construction,
// and serves them with their static files.
type Pages struct {
	playground, explorer []byte
	graphiql, ui         http.Handler
}

// NewPages renders the pages. Scripts and styles of ui/ are linked with a
// digest of their content in the URL, so that browsers may cache them for
// a day and still never run an old script with a new page. It returns an
// error only for a broken embedded template, a build mistake.
func NewPages() (*Pages, error) {
	versions := map[string]string{}
	err := fs.WalkDir(files, "ui", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		versions[path[len("ui/"):]] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash ui files: %w", err)
	}
	funcs := template.FuncMap{"ui": func(name string) (string, error) {
		v, ok := versions[name]
		if !ok {
			return "", fmt.Errorf("no file ui/%s", name)
		}
		return UIPath + name + "?v=" + v, nil
	}}
	f := GraphiQLFiles()
	data := map[string]any{"GraphiQL": map[string]string{
		"JS": GraphiQLPath + f.JS.Name, "JSIntegrity": f.JS.Integrity,
		"CSS": GraphiQLPath + f.CSS.Name, "CSSIntegrity": f.CSS.Integrity,
		"React": GraphiQLPath + f.React.Name, "ReactIntegrity": f.React.Integrity,
		"ReactDOM": GraphiQLPath + f.ReactDOM.Name, "ReactDOMIntegrity": f.ReactDOM.Integrity,
	}}
	p := &Pages{}
	for _, page := range []struct {
		name string
		out  *[]byte
	}{{"playground.html", &p.playground}, {"explore.html", &p.explorer}} {
		t, err := template.New(page.name).Funcs(funcs).ParseFS(files, page.name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", page.name, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return nil, fmt.Errorf("render %s: %w", page.name, err)
		}
		*page.out = buf.Bytes()
	}
	p.graphiql = static("graphiql", GraphiQLPath)
	p.ui = static("ui", UIPath)
	return p, nil
}

// Playground serves GraphiQL with the graph panel.
func (p *Pages) Playground() http.Handler { return page(p.playground) }

// Explorer serves the explorer page.
func (p *Pages) Explorer() http.Handler { return page(p.explorer) }

// GraphiQLFiles serves graphiql/ below GraphiQLPath.
func (p *Pages) GraphiQLFiles() http.Handler { return p.graphiql }

// UIFiles serves ui/ below UIPath.
func (p *Pages) UIFiles() http.Handler { return p.ui }

func page(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The page names its scripts by digest, so it must not be cached
		// past a restart with a new build.
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(body)
	})
}

// static serves an embedded directory. Its files never change within a
// build; pages pin GraphiQL's by digest and ui/'s by a digest in the URL.
func static(dir, prefix string) http.Handler {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	h := http.StripPrefix(prefix, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}
