package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// maxFileBytes bounds one source file: generated tables beyond this are not
// hand-written boundary code, and a hostile file cannot exhaust memory.
const maxFileBytes = 16 << 20

type parsedFile struct {
	path     string
	src      []byte
	file     *ast.File
	importsC bool
}

type pkgError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// loaded is one package folder, parsed and type-checked.
type loaded struct {
	dir        string
	importPath string
	modPath    string
	modRoot    string
	name       string
	files      []*parsedFile
	excluded   []pkgError
	errors     []pkgError
	pkg        *types.Package
	info       *types.Info
	deps       map[string]bool // module packages it imports (import paths)
	typeErrors []pkgError      // go/types errors in this package's own files
	facts      *packageJSON
}

type loader struct {
	ctxt    *build.Context
	fset    *token.FileSet
	std     map[string]*types.Package
	cpkg    *types.Package
	byDir   map[string]*loaded
	byPath  map[string]*loaded
	fakes   map[string]*types.Package
	loading map[string]bool
	modules map[string][2]string // folder -> (module path, module root)
	// Facts of the module packages the targets import, once per run.
	modules2 map[string]*packageJSON
}

func newLoader(ctxt *build.Context) *loader {
	fset := token.NewFileSet()
	return &loader{
		ctxt:     ctxt,
		fset:     fset,
		std:      map[string]*types.Package{},
		byDir:    map[string]*loaded{},
		byPath:   map[string]*loaded{},
		fakes:    map[string]*types.Package{},
		loading:  map[string]bool{},
		modules:  map[string][2]string{},
		modules2: map[string]*packageJSON{},
	}
}

// module finds the go.mod above dir: its module path and folder.
func (l *loader) module(dir string) (string, string) {
	if m, ok := l.modules[dir]; ok {
		return m[0], m[1]
	}
	path, root := "", ""
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err == nil {
		path, root = modulePath(data), dir
	} else if parent := filepath.Dir(dir); parent != dir {
		path, root = l.module(parent)
	}
	l.modules[dir] = [2]string{path, root}
	return path, root
}

func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			rest = strings.TrimSpace(rest)
			if i := strings.Index(rest, "//"); i >= 0 {
				rest = strings.TrimSpace(rest[:i])
			}
			return strings.Trim(rest, "\"`")
		}
	}
	return ""
}

func (l *loader) target(t target) *packageJSON {
	dir, err := filepath.Abs(t.Dir)
	if err != nil {
		dir = t.Dir
	}
	p := l.load(dir, t.Files)
	out := l.factsOf(p)
	out.Target = true
	out.Dir = t.Dir
	// The module packages it reaches, for calls followed across packages.
	seen := map[string]bool{}
	var walk func(*loaded)
	walk = func(q *loaded) {
		for path := range q.deps {
			if seen[path] {
				continue
			}
			seen[path] = true
			if dep := l.byPath[path]; dep != nil {
				walk(dep)
			}
		}
	}
	walk(p)
	for path := range seen {
		if dep := l.byPath[path]; dep != nil {
			out.Dependencies = append(out.Dependencies, path)
			if _, done := l.modules2[path]; !done {
				l.modules2[path] = l.factsOf(dep)
			}
		}
	}
	sort.Strings(out.Dependencies)
	return out
}

func (l *loader) factsOf(p *loaded) *packageJSON {
	if p.facts == nil {
		p.facts = extract(l, p)
	}
	// A copy, so that a target's flags do not leak into its use as a dependency.
	c := *p.facts
	return &c
}

// load parses and type-checks the package in dir (cached by folder).
func (l *loader) load(dir string, only []string) *loaded {
	if only == nil {
		if p := l.byDir[dir]; p != nil {
			return p
		}
	}
	p := &loaded{dir: dir, deps: map[string]bool{}}
	p.modPath, p.modRoot = l.module(dir)
	p.importPath = importPathOf(dir, p.modPath, p.modRoot)
	if only == nil {
		l.byDir[dir] = p
		l.byPath[p.importPath] = p
	}
	l.loading[p.importPath] = true
	defer delete(l.loading, p.importPath)
	l.parse(p, only)
	l.check(p)
	return p
}

func importPathOf(dir, modPath, modRoot string) string {
	if modPath == "" {
		return "_/" + filepath.ToSlash(strings.TrimPrefix(dir, "/"))
	}
	rel, err := filepath.Rel(modRoot, dir)
	if err != nil || rel == "." {
		return modPath
	}
	return modPath + "/" + filepath.ToSlash(rel)
}

func (l *loader) parse(p *loaded, only []string) {
	var names []string
	explicit := only != nil
	if explicit {
		names = only
	} else {
		entries, err := os.ReadDir(p.dir)
		if err != nil {
			p.errors = append(p.errors, pkgError{p.dir, fmt.Sprintf("cannot list %s: %v", p.dir, unwrapPathError(err))})
			return
		}
		for _, e := range entries {
			n := e.Name()
			if strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") && e.Type().IsRegular() {
				names = append(names, filepath.Join(p.dir, n))
			}
		}
	}
	sort.Strings(names)
	var files []*parsedFile
	for _, path := range names {
		if !explicit {
			match, err := l.ctxt.MatchFile(p.dir, filepath.Base(path))
			if err != nil {
				p.errors = append(p.errors, pkgError{path, fmt.Sprintf("%s: %v", path, unwrapPathError(err))})
				continue
			}
			if !match {
				p.excluded = append(p.excluded, pkgError{path, fmt.Sprintf(
					"build constraints exclude %s for %s/%s", filepath.Base(path), l.ctxt.GOOS, l.ctxt.GOARCH)})
				continue
			}
		}
		src, err := readBounded(path)
		if err != nil {
			p.errors = append(p.errors, pkgError{path, err.Error()})
			continue
		}
		f, err := parser.ParseFile(l.fset, path, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			p.errors = append(p.errors, pkgError{path, syntaxError(path, err)})
			continue
		}
		pf := &parsedFile{path: path, src: src, file: f}
		for _, imp := range f.Imports {
			if imp.Path.Value == `"C"` {
				pf.importsC = true
			}
		}
		files = append(files, pf)
	}
	// Mixed packages (a stray generator script): keep the majority, as go build refuses the rest.
	counts := map[string]int{}
	for _, f := range files {
		counts[f.file.Name.Name]++
	}
	majority := ""
	for name, n := range counts {
		if n > counts[majority] || (n == counts[majority] && name < majority) {
			majority = name
		}
	}
	for _, f := range files {
		if f.file.Name.Name != majority {
			p.errors = append(p.errors, pkgError{f.path, fmt.Sprintf("%s is in package %s, not %s; skipped", f.path, f.file.Name.Name, majority)})
			continue
		}
		p.files = append(p.files, f)
	}
	p.name = majority
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func readBounded(path string) ([]byte, error) {
	// Never block on a FIFO or a device: refuse what is not a regular file
	// before opening, and open without waiting for a writer.
	if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, unwrapPathError(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, unwrapPathError(err))
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if info.Size() > maxFileBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB; not read", path, maxFileBytes>>20)
	}
	buf := make([]byte, info.Size())
	n, err := f.Read(buf)
	if err != nil && n != len(buf) && info.Size() > 0 {
		return nil, fmt.Errorf("cannot read %s: %v", path, err)
	}
	return buf[:n], nil
}

func syntaxError(path string, err error) string {
	if list, ok := err.(scanner.ErrorList); ok && len(list) > 0 {
		e := list[0]
		more := ""
		if len(list) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(list)-1)
		}
		return fmt.Sprintf("%s:%d:%d: syntax error: %s%s", path, e.Pos.Line, e.Pos.Column, e.Msg, more)
	}
	return fmt.Sprintf("%s: %v", path, err)
}

func (l *loader) check(p *loaded) {
	p.info = &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	conf := types.Config{
		Importer: importerFunc{l, p},
		Sizes:    types.SizesFor("gc", l.ctxt.GOARCH),
		// Imports from other modules are empty stand-ins: their errors are
		// expected, so they are kept aside, not reported as the package's.
		Error: func(err error) {
			if te, ok := err.(types.Error); ok && !te.Soft && len(p.typeErrors) < 20 {
				pos := l.fset.Position(te.Pos)
				p.typeErrors = append(p.typeErrors, pkgError{pos.Filename, fmt.Sprintf("%s: %s", pos, te.Msg)})
			}
		},
	}
	files := make([]*ast.File, len(p.files))
	for i, f := range p.files {
		files[i] = f.file
	}
	pkg, _ := conf.Check(p.importPath, l.fset, files, p.info)
	p.pkg = pkg
}

type importerFunc struct {
	l    *loader
	from *loaded
}

func (i importerFunc) Import(path string) (*types.Package, error) {
	return i.ImportFrom(path, i.from.dir, 0)
}

func (i importerFunc) ImportFrom(path, _ string, _ types.ImportMode) (*types.Package, error) {
	l, p := i.l, i.from
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if path == "C" {
		return l.cPackage(), nil
	}
	if p.modPath != "" && (path == p.modPath || strings.HasPrefix(path, p.modPath+"/")) {
		p.deps[path] = true
		if dep := l.byPath[path]; dep != nil && dep.pkg != nil {
			return dep.pkg, nil
		}
		if !l.loading[path] {
			dir := filepath.Join(p.modRoot, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(path, p.modPath), "/")))
			if dep := l.load(dir, nil); dep.pkg != nil && len(dep.files) > 0 {
				return dep.pkg, nil
			}
		}
		return l.fake(path), nil
	}
	if isStd(path) {
		return l.stdPackage(path), nil
	}
	return l.fake(path), nil
}

// stdPackage type-checks one standard library package from GOROOT's sources,
// declarations only and shallowly: its own imports are empty stand-ins. What
// the checks need from the standard library is its own API (log.Logger's
// methods, cgo.Handle, reflect.Value, binary.ByteOrder); following every
// import would cost seconds for net/http and gain nothing here.
func (l *loader) stdPackage(path string) *types.Package {
	if pkg := l.std[path]; pkg != nil {
		return pkg
	}
	ctxt := build.Default
	ctxt.CgoEnabled = false
	bp, err := ctxt.Import(path, "", 0)
	if err != nil {
		pkg := l.fake(path)
		l.std[path] = pkg
		return pkg
	}
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(l.fset, filepath.Join(bp.Dir, name), nil, parser.SkipObjectResolution)
		if err == nil {
			files = append(files, f)
		}
	}
	conf := types.Config{
		IgnoreFuncBodies: true,
		Importer:         shallowImporter{l},
		Error:            func(error) {},
		Sizes:            types.SizesFor("gc", l.ctxt.GOARCH),
	}
	pkg, _ := conf.Check(path, l.fset, files, nil)
	if pkg == nil {
		pkg = l.fake(path)
	}
	pkg.MarkComplete()
	l.std[path] = pkg
	return pkg
}

type shallowImporter struct{ l *loader }

func (s shallowImporter) Import(path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	return s.l.fake(path), nil
}

// cPackage stands for cgo's "C": the scalar types and helper functions cgo
// always defines, with their real widths, so that arithmetic on C values is
// typed. Names the preamble defines (functions, structs) stay unresolved.
func (l *loader) cPackage() *types.Package {
	if l.cpkg != nil {
		return l.cpkg
	}
	pkg := types.NewPackage("C", "C")
	scope := pkg.Scope()
	sizes := types.SizesFor("gc", l.ctxt.GOARCH)
	long, ulong := types.Typ[types.Int64], types.Typ[types.Uint64]
	if sizes != nil && sizes.Sizeof(types.Typ[types.Uintptr]) == 4 || l.ctxt.GOOS == "windows" {
		long, ulong = types.Typ[types.Int32], types.Typ[types.Uint32]
	}
	word, uword := types.Typ[types.Int], types.Typ[types.Uintptr]
	basic := map[string]types.Type{
		"char": types.Typ[types.Int8], "schar": types.Typ[types.Int8], "uchar": types.Typ[types.Uint8],
		"short": types.Typ[types.Int16], "ushort": types.Typ[types.Uint16],
		"int": types.Typ[types.Int32], "uint": types.Typ[types.Uint32],
		"long": long, "ulong": ulong,
		"longlong": types.Typ[types.Int64], "ulonglong": types.Typ[types.Uint64],
		"float": types.Typ[types.Float32], "double": types.Typ[types.Float64],
		"size_t": uword, "ssize_t": word, "ptrdiff_t": word, "intptr_t": word, "uintptr_t": uword,
		"int8_t": types.Typ[types.Int8], "uint8_t": types.Typ[types.Uint8],
		"int16_t": types.Typ[types.Int16], "uint16_t": types.Typ[types.Uint16],
		"int32_t": types.Typ[types.Int32], "uint32_t": types.Typ[types.Uint32],
		"int64_t": types.Typ[types.Int64], "uint64_t": types.Typ[types.Uint64],
		"_Bool": types.Typ[types.Bool], "bool": types.Typ[types.Bool],
	}
	named := map[string]*types.Named{}
	for name, under := range basic {
		tn := types.NewTypeName(token.NoPos, pkg, name, nil)
		named[name] = types.NewNamed(tn, under, nil)
		scope.Insert(tn)
	}
	ptr := types.Typ[types.UnsafePointer]
	charPtr := types.NewPointer(named["char"])
	fn := func(name string, params, results []types.Type) {
		var ps, rs []*types.Var
		for _, t := range params {
			ps = append(ps, types.NewParam(token.NoPos, pkg, "", t))
		}
		for _, t := range results {
			rs = append(rs, types.NewParam(token.NoPos, pkg, "", t))
		}
		sig := types.NewSignatureType(nil, nil, nil, types.NewTuple(ps...), types.NewTuple(rs...), false)
		scope.Insert(types.NewFunc(token.NoPos, pkg, name, sig))
	}
	str, bytes, cint := types.Typ[types.String], types.NewSlice(types.Typ[types.Byte]), named["int"]
	fn("CString", []types.Type{str}, []types.Type{charPtr})
	fn("CBytes", []types.Type{bytes}, []types.Type{ptr})
	fn("GoString", []types.Type{charPtr}, []types.Type{str})
	fn("GoStringN", []types.Type{charPtr, cint}, []types.Type{str})
	fn("GoBytes", []types.Type{ptr, cint}, []types.Type{bytes})
	fn("free", []types.Type{ptr}, nil)
	fn("malloc", []types.Type{named["size_t"]}, []types.Type{ptr})
	fn("calloc", []types.Type{named["size_t"], named["size_t"]}, []types.Type{ptr})
	pkg.MarkComplete()
	l.cpkg = pkg
	return pkg
}

func (l *loader) fake(path string) *types.Package {
	if pkg := l.fakes[path]; pkg != nil {
		return pkg
	}
	name := path[strings.LastIndex(path, "/")+1:]
	if strings.HasPrefix(name, "v") && len(name) > 1 && strings.Trim(name[1:], "0123456789") == "" {
		// example.com/mod/v2: the package is named after the element before.
		trimmed := strings.TrimSuffix(path, "/"+name)
		name = trimmed[strings.LastIndex(trimmed, "/")+1:]
	}
	if i := strings.Index(name, ".v"); i > 0 && strings.Trim(name[i+2:], "0123456789") == "" {
		name = name[:i] // gopkg.in/yaml.v3
	}
	name = strings.Map(func(r rune) rune {
		if r == '-' || r == '.' {
			return '_'
		}
		return r
	}, strings.TrimPrefix(name, "go-"))
	pkg := types.NewPackage(path, name)
	pkg.MarkComplete()
	l.fakes[path] = pkg
	return pkg
}

func isStd(path string) bool {
	first := path
	if i := strings.Index(path, "/"); i >= 0 {
		first = path[:i]
	}
	return !strings.Contains(first, ".")
}
