"""Large and deeply nested Go sources for the lint hostile-input tests and
``benchmarks/bench_hostile.py``.

Everything here is valid Go (gofmt would only realign it); the sizes are what make it hostile.
"""

from __future__ import annotations

_PREAMBLE = """package main

/*
#include <stdlib.h>
*/
import "C"

import "unsafe"

type Point struct {
\tX, Y int
\tNext *Point
}

type Handle C.int

func main() {}

"""

# One exported function per template, round-robin. Each comment says what the boundary
# checks report for it; EXPORT_FINDINGS counts them per template (the file's FreeString
# at the end keeps CG407 quiet).
_EXPORTS = (
    # clean: C types only, cannot panic
    "//export Add{i}\nfunc Add{i}(a, b C.int) C.int {{ return a + b + {i} }}\n\n",
    # CG404 ([]byte result; a string parameter is the caller's memory), CG405 (b[:1] of an empty
    # string panics, no recover)
    "//export Name{i}\nfunc Name{i}(s string) []byte {{\n\tb := []byte(s)\n\treturn b[:1]\n}}\n\n",
    # CG404 (*Point, []int: one finding per export), clean body
    "//export Walk{i}\nfunc Walk{i}(p *Point, values []int, h Handle) C.int {{ return C.int(h) }}\n\n",
    # deferred recover, C pointers, C.CString returned (freed by FreeString);
    # CG414: the size_t n narrowed to C.int for C.GoStringN
    "//export Text{i}\nfunc Text{i}(p *C.char, n C.size_t) (out *C.char) {{\n"
    "\tdefer func() {{\n\t\tif r := recover(); r != nil {{\n\t\t\tout = nil\n\t\t}}\n\t}}()\n"
    "\tif n == 0 {{\n\t\treturn nil\n\t}}\n"
    "\treturn C.CString(C.GoStringN(p, C.int(n))[1:])\n}}\n\n",
    # CG404 (map parameter), CG406 (C.CString leaked)
    '//export Leak{i}\nfunc Leak{i}(m map[string]int) {{\n\tC.puts(C.CString("x"))\n}}\n\n',
)
EXPORT_FINDINGS = {"CG404": 3, "CG405": 1, "CG406": 1, "CG414": 1}  # per round of _EXPORTS
_FREE = "//export FreeString\nfunc FreeString(p *C.char) {\n\tC.free(unsafe.Pointer(p))\n}\n"


def exports_file(count: int) -> str:
    """A package main with ``count`` //export functions (a multiple of 5 keeps
    :func:`expected_findings` exact) plus FreeString."""
    parts = [_PREAMBLE]
    parts += (_EXPORTS[i % len(_EXPORTS)].format(i=i) for i in range(count))
    parts.append(_FREE)
    return "".join(parts)


def expected_findings(count: int) -> dict[str, int]:
    """Findings per check ID for ``exports_file(count)``, count a multiple of 5."""
    assert count % len(_EXPORTS) == 0
    rounds = count // len(_EXPORTS)
    return {check_id: per_round * rounds for check_id, per_round in EXPORT_FINDINGS.items()}


_ORDINARY = """
type Record{i} struct {{
\tID    int
\tName  string
\tTags  []string
\tLinks map[string]*Record{i}
}}

func (r *Record{i}) Score(weights []float64) float64 {{
\ttotal := 0.0
\tfor index, tag := range r.Tags {{
\t\tif index >= len(weights) {{
\t\t\tbreak
\t\t}}
\t\tswitch {{
\t\tcase len(tag) > 8:
\t\t\ttotal += weights[index] * 2
\t\tcase tag == "":
\t\t\tcontinue
\t\tdefault:
\t\t\ttotal += weights[index]
\t\t}}
\t}}
\treturn total / float64(len(r.Tags)+1)
}}

func build{i}(names []string) []*Record{i} {{
\tout := make([]*Record{i}, 0, len(names))
\tfor id, name := range names {{
\t\trecord := &Record{i}{{ID: id, Name: name, Links: map[string]*Record{i}{{}}}}
\t\tif len(out) > 0 {{
\t\t\trecord.Links[out[len(out)-1].Name] = out[len(out)-1]
\t\t}}
\t\tout = append(out, record)
\t}}
\treturn out
}}

func describe{i}(label string) {{
\ttext := C.CString(label)
\tdefer C.free(unsafe.Pointer(text))
\tC.puts(text)
}}
"""


def ordinary_file(size: int) -> str:
    """A package of ordinary code (types, methods, loops, cgo calls) of about ``size`` bytes,
    with no //export and no finding."""
    parts = [_PREAMBLE]
    length = len(_PREAMBLE)
    index = 0
    while length < size:
        chunk = _ORDINARY.format(i=index)
        parts.append(chunk)
        length += len(chunk)
        index += 1
    return "".join(parts)


# Valid Go declarations that nest types ``depth`` deep.
def nested_pointers(depth: int) -> str:
    return f"package deep\n\nvar x {'*' * depth}int\n"


def nested_parentheses(depth: int) -> str:
    return f"package deep\n\nvar x {'(' * depth}int{')' * depth}\n"


def nested_structs(depth: int) -> str:
    return f"package deep\n\nvar x {'struct{ f ' * depth}int{' }' * depth}\n"


def nested_funcs(depth: int) -> str:
    return f"package deep\n\nvar x {'func() ' * depth}int\n"


def nested_slices_in_signature(depth: int) -> str:
    """An exported function whose parameter type nests: the signature is read too."""
    return (
        'package main\n\nimport "C"\n\n'
        f"//export Deep\nfunc Deep(p {'*' * depth}C.int) {{}}\n\nfunc main() {{}}\n"
    )
