"""The C header of a bridge: include guard, ``extern "C"``, fixed-width types,
default visibility, the status codes as an enum, and a comment per function
that says who owns every pointer."""

from __future__ import annotations

import textwrap

from cgoguard.bridge.plan import CONTRACT_VERSION, GENERATED, BridgePlan, FunctionPlan, Param, c_parameters

STATUS_CODES = (
    ("OK", 0, "success"),
    ("ERR_GO", -1, "the Go function returned an error; the message is in {p}_last_error()"),
    ("ERR_PANIC", -2, "the Go function panicked; the panic was recovered and the library is still usable"),
    ("ERR_ARGUMENT", -3, "an argument is invalid (a NULL pointer, a length out of range)"),
    ("ERR_BUFFER_TOO_SMALL", -4, "a caller's buffer is too small; its *_len holds the length needed"),
    ("ERR_HANDLE", -5, "a handle is unknown, released, or of another type"),
    ("ERR_RANGE", -6, "a value does not fit the Go type (Go int and uint are 32 bits on 32-bit targets)"),
    ("ERR_CANCELED", -7, "the context was canceled or its deadline passed"),
    ("ERR_MEMORY", -8, "the library could not allocate memory for a result"),
)


def _comment(text: str, indent: str = "") -> list[str]:
    lines = [indent + "/*"]
    for paragraph in text.strip().split("\n"):
        wrapped = textwrap.wrap(paragraph, 96) or [""]
        lines += [f"{indent} * {line}".rstrip() for line in wrapped]
    lines.append(indent + " */")
    return lines


def _ownership(plan: BridgePlan, f: FunctionPlan) -> list[str]:
    notes: list[str] = []
    if f.receiver:
        notes.append(f"self: a {f.receiver.c} from this library (released with {f.receiver.release}).")
    for p in f.params:
        notes.append(_in_note(plan, p))
    for r in f.results:
        notes.append(_out_note(plan, r, buffer=f.buffer))
    return [n for n in notes if n]


def _in_note(plan: BridgePlan, p: Param) -> str:
    v = p.value
    if v.kind == "string":
        return (
            f"{p.name}, {p.name}_len: borrowed for the call ({p.name}_len bytes, no NUL needed; NULL only "
            "with length 0); the library copies them and keeps nothing."
        )
    if v.kind in ("bytes", "slice"):
        return (
            f"{p.name}, {p.name}_len: borrowed for the call ({p.name}_len elements; NULL only with length 0); "
            "copied, nothing kept."
        )
    if v.kind == "struct" and v.struct:
        return f"{p.name}: borrowed for the call, must not be NULL; copied."
    if v.kind == "handle" and v.handle:
        return f"{p.name}: a {v.handle.c} (0 for none); still owned by the caller."
    if v.kind == "context":
        return (
            f"{p.name}: a context from {plan.prefix}_context_new, or 0 for none; "
            f"{plan.prefix}_context_cancel stops the call."
        )
    return ""


def _out_note(plan: BridgePlan, r: Param, *, buffer: bool) -> str:
    v = r.value
    if v.kind in ("string", "bytes", "slice"):
        unit = "bytes" if v.kind != "slice" else "elements"
        if buffer:
            return (
                f"{r.name}, {r.name}_cap, {r.name}_len: the caller's buffer of {r.name}_cap {unit}; "
                f"*{r.name}_len receives the length, also when the buffer is too small "
                f"({plan.macro}_ERR_BUFFER_TOO_SMALL, nothing else written); a NUL follows when it fits."
            )
        return (
            f"{r.name}, {r.name}_len: *{r.name} receives memory the caller owns and must release with "
            f"{plan.prefix}_free ({r.name}_len {unit}, followed by a zero); NULL: not returned."
        )
    if v.kind == "handle" and v.handle:
        return (
            f"{r.name}: receives a {v.handle.c} (0 for nil) the caller owns and must release with "
            f"{v.handle.release}."
        )
    if v.kind in ("scalar", "struct"):
        return f"{r.name}: receives the result (NULL: not returned)."
    return ""


def struct_block(plan: BridgePlan) -> list[str]:
    """The C structs of the API, under a guard of their own: the same lines are in
    the header and in the Go shims' cgo preamble (and so in the header cgo writes
    for the build), so that including both declares each struct once. No block
    comments: the Go preamble is itself inside one."""
    if not plan.structs:
        return []
    guard = f"{plan.macro}_BRIDGE_STRUCTS"
    out = [f"#ifndef {guard}", f"#define {guard}"]
    for struct in plan.structs:
        out.append(f"// Go's {struct.go}, copied field by field.")
        out.append(f"typedef struct {struct.c} {{")
        for member in struct.fields:
            value = member.value
            c_type = value.scalar.c if value.scalar else (value.struct.c if value.struct else "")
            out.append(f"    {c_type} {member.go};")
        out.append(f"}} {struct.c};")
    out += [f"#endif // {guard}", ""]
    return out


def header_text(plan: BridgePlan, header: str) -> str:
    p, m = plan.prefix, plan.macro
    guard = f"{m}_BRIDGE_H"
    out: list[str] = [
        f"/* {GENERATED} */",
        f"/* {header}: the C API of {plan.package.import_path}, generated by `cgoguard bridge`. */",
        f"#ifndef {guard}",
        f"#define {guard}",
        "",
        "#include <stdbool.h>",
        "#include <stdint.h>",
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        f"#define {m}_CONTRACT_VERSION {CONTRACT_VERSION}u",
        f"#define {m}_CONTRACT_CHECKSUM UINT64_C(0x{plan.checksum:016x})",
        "",
        *_comment(
            "What every function returns: 0, or one of these negative codes. After a negative code, "
            f"{p}_last_error() gives the message on the same thread."
        ),
        f"enum {p}_status {{",
    ]
    for name, value, meaning in STATUS_CODES:
        out.append(f"    {m}_{name} = {value}, /* {meaning.format(p=p)} */")
    out += ["};", ""]
    for h in plan.handles:
        out.append(f"/* A Go {h.name} held by the library; release it with {h.release}. 0 is no object. */")
        out.append(f"typedef uint64_t {h.c};")
    if plan.uses_context:
        out.append(f"/* A cancellable context ({p}_context_new); 0 is none. */")
        out.append(f"typedef uint64_t {p}_context;")
    if plan.handles or plan.uses_context:
        out.append("")
    out += struct_block(plan)
    out += [
        f"#ifndef {m}_API",
        "#if defined(__GNUC__) || defined(__clang__)",
        f'#define {m}_API __attribute__((visibility("default")))',
        "#else",
        f"#define {m}_API",
        "#endif",
        "#endif",
        "",
    ]
    out += _comment("Releases memory the library returned (NULL is ignored).")
    out.append(f"{m}_API void {p}_free(void* memory);")
    out += _comment(
        "The message of the last failed call on this thread. Borrowed: valid until the next "
        "failed call on this thread; do not free."
    )
    out.append(f"{m}_API const char* {p}_last_error(void);")
    out += _comment(
        f"The contract: compare with {m}_CONTRACT_VERSION and {m}_CONTRACT_CHECKSUM before the first "
        "call, and refuse a library built from another version of the Go API."
    )
    out += _comment(
        "Whether Go's cryptography in this process runs in FIPS 140-3 mode: 1 on, 0 off, -1 unknown "
        "(a library built with Go older than 1.24)."
    )
    out.append(f"{m}_API int32_t {p}_fips140_enabled(void);")
    out.append(f"{m}_API uint32_t {p}_contract_version(void);")
    out.append(f"{m}_API uint64_t {p}_contract_checksum(void);")
    out.append("")
    if plan.uses_context:
        out += _comment(
            "A context for the functions that take one: a timeout in nanoseconds (0: none). "
            f"Release it with {p}_context_release (which also cancels it)."
        )
        out.append(f"{m}_API int32_t {p}_context_new(int64_t timeout_nanoseconds, {p}_context* out);")
        out.append(f"{m}_API int32_t {p}_context_cancel({p}_context ctx);")
        out.append(f"{m}_API int32_t {p}_context_release({p}_context ctx);")
        out.append("")
    for h in plan.handles:
        out += _comment(f"Releases a {h.c} (0 is ignored). Using it afterwards gives {m}_ERR_HANDLE.")
        out.append(f"{m}_API int32_t {h.release}({h.c} handle);")
        out.append("")
    for f in plan.functions:
        doc = f.doc or f"Calls {f.api.qualified_name}."
        notes = _ownership(plan, f)
        if f.thread:
            notes.append("Runs on the calling OS thread, locked for the call.")
        if f.buffer:
            notes.append(
                f"On {m}_ERR_BUFFER_TOO_SMALL call again with larger buffers: the Go function runs again."
            )
        text = (
            f"Go: {f.api.qualified_name}. {doc}\n" + "\n".join(notes) + f"\nReturns {m}_OK or a negative "
            f"{p}_status."
        )
        out += _comment(text)
        params = ", ".join(f"{t} {n}" for t, n in c_parameters(plan, f)) or "void"
        out.append(f"{m}_API int32_t {f.c}({params});")
        out.append("")
    out += [
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        f"#endif /* {guard} */",
        "",
    ]
    return "\n".join(out)
