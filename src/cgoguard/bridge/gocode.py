"""The Go side of a bridge: a ``package main`` with one ``//export`` shim per
selected function (``bridge.go``), the helpers every shim uses
(``bridge_runtime.go``), and the C half of the error store and the contract
note (``bridge_support.c``).

Every shim recovers panics, converts and bounds-checks every argument before
the Go function runs, copies C memory into Go memory (C may free it once the
call returns), and hands Go objects out as handles, never as pointers.
"""

from __future__ import annotations

from cgoguard.bridge.header import struct_block
from cgoguard.bridge.plan import (
    CONTRACT_VERSION,
    GENERATED,
    BridgePlan,
    FunctionPlan,
    Param,
    StructPlan,
    Value,
)

# The helpers of every bridge. @p@ is the prefix, @P@ its macro form.
_RUNTIME = r"""// @generated@

package main

/*
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
void @p@_bridge_copy_error(const char* message, uint64_t length);
char* @p@_bridge_error_text(void);
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// The status codes of @header@'s enum @p@_status.
const (
	statusOK             = C.int32_t(0)
	statusGoError        = C.int32_t(-1)
	statusPanic          = C.int32_t(-2)
	statusArgument       = C.int32_t(-3)
	statusBufferTooSmall = C.int32_t(-4)
	statusHandle         = C.int32_t(-5)
	statusRange          = C.int32_t(-6)
	statusCanceled       = C.int32_t(-7)
	statusMemory         = C.int32_t(-8)
)

// contractChecksum covers every exported prototype and struct layout; the
// bindings compare it with their own before the first call.
const (
	contractVersion  = @version@
	contractChecksum = @checksum@
)

// fail keeps the message in the calling thread's error store and returns status.
func fail(status C.int32_t, format string, args ...any) C.int32_t {
	message := fmt.Sprintf(format, args...)
	if message == "" {
		message = "error"
	}
	// C copies the bytes before it returns, so it may read Go memory here.
	text := []byte(message)
	C.@p@_bridge_copy_error((*C.char)(unsafe.Pointer(&text[0])), C.uint64_t(len(text)))
	return status
}

// failed turns a Go error into a status: a canceled or expired context is
// statusCanceled, every other error statusGoError.
func failed(err error) C.int32_t {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fail(statusCanceled, "%v", err)
	}
	return fail(statusGoError, "%v", err)
}

// recovered turns a panic of the Go function into statusPanic; deferred
// first in every shim, so a panic never unwinds into C.
func recovered(status *C.int32_t) {
	if r := recover(); r != nil {
		*status = fail(statusPanic, "panic: %v", r)
	}
}

// live holds the Go objects C has a handle to, by handle. Looking a handle up
// here first makes a released or forged handle an error, not a crash.
var live sync.Map

func newHandle(v any) C.uint64_t {
	h := cgo.NewHandle(v)
	live.Store(h, v)
	return C.uint64_t(h)
}

func handleValue[T any](raw C.uint64_t, what string) (T, C.int32_t) {
	var zero T
	v, ok := live.Load(cgo.Handle(raw))
	if !ok {
		return zero, fail(statusHandle, "%s: handle %d is unknown or released", what, uint64(raw))
	}
	typed, ok := v.(T)
	if !ok {
		return zero, fail(statusHandle, "%s: handle %d holds a %T, not a %T", what, uint64(raw), v, zero)
	}
	return typed, statusOK
}

func releaseHandle[T any](raw C.uint64_t, what string) C.int32_t {
	if raw == 0 {
		return statusOK
	}
	if _, status := handleValue[T](raw, what); status != statusOK {
		return status
	}
	if _, ok := live.LoadAndDelete(cgo.Handle(raw)); ok {
		cgo.Handle(raw).Delete()
	}
	return statusOK
}

func checkLength(p unsafe.Pointer, n C.uint64_t, size uintptr, what string) (int, C.int32_t) {
	if n == 0 {
		return 0, statusOK
	}
	if p == nil {
		return 0, fail(statusArgument, "%s: NULL pointer with length %d", what, uint64(n))
	}
	if uint64(n) > uint64(math.MaxInt32) && uint64(n) > uint64(math.MaxInt)/uint64(size) {
		return 0, fail(statusArgument, "%s: length %d is too large", what, uint64(n))
	}
	return int(n), statusOK
}

// goString copies a C string of n bytes into Go memory.
func goString(p *C.char, n C.uint64_t, what string) (string, C.int32_t) {
	count, status := checkLength(unsafe.Pointer(p), n, 1, what)
	if status != statusOK || count == 0 {
		return "", status
	}
	return string(unsafe.Slice((*byte)(unsafe.Pointer(p)), count)), statusOK
}

// goSlice copies n C values into a new Go slice, converting each; convert
// says false for a value the Go type cannot hold.
func goSlice[CT any, GT any](p *CT, n C.uint64_t, what string, convert func(CT) (GT, bool)) ([]GT, C.int32_t) {
	var probe CT
	count, status := checkLength(unsafe.Pointer(p), n, unsafe.Sizeof(probe), what)
	if status != statusOK {
		return nil, status
	}
	if p == nil {
		return nil, statusOK
	}
	out := make([]GT, count)
	for i, v := range unsafe.Slice(p, count) {
		converted, ok := convert(v)
		if !ok {
			return nil, fail(statusRange, "%s[%d]: %v does not fit %T", what, i, v, converted)
		}
		out[i] = converted
	}
	return out, statusOK
}

// putOwned copies values into memory from malloc (freed with @p@_free);
// one spare zero element ends strings for C.
func putOwned[GT any, CT any](values []GT, convert func(GT) CT, out **CT, outLen *C.uint64_t) C.int32_t {
	if outLen != nil {
		*outLen = C.uint64_t(len(values))
	}
	if out == nil {
		return statusOK
	}
	*out = nil
	var probe CT
	memory := C.calloc(C.size_t(len(values)+1), C.size_t(unsafe.Sizeof(probe)))
	if memory == nil {
		return fail(statusMemory, "cannot allocate %d bytes for a result", (len(values)+1)*int(unsafe.Sizeof(probe)))
	}
	target := unsafe.Slice((*CT)(memory), len(values)+1)
	for i, v := range values {
		target[i] = convert(v)
	}
	*out = (*CT)(memory)
	return statusOK
}

// putBuffer copies values into the caller's buffer of capacity elements;
// when it is too small, nothing is written but the needed length.
func putBuffer[GT any, CT any](values []GT, convert func(GT) CT, buffer *CT, capacity C.uint64_t, outLen *C.uint64_t, what string) C.int32_t {
	if outLen == nil {
		return fail(statusArgument, "%s_len: NULL (the needed length is written there)", what)
	}
	*outLen = C.uint64_t(len(values))
	if uint64(len(values)) > uint64(capacity) {
		return fail(statusBufferTooSmall, "%s: the result needs %d elements, the buffer holds %d", what, len(values), uint64(capacity))
	}
	if buffer == nil {
		if len(values) == 0 {
			return statusOK
		}
		return fail(statusArgument, "%s: NULL buffer with capacity %d", what, uint64(capacity))
	}
	target := unsafe.Slice(buffer, int(capacity))
	for i, v := range values {
		target[i] = convert(v)
	}
	if uint64(len(values)) < uint64(capacity) {
		var zero CT
		target[len(values)] = zero
	}
	return statusOK
}

// bytesLike is what putOwnedBytes and putBufferBytes copy in one go.
type bytesLike interface{ ~string | ~[]byte }

// goBytes copies n C bytes into a new Go slice (nil for NULL).
func goBytes(p *C.uint8_t, n C.uint64_t, what string) ([]byte, C.int32_t) {
	count, status := checkLength(unsafe.Pointer(p), n, 1, what)
	if status != statusOK || p == nil {
		return nil, status
	}
	out := make([]byte, count)
	copy(out, unsafe.Slice((*byte)(unsafe.Pointer(p)), count))
	return out, statusOK
}

// putOwnedBytes is putOwned for strings and bytes: one copy, a zero after it.
func putOwnedBytes[S bytesLike, CT any](value S, out **CT, outLen *C.uint64_t) C.int32_t {
	if outLen != nil {
		*outLen = C.uint64_t(len(value))
	}
	if out == nil {
		return statusOK
	}
	*out = nil
	memory := C.calloc(C.size_t(len(value)+1), 1)
	if memory == nil {
		return fail(statusMemory, "cannot allocate %d bytes for a result", len(value)+1)
	}
	copy(unsafe.Slice((*byte)(memory), len(value)), value)
	*out = (*CT)(memory)
	return statusOK
}

// putBufferBytes is putBuffer for strings and bytes.
func putBufferBytes[S bytesLike, CT any](value S, buffer *CT, capacity C.uint64_t, outLen *C.uint64_t, what string) C.int32_t {
	if outLen == nil {
		return fail(statusArgument, "%s_len: NULL (the needed length is written there)", what)
	}
	*outLen = C.uint64_t(len(value))
	if uint64(len(value)) > uint64(capacity) {
		return fail(statusBufferTooSmall, "%s: the result needs %d bytes, the buffer holds %d", what, len(value), uint64(capacity))
	}
	if buffer == nil {
		if len(value) == 0 {
			return statusOK
		}
		return fail(statusArgument, "%s: NULL buffer with capacity %d", what, uint64(capacity))
	}
	target := unsafe.Slice((*byte)(unsafe.Pointer(buffer)), int(capacity))
	copy(target, value)
	if len(value) < len(target) {
		target[len(value)] = 0
	}
	return statusOK
}

func fitsInt(v C.int64_t) (int, bool)    { return int(v), int64(int(v)) == int64(v) }
func fitsUint(v C.uint64_t) (uint, bool) { return uint(v), uint64(uint(v)) == uint64(v) }

//export @p@_free
func @p@_free(p unsafe.Pointer) {
	C.free(p)
}

//export @p@_last_error
func @p@_last_error() *C.char {
	return C.@p@_bridge_error_text()
}

//export @p@_contract_version
func @p@_contract_version() C.uint32_t {
	return contractVersion
}

// @p@_fips140_enabled says whether the Go cryptography of this process runs
// in FIPS 140-3 mode (GODEBUG=fips140=on or only, or a default built in): 1
// on, 0 off, -1 when the toolchain that built the library predates
// crypto/fips140 (Go 1.24). `cgoguard probe` asks it in a child process.
//
//export @p@_fips140_enabled
func @p@_fips140_enabled() C.int32_t {
	return C.int32_t(fips140State())
}

//export @p@_contract_checksum
func @p@_contract_checksum() C.uint64_t {
	return contractChecksum
}
"""

_CONTEXT = r"""
// A context C can cancel: created by @p@_context_new, released by
// @p@_context_release; 0 stands for context.Background().
type bridgeContext struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func contextValue(raw C.uint64_t, what string) (context.Context, C.int32_t) {
	if raw == 0 {
		return context.Background(), statusOK
	}
	c, status := handleValue[*bridgeContext](raw, what)
	if status != statusOK {
		return nil, status
	}
	return c.ctx, statusOK
}

//export @p@_context_new
func @p@_context_new(timeoutNanoseconds C.int64_t, out *C.uint64_t) (status C.int32_t) {
	defer recovered(&status)
	if out == nil {
		return fail(statusArgument, "out: NULL")
	}
	var c bridgeContext
	if timeoutNanoseconds > 0 {
		c.ctx, c.cancel = context.WithTimeout(context.Background(), time.Duration(timeoutNanoseconds))
	} else {
		c.ctx, c.cancel = context.WithCancel(context.Background())
	}
	*out = newHandle(&c)
	return statusOK
}

//export @p@_context_cancel
func @p@_context_cancel(ctx C.uint64_t) (status C.int32_t) {
	defer recovered(&status)
	c, status := handleValue[*bridgeContext](ctx, "ctx")
	if status != statusOK {
		return status
	}
	c.cancel()
	return statusOK
}

//export @p@_context_release
func @p@_context_release(ctx C.uint64_t) (status C.int32_t) {
	defer recovered(&status)
	c, status := handleValue[*bridgeContext](ctx, "ctx")
	if status != statusOK {
		return status
	}
	c.cancel()
	return releaseHandle[*bridgeContext](ctx, "ctx")
}
"""

_SUPPORT_C = r"""// @generated@
//
// The C half of the bridge: the per-thread error store behind
// @p@_last_error(), and the contract note `cgoguard scan` reads.

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define @P@_ERROR_CAPACITY 4096

/* One message per thread, read on the thread whose call failed. A pthread key,
   not a _Thread_local buffer: a library loaded with dlopen gets little static
   TLS (glibc refuses it: "cannot allocate memory in static TLS block"), and the
   key's destructor frees a thread's buffer when the thread ends. */
static pthread_key_t @p@_error_key;
static pthread_once_t @p@_error_once = PTHREAD_ONCE_INIT;
static char @p@_no_memory[] = "out of memory for the error message";

static void @p@_error_key_create(void) {
    (void)pthread_key_create(&@p@_error_key, free);
}

static char* @p@_error_buffer(void) {
    (void)pthread_once(&@p@_error_once, @p@_error_key_create);
    char* buffer = pthread_getspecific(@p@_error_key);
    if (buffer == NULL) {
        buffer = calloc(1, @P@_ERROR_CAPACITY);
        if (buffer == NULL || pthread_setspecific(@p@_error_key, buffer) != 0) {
            free(buffer);
            return NULL;
        }
    }
    return buffer;
}

__attribute__((visibility("hidden"))) void @p@_bridge_copy_error(const char* message, uint64_t length) {
    char* buffer = @p@_error_buffer();
    if (buffer == NULL) {
        return;
    }
    if (length >= @P@_ERROR_CAPACITY) {
        length = @P@_ERROR_CAPACITY - 1;
        /* Cut at a UTF-8 character boundary. */
        while (length > 0 && (((unsigned char)message[length]) & 0xC0u) == 0x80u) {
            length--;
        }
    }
    memcpy(buffer, message, (size_t)length);
    buffer[length] = '\0';
}

__attribute__((visibility("hidden"))) char* @p@_bridge_error_text(void) {
    char* buffer = @p@_error_buffer();
    return buffer != NULL ? buffer : @p@_no_memory;
}

/* An ELF note (name "cgoguard", type 1) naming the contract: read by
   `cgoguard scan` without running the library. */
struct @p@_contract_note {
    uint32_t name_size;
    uint32_t description_size;
    uint32_t type;
    char name[12];
    char description[@notesize@];
};

__attribute__((used, section(".note.cgoguard.bridge"), aligned(4)))
static const struct @p@_contract_note @p@_contract_note = {
    9, @notelength@, 1, "cgoguard", "@note@"};
"""


def contract_note(plan: BridgePlan) -> str:
    """The text of the contract note (``key=value`` pairs, ``;``-separated)."""
    return (
        f"contract={CONTRACT_VERSION};library={plan.name};prefix={plan.prefix};"
        f"checksum={plan.checksum:016x};functions={len(plan.functions)}"
    )


def _fill(template: str, plan: BridgePlan, header: str) -> str:
    note = contract_note(plan)
    padded = (len(note) + 1 + 3) // 4 * 4
    return (
        template.replace("@generated@", GENERATED)
        .replace("@p@", plan.prefix)
        .replace("@P@", plan.macro)
        .replace("@header@", header)
        .replace("@version@", str(CONTRACT_VERSION))
        .replace("@checksum@", f"0x{plan.checksum:016x}")
        .replace("@note@", note)
        .replace("@notelength@", str(len(note) + 1))
        .replace("@notesize@", str(padded))
    )


def _ends_with_blank_line(text: str) -> str:
    return text.rstrip("\n") + "\n\n"


def runtime_go(plan: BridgePlan, header: str) -> str:
    text = _fill(_RUNTIME, plan, header)
    if plan.uses_context:
        text = text.replace('\t"sync"\n', '\t"sync"\n\t"time"\n') + _fill(_CONTEXT, plan, header)
    return _ends_with_blank_line(text)


_FIPS_NEW = """// @generated@

//go:build go1.24

package main

import "crypto/fips140"

// fips140State: 1 when Go's FIPS 140-3 mode is on in this process, else 0.
func fips140State() int32 {
	if fips140.Enabled() {
		return 1
	}
	return 0
}
"""

_FIPS_OLD = """// @generated@

//go:build !go1.24

package main

// fips140State: -1, unknown: this toolchain predates crypto/fips140 (Go 1.24).
func fips140State() int32 {
	return -1
}
"""


def fips_go(plan: BridgePlan, *, modern: bool) -> str:
    """The FIPS state query, one file per side of Go 1.24 (build constraints pick one)."""
    return _ends_with_blank_line(_fill(_FIPS_NEW if modern else _FIPS_OLD, plan, ""))


def support_c(plan: BridgePlan, header: str) -> str:
    return _fill(_SUPPORT_C, plan, header)


def _struct_converters(s: StructPlan, alias: str) -> str:
    """fromC (checked: Go int is narrower than int64_t on 32-bit targets) and toC."""
    name = s.name[0].lower() + s.name[1:]
    lines = [f"func {name}FromC(c *C.{s.c}, what string) ({alias}, C.int32_t) {{", f"\tvar v {alias}"]
    for f in s.fields:
        value = f.value
        if value.kind == "struct" and value.struct:
            inner = value.struct.name[0].lower() + value.struct.name[1:]
            lines += [
                f'\tinner{f.go}, status := {inner}FromC(&c.{f.go}, what+".{f.go}")',
                "\tif status != statusOK {",
                "\t\treturn v, status",
                "\t}",
                f"\tv.{f.go} = inner{f.go}",
            ]
        elif value.scalar and value.scalar.checked:
            helper = "fitsInt" if value.scalar.go == "int" else "fitsUint"
            lines += [
                f"\tif x, ok := {helper}(c.{f.go}); ok {{",
                f"\t\tv.{f.go} = {_go_cast(value, 'x')}",
                "\t} else {",
                f'\t\treturn v, fail(statusRange, "%s.{f.go}: %d does not fit a Go {value.scalar.go}", what, c.{f.go})',
                "\t}",
            ]
        else:
            lines.append(f"\tv.{f.go} = {_go_cast(value, f'c.{f.go}')}")
    lines += ["\treturn v, statusOK", "}", ""]
    lines += [f"func {name}ToC(v {alias}) C.{s.c} {{", f"\tvar c C.{s.c}"]
    for f in s.fields:
        value = f.value
        if value.kind == "struct" and value.struct:
            inner = value.struct.name[0].lower() + value.struct.name[1:]
            lines.append(f"\tc.{f.go} = {inner}ToC(v.{f.go})")
        else:
            assert value.scalar is not None
            lines.append(f"\tc.{f.go} = {value.scalar.cgo}(v.{f.go})")
    lines += ["\treturn c", "}", ""]
    return "\n".join(lines)


def _go_cast(value: Value, expression: str) -> str:
    """A C value converted to the Go parameter's type (named types included)."""
    return f"{_qualified(value.go)}({expression})"


def _qualified(go_type: str) -> str:
    return go_type  # the API's own package is imported under its name


def _scalar_converter(value: Value) -> str:
    """A func(C) (Go, bool) for goSlice."""
    assert value.scalar is not None
    scalar, element = value.scalar, value.element
    if scalar.checked:
        helper = "fitsInt" if scalar.go == "int" else "fitsUint"
        if element == scalar.go:
            return helper
        return f"func(v {scalar.cgo}) ({element}, bool) {{ x, ok := {helper}(v); return {element}(x), ok }}"
    return f"func(v {scalar.cgo}) ({element}, bool) {{ return {element}(v), true }}"


def _to_c(value: Value) -> str:
    """A func(Go) C for putOwned/putBuffer."""
    assert value.scalar is not None
    return f"func(v {value.element}) {value.scalar.cgo} {{ return {value.scalar.cgo}(v) }}"


def _c_param_go(plan: BridgePlan, value: Value, *, out: bool, buffer: bool) -> list[tuple[str, str]]:
    """Go types of the C parameters for one value: (suffix, type)."""
    if value.kind == "scalar" and value.scalar:
        return [("", f"*{value.scalar.cgo}" if out else value.scalar.cgo)]
    if value.kind in ("string", "bytes", "slice"):
        element = "C.char" if value.kind == "string" else (value.scalar.cgo if value.scalar else "")
        if not out:
            return [("", f"*{element}"), ("_len", "C.uint64_t")]
        if buffer:
            return [("", f"*{element}"), ("_cap", "C.uint64_t"), ("_len", "*C.uint64_t")]
        return [("", f"**{element}"), ("_len", "*C.uint64_t")]
    if value.kind == "struct" and value.struct:
        return [("", f"*C.{value.struct.c}")]
    if value.kind in ("handle", "context"):
        return [("", "*C.uint64_t" if out else "C.uint64_t")]
    raise AssertionError(value.kind)


def _shim(plan: BridgePlan, f: FunctionPlan, alias: str) -> str:
    params: list[str] = []
    if f.receiver:
        params.append("self C.uint64_t")
    for p in f.params:
        params += [
            f"{p.name}{suffix} {t}" for suffix, t in _c_param_go(plan, p.value, out=False, buffer=False)
        ]
    for r in f.results:
        params += [
            f"{r.name}{suffix} {t}" for suffix, t in _c_param_go(plan, r.value, out=True, buffer=f.buffer)
        ]
    body: list[str] = []
    comment = (
        f"// {f.c} calls {alias}.{f.api.qualified_name}."
        if not f.receiver
        else (f"// {f.c} calls (*{alias}.{f.receiver.name}).{f.api.name}.")
    )
    body += [
        comment,
        "//",
        f"//export {f.c}",
        f"func {f.c}({', '.join(params)}) (status C.int32_t) {{",
        "\tdefer recovered(&status)",
    ]
    if f.thread:
        body += ["\truntime.LockOSThread()", "\tdefer runtime.UnlockOSThread()"]
    arguments: list[str] = []
    if f.receiver:
        body += [
            f'\trecv, status := handleValue[{f.receiver.go}](self, "self")',
            "\tif status != statusOK {",
            "\t\treturn status",
            "\t}",
        ]
    for p in f.params:
        body += _convert_in(p)
        arguments.append(f"arg_{p.name}")
    results = [f"res_{r.name}" for r in f.results] + (["err"] if f.returns_error else [])
    target = f"recv.{f.api.name}" if f.receiver else f"{alias}.{f.api.name}"
    call = f"{target}({', '.join(arguments)})"
    body.append(f"\t{', '.join(results)} := {call}" if results else f"\t{call}")
    if f.returns_error:
        body += ["\tif err != nil {", "\t\treturn failed(err)", "\t}"]
    for r in f.results:
        body += _convert_out(r, buffer=f.buffer)
    body += ["\treturn statusOK", "}", ""]
    return "\n".join(body)


def _check(lines: list[str]) -> list[str]:
    return [*lines, "\tif status != statusOK {", "\t\treturn status", "\t}"]


def _convert_in(p: Param) -> list[str]:
    v, n, arg = p.value, p.name, f"arg_{p.name}"
    if v.kind == "scalar" and v.scalar:
        if v.scalar.checked:
            helper = "fitsInt" if v.scalar.go == "int" else "fitsUint"
            return [
                f"\tconverted_{n}, ok := {helper}({n})",
                "\tif !ok {",
                f'\t\treturn fail(statusRange, "{n}: %d does not fit a Go {v.scalar.go}", {n})',
                "\t}",
                f"\t{arg} := {v.go}(converted_{n})",
            ]
        return [f"\t{arg} := {v.go}({n})"]
    if v.kind == "string":
        conversion = f'goString({n}, {n}_len, "{n}")'
        if v.go != "string":
            return [*_check([f"\tstring_{n}, status := {conversion}"]), f"\t{arg} := {v.go}(string_{n})"]
        return _check([f"\t{arg}, status := {conversion}"])
    if v.kind == "bytes" and v.element in ("byte", "uint8"):
        converted = _check([f'\tslice_{n}, status := goBytes({n}, {n}_len, "{n}")'])
        return [*converted, f"\t{arg} := {v.go}(slice_{n})"]
    if v.kind in ("bytes", "slice"):
        converted = _check([f'\tslice_{n}, status := goSlice({n}, {n}_len, "{n}", {_scalar_converter(v)})'])
        return [*converted, f"\t{arg} := {v.go}(slice_{n})"]
    if v.kind == "struct" and v.struct:
        name = v.struct.name[0].lower() + v.struct.name[1:]
        return [
            f"\tif {n} == nil {{",
            f'\t\treturn fail(statusArgument, "{n}: NULL")',
            "\t}",
            *_check([f'\t{arg}, status := {name}FromC({n}, "{n}")']),
        ]
    if v.kind == "handle" and v.handle:
        return [
            f"\tvar {arg} {v.go}",
            f"\tif {n} != 0 {{",
            f'\t\t{arg}, status = handleValue[{v.go}]({n}, "{n}")',
            "\t\tif status != statusOK {",
            "\t\t\treturn status",
            "\t\t}",
            "\t}",
        ]
    if v.kind == "context":
        return _check([f'\t{arg}, status := contextValue({n}, "{n}")'])
    raise AssertionError(v.kind)


def _convert_out(r: Param, *, buffer: bool) -> list[str]:
    v, n, res = r.value, r.name, f"res_{r.name}"
    if v.kind == "scalar" and v.scalar:
        return [f"\tif {n} != nil {{", f"\t\t*{n} = {v.scalar.cgo}({res})", "\t}"]
    if v.kind in ("string", "bytes", "slice"):
        if v.kind == "string" or (v.kind == "bytes" and v.element in ("byte", "uint8")):
            if buffer:
                put = f'putBufferBytes({res}, {n}, {n}_cap, {n}_len, "{n}")'
            else:
                put = f"putOwnedBytes({res}, {n}, {n}_len)"
            return [f"\tif status := {put}; status != statusOK {{", "\t\treturn status", "\t}"]
        values = res if v.go == f"[]{v.element}" else f"[]{v.element}({res})"
        if buffer:
            put = f'putBuffer({values}, {_to_c(v)}, {n}, {n}_cap, {n}_len, "{n}")'
        else:
            put = f"putOwned({values}, {_to_c(v)}, {n}, {n}_len)"
        return [f"\tif status := {put}; status != statusOK {{", "\t\treturn status", "\t}"]
    if v.kind == "struct" and v.struct:
        name = v.struct.name[0].lower() + v.struct.name[1:]
        return [f"\tif {n} != nil {{", f"\t\t*{n} = {name}ToC({res})", "\t}"]
    if v.kind == "handle":
        return [
            f"\tif {n} != nil {{",
            f"\t\t*{n} = 0",
            f"\t\tif {res} != nil {{",
            f"\t\t\t*{n} = newHandle({res})",
            "\t\t}",
            "\t}",
        ]
    raise AssertionError(v.kind)


def bridge_go(plan: BridgePlan, header: str) -> str:
    """The exports: one shim per function, the handle releases, struct converters."""
    alias = plan.package.name
    uses_runtime = any(f.thread for f in plan.functions)
    paths = {plan.package.import_path: alias, **({"runtime": ""} if uses_runtime else {})}
    for path, name in plan.imports:
        paths[path] = "" if path.rsplit("/", 1)[-1] == name else name
    imports = [f'\t{paths[path] + " " if paths[path] else ""}"{path}"' for path in sorted(paths)]
    parts = [
        f"// {GENERATED}",
        "",
        f"// Command {plan.name} is the C boundary of {plan.package.import_path}, generated by",
        "// `cgoguard bridge`: build it with -buildmode=c-shared or c-archive and",
        f"// include {header}.",
        "package main",
        "",
        "/*",
        "#include <stdint.h>",
        "#include <stdbool.h>",
        *struct_block(plan),
        "*/",
        'import "C"',
        "",
        "import (",
        *imports,
        ")",
        "",
        "func main() {}",
        "",
    ]
    for s in plan.structs:
        parts.append(_struct_converters(s, s.go))
    for h in plan.handles:
        parts += [
            f"// {h.release} releases a handle to a {h.go} (0 is ignored); the handle is invalid afterwards.",
            "//",
            f"//export {h.release}",
            f"func {h.release}(handle C.uint64_t) (status C.int32_t) {{",
            "\tdefer recovered(&status)",
            f'\treturn releaseHandle[{h.go}](handle, "handle")',
            "}",
            "",
        ]
    for f in plan.functions:
        parts.append(_shim(plan, f, alias))
    return _ends_with_blank_line("\n".join(parts))
