// Re-created pattern (not copied). google/go-jsonnet c-bindings/handles.go
// explains why it keeps Go objects behind numeric ids ("there are restrictions
// on keeping Go pointers in C"); hillu/go-yara compiler.go stores a handle, not
// a pointer, in C memory. The TRUE cases below are what those projects avoid.
package main

/*
#include <stdlib.h>

typedef struct {
	void *ctx;
	char *name;
	int   level;
} callback_t;

extern void *last_ctx;

static int call_with(callback_t *cb) { return cb->level; }
static int use_buffer(void *buf, size_t n) { return n > 0; }
*/
import "C"

import "unsafe"

type state struct {
	name  string
	items []int
}

type plain struct {
	a, b C.int
}

//export Register
func Register(level C.int) *C.callback_t {
	cb := (*C.callback_t)(C.malloc(C.sizeof_callback_t))
	s := &state{name: "x"}
	cb.ctx = unsafe.Pointer(s)
	cb.name = nil
	cb.level = level
	return cb
}

//export Remember
func Remember() {
	s := &state{name: "y"}
	C.last_ctx = unsafe.Pointer(s)
}

//export CallNested
func CallNested() C.int {
	s := &state{name: "z", items: []int{1}}
	wrapper := struct {
		st *state
	}{s}
	return C.use_buffer(unsafe.Pointer(&wrapper), C.size_t(unsafe.Sizeof(wrapper)))
}

//export Fill
func Fill() C.int {
	buf := make([]byte, 64)
	return C.use_buffer(unsafe.Pointer(&buf[0]), 64)
}

//export CallPlain
func CallPlain() C.int {
	p := plain{a: 1, b: 2}
	return C.use_buffer(unsafe.Pointer(&p), C.size_t(unsafe.Sizeof(p)))
}

//export RegisterHandle
func RegisterHandle(level C.int) *C.callback_t {
	cb := (*C.callback_t)(C.malloc(C.sizeof_callback_t))
	cb.ctx = C.malloc(8)
	cb.name = C.CString("handle")
	cb.level = level
	return cb
}

//export UnregisterHandle
func UnregisterHandle(cb *C.callback_t) {
	if cb == nil {
		return
	}
	C.free(cb.ctx)
	C.free(unsafe.Pointer(cb.name))
	C.free(unsafe.Pointer(cb))
}

//export StackCallback
func StackCallback(level C.int) C.int {
	var cb C.callback_t
	cb.level = level
	return C.call_with(&cb)
}

func main() {}
