package main

// The plain Go API of a package, for `cgoguard bridge`: every exported
// function and method with its parameter and result types resolved by
// go/types, and the //cgoguard:export directives in their doc comments.
// Facts only: the bridge generator decides what it can carry across C.

import (
	"go/ast"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type apiJSON struct {
	Dir        string        `json:"dir"`
	Name       string        `json:"name"`
	ImportPath string        `json:"import_path"`
	Module     string        `json:"module"`
	ModuleRoot string        `json:"module_root"`
	GoVersion  string        `json:"go_version"` // the go directive of the module's go.mod
	Functions  []apiFuncJSON `json:"functions"`
	Errors     []pkgError    `json:"errors"`
}

type apiFuncJSON struct {
	Name       string         `json:"name"`
	Receiver   *apiTypeJSON   `json:"receiver"`
	Params     []apiParamJSON `json:"params"`
	Results    []apiParamJSON `json:"results"`
	Variadic   bool           `json:"variadic"`
	Generic    bool           `json:"generic"`
	Directives []string       `json:"directives"` // the text after //cgoguard:export, one per line
	Doc        string         `json:"doc"`
	Path       string         `json:"path"`
	Line       int            `json:"line"`
	Col        int            `json:"col"`
}

type apiParamJSON struct {
	Name string       `json:"name"`
	Type *apiTypeJSON `json:"type"`
}

type apiTypeJSON struct {
	// bool, int, int8 … uint64, uintptr, float32, float64, complex64,
	// complex128, string, error, context, slice, array, struct, pointer, map,
	// chan, func, interface, unsafe_pointer, invalid.
	Kind   string         `json:"kind"`
	Text   string         `json:"text"`            // as Go writes it, qualified by package name
	Named  string         `json:"named,omitempty"` // the type's own name when it is a named type
	Pkg    string         `json:"pkg,omitempty"`   // the import path of a named type's package
	Elem   *apiTypeJSON   `json:"elem,omitempty"`
	Fields []apiFieldJSON `json:"fields,omitempty"`
	Len    int64          `json:"len,omitempty"`
}

type apiFieldJSON struct {
	Name     string       `json:"name"`
	Exported bool         `json:"exported"`
	Embedded bool         `json:"embedded"`
	Type     *apiTypeJSON `json:"type"`
}

const exportDirective = "//cgoguard:export"

func (l *loader) api(t target) *apiJSON {
	dir, err := filepath.Abs(t.Dir)
	if err != nil {
		dir = t.Dir
	}
	p := l.load(dir, t.Files)
	out := &apiJSON{Dir: t.Dir, Name: p.name, ImportPath: p.importPath, Module: p.modPath,
		ModuleRoot: p.modRoot, Functions: []apiFuncJSON{}, Errors: append([]pkgError{}, p.errors...)}
	if p.modRoot != "" {
		if data, err := os.ReadFile(filepath.Join(p.modRoot, "go.mod")); err == nil {
			out.GoVersion = goDirective(string(data))
		}
	}
	out.Errors = append(out.Errors, p.typeErrors...)
	if p.pkg == nil {
		return out
	}
	qualifier := func(other *types.Package) string { return other.Name() }
	for _, f := range p.files {
		for _, decl := range f.file.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() {
				continue
			}
			obj, _ := p.info.Defs[fd.Name].(*types.Func)
			if obj == nil {
				continue
			}
			sig := obj.Type().(*types.Signature)
			pos := l.fset.Position(fd.Name.Pos())
			fn := apiFuncJSON{Name: fd.Name.Name, Variadic: sig.Variadic(), Path: f.path, Line: pos.Line,
				Col: pos.Column, Params: []apiParamJSON{}, Results: []apiParamJSON{}, Directives: []string{},
				Generic: sig.TypeParams().Len() > 0 || (sig.RecvTypeParams() != nil && sig.RecvTypeParams().Len() > 0)}
			if recv := sig.Recv(); recv != nil {
				if named := receiverNamed(recv.Type()); named == nil || !named.Obj().Exported() {
					continue // a method of an unexported type is not part of the API
				}
				fn.Receiver = describe(recv.Type(), qualifier, 0)
			}
			for i := 0; i < sig.Params().Len(); i++ {
				v := sig.Params().At(i)
				fn.Params = append(fn.Params, apiParamJSON{v.Name(), describe(v.Type(), qualifier, 0)})
			}
			for i := 0; i < sig.Results().Len(); i++ {
				v := sig.Results().At(i)
				fn.Results = append(fn.Results, apiParamJSON{v.Name(), describe(v.Type(), qualifier, 0)})
			}
			if fd.Doc != nil {
				var doc []string
				for _, c := range fd.Doc.List {
					if rest, ok := strings.CutPrefix(c.Text, exportDirective); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
						fn.Directives = append(fn.Directives, strings.TrimSpace(rest))
					}
				}
				for _, line := range strings.Split(fd.Doc.Text(), "\n") {
					doc = append(doc, line)
				}
				fn.Doc = strings.TrimSpace(strings.Join(doc, "\n"))
			}
			out.Functions = append(out.Functions, fn)
		}
	}
	sort.SliceStable(out.Functions, func(i, j int) bool {
		a, b := out.Functions[i], out.Functions[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Line < b.Line
	})
	return out
}

func receiverNamed(t types.Type) *types.Named {
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	named, _ := t.(*types.Named)
	return named
}

func goDirective(gomod string) string {
	for _, line := range strings.Split(gomod, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// describe turns a type into its JSON description. Struct fields are
// expanded for structs held by value (a pointer's struct is named only), so
// recursion through pointers stops at once.
func describe(t types.Type, q types.Qualifier, depth int) *apiTypeJSON {
	out := &apiTypeJSON{Text: types.TypeString(t, q)}
	if named, ok := t.(*types.Named); ok {
		obj := named.Obj()
		if obj.Pkg() == nil {
			if obj.Name() == "error" {
				out.Kind = "error"
				return out
			}
		} else {
			out.Named = obj.Name()
			out.Pkg = obj.Pkg().Path()
			if out.Pkg == "context" && out.Named == "Context" {
				out.Kind = "context"
				return out
			}
		}
	}
	if depth > 8 {
		out.Kind = "other"
		return out
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Kind() == types.UnsafePointer:
			out.Kind = "unsafe_pointer"
		case u.Kind() == types.Invalid:
			out.Kind = "invalid"
		default:
			out.Kind = types.Typ[u.Kind()].Name()
		}
	case *types.Slice:
		out.Kind = "slice"
		out.Elem = describe(u.Elem(), q, depth+1)
	case *types.Array:
		out.Kind = "array"
		out.Len = u.Len()
		out.Elem = describe(u.Elem(), q, depth+1)
	case *types.Pointer:
		out.Kind = "pointer"
		elem := describe(u.Elem(), q, depth+1)
		elem.Fields = nil
		out.Elem = elem
	case *types.Struct:
		out.Kind = "struct"
		out.Fields = []apiFieldJSON{}
		for i := 0; i < u.NumFields(); i++ {
			f := u.Field(i)
			out.Fields = append(out.Fields, apiFieldJSON{f.Name(), f.Exported(), f.Embedded(), describe(f.Type(), q, depth+1)})
		}
	case *types.Map:
		out.Kind = "map"
	case *types.Chan:
		out.Kind = "chan"
	case *types.Signature:
		out.Kind = "func"
	case *types.Interface:
		out.Kind = "interface"
	default:
		out.Kind = "other"
	}
	return out
}
