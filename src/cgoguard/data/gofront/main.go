// Command gofront reads Go packages the way the Go toolchain does and prints
// facts about their cgo export boundary as JSON, for cgoguard's lint checks.
//
// It is cgoguard's Go front end: go/build decides which files belong to the
// package for the target GOOS/GOARCH/tags, go/parser parses them (whatever
// `go vet` parses, this parses), and go/types resolves names and types, with
// the packages of the same module type-checked from source so that calls can
// be followed across them. The standard library is type-checked from GOROOT's
// sources (declarations only); packages from other modules, which may not be
// on this machine, become empty stand-ins whose uses stay untyped.
//
// Facts only: nothing here decides what is wrong. Input is one JSON request on
// stdin; output is one JSON document on stdout.
package main

import (
	"encoding/json"
	"fmt"
	"go/build"
	"os"
	"runtime"
	"runtime/debug"
)

type request struct {
	GOOS    string   `json:"goos"`
	GOARCH  string   `json:"goarch"`
	Tags    []string `json:"tags"`
	Cgo     *bool    `json:"cgo"`
	Targets []target `json:"targets"`
	API     bool     `json:"api"` // the targets' plain Go API (for the bridge), not lint facts
}

type target struct {
	Dir   string   `json:"dir"`
	Files []string `json:"files"` // only these files of the folder (nil: all)
}

type response struct {
	GoVersion string                  `json:"go_version"`
	Packages  []*packageJSON          `json:"packages"`
	Modules   map[string]*packageJSON `json:"modules"` // module packages the targets import
	APIs      []*apiJSON              `json:"apis,omitempty"`
}

func main() {
	debug.SetGCPercent(400) // short-lived: trade memory for speed
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintf(os.Stderr, "gofront: bad request: %v\n", err)
		os.Exit(2)
	}
	ctxt := build.Default
	if req.GOOS != "" {
		ctxt.GOOS = req.GOOS
	}
	if req.GOARCH != "" {
		ctxt.GOARCH = req.GOARCH
	}
	ctxt.CgoEnabled = req.Cgo == nil || *req.Cgo
	ctxt.BuildTags = append([]string(nil), req.Tags...)
	// The standard library is imported from source without cgo: its pure-Go
	// files declare the same API, and no C compiler is started.
	build.Default.CgoEnabled = false
	build.Default.GOOS = ctxt.GOOS
	build.Default.GOARCH = ctxt.GOARCH

	l := newLoader(&ctxt)
	resp := response{GoVersion: runtime.Version()}
	for _, t := range req.Targets {
		if req.API {
			resp.APIs = append(resp.APIs, safeAPI(l, t))
		} else {
			resp.Packages = append(resp.Packages, safeTarget(l, t))
		}
	}
	resp.Modules = l.modules2
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(&resp); err != nil {
		fmt.Fprintf(os.Stderr, "gofront: %v\n", err)
		os.Exit(2)
	}
}

// safeTarget reads one target; a bug met on one package is that package's
// error, and the other packages are still read.
func safeTarget(l *loader, t target) (out *packageJSON) {
	defer func() {
		if r := recover(); r != nil {
			out = &packageJSON{Dir: t.Dir, Target: true, Files: []fileJSON{}, Functions: []*funcJSON{},
				Excluded: []pkgError{}, PointerStructs: map[string][]string{}, TypeKinds: map[string]string{},
				Errors: []pkgError{{t.Dir, fmt.Sprintf("cgoguard's Go front end failed on %s: %v (a bug; please report it)", t.Dir, r)}}}
		}
	}()
	return l.target(t)
}

func safeAPI(l *loader, t target) (out *apiJSON) {
	defer func() {
		if r := recover(); r != nil {
			out = &apiJSON{Dir: t.Dir, Functions: []apiFuncJSON{},
				Errors: []pkgError{{t.Dir, fmt.Sprintf("cgoguard's Go front end failed on %s: %v (a bug; please report it)", t.Dir, r)}}}
		}
	}()
	return l.api(t)
}
