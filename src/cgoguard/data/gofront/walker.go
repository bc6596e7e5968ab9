package main

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"regexp"
	"sort"
	"strings"
)

// comparison is a condition seen in a function: later indexing, slicing,
// division or narrowing of what it mentions counts as guarded.
type comparison struct {
	pos      token.Pos
	mentions map[string]bool
	bound    bool // against a constant other than 0, or a Max* limit: an upper bound
}

type callKey struct {
	callee string
	how    string
	locked bool
}

type lockEvent struct {
	pos  token.Pos
	lock bool
}

type walker struct {
	l            *loader
	p            *loaded
	f            *parsedFile
	info         *types.Info
	decl         *ast.FuncDecl
	out          *funcJSON
	params       map[types.Object]bool
	maybeNil     map[types.Object]bool
	cVars        map[types.Object]bool
	cmps         []comparison
	first        map[string]token.Pos // where each mention is first compared
	bounded      map[string]token.Pos // where each mention is first compared with an upper bound
	ranges       map[types.Object]string
	safe         map[*ast.TypeAssertExpr]bool
	locks        []lockEvent
	allocs       map[types.Object]*allocJSON
	closes       map[string]bool
	inline       []*allocJSON
	handles      []handleUse
	closureFrees map[types.Object]bool
	cPointers    map[types.Object]bool  // parameters declared *C.x
	lengths      map[types.Object]int64 // locals made with a constant length
	cFrees       map[string]bool        // C functions of the package that free a parameter
	handleTypes  map[string]bool        // package types declared as cgo.Handle
	cFields      map[types.Object]bool  // struct fields the package fills with C memory
	fresh        map[types.Object]bool  // handles this function made with cgo.NewHandle
	called       map[callKey]bool
	skipped      map[*ast.FuncLit]bool // go-statement bodies and deferred recover closures
	nodes        []ast.Node            // the body's nodes in order, without the skipped literals
	parents      map[ast.Node]ast.Node
}

func newWalker(l *loader, p *loaded, f *parsedFile, d *ast.FuncDecl) *walker {
	return &walker{l: l, p: p, f: f, info: p.info, decl: d,
		params: map[types.Object]bool{}, maybeNil: map[types.Object]bool{}, cVars: map[types.Object]bool{},
		ranges: map[types.Object]string{}, first: map[string]token.Pos{}, bounded: map[string]token.Pos{}, safe: map[*ast.TypeAssertExpr]bool{},
		allocs: map[types.Object]*allocJSON{}, closes: map[string]bool{}, closureFrees: map[types.Object]bool{}, cPointers: map[types.Object]bool{}, lengths: map[types.Object]int64{}, fresh: map[types.Object]bool{}, called: map[callKey]bool{},
		skipped: map[*ast.FuncLit]bool{}, parents: map[ast.Node]ast.Node{}}
}

func (w *walker) pos(p token.Pos) (int, int) { return w.l.position(w.f, p) }

func (w *walker) site(kind string, n ast.Node, detail string) siteJSON {
	line, col := w.pos(n.Pos())
	return siteJSON{Kind: kind, Line: line, Col: col, Detail: shorten(detail)}
}

func shorten(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

func (w *walker) run() *funcJSON {
	d := w.decl
	line, col := w.pos(d.Name.Pos())
	end, _ := w.pos(d.End())
	out := &funcJSON{Name: d.Name.Name, Path: w.f.path, Line: line, Col: col, EndLine: end,
		Params: []paramJSON{}, Results: []paramJSON{}, Defers: []deferJSON{}, Calls: []callJSON{},
		Panics: []siteJSON{}, Exits: []siteJSON{}, Sends: []siteJSON{}, Allocations: []allocJSON{},
		AfterFree: []siteJSON{}, PointerStores: []siteJSON{}, ReturnsCalls: []string{},
		GlobalWrites: []siteJSON{}, Handles: []siteJSON{}, Narrowings: []narrowJSON{}}
	w.out = out
	if obj, ok := w.info.Defs[d.Name].(*types.Func); ok {
		out.Key = funcKey(obj)
	} else {
		out.Key = w.p.importPath + "." + d.Name.Name
	}
	if d.Recv != nil && len(d.Recv.List) > 0 {
		r := types.ExprString(d.Recv.List[0].Type)
		out.Receiver = &r
		for _, n := range d.Recv.List[0].Names {
			if obj := w.info.Defs[n]; obj != nil {
				w.params[obj] = true
			}
		}
	}
	out.Generic = d.Type.TypeParams != nil && len(d.Type.TypeParams.List) > 0
	out.Params = w.fields(d.Type.Params, true)
	out.Results = w.fields(d.Type.Results, false)
	w.prepare(d.Body)
	w.indexComparisons()
	w.defers(d.Body)
	for _, n := range w.nodes {
		w.visit(n)
	}
	w.afterFree(d.Body.List, map[types.Object]bool{}, map[types.Object]bool{})
	w.handleOrder()
	// The checks need where the first possible panic is (before or after a
	// recover is in place); every later one would only grow the output.
	sort.SliceStable(out.Panics, func(i, j int) bool {
		if out.Panics[i].Line != out.Panics[j].Line {
			return out.Panics[i].Line < out.Panics[j].Line
		}
		return out.Panics[i].Col < out.Panics[j].Col
	})
	if len(out.Panics) > 1 {
		out.Panics = out.Panics[:1]
	}
	for _, a := range w.allocsInOrder() {
		out.Allocations = append(out.Allocations, *a)
	}
	return out
}

func (w *walker) fields(list *ast.FieldList, params bool) []paramJSON {
	found := []paramJSON{}
	if list == nil {
		return found
	}
	for _, field := range list.List {
		t := typeFacts(field.Type, nil, w.info)
		if len(field.Names) == 0 {
			line, col := w.pos(field.Type.Pos())
			found = append(found, paramJSON{Name: "", Type: t, Line: line, Col: col})
		}
		for _, n := range field.Names {
			line, col := w.pos(n.Pos())
			found = append(found, paramJSON{Name: n.Name, Type: t, Line: line, Col: col})
			if obj := w.info.Defs[n]; obj != nil && params {
				w.params[obj] = true
				if isCType(field.Type) {
					w.cVars[obj] = true
					if _, ptr := field.Type.(*ast.StarExpr); ptr {
						w.cPointers[obj] = true
					}
				}
			}
		}
	}
	return found
}

func funcKey(obj *types.Func) string {
	return strings.Replace(obj.FullName(), "(*", "(", 1)
}

// isCType: C.x, *C.x, **C.x as written.
func isCType(e ast.Expr) bool {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
			continue
		case *ast.SelectorExpr:
			id, ok := t.X.(*ast.Ident)
			return ok && id.Name == "C"
		}
		return false
	}
}

// -- first pass: the body's nodes, conditions, locks, safe assertions --------------------

func (w *walker) prepare(body *ast.BlockStmt) {
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if len(stack) > 0 {
			w.parents[n] = stack[len(stack)-1]
		}
		switch t := n.(type) {
		case *ast.GoStmt:
			// A goroutine's body runs on another stack: a recover in this
			// function cannot catch its panics, and its calls are not ours.
			if lit, ok := unparen(t.Call.Fun).(*ast.FuncLit); ok {
				w.skipped[lit] = true
			}
		case *ast.DeferStmt:
			if lit, ok := unparen(t.Call.Fun).(*ast.FuncLit); ok && callsRecover(lit.Body, w.info) {
				w.skipped[lit] = true
			}
		case *ast.FuncLit:
			if w.skipped[t] {
				return false
			}
			// A literal handed to another function runs when that function
			// decides (a timer, a goroutine, a callback registry): its panics
			// and exits are not this function's, unless the callee is known to
			// call it before returning.
			if call, ok := w.parents[t].(*ast.CallExpr); ok && call.Fun != ast.Expr(t) && !w.callsBack(call) {
				return false
			}
		case *ast.BinaryExpr:
			switch t.Op {
			case token.LSS, token.LEQ, token.GTR, token.GEQ, token.EQL, token.NEQ:
				m := mentions(t)
				if w.isZero(t.X) || w.isZero(t.Y) {
					// n > 0 bounds nothing from above: only len(x) > 0 guards x[0].
					for k := range m {
						if strings.HasPrefix(k, "id:") {
							delete(m, k)
						}
					}
				}
				w.cmps = append(w.cmps, comparison{t.Pos(), m, w.isBound(t.X) || w.isBound(t.Y)})
			}
		case *ast.SwitchStmt:
			if t.Tag != nil {
				w.cmps = append(w.cmps, comparison{t.Pos(), mentions(t.Tag), false})
			}
		case *ast.CallExpr:
			// min(i, len(x)-1) and the like bound what they return.
			if id, ok := unparen(t.Fun).(*ast.Ident); ok && (id.Name == "min" || id.Name == "max") {
				w.cmps = append(w.cmps, comparison{t.Pos(), mentions(t), true})
			}
			if sel, ok := unparen(t.Fun).(*ast.SelectorExpr); ok && len(t.Args) == 0 {
				switch sel.Sel.Name {
				case "Lock", "RLock":
					if _, deferred := w.parents[n].(*ast.DeferStmt); !deferred {
						w.locks = append(w.locks, lockEvent{t.Pos(), true})
					}
				case "Unlock", "RUnlock":
					if _, deferred := w.parents[n].(*ast.DeferStmt); !deferred {
						w.locks = append(w.locks, lockEvent{t.Pos(), false})
					}
				}
			}
		case *ast.RangeStmt:
			if id, ok := t.Key.(*ast.Ident); ok {
				if obj := w.objOf(id); obj != nil {
					w.ranges[obj] = types.ExprString(t.X)
				}
			}
			if tv, ok := w.info.Types[t.X]; ok && tv.Type != nil {
				if _, isInt := tv.Type.Underlying().(*types.Basic); isInt {
					// for i := range n: i < n.
					if id, ok := t.Key.(*ast.Ident); ok {
						if obj := w.objOf(id); obj != nil {
							w.ranges[obj] = "int:" + types.ExprString(t.X)
						}
					}
				}
			}
		case *ast.AssignStmt:
			if len(t.Lhs) == 2 && len(t.Rhs) == 1 {
				if ta, ok := unparen(t.Rhs[0]).(*ast.TypeAssertExpr); ok {
					w.safe[ta] = true
				}
			}
			w.noteAssign(t)
		case *ast.ValueSpec:
			if len(t.Names) == 2 && len(t.Values) == 1 {
				if ta, ok := unparen(t.Values[0]).(*ast.TypeAssertExpr); ok {
					w.safe[ta] = true
				}
			}
			for i, n := range t.Names {
				obj := w.info.Defs[n]
				if obj == nil {
					continue
				}
				if t.Type != nil && isCType(t.Type) {
					w.cVars[obj] = true
				}
				if i < len(t.Values) && len(t.Values) == len(t.Names) && w.cValue(t.Values[i]) {
					w.cVars[obj] = true
				}
			}
		case *ast.TypeSwitchStmt:
			ast.Inspect(t.Assign, func(m ast.Node) bool {
				if ta, ok := m.(*ast.TypeAssertExpr); ok {
					w.safe[ta] = true
				}
				return true
			})
		}
		w.nodes = append(w.nodes, n)
		stack = append(stack, n)
		return true
	})
}

func (w *walker) noteAssign(t *ast.AssignStmt) {
	if len(t.Lhs) != len(t.Rhs) {
		return
	}
	for i, lhs := range t.Lhs {
		id, ok := lhs.(*ast.Ident)
		if !ok {
			continue
		}
		obj := w.objOf(id)
		if obj == nil {
			continue
		}
		rhs := unparen(t.Rhs[i])
		if mk, ok := rhs.(*ast.CallExpr); ok && isBuiltin(mk.Fun, "make", w.info) && len(mk.Args) >= 2 {
			if tv, ok := w.info.Types[mk.Args[1]]; ok && tv.Value != nil {
				if n, exact := constant.Int64Val(constant.ToInt(tv.Value)); exact {
					w.lengths[obj] = n
				}
			}
		}
		if w.cValue(rhs) {
			w.cVars[obj] = true
		}
		if call, ok := rhs.(*ast.CallExpr); ok {
			if p, n := w.pkgCall(call); p == "runtime/cgo" && n == "NewHandle" {
				w.fresh[obj] = true
			}
		}
		// v := m[k] with a pointer element: nil when the key is missing.
		if ix, ok := rhs.(*ast.IndexExpr); ok {
			if tv, ok := w.info.Types[ix.X]; ok && tv.Type != nil {
				if m, ok := tv.Type.Underlying().(*types.Map); ok {
					if _, ptr := m.Elem().Underlying().(*types.Pointer); ptr {
						w.maybeNil[obj] = true
					}
				}
			}
		}
	}
}

// cValue: an expression that yields C memory or a C value (C.x(...), (*C.T)(p), C.malloc).
func (w *walker) cValue(e ast.Expr) bool {
	switch t := unparen(e).(type) {
	case *ast.CallExpr:
		if isC(t.Fun) {
			return true
		}
		if isCType(unparen(t.Fun)) {
			return true
		}
		if star, ok := unparen(t.Fun).(*ast.StarExpr); ok && isCType(star) {
			return true
		}
	case *ast.CompositeLit:
		return t.Type != nil && isCType(t.Type)
	case *ast.UnaryExpr:
		if t.Op == token.AND {
			if cl, ok := unparen(t.X).(*ast.CompositeLit); ok && cl.Type != nil && isCType(cl.Type) {
				return true
			}
		}
	}
	return false
}

func (w *walker) objOf(id *ast.Ident) types.Object {
	if obj := w.info.Defs[id]; obj != nil {
		return obj
	}
	return w.info.Uses[id]
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

// isC: C.name as written, where C is the cgo pseudo-package of this file.
func isC(e ast.Expr) bool {
	sel, ok := unparen(e).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == "C"
}

func cName(e ast.Expr) string {
	if sel, ok := unparen(e).(*ast.SelectorExpr); ok && isC(sel) {
		return sel.Sel.Name
	}
	return ""
}

// mentions: the names and len(x) operands a condition speaks of.
func mentions(e ast.Node) map[string]bool {
	m := map[string]bool{}
	ast.Inspect(e, func(n ast.Node) bool {
		switch t := n.(type) {
		case *ast.Ident:
			m["id:"+t.Name] = true
		case *ast.SelectorExpr:
			m["id:"+types.ExprString(t)] = true
		case *ast.CallExpr:
			if id, ok := unparen(t.Fun).(*ast.Ident); ok && (id.Name == "len" || id.Name == "cap") && len(t.Args) == 1 {
				m["len:"+types.ExprString(t.Args[0])] = true
			}
		}
		return true
	})
	return m
}

func (w *walker) isBound(e ast.Expr) bool {
	if strings.Contains(types.ExprString(e), "Max") {
		return true
	}
	tv, ok := w.info.Types[e]
	return ok && tv.Value != nil && !w.isZero(e)
}

func (w *walker) isZero(e ast.Expr) bool {
	tv, ok := w.info.Types[e]
	if !ok || tv.Value == nil {
		return false
	}
	switch tv.Value.Kind() {
	case constant.Int, constant.Float:
		return constant.Sign(tv.Value) == 0
	}
	return false
}

func (w *walker) guarded(at token.Pos, keys ...string) bool {
	for _, k := range keys {
		if p, ok := w.first[k]; ok && p < at {
			return true
		}
	}
	return false
}

// indexComparisons remembers, for each mention, its first comparison (and first upper bound):
// a guard check is then a lookup, not a scan of every condition of the function.
func (w *walker) indexComparisons() {
	for _, c := range w.cmps {
		for k := range c.mentions {
			if p, ok := w.first[k]; !ok || c.pos < p {
				w.first[k] = c.pos
			}
			if c.bound {
				if p, ok := w.bounded[k]; !ok || c.pos < p {
					w.bounded[k] = c.pos
				}
			}
		}
	}
	w.cmps = nil
}

func (w *walker) locked(at token.Pos) bool {
	held := 0
	for _, e := range w.locks {
		if e.pos >= at {
			break
		}
		if e.lock {
			held++
		} else if held > 0 {
			held--
		}
	}
	return held > 0
}

func callsRecover(body *ast.BlockStmt, info *types.Info) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		switch t := n.(type) {
		case *ast.FuncLit:
			return false // recover() in a nested literal is not called by the deferred function
		case *ast.CallExpr:
			if isBuiltin(t.Fun, "recover", info) {
				found = true
			}
		}
		return true
	})
	return found
}

func isBuiltin(fun ast.Expr, name string, info *types.Info) bool {
	id, ok := unparen(fun).(*ast.Ident)
	if !ok || id.Name != name {
		return false
	}
	obj := info.Uses[id]
	_, builtin := obj.(*types.Builtin)
	return obj == nil || builtin
}

// Standard library functions that call the function they are given before returning.
var synchronousCallbacks = map[string]bool{"sort.Slice": true, "sort.SliceStable": true, "sort.Search": true,
	"slices.SortFunc": true, "slices.SortStableFunc": true, "slices.IndexFunc": true,
	"slices.ContainsFunc": true, "slices.DeleteFunc": true, "strings.Map": true, "strings.FieldsFunc": true,
	"strings.IndexFunc": true, "strings.TrimFunc": true, "bytes.Map": true, "(sync.Once).Do": true,
	"(sync.Map).Range": true, "filepath.Walk": true, "filepath.WalkDir": true, "fs.WalkDir": true}

func (w *walker) callsBack(call *ast.CallExpr) bool {
	if fn := w.callee(call); fn != nil {
		key := funcKey(fn)
		return synchronousCallbacks[key] || (fn.Pkg() != nil && w.inModule(fn.Pkg().Path()))
	}
	path, name := w.pkgCall(call)
	return synchronousCallbacks[path+"."+name]
}

// -- defers ---------------------------------------------------------------------------------

func (w *walker) defers(body *ast.BlockStmt) {
	top := map[ast.Stmt]int{}
	firstReturn := -1
	for i, s := range body.List {
		top[s] = i
		if _, ok := s.(*ast.ReturnStmt); ok && firstReturn < 0 {
			firstReturn = i
		}
	}
	w.out.CallsRecover = callsRecover(body, w.info)
	ast.Inspect(body, func(n ast.Node) bool {
		if lit, ok := n.(*ast.FuncLit); ok {
			_ = lit
			return false // defers of nested literals belong to them
		}
		d, ok := n.(*ast.DeferStmt)
		if !ok {
			return true
		}
		line, col := w.pos(d.Pos())
		i, isTop := top[d]
		fact := deferJSON{Line: line, Col: col, TopLevel: isTop, AfterReturn: isTop && firstReturn >= 0 && firstReturn < i,
			LiteralCalls: []string{}}
		if lit, ok := unparen(d.Call.Fun).(*ast.FuncLit); ok {
			fact.LitRecovers = callsRecover(lit.Body, w.info)
			ast.Inspect(lit.Body, func(m ast.Node) bool {
				if c, ok := m.(*ast.CallExpr); ok {
					if key := w.calleeKey(c); key != "" {
						fact.LiteralCalls = append(fact.LiteralCalls, key)
					} else {
						fact.LiteralCalls = append(fact.LiteralCalls, types.ExprString(c.Fun))
					}
				}
				return true
			})
		} else {
			text := types.ExprString(d.Call.Fun)
			fact.Callee = &text
			if key := w.calleeKey(d.Call); key != "" {
				fact.CalleeKey = &key
			}
		}
		w.out.Defers = append(w.out.Defers, fact)
		return true
	})
}

// calleeKey: the function a call reaches statically ("" for func values,
// interface methods and functions of packages not read).
func (w *walker) calleeKey(call *ast.CallExpr) string {
	if obj := w.callee(call); obj != nil {
		return funcKey(obj)
	}
	return ""
}

func (w *walker) callee(call *ast.CallExpr) *types.Func {
	fun := unparen(call.Fun)
	if ix, ok := fun.(*ast.IndexExpr); ok {
		fun = ix.X
	}
	if ix, ok := fun.(*ast.IndexListExpr); ok {
		fun = ix.X
	}
	switch t := fun.(type) {
	case *ast.Ident:
		if f, ok := w.info.Uses[t].(*types.Func); ok {
			return f.Origin()
		}
	case *ast.SelectorExpr:
		if sel := w.info.Selections[t]; sel != nil {
			if sel.Kind() != types.MethodVal {
				return nil
			}
			if types.IsInterface(sel.Recv()) {
				return nil
			}
			if f, ok := sel.Obj().(*types.Func); ok {
				return f.Origin()
			}
			return nil
		}
		if f, ok := w.info.Uses[t.Sel].(*types.Func); ok {
			return f.Origin()
		}
	}
	return nil
}

// pkgCall: "path.Name" for a call of a package-level function through an
// import, even when the package is an empty stand-in.
func (w *walker) pkgCall(call *ast.CallExpr) (string, string) {
	sel, ok := unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return "", ""
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", ""
	}
	if pn, ok := w.info.Uses[id].(*types.PkgName); ok {
		return pn.Imported().Path(), sel.Sel.Name
	}
	return "", ""
}

// -- second pass: sites ------------------------------------------------------------------------

var exits = map[string]bool{"os.Exit": true, "syscall.Exit": true, "runtime.Goexit": true,
	"log.Fatal": true, "log.Fatalf": true, "log.Fatalln": true,
	"(log.Logger).Fatal": true, "(log.Logger).Fatalf": true, "(log.Logger).Fatalln": true,
	"log/slog.Exit": true}

// Loggers of other modules whose Fatal functions call os.Exit.
var exitingLoggers = map[string]bool{"github.com/sirupsen/logrus": true, "github.com/golang/glog": true,
	"k8s.io/klog": true, "k8s.io/klog/v2": true, "github.com/rs/zerolog/log": true,
	"go.uber.org/zap": true, "github.com/charmbracelet/log": true}

// Standard library functions that panic on bad input the caller passes.
var stdPanics = map[string]bool{"regexp.MustCompile": true, "regexp.MustCompilePOSIX": true,
	"text/template.Must": true, "html/template.Must": true,
	"(encoding/binary.bigEndian).Uint16": true, "(encoding/binary.bigEndian).Uint32": true,
	"(encoding/binary.bigEndian).Uint64": true, "(encoding/binary.littleEndian).Uint16": true,
	"(encoding/binary.littleEndian).Uint32": true, "(encoding/binary.littleEndian).Uint64": true,
	"(encoding/binary.bigEndian).PutUint16": true, "(encoding/binary.bigEndian).PutUint32": true,
	"(encoding/binary.bigEndian).PutUint64": true, "(encoding/binary.littleEndian).PutUint16": true,
	"(encoding/binary.littleEndian).PutUint32": true, "(encoding/binary.littleEndian).PutUint64": true,
	"(math/big.Int).Div": true, "(math/big.Int).Mod": true, "(math/big.Int).Quo": true,
	"(math/big.Int).Rem": true, "(math/big.Int).DivMod": true, "(math/big.Int).QuoRem": true,
	"(reflect.Value).Elem": true, "(reflect.Value).Field": true, "(reflect.Value).Index": true,
	"(reflect.Value).Int": true, "(reflect.Value).Uint": true, "(reflect.Value).Float": true,
	"(reflect.Value).Interface": true, "(reflect.Value).Set": true, "(reflect.Value).SetInt": true,
	"(reflect.Value).SetString": true, "(reflect.Value).Call": true, "(reflect.Value).MapIndex": true,
	"(reflect.Value).Len": true, "(reflect.Value).Bytes": true, "(reflect.Value).NumField": true,
	"(runtime/cgo.Handle).Value": true, "(runtime/cgo.Handle).Delete": true,
	"log.Panic": true, "log.Panicf": true, "log.Panicln": true,
	"(log.Logger).Panic": true, "(log.Logger).Panicf": true, "(log.Logger).Panicln": true}

var narrowC = map[string]bool{"int": true, "uint": true, "short": true, "ushort": true, "char": true,
	"schar": true, "uchar": true, "int32_t": true, "uint32_t": true, "int16_t": true, "uint16_t": true,
	"int8_t": true, "uint8_t": true}
var narrowGo = map[string]bool{"int32": true, "uint32": true, "int16": true, "uint16": true, "int8": true,
	"uint8": true, "rune": true}

func (w *walker) visit(n ast.Node) {
	out := w.out
	switch t := n.(type) {
	case *ast.CallExpr:
		if sel, ok := unparen(t.Fun).(*ast.SelectorExpr); ok && len(t.Args) == 1 && sel.Sel.Name == "Pointer" {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "unsafe" {
				w.handleAddress(t.Args[0])
			}
		}
		w.call(t)
	case *ast.IndexExpr:
		w.index(t)
	case *ast.SliceExpr:
		w.slice(t)
	case *ast.BinaryExpr:
		if t.Op == token.QUO || t.Op == token.REM {
			w.division(t, t.Y)
		}
	case *ast.AssignStmt:
		if (t.Tok == token.QUO_ASSIGN || t.Tok == token.REM_ASSIGN) && len(t.Rhs) == 1 {
			w.division(t, t.Rhs[0])
		}
		w.assign(t)
	case *ast.IncDecStmt:
		w.globalWrite(t.X, t, "update")
	case *ast.TypeAssertExpr:
		if t.Type != nil && !w.safe[t] {
			out.Panics = append(out.Panics, w.site("assert", t, types.ExprString(t)))
		}
	case *ast.StarExpr:
		if tv, ok := w.info.Types[t]; ok && tv.IsValue() {
			w.deref(t, t.X)
		}
	case *ast.SelectorExpr:
		if sel := w.info.Selections[t]; sel != nil && sel.Kind() == types.FieldVal && sel.Indirect() {
			w.deref(t, t.X)
		} else if sel == nil {
			// p.field of a *C.struct_x parameter: the C type is not known, the pointer is.
			if id, ok := unparen(t.X).(*ast.Ident); ok {
				if obj := w.objOf(id); obj != nil && w.cPointers[obj] {
					w.deref(t, t.X)
				}
			}
		}
	case *ast.SendStmt:
		if key := w.objKey(t.Chan); key != "" {
			out.Sends = append(out.Sends, w.site("send", t, key))
		}
	case *ast.ReturnStmt:
		w.returns(t)
	}
}

func (w *walker) objKey(e ast.Expr) string {
	var obj types.Object
	switch t := unparen(e).(type) {
	case *ast.Ident:
		obj = w.objOf(t)
	case *ast.SelectorExpr:
		if sel := w.info.Selections[t]; sel != nil {
			obj = sel.Obj()
		} else {
			obj = w.info.Uses[t.Sel]
		}
	}
	if obj == nil || !obj.Pos().IsValid() {
		return ""
	}
	return w.l.fset.Position(obj.Pos()).String()
}

func (w *walker) call(c *ast.CallExpr) {
	out := w.out
	_, inDefer := w.parents[c].(*ast.DeferStmt)
	if g, inGo := w.parents[c].(*ast.GoStmt); inGo && g.Call == c {
		return // runs on another goroutine
	}
	if isBuiltin(c.Fun, "panic", w.info) {
		out.Panics = append(out.Panics, w.site("panic", c, types.ExprString(c)))
		return
	}
	if isBuiltin(c.Fun, "close", w.info) && len(c.Args) == 1 {
		if key := w.objKey(c.Args[0]); key != "" {
			w.closes[key] = true
		}
		// A channel that outlives the call (a global, a field) can be closed twice.
		if id, ok := unparen(c.Args[0]).(*ast.Ident); !ok || w.isGlobal(w.objOf(id)) {
			out.Panics = append(out.Panics, w.site("close", c, types.ExprString(c.Args[0])))
		}
		return
	}
	if isBuiltin(c.Fun, "delete", w.info) && len(c.Args) >= 1 {
		w.globalWrite(c.Args[0], c, "delete")
		return
	}
	if name := cName(c.Fun); name != "" {
		w.cCall(c, name)
		return
	}
	w.narrowing(c)
	fn := w.callee(c)
	full := ""
	if fn != nil {
		full = funcKey(fn)
	}
	path, name := w.pkgCall(c)
	switch {
	case exits[full] || exits[path+"."+name]:
		out.Exits = append(out.Exits, w.site("exit", c, types.ExprString(c.Fun)))
	case exitingLoggers[path] && (strings.HasPrefix(name, "Fatal") || strings.HasPrefix(name, "Exit")):
		out.Exits = append(out.Exits, w.site("exit", c, types.ExprString(c.Fun)))
	case fn == nil && path == "":
		// A method of a value whose type is not known: logger.Fatalf by convention exits.
		if sel, ok := unparen(c.Fun).(*ast.SelectorExpr); ok && (sel.Sel.Name == "Fatal" || sel.Sel.Name == "Fatalf" || sel.Sel.Name == "Fatalln") {
			out.Exits = append(out.Exits, w.site("exit", c, types.ExprString(c.Fun)))
		}
	}
	if (stdPanics[full] || stdPanics[path+"."+name]) && !(strings.HasPrefix(full, "regexp.") && len(c.Args) == 1 && w.constant(c.Args[0])) && !w.freshHandle(c) {
		out.Panics = append(out.Panics, w.site("call", c, types.ExprString(c.Fun)))
	}
	if path == "runtime" && name == "LockOSThread" && out.LockOSThread == nil {
		line, col := w.pos(c.Pos())
		out.LockOSThread = &posJSON{line, col}
	}
	if path == "runtime" && name == "UnlockOSThread" {
		how := "direct"
		if inDefer || w.inDeferredLiteral(c) {
			how = "deferred"
		}
		if out.UnlockOSThread == nil || how == "deferred" {
			out.UnlockOSThread = &how
		}
	}
	if path == "unsafe" && name == "Slice" && len(c.Args) == 2 {
		w.nilArgument(c, c.Args[0], "unsafe.Slice")
	}
	w.handleCall(c, fn, path, name)
	if fn != nil && fn.Pkg() != nil && w.inModule(fn.Pkg().Path()) {
		how := "call"
		if inDefer {
			how = "defer"
		}
		locked := w.locked(c.Pos())
		// The first call of each kind to a callee is enough to follow it.
		key := callKey{funcKey(fn), how, locked}
		if !w.called[key] {
			w.called[key] = true
			line, col := w.pos(c.Pos())
			out.Calls = append(out.Calls, callJSON{Callee: key.callee, Line: line, Col: col, How: how, Locked: locked})
		}
	}
	// Arguments handed to Go functions: C memory passed on is kept by someone.
	for _, a := range c.Args {
		w.escape(a)
	}
}

// inDeferredLiteral: inside `defer func() { ... }()`.
func (w *walker) inDeferredLiteral(n ast.Node) bool {
	for p := w.parents[n]; p != nil; p = w.parents[p] {
		if lit, ok := p.(*ast.FuncLit); ok {
			if call, ok := w.parents[lit].(*ast.CallExpr); ok && call.Fun == lit {
				if _, ok := w.parents[call].(*ast.DeferStmt); ok {
					return true
				}
			}
			return false
		}
	}
	return false
}

// freshHandle: h.Value() / h.Delete() of a handle this function made: valid.
func (w *walker) freshHandle(c *ast.CallExpr) bool {
	sel, ok := unparen(c.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := unparen(sel.X).(*ast.Ident)
	return ok && w.fresh[w.objOf(id)]
}

func (w *walker) isGlobal(obj types.Object) bool {
	v, ok := obj.(*types.Var)
	return ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope()
}

func (w *walker) inModule(path string) bool {
	if path == w.p.importPath {
		return true
	}
	return w.p.modPath != "" && (path == w.p.modPath || strings.HasPrefix(path, w.p.modPath+"/"))
}

func (w *walker) constant(e ast.Expr) bool {
	tv, ok := w.info.Types[e]
	return ok && tv.Value != nil
}

var keepingWords = map[string]bool{"register": true, "set": true, "store": true, "save": true, "keep": true,
	"retain": true, "attach": true, "add": true, "put": true, "push": true, "install": true,
	"subscribe": true, "userdata": true}

var camel = regexp.MustCompile(`([a-z0-9])([A-Z])`)

func keeps(name string) bool {
	for _, word := range strings.Split(strings.ToLower(camel.ReplaceAllString(name, "${1}_${2}")), "_") {
		if keepingWords[word] {
			return true
		}
	}
	return false
}

func (w *walker) cCall(c *ast.CallExpr, name string) {
	out := w.out
	switch name {
	case "CString", "CBytes", "malloc", "calloc", "realloc", "strdup":
		w.allocation(c, "C."+name)
	case "free":
		out.CallsCFree = true
		if len(c.Args) == 1 {
			if obj := w.baseVar(c.Args[0]); obj != nil {
				if w.params[obj] {
					out.FreesParameter = true
				}
				if a := w.allocs[obj]; a != nil {
					a.Freed = true
				}
			}
			if a := w.inlineAlloc(c.Args[0]); a != nil {
				a.Freed = true
			}
		}
		return
	}
	if (name == "GoBytes" || name == "GoStringN") && len(c.Args) == 2 {
		w.nilArgument(c, c.Args[0], "C."+name)
	}
	if narrowC[name] && len(c.Args) == 1 {
		w.narrow(c, "C."+name, c.Args[0])
	}
	freeLike := freeish.MatchString(name) || w.cFrees[name]
	for _, a := range c.Args {
		if obj := w.baseVar(a); obj != nil {
			if al := w.allocs[obj]; al != nil && freeLike {
				al.Freed = true
			}
			if w.params[obj] && freeLike {
				out.FreesParameter = true
			}
		}
		if al := w.inlineAlloc(a); al != nil {
			if freeLike {
				al.Freed = true
			} else if keeps(name) {
				al.Escapes = true
			}
		}
		if w.goPointer(a) {
			if target := w.pointerTarget(a); target != nil && w.holdsGoPointers(target) {
				out.PointerStores = append(out.PointerStores, w.site("c-call-struct", a, types.ExprString(a)))
			} else if keeps(name) {
				out.PointerStores = append(out.PointerStores, w.site("c-call-keeps", a, types.ExprString(a)))
			}
		}
	}
}

// baseVar: the variable an argument is, through conversions (unsafe.Pointer(p), (*C.char)(p)).
func (w *walker) baseVar(e ast.Expr) types.Object {
	for {
		switch t := unparen(e).(type) {
		case *ast.Ident:
			if obj, ok := w.objOf(t).(*types.Var); ok {
				return obj
			}
			return nil
		case *ast.CallExpr:
			if len(t.Args) == 1 && w.isConversion(t) {
				e = t.Args[0]
				continue
			}
			return nil
		case *ast.StarExpr:
			return nil
		default:
			return nil
		}
	}
}

func (w *walker) isConversion(c *ast.CallExpr) bool {
	if tv, ok := w.info.Types[c.Fun]; ok && tv.IsType() {
		return true
	}
	fun := unparen(c.Fun)
	if isC(fun) {
		return false // C.x(...) with an invalid type: a call to C, or a C conversion
	}
	switch fun.(type) {
	case *ast.StarExpr, *ast.ArrayType:
		return true
	}
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == "unsafe" && sel.Sel.Name == "Pointer" {
			return true
		}
	}
	return false
}

func (w *walker) inlineAlloc(e ast.Expr) *allocJSON {
	for {
		c, ok := unparen(e).(*ast.CallExpr)
		if !ok {
			return nil
		}
		switch cName(c.Fun) {
		case "CString", "CBytes", "malloc", "calloc", "strdup":
			line, col := w.pos(c.Pos())
			for _, a := range w.allocs {
				if a.obj == nil && a.Line == line && a.Col == col {
					return a
				}
			}
			return nil
		}
		if len(c.Args) == 1 && w.isConversion(c) {
			e = c.Args[0]
			continue
		}
		return nil
	}
}

// allocation: a C.CString-like call; where its result goes.
func (w *walker) allocation(c *ast.CallExpr, fn string) {
	line, col := w.pos(c.Pos())
	a := &allocJSON{Line: line, Col: col, Function: fn, allocation: fn == "C.CString" || fn == "C.CBytes"}
	// Climb through conversions to the statement that receives the value.
	var node ast.Node = c
	parent := w.parents[node]
	for {
		if pc, ok := parent.(*ast.CallExpr); ok && len(pc.Args) == 1 && w.isConversion(pc) {
			node, parent = pc, w.parents[pc]
			continue
		}
		if pe, ok := parent.(*ast.ParenExpr); ok {
			node, parent = pe, w.parents[pe]
			continue
		}
		break
	}
	switch t := parent.(type) {
	case *ast.AssignStmt:
		for i, rhs := range t.Rhs {
			if rhs != node || i >= len(t.Lhs) || len(t.Lhs) != len(t.Rhs) {
				continue
			}
			switch lhs := t.Lhs[i].(type) {
			case *ast.Ident:
				if lhs.Name == "_" {
					a.Discarded = true
					break
				}
				name := lhs.Name
				a.Variable = &name
				if obj := w.objOf(lhs); obj != nil {
					if v, ok := obj.(*types.Var); ok && v.Parent() == w.p.pkg.Scope() {
						a.Escapes = true // a package-level variable
					}
					a.obj = obj
					w.allocs[obj] = a
				}
			default:
				a.Escapes = true // a field, an element
			}
		}
	case *ast.ValueSpec:
		for i, v := range t.Values {
			if v == node && i < len(t.Names) {
				name := t.Names[i].Name
				a.Variable = &name
				if obj := w.info.Defs[t.Names[i]]; obj != nil {
					if v, ok := obj.(*types.Var); ok && v.Parent() == w.p.pkg.Scope() {
						a.Escapes = true
					}
					a.obj = obj
					w.allocs[obj] = a
				}
			}
		}
	case *ast.ReturnStmt:
		a.Returned = true
	case *ast.CallExpr:
		a.Inline = true
		if !isC(t.Fun) {
			a.Escapes = true // handed to a Go function, which may keep or free it
		}
	case *ast.CompositeLit, *ast.KeyValueExpr:
		a.Escapes = true
	case *ast.ExprStmt:
		// The result is dropped.
	default:
		a.Escapes = true
	}
	if a.obj == nil {
		w.inline = append(w.inline, a)
	}
}

func (w *walker) allocsInOrder() []*allocJSON {
	all := append([]*allocJSON(nil), w.inline...)
	for _, a := range w.allocs {
		all = append(all, a)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Line != all[j].Line {
			return all[i].Line < all[j].Line
		}
		return all[i].Col < all[j].Col
	})
	return all
}

// escape: a tracked C allocation used in a way that hands it on.
func (w *walker) escape(e ast.Expr) {
	if obj := w.baseVar(e); obj != nil {
		if a := w.allocs[obj]; a != nil {
			a.Escapes = true
		}
	}
}

func (w *walker) assign(t *ast.AssignStmt) {
	for i, lhs := range t.Lhs {
		w.globalWrite(lhs, t, "assign")
		if len(t.Lhs) != len(t.Rhs) {
			continue
		}
		rhs := t.Rhs[i]
		// v = allocated: C memory kept somewhere else.
		if obj := w.baseVar(rhs); obj != nil {
			if a := w.allocs[obj]; a != nil {
				if id, ok := lhs.(*ast.Ident); !ok || id.Name != "_" {
					a.Escapes = true
				}
			}
		}
		// append(global, ...) assigned back.
		if call, ok := unparen(rhs).(*ast.CallExpr); ok && isBuiltin(call.Fun, "append", w.info) {
			for _, arg := range call.Args[1:] {
				w.escape(arg)
			}
		}
		if w.goPointer(rhs) {
			if isC(lhs) {
				w.out.PointerStores = append(w.out.PointerStores, w.site("c-global", t, types.ExprString(t.Lhs[i])+" = "+types.ExprString(rhs)))
			} else if base := rootIdent(lhs); base != nil && base != lhs {
				if obj := w.objOf(base); obj != nil && w.cVars[obj] {
					if _, field := lhs.(*ast.SelectorExpr); field {
						w.out.PointerStores = append(w.out.PointerStores, w.site("c-field", t, types.ExprString(t.Lhs[i])+" = "+types.ExprString(rhs)))
					}
				}
			}
		}
	}
}

func rootIdent(e ast.Expr) *ast.Ident {
	for {
		switch t := unparen(e).(type) {
		case *ast.Ident:
			return t
		case *ast.SelectorExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.StarExpr:
			e = t.X
		default:
			return nil
		}
	}
}

// globalWrite: an element of a package-level map or slice written.
func (w *walker) globalWrite(target ast.Expr, at ast.Node, op string) {
	e := unparen(target)
	container := e
	if ix, ok := e.(*ast.IndexExpr); ok {
		container = ix.X
	} else if op == "assign" {
		// g = append(g, ...): the slice header itself.
		as, _ := at.(*ast.AssignStmt)
		if as == nil || len(as.Rhs) != len(as.Lhs) {
			return
		}
		call, ok := unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok || !isBuiltin(call.Fun, "append", w.info) {
			return
		}
	} else if op != "delete" {
		return
	}
	tv, ok := w.info.Types[container]
	if !ok || tv.Type == nil {
		return
	}
	kind := ""
	switch tv.Type.Underlying().(type) {
	case *types.Map:
		kind = "map"
	case *types.Slice:
		kind = "slice"
	default:
		return
	}
	root := rootIdent(container)
	if root == nil {
		if sel, ok := container.(*ast.SelectorExpr); ok {
			root = sel.Sel
		} else {
			return
		}
	}
	var v *types.Var
	if sel, ok := container.(*ast.SelectorExpr); ok {
		if obj, ok := w.info.Uses[sel.Sel].(*types.Var); ok && obj.Parent() != nil && obj.Parent() == obj.Pkg().Scope() {
			v = obj // pkg.Global
		}
	}
	if v == nil {
		obj, ok := w.objOf(root).(*types.Var)
		if !ok || obj.Pkg() == nil || obj.Parent() != obj.Pkg().Scope() {
			return
		}
		v = obj
	}
	s := w.site(kind, at, types.ExprString(container))
	s.Locked = w.locked(at.Pos())
	w.out.GlobalWrites = append(w.out.GlobalWrites, s)
}

func (w *walker) index(t *ast.IndexExpr) {
	tv, ok := w.info.Types[t.X]
	if !ok || tv.Type == nil {
		return
	}
	under := tv.Type.Underlying()
	if p, ok := under.(*types.Pointer); ok {
		under = p.Elem().Underlying()
		if a, ok := under.(*types.Array); ok && a.Len() >= 1<<16 {
			return // (*[1 << 30]C.char)(unsafe.Pointer(p))[i]: an unchecked view of C memory
		}
	}
	switch u := under.(type) {
	case *types.Slice:
	case *types.Basic:
		if u.Info()&types.IsString == 0 {
			return
		}
	case *types.Array:
		if w.constant(t.Index) {
			return // checked by the compiler
		}
	default:
		return // maps, generics
	}
	x := types.ExprString(t.X)
	if id, ok := unparen(t.Index).(*ast.Ident); ok {
		if obj := w.objOf(id); obj != nil && (w.ranges[obj] == x) {
			return
		}
	}
	if id, ok := unparen(t.X).(*ast.Ident); ok && w.constant(t.Index) {
		if n, known := w.lengths[w.objOf(id)]; known {
			if i, exact := constant.Int64Val(constant.ToInt(w.info.Types[t.Index].Value)); exact && i >= 0 && i < n {
				return // buf := make([]byte, 64); buf[0]
			}
		}
	}
	keys := []string{"len:" + x}
	for k := range mentions(t.Index) {
		if strings.HasPrefix(k, "id:") || strings.HasPrefix(k, "len:") {
			keys = append(keys, k)
		}
	}
	if w.constant(t.Index) {
		keys = []string{"len:" + x}
	}
	if w.guarded(t.Pos(), keys...) {
		return
	}
	w.out.Panics = append(w.out.Panics, w.site("index", t, types.ExprString(t)))
}

func (w *walker) slice(t *ast.SliceExpr) {
	tv, ok := w.info.Types[t.X]
	if !ok || tv.Type == nil {
		return
	}
	if p, ok := tv.Type.Underlying().(*types.Pointer); ok {
		if a, ok := p.Elem().Underlying().(*types.Array); ok && a.Len() >= 1<<16 {
			return
		}
	}
	x := types.ExprString(t.X)
	_, isArray := tv.Type.Underlying().(*types.Array)
	for _, bound := range []ast.Expr{t.Low, t.High, t.Max} {
		// Constant bounds of an array are checked by the compiler; of a slice or
		// string only 0 is always in range.
		if bound == nil || (w.constant(bound) && (isArray || w.isZero(bound))) {
			continue
		}
		keys := []string{"len:" + x}
		if !w.constant(bound) {
			for k := range mentions(bound) {
				keys = append(keys, k)
			}
		}
		if bound := unparen(bound); true {
			if c, ok := bound.(*ast.CallExpr); ok && isBuiltin(c.Fun, "len", w.info) && len(c.Args) == 1 && types.ExprString(c.Args[0]) == x {
				continue // x[:len(x)]
			}
		}
		if w.guarded(t.Pos(), keys...) {
			continue
		}
		w.out.Panics = append(w.out.Panics, w.site("slice", t, types.ExprString(t)))
		return
	}
}

func (w *walker) division(at ast.Node, divisor ast.Expr) {
	tv, ok := w.info.Types[divisor]
	if !ok || tv.Type == nil || tv.Value != nil {
		return
	}
	b, ok := tv.Type.Underlying().(*types.Basic)
	if !ok || b.Info()&types.IsInteger == 0 {
		return // floats divide to Inf, unknown types are not judged
	}
	keys := []string{}
	for k := range mentions(divisor) {
		keys = append(keys, k)
	}
	if w.guarded(at.Pos(), keys...) {
		return
	}
	w.out.Panics = append(w.out.Panics, w.site("divide", at, types.ExprString(divisor)))
}

func (w *walker) deref(at ast.Node, x ast.Expr) {
	id, ok := unparen(x).(*ast.Ident)
	if !ok {
		return
	}
	obj := w.objOf(id)
	if obj == nil || !(w.params[obj] || w.maybeNil[obj]) {
		return
	}
	if v, ok := obj.(*types.Var); ok {
		if _, ptr := v.Type().Underlying().(*types.Pointer); !ptr && !w.cVars[obj] {
			return
		}
	}
	if w.isReceiver(obj) {
		return // a nil receiver is the caller's bug, met in every method
	}
	if w.guarded(at.Pos(), "id:"+id.Name) {
		return
	}
	w.out.Panics = append(w.out.Panics, w.site("deref", at, types.ExprString(at.(ast.Expr))))
}

// nilArgument: C.GoBytes(p, n), C.GoStringN(p, n) and unsafe.Slice(p, n) read
// through p, and panic when C passed NULL (or a negative length).
func (w *walker) nilArgument(c *ast.CallExpr, arg ast.Expr, what string) {
	obj := w.baseVar(arg)
	if obj == nil || !(w.params[obj] || w.maybeNil[obj]) {
		return
	}
	if w.guarded(c.Pos(), "id:"+obj.Name()) {
		return
	}
	w.out.Panics = append(w.out.Panics, w.site("deref", c, types.ExprString(c)))
}

func (w *walker) isReceiver(obj types.Object) bool {
	if w.decl.Recv == nil {
		return false
	}
	for _, f := range w.decl.Recv.List {
		for _, n := range f.Names {
			if w.info.Defs[n] == obj {
				return true
			}
		}
	}
	return false
}

func (w *walker) returns(r *ast.ReturnStmt) {
	out := w.out
	for _, res := range r.Results {
		e := unparen(res)
		for {
			c, ok := e.(*ast.CallExpr)
			if !ok || len(c.Args) != 1 || !w.isConversion(c) {
				break
			}
			e = unparen(c.Args[0])
		}
		switch t := e.(type) {
		case *ast.CallExpr:
			switch cName(t.Fun) {
			case "CString", "CBytes", "malloc", "calloc", "strdup":
				if out.ReturnsAlloc == nil {
					s := w.site(cName(t.Fun), t, types.ExprString(t))
					out.ReturnsAlloc = &s
				}
			}
			if key := w.calleeKey(t); key != "" && w.inModule(w.callee(t).Pkg().Path()) {
				out.ReturnsCalls = append(out.ReturnsCalls, key)
			}
		case *ast.Ident:
			obj := w.objOf(t)
			if a := w.allocs[obj]; a != nil {
				a.Returned = true
				if out.ReturnsAlloc == nil && !a.Escapes {
					s := w.site(a.Function, t, t.Name)
					out.ReturnsAlloc = &s
				}
			}
			if v, ok := obj.(*types.Var); ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
				out.ReturnsGlobal = true
			}
		case *ast.SelectorExpr:
			if v, ok := w.info.Uses[t.Sel].(*types.Var); ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
				out.ReturnsGlobal = true
			} else if root := rootIdent(t); root != nil {
				if v, ok := w.objOf(root).(*types.Var); ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
					out.ReturnsGlobal = true // a field of a cached global
				}
			}
		}
	}
}

// narrowing: Go int sizes converted to narrower integers.
func (w *walker) narrowing(c *ast.CallExpr) {
	if len(c.Args) != 1 {
		return
	}
	id, ok := unparen(c.Fun).(*ast.Ident)
	if !ok || !narrowGo[id.Name] {
		return
	}
	if _, isType := w.info.Uses[id].(*types.TypeName); !isType {
		return
	}
	w.narrow(c, id.Name, c.Args[0])
}

func (w *walker) narrow(c *ast.CallExpr, target string, arg ast.Expr) {
	tv, ok := w.info.Types[arg]
	isLen := false
	if call, ok := unparen(arg).(*ast.CallExpr); ok && (isBuiltin(call.Fun, "len", w.info) || isBuiltin(call.Fun, "cap", w.info)) {
		if len(call.Args) == 1 {
			if _, computed := unparen(call.Args[0]).(*ast.CallExpr); computed {
				return // len(strconv.Itoa(n)): the length of a value made here, not of input
			}
		}
		isLen = true
	}
	if !isLen {
		if !ok || tv.Type == nil || tv.Value != nil {
			return
		}
		b, ok := tv.Type.Underlying().(*types.Basic)
		if !ok {
			return
		}
		switch b.Kind() {
		case types.Int, types.Uint, types.Int64, types.Uint64, types.Uintptr:
		default:
			return
		}
	} else if ok && tv.Value != nil {
		return // len of an array: a constant
	}
	if b, ok := unparen(arg).(*ast.BinaryExpr); ok && (b.Op == token.AND || b.Op == token.REM) && (w.constant(b.X) || w.constant(b.Y)) {
		return // x & 0xff, x % 256: bounded
	}
	keys := []string{}
	for k := range mentions(arg) {
		keys = append(keys, k)
	}
	guarded := false
	for _, k := range keys {
		if p, ok := w.bounded[k]; ok && p < arg.Pos() {
			guarded = true
		}
	}
	line, col := w.pos(c.Pos())
	w.out.Narrowings = append(w.out.Narrowings, narrowJSON{Line: line, Col: col, Target: target,
		Source: shorten(types.ExprString(arg)), IsLen: isLen, Guarded: guarded})
}

// -- pointers ----------------------------------------------------------------------------------

// goPointer: &x, &T{}, &s[0], or a value of a Go pointer type, possibly inside conversions.
func (w *walker) goPointer(e ast.Expr) bool {
	for {
		switch t := unparen(e).(type) {
		case *ast.UnaryExpr:
			return t.Op == token.AND
		case *ast.Ident, *ast.SelectorExpr:
			if id, ok := t.(*ast.Ident); ok && w.cVars[w.objOf(id)] {
				return false // a variable holding C memory
			}
			if sel, ok := t.(*ast.SelectorExpr); ok {
				if s := w.info.Selections[sel]; s != nil && w.cFields[s.Obj()] {
					return false // a field the package fills with C.malloc
				}
			}
			tv, ok := w.info.Types[t]
			if !ok || tv.Type == nil {
				return false
			}
			p, ok := tv.Type.(*types.Pointer)
			if !ok {
				return false
			}
			switch elem := p.Elem().(type) {
			case *types.Named:
				return elem.Obj().Pkg() != nil && elem.Obj().Pkg().Path() != "C"
			case *types.Basic:
				return elem.Kind() != types.Invalid
			case *types.Struct, *types.Array, *types.Slice, *types.Map:
				return true
			}
			return false
		case *ast.CallExpr:
			if len(t.Args) == 1 {
				fun := unparen(t.Fun)
				if sel, ok := fun.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "unsafe" && sel.Sel.Name == "Pointer" {
						e = t.Args[0]
						continue
					}
				}
				if _, ok := fun.(*ast.StarExpr); ok {
					e = t.Args[0]
					continue
				}
			}
			return false
		default:
			return false
		}
	}
}

func (w *walker) pointerTarget(e ast.Expr) ast.Expr {
	var found ast.Expr
	ast.Inspect(e, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		if u, ok := n.(*ast.UnaryExpr); ok && u.Op == token.AND {
			x := unparen(u.X)
			for {
				switch t := x.(type) {
				case *ast.IndexExpr:
					x = t.X
					continue
				case *ast.SelectorExpr:
					x = t.X
					continue
				}
				break
			}
			found = x
			return false
		}
		return true
	})
	return found
}

// holdsGoPointers: a Go struct value (not C memory) with fields cgo forbids C to hold.
func (w *walker) holdsGoPointers(e ast.Expr) bool {
	tv, ok := w.info.Types[e]
	if !ok || tv.Type == nil {
		return false
	}
	st, ok := tv.Type.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		switch st.Field(i).Type().Underlying().(type) {
		case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Interface, *types.Signature:
			return true
		case *types.Basic:
			if b := st.Field(i).Type().Underlying().(*types.Basic); b.Info()&types.IsString != 0 {
				return true
			}
		}
	}
	return false
}
