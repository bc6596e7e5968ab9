package main

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// afterFree follows C.free along straight-line code: memory freed (now or by
// a deferred free) and then returned or freed again. A nested block starts
// from its parent's state; what it frees does not flow out of it, so only
// frees on every path are counted.
func (w *walker) afterFree(stmts []ast.Stmt, freed, deferred map[types.Object]bool) {
	for _, s := range stmts {
		switch t := s.(type) {
		case *ast.ExprStmt:
			if c, ok := unparen(t.X).(*ast.CallExpr); ok && cName(c.Fun) == "free" && len(c.Args) == 1 {
				if obj := w.baseVar(c.Args[0]); obj != nil {
					if freed[obj] || deferred[obj] {
						w.out.AfterFree = append(w.out.AfterFree, w.site("freed-twice", c, types.ExprString(c.Args[0])))
					}
					freed[obj] = true
				}
			}
		case *ast.DeferStmt:
			for _, obj := range w.deferredFrees(t) {
				if freed[obj] {
					w.out.AfterFree = append(w.out.AfterFree, w.site("freed-twice", t, obj.Name()))
				}
				deferred[obj] = true
			}
		case *ast.ReturnStmt:
			for _, res := range t.Results {
				if obj := w.baseVar(res); obj != nil && (freed[obj] || deferred[obj]) {
					w.out.AfterFree = append(w.out.AfterFree, w.site("returned", t, types.ExprString(res)))
				}
			}
		case *ast.AssignStmt:
			for _, lhs := range t.Lhs {
				if id, ok := lhs.(*ast.Ident); ok {
					if obj := w.objOf(id); obj != nil {
						// A new value: a deferred C.free(p) evaluated p when it was deferred.
						delete(freed, obj)
						if !w.closureFrees[obj] {
							delete(deferred, obj)
						}
					}
				}
			}
		case *ast.BlockStmt:
			w.afterFree(t.List, clone(freed), clone(deferred))
		case *ast.IfStmt:
			w.afterFree(t.Body.List, clone(freed), clone(deferred))
			if t.Else != nil {
				w.afterFree([]ast.Stmt{t.Else}, clone(freed), clone(deferred))
			}
		case *ast.ForStmt:
			w.afterFree(t.Body.List, clone(freed), clone(deferred))
		case *ast.RangeStmt:
			w.afterFree(t.Body.List, clone(freed), clone(deferred))
		case *ast.SwitchStmt:
			for _, cc := range t.Body.List {
				w.afterFree(cc.(*ast.CaseClause).Body, clone(freed), clone(deferred))
			}
		case *ast.TypeSwitchStmt:
			for _, cc := range t.Body.List {
				w.afterFree(cc.(*ast.CaseClause).Body, clone(freed), clone(deferred))
			}
		case *ast.SelectStmt:
			for _, cc := range t.Body.List {
				w.afterFree(cc.(*ast.CommClause).Body, clone(freed), clone(deferred))
			}
		case *ast.LabeledStmt:
			w.afterFree([]ast.Stmt{t.Stmt}, freed, deferred)
		}
	}
}

func clone(m map[types.Object]bool) map[types.Object]bool {
	c := make(map[types.Object]bool, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// deferredFrees: what `defer C.free(p)` or `defer func() { C.free(p) }()` frees at exit.
func (w *walker) deferredFrees(d *ast.DeferStmt) []types.Object {
	var found []types.Object
	if cName(d.Call.Fun) == "free" && len(d.Call.Args) == 1 {
		if obj := w.baseVar(d.Call.Args[0]); obj != nil {
			found = append(found, obj)
		}
	}
	if lit, ok := unparen(d.Call.Fun).(*ast.FuncLit); ok {
		for _, st := range lit.Body.List {
			es, ok := st.(*ast.ExprStmt)
			if !ok {
				continue
			}
			if c, ok := unparen(es.X).(*ast.CallExpr); ok && cName(c.Fun) == "free" && len(c.Args) == 1 {
				if obj := w.baseVar(c.Args[0]); obj != nil {
					found = append(found, obj)
					// The closure reads the variable at exit: a later assignment does not help.
					w.closureFrees[obj] = true
				}
			}
		}
	}
	return found
}

// -- cgo.Handle ------------------------------------------------------------------------------

type handleUse struct {
	kind     string
	receiver string
	pos      token.Pos
	deferred bool
}

func (w *walker) handleCall(c *ast.CallExpr, fn *types.Func, path, name string) {
	if path == "runtime/cgo" && name == "NewHandle" {
		what := ""
		if len(c.Args) == 1 {
			if tv, ok := w.info.Types[c.Args[0]]; ok && tv.Type != nil {
				what = types.TypeString(tv.Type, nil)
			}
		}
		w.out.Handles = append(w.out.Handles, w.site("new", c, what))
		return
	}
	sel, ok := unparen(c.Fun).(*ast.SelectorExpr)
	if !ok || (sel.Sel.Name != "Delete" && sel.Sel.Name != "Value") {
		return
	}
	isHandle := fn != nil && (funcKey(fn) == "(runtime/cgo.Handle).Delete" || funcKey(fn) == "(runtime/cgo.Handle).Value")
	if tv, ok := w.info.Types[sel.X]; ok && tv.Type != nil && w.isHandle(tv.Type) {
		isHandle = true
	}
	if !isHandle {
		// cgo.Handle(h).Delete() when the standard library could not be read.
		if conv, ok := unparen(sel.X).(*ast.CallExpr); ok {
			if p, n := w.pkgCall(conv); p == "runtime/cgo" && n == "Handle" {
				isHandle = true
			}
		}
	}
	if !isHandle {
		return
	}
	kind := "delete"
	if sel.Sel.Name == "Value" {
		kind = "value"
	}
	_, deferred := w.parents[c].(*ast.DeferStmt)
	detail := types.ExprString(sel.X)
	if kind == "delete" {
		// Deleted only after asserting its value's type: handles of other types are not.
		// A handle this function made and deletes frees no one else's.
		detail = ""
		if w.freshHandle(c) {
			detail = "fresh"
		} else if only := w.assertedTypes(types.ExprString(sel.X)); only != "" {
			detail = "only:" + only
		}
	}
	w.out.Handles = append(w.out.Handles, w.site(kind, c, detail))
	w.handles = append(w.handles, handleUse{kind, types.ExprString(sel.X), c.Pos(), deferred})
}

// handleAddress: &h of a cgo.Handle handed to C, which then keeps a Go pointer.
func (w *walker) handleAddress(arg ast.Expr) {
	ast.Inspect(arg, func(n ast.Node) bool {
		u, ok := n.(*ast.UnaryExpr)
		if !ok || u.Op != token.AND {
			return true
		}
		tv, ok := w.info.Types[u.X]
		if !ok || tv.Type == nil {
			return true
		}
		if w.isHandle(tv.Type) {
			w.out.Handles = append(w.out.Handles, w.site("address-to-c", u, types.ExprString(u)))
		}
		return true
	})
}

// isHandle: runtime/cgo.Handle, or a package type declared as one (type h cgo.Handle).
func (w *walker) isHandle(t types.Type) bool {
	named, ok := t.(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return false
	}
	if named.Obj().Pkg().Path() == "runtime/cgo" && named.Obj().Name() == "Handle" {
		return true
	}
	return named.Obj().Pkg() == w.p.pkg && w.handleTypes[named.Obj().Name()]
}

// assertedTypes: the types `recv.Value().(T)` asserts in this function, joined by "|".
func (w *walker) assertedTypes(recv string) string {
	var found []string
	for _, n := range w.nodes {
		ta, ok := n.(*ast.TypeAssertExpr)
		if !ok || ta.Type == nil {
			continue
		}
		call, ok := unparen(ta.X).(*ast.CallExpr)
		if !ok {
			continue
		}
		sel, ok := unparen(call.Fun).(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Value" || types.ExprString(sel.X) != recv {
			continue
		}
		if tv, ok := w.info.Types[ta.Type]; ok && tv.Type != nil {
			found = append(found, types.TypeString(tv.Type, nil))
		}
	}
	return strings.Join(found, "|")
}

// handleOrder: Value or Delete of a handle after its (non-deferred) Delete.
func (w *walker) handleOrder() {
	for i, d := range w.handles {
		if d.kind != "delete" || d.deferred {
			continue
		}
		for _, later := range w.handles[i+1:] {
			if later.receiver == d.receiver && later.pos > d.pos && !later.deferred {
				line, col := w.pos(later.pos)
				w.out.Handles = append(w.out.Handles, siteJSON{Kind: "use-after-delete", Line: line, Col: col, Detail: later.receiver})
				break
			}
		}
	}
}
