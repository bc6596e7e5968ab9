package main

import (
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

type packageJSON struct {
	Dir                 string              `json:"dir"`
	ImportPath          string              `json:"import_path"`
	Module              string              `json:"module"`
	Name                string              `json:"name"`
	Target              bool                `json:"target"`
	Files               []fileJSON          `json:"files"`
	Functions           []*funcJSON         `json:"functions"`
	Excluded            []pkgError          `json:"excluded"`
	Errors              []pkgError          `json:"errors"`
	PointerStructs      map[string][]string `json:"pointer_structs"`
	TypeKinds           map[string]string   `json:"type_kinds"`
	CFunctions          []string            `json:"c_functions"`
	CFreeFunctions      []string            `json:"c_free_functions"`
	HeaderFreeFunctions []string            `json:"header_free_functions"`
	ChannelCloses       []string            `json:"channel_closes"`
	Dependencies        []string            `json:"dependencies,omitempty"` // import paths, see response.Modules
}

type fileJSON struct {
	Path         string              `json:"path"`
	Package      string              `json:"package"`
	ImportsC     bool                `json:"imports_c"`
	Directives   []directiveJSON     `json:"directives"`
	Suppressions map[string][]string `json:"suppressions"`
}

type directiveJSON struct {
	Line       int     `json:"line"`
	Col        int     `json:"col"`
	Text       string  `json:"text"`
	Exact      bool    `json:"exact"`
	Name       string  `json:"name"`
	AttachedTo *string `json:"attached_to"`
	IsMethod   bool    `json:"is_method"`
	IsGeneric  bool    `json:"is_generic"`
}

type typeJSON struct {
	Text        string  `json:"text"`
	Kind        string  `json:"kind"`
	PointeeKind *string `json:"pointee_kind"`
	Named       *string `json:"named"`
	CType       string  `json:"c_type"` // what cgo writes for it in the export header
}

type paramJSON struct {
	Name string   `json:"name"`
	Type typeJSON `json:"type"`
	Line int      `json:"line"`
	Col  int      `json:"col"`
}

type deferJSON struct {
	Line         int      `json:"line"`
	Col          int      `json:"col"`
	TopLevel     bool     `json:"top_level"`
	AfterReturn  bool     `json:"after_return"`
	Callee       *string  `json:"callee"`
	CalleeKey    *string  `json:"callee_key"`
	LitRecovers  bool     `json:"literal_calls_recover"`
	LiteralCalls []string `json:"literal_calls"`
}

type siteJSON struct {
	Kind   string `json:"kind"`
	Line   int    `json:"line"`
	Col    int    `json:"col"`
	Detail string `json:"detail"`
	Locked bool   `json:"locked,omitempty"`
}

type callJSON struct {
	Callee string `json:"callee"`
	Line   int    `json:"line"`
	Col    int    `json:"col"`
	How    string `json:"how"` // call | defer
	Locked bool   `json:"locked,omitempty"`
}

type allocJSON struct {
	Line       int     `json:"line"`
	Col        int     `json:"col"`
	Function   string  `json:"function"`
	Variable   *string `json:"variable"`
	Freed      bool    `json:"freed"`
	Returned   bool    `json:"returned"`
	Escapes    bool    `json:"escapes"`
	Inline     bool    `json:"inline_argument"`
	Discarded  bool    `json:"discarded"`
	obj        types.Object
	allocation bool
}

type narrowJSON struct {
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Target  string `json:"target"`
	Source  string `json:"source"`
	IsLen   bool   `json:"is_len"`
	Guarded bool   `json:"guarded"`
}

type posJSON struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

type funcJSON struct {
	Key            string       `json:"key"`
	Name           string       `json:"name"`
	Receiver       *string      `json:"receiver"`
	Generic        bool         `json:"generic,omitempty"`
	Path           string       `json:"path"`
	Line           int          `json:"line"`
	Col            int          `json:"col"`
	EndLine        int          `json:"end_line"`
	Params         []paramJSON  `json:"params"`
	Results        []paramJSON  `json:"results"`
	Defers         []deferJSON  `json:"defers,omitempty"`
	CallsRecover   bool         `json:"calls_recover,omitempty"`
	Calls          []callJSON   `json:"calls,omitempty"`
	Panics         []siteJSON   `json:"panics,omitempty"`
	Exits          []siteJSON   `json:"exits,omitempty"`
	Sends          []siteJSON   `json:"sends,omitempty"`
	Allocations    []allocJSON  `json:"allocations,omitempty"`
	AfterFree      []siteJSON   `json:"after_free,omitempty"`
	PointerStores  []siteJSON   `json:"pointer_stores,omitempty"`
	FreesParameter bool         `json:"frees_parameter,omitempty"`
	CallsCFree     bool         `json:"calls_c_free,omitempty"`
	LockOSThread   *posJSON     `json:"lock_os_thread"`
	UnlockOSThread *string      `json:"unlock_os_thread"`
	ReturnsAlloc   *siteJSON    `json:"returns_allocation"`
	ReturnsCalls   []string     `json:"returns_calls,omitempty"`
	ReturnsGlobal  bool         `json:"returns_global,omitempty"`
	GlobalWrites   []siteJSON   `json:"global_writes,omitempty"`
	Handles        []siteJSON   `json:"handles,omitempty"`
	Narrowings     []narrowJSON `json:"narrowings,omitempty"`
}

var (
	looseDirective = regexp.MustCompile(`(?i)^//\s*export(?:\s+([A-Za-z_]\w*))?\s*$`)
	ignoreComment  = regexp.MustCompile(`(?i)cgoguard:ignore\s+([A-Za-z0-9_,]+)`)
)

// position turns a token.Pos into a line and a column counted in characters.
func (l *loader) position(f *parsedFile, p token.Pos) (int, int) {
	if !p.IsValid() {
		return 0, 0
	}
	pos := l.fset.Position(p)
	start := pos.Offset - (pos.Column - 1)
	if start < 0 || pos.Offset > len(f.src) {
		return pos.Line, pos.Column
	}
	return pos.Line, utf8.RuneCount(f.src[start:pos.Offset]) + 1
}

func extract(l *loader, p *loaded) *packageJSON {
	out := &packageJSON{
		ImportPath:     p.importPath,
		Module:         p.modPath,
		Name:           p.name,
		Dir:            p.dir,
		Excluded:       p.excluded,
		Errors:         p.errors,
		PointerStructs: map[string][]string{},
		TypeKinds:      map[string]string{},
		Files:          []fileJSON{},
		Functions:      []*funcJSON{},
	}
	if out.Excluded == nil {
		out.Excluded = []pkgError{}
	}
	if out.Errors == nil {
		out.Errors = []pkgError{}
	}
	closes := map[string]bool{}
	cText := preambles(p)
	// C code of the package: the cgo preambles and the .c files beside them.
	entries, _ := os.ReadDir(p.dir)
	var headerText []string
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() {
			continue
		}
		if strings.HasSuffix(n, ".c") || strings.HasSuffix(n, ".h") {
			data, err := readBounded(filepath.Join(p.dir, n))
			if err != nil {
				continue
			}
			if strings.HasSuffix(n, ".c") {
				cText = append(cText, string(data))
			} else {
				headerText = append(headerText, string(data))
			}
		}
	}
	defined, frees := cFunctions(strings.Join(cText, "\n"))
	out.CFunctions, out.CFreeFunctions = defined, frees
	out.HeaderFreeFunctions = headerFrees(strings.Join(append(headerText, cText...), "\n"))
	cFrees := map[string]bool{}
	for _, name := range frees {
		cFrees[name] = true
	}
	handleTypes := map[string]bool{}
	for _, f := range p.files {
		for _, decl := range f.file.Decls {
			if d, ok := decl.(*ast.GenDecl); ok && d.Tok == token.TYPE {
				for _, spec := range d.Specs {
					ts := spec.(*ast.TypeSpec)
					if types.ExprString(ts.Type) == "cgo.Handle" {
						handleTypes[ts.Name.Name] = true
					}
				}
			}
		}
	}
	cFields := cMemoryFields(p)
	for _, f := range p.files {
		out.Files = append(out.Files, fileFacts(l, f))
		for _, decl := range f.file.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				if d.Tok == token.TYPE {
					for _, spec := range d.Specs {
						ts := spec.(*ast.TypeSpec)
						out.TypeKinds[ts.Name.Name] = kindOf(ts.Type, nil)
						if st, ok := ts.Type.(*ast.StructType); ok {
							if fields := goPointerFields(st); len(fields) > 0 {
								out.PointerStructs[ts.Name.Name] = fields
							}
						}
					}
				}
			case *ast.FuncDecl:
				if d.Body != nil {
					w := newWalker(l, p, f, d)
					w.cFrees, w.handleTypes, w.cFields = cFrees, handleTypes, cFields
					out.Functions = append(out.Functions, w.run())
					for k := range w.closes {
						closes[k] = true
					}
				}
			}
		}
	}
	for k := range closes {
		out.ChannelCloses = append(out.ChannelCloses, k)
	}
	sort.Strings(out.ChannelCloses)
	if out.ChannelCloses == nil {
		out.ChannelCloses = []string{}
	}
	return out
}

// cMemoryFields: struct fields the package assigns C memory to
// (Compiler{data: (*T)(C.malloc(n))}, x.data = (*T)(C.malloc(n))).
func cMemoryFields(p *loaded) map[types.Object]bool {
	found := map[types.Object]bool{}
	isCMemory := func(e ast.Expr) bool {
		for {
			c, ok := unparen(e).(*ast.CallExpr)
			if !ok {
				return false
			}
			switch cName(c.Fun) {
			case "malloc", "calloc", "realloc", "CBytes", "CString", "strdup":
				return true
			}
			if len(c.Args) != 1 {
				return false
			}
			e = c.Args[0]
		}
	}
	for _, f := range p.files {
		ast.Inspect(f.file, func(n ast.Node) bool {
			switch t := n.(type) {
			case *ast.KeyValueExpr:
				if id, ok := t.Key.(*ast.Ident); ok && isCMemory(t.Value) {
					if obj := p.info.Uses[id]; obj != nil {
						found[obj] = true
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range t.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && i < len(t.Rhs) && len(t.Lhs) == len(t.Rhs) && isCMemory(t.Rhs[i]) {
						if s := p.info.Selections[sel]; s != nil {
							found[s.Obj()] = true
						}
					}
				}
			}
			return true
		})
	}
	return found
}

// preambles: the comments above import "C" (cgo compiles them as C).
func preambles(p *loaded) []string {
	var found []string
	for _, f := range p.files {
		if !f.importsC {
			continue
		}
		for _, decl := range f.file.Decls {
			d, ok := decl.(*ast.GenDecl)
			if !ok || d.Tok != token.IMPORT {
				continue
			}
			for _, spec := range d.Specs {
				if is := spec.(*ast.ImportSpec); is.Path.Value == `"C"` {
					doc := is.Doc
					if doc == nil {
						doc = d.Doc
					}
					if doc != nil {
						found = append(found, rawComment(doc))
					}
				}
			}
		}
	}
	return found
}

func rawComment(g *ast.CommentGroup) string {
	var b strings.Builder
	for _, c := range g.List {
		t := c.Text
		if strings.HasPrefix(t, "//") {
			b.WriteString(t[2:])
		} else {
			b.WriteString(strings.TrimSuffix(strings.TrimPrefix(t, "/*"), "*/"))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

var (
	cFuncDef   = regexp.MustCompile(`(?m)^[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\(([^;{}()]*)\)\s*\{`)
	cParamName = regexp.MustCompile(`([A-Za-z_]\w*)\s*(?:\[\s*\])?\s*$`)
	cProtoTail = regexp.MustCompile(`^\s*\(([^;{}()]*)\)\s*;`) // a prototype after its name
	freeish    = regexp.MustCompile(`(?i)free|release|destroy|dispose|delete|dealloc`)
)

// cFunctions lists the functions C code defines, and those that free one of
// their parameters (free(p), free((void*)p), or a call to a free-like function).
func cFunctions(text string) ([]string, []string) {
	defined, frees := []string{}, []string{}
	for _, m := range cFuncDef.FindAllStringSubmatchIndex(text, -1) {
		name := text[m[2]:m[3]]
		if name == "if" || name == "while" || name == "for" || name == "switch" || name == "return" {
			continue
		}
		defined = append(defined, name)
		body := braceBody(text, m[1]-1)
		for _, param := range strings.Split(text[m[4]:m[5]], ",") {
			pm := cParamName.FindStringSubmatch(strings.TrimSpace(param))
			if pm == nil || !strings.Contains(param, "*") {
				continue
			}
			call := regexp.MustCompile(`\b(free|\w*[Ff]ree\w*|\w*[Rr]elease\w*)\s*\(\s*(?:\(\s*void\s*\*\s*\)\s*)?` + regexp.QuoteMeta(pm[1]) + `\b`)
			if call.MatchString(body) {
				frees = append(frees, name)
				break
			}
		}
	}
	return defined, frees
}

func braceBody(text string, open int) string {
	depth := 0
	for i := open; i < len(text); i++ {
		switch text[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return text[open : i+1]
			}
		}
	}
	return text[open:]
}

// headerFrees: declared functions (a name, then cProtoTail) named like a free
// function that take a pointer. The parameter list cannot hold a "(", so each
// prototype is fixed by the word before its "(": only free-like words are
// tried, not every prototype of a large C file (glfw's: a third of a run).
func headerFrees(text string) []string {
	found := []string{}
	for start := 0; start < len(text); {
		if !isWordByte(text[start]) {
			start++
			continue
		}
		end := start
		for end < len(text) && isWordByte(text[end]) {
			end++
		}
		word, open := text[start:end], end
		for open < len(text) && strings.IndexByte("\t\n\f\r ", text[open]) >= 0 {
			open++
		}
		if open < len(text) && text[open] == '(' && !isDigit(word[0]) && freeish.MatchString(word) {
			if m := cProtoTail.FindStringSubmatch(text[end:]); m != nil && strings.Contains(m[1], "*") {
				found = append(found, word)
			}
		}
		start = end
	}
	return found
}

// isWordByte: \w of Go's regexp (ASCII letters, digits, underscore).
func isWordByte(b byte) bool {
	return b == '_' || isDigit(b) || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z')
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func fileFacts(l *loader, f *parsedFile) fileJSON {
	out := fileJSON{Path: f.path, Package: f.file.Name.Name, ImportsC: f.importsC,
		Directives: []directiveJSON{}, Suppressions: map[string][]string{}}
	// Doc comment groups of funcs: a directive is attached when cgo would read it.
	docOf := map[*ast.CommentGroup]*ast.FuncDecl{}
	for _, decl := range f.file.Decls {
		if fd, ok := decl.(*ast.FuncDecl); ok && fd.Doc != nil {
			docOf[fd.Doc] = fd
		}
	}
	for _, group := range f.file.Comments {
		fd := docOf[group]
		for _, c := range group.List {
			line, col := l.position(f, c.Pos())
			if m := ignoreComment.FindStringSubmatch(c.Text); m != nil {
				ids := []string{}
				for _, part := range strings.Split(m[1], ",") {
					if part = strings.TrimSpace(part); part != "" {
						ids = append(ids, strings.ToUpper(part))
					}
				}
				key := strconv.Itoa(line)
				out.Suppressions[key] = append(out.Suppressions[key], ids...)
				if ownLine(f.src, l.fset.Position(c.Pos()).Offset) {
					// A comment on a line of its own covers the line below it.
					below := strconv.Itoa(line + 1)
					out.Suppressions[below] = append(out.Suppressions[below], ids...)
				}
			}
			exact := strings.HasPrefix(c.Text, "//export ")
			loose := looseDirective.FindStringSubmatch(c.Text)
			if !exact && loose == nil {
				continue
			}
			name := ""
			if exact {
				name = strings.TrimSpace(c.Text[len("//export "):])
			} else {
				name = loose[1]
			}
			d := directiveJSON{Line: line, Col: col, Text: c.Text, Exact: exact, Name: name}
			// cgo reads only the doc comment of a func, and only when its
			// lines reach the func (go/parser's Doc: no blank line between).
			if fd != nil {
				n := fd.Name.Name
				d.AttachedTo = &n
				d.IsMethod = fd.Recv != nil
				d.IsGeneric = fd.Type.TypeParams != nil && len(fd.Type.TypeParams.List) > 0
			}
			out.Directives = append(out.Directives, d)
		}
	}
	return out
}

func ownLine(src []byte, offset int) bool {
	for i := offset - 1; i >= 0; i-- {
		switch src[i] {
		case '\n':
			return true
		case ' ', '\t':
			continue
		default:
			return false
		}
	}
	return true
}

// -- types as written ---------------------------------------------------------------------

var basicTypes = map[string]bool{"bool": true, "byte": true, "rune": true, "int": true, "int8": true,
	"int16": true, "int32": true, "int64": true, "uint": true, "uint8": true, "uint16": true,
	"uint32": true, "uint64": true, "uintptr": true, "float32": true, "float64": true,
	"complex64": true, "complex128": true}

func kindOf(e ast.Expr, kinds map[string]string) string {
	switch t := e.(type) {
	case *ast.ParenExpr:
		return kindOf(t.X, kinds)
	case *ast.ArrayType:
		if t.Len == nil {
			return "slice"
		}
		return "array"
	case *ast.MapType:
		return "map"
	case *ast.ChanType:
		return "chan"
	case *ast.InterfaceType:
		return "interface"
	case *ast.FuncType:
		return "func"
	case *ast.StarExpr:
		return "pointer"
	case *ast.StructType:
		return "struct"
	case *ast.SelectorExpr:
		if id, ok := t.X.(*ast.Ident); ok && id.Name == "C" {
			return "c"
		}
		return "other"
	case *ast.Ident:
		switch {
		case t.Name == "string":
			return "string"
		case t.Name == "any":
			return "any"
		case t.Name == "error":
			return "error"
		case basicTypes[t.Name]:
			return "basic"
		case kinds != nil && kinds[t.Name] != "":
			return "named"
		}
		return "named"
	}
	return "other"
}

func goPointerFields(st *ast.StructType) []string {
	found := []string{}
	for _, field := range st.Fields.List {
		switch kindOf(field.Type, nil) {
		case "pointer", "slice", "map", "chan", "interface", "func", "string", "any", "error":
			found = append(found, types.ExprString(field.Type))
		}
	}
	return found
}

var cgoTypes = map[string]string{"int": "GoInt", "int8": "GoInt8", "int16": "GoInt16", "int32": "GoInt32",
	"int64": "GoInt64", "uint": "GoUint", "uint8": "GoUint8", "byte": "GoUint8", "uint16": "GoUint16",
	"uint32": "GoUint32", "uint64": "GoUint64", "uintptr": "GoUintptr", "rune": "GoInt32",
	"float32": "GoFloat32", "float64": "GoFloat64", "complex64": "GoComplex64",
	"complex128": "GoComplex128", "bool": "GoUint8", "string": "GoString", "error": "GoInterface",
	"any": "GoInterface"}

// cType is the C type cgo writes in the export header for a Go type as written.
func cType(e ast.Expr, info *types.Info) string {
	switch t := e.(type) {
	case *ast.ParenExpr:
		return cType(t.X, info)
	case *ast.Ident:
		if c, ok := cgoTypes[t.Name]; ok {
			return c
		}
		if info != nil {
			if tv, ok := info.Types[e]; ok && tv.Type != nil {
				if b, ok := tv.Type.Underlying().(*types.Basic); ok {
					if c, ok := cgoTypes[b.Name()]; ok {
						return c
					}
				}
			}
		}
		return t.Name
	case *ast.SelectorExpr:
		if id, ok := t.X.(*ast.Ident); ok && id.Name == "C" {
			name := t.Sel.Name
			for _, prefix := range []string{"struct_", "union_", "enum_"} {
				if strings.HasPrefix(name, prefix) {
					return strings.TrimSuffix(prefix, "_") + " " + name[len(prefix):]
				}
			}
			switch name {
			case "schar":
				return "signed char"
			case "uchar":
				return "unsigned char"
			case "ushort":
				return "unsigned short"
			case "uint":
				return "unsigned int"
			case "ulong":
				return "unsigned long"
			case "longlong":
				return "long long"
			case "ulonglong":
				return "unsigned long long"
			}
			return name
		}
		if id, ok := t.X.(*ast.Ident); ok && id.Name == "unsafe" && t.Sel.Name == "Pointer" {
			return "void*"
		}
		return types.ExprString(e)
	case *ast.StarExpr:
		return cType(t.X, info) + "*"
	case *ast.ArrayType:
		if t.Len == nil {
			return "GoSlice"
		}
	case *ast.MapType:
		return "GoMap"
	case *ast.ChanType:
		return "GoChan"
	case *ast.InterfaceType:
		return "GoInterface"
	case *ast.FuncType:
		return "void*"
	}
	return types.ExprString(e)
}

func typeFacts(e ast.Expr, kinds map[string]string, info *types.Info) typeJSON {
	t := typeJSON{Text: types.ExprString(e), Kind: kindOf(e, kinds), CType: cType(e, info)}
	if star, ok := e.(*ast.StarExpr); ok {
		k := kindOf(star.X, kinds)
		t.PointeeKind = &k
		if id, ok := star.X.(*ast.Ident); ok && !basicTypes[id.Name] {
			n := id.Name
			t.Named = &n
		}
	} else if id, ok := e.(*ast.Ident); ok && t.Kind == "named" {
		n := id.Name
		t.Named = &n
	}
	return t
}
