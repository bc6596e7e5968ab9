// Re-created pattern (not copied). google/go-jsonnet c-bindings/c-bindings.go
// passes C.CString(dir) to a C function that never frees it; the freed
// variants follow libtailscale and go-yara (defer C.free) and a free helper in
// the package's own C file, as wireguard-android's jni.c does with free().
package main

/*
#include <stdlib.h>
#include "leaks.h"
*/
import "C"

import "unsafe"

func freeString(p *C.char) {
	C.free(unsafe.Pointer(p))
}

//export Log
func Log(msg *C.char) {
	p := C.CString("log: " + C.GoString(msg))
	_ = p
}

//export Emit
func Emit(code C.int) C.int {
	name := C.CString("event")
	return C.emit_event(name, code)
}

//export Store
func Store(data unsafe.Pointer, n C.int) C.int {
	buf := C.CBytes(C.GoBytes(data, n))
	return C.store_bytes(buf, n)
}

//export EmitOwned
func EmitOwned(code C.int) C.int {
	name := C.CString("event")
	return C.emit_event_owned(name, code)
}

//export EmitFreed
func EmitFreed(code C.int) C.int {
	name := C.CString("event")
	defer freeString(name)
	return C.emit_event(name, code)
}

//export EmitDeferred
func EmitDeferred(code C.int) C.int {
	name := C.CString("event")
	defer C.free(unsafe.Pointer(name))
	return C.emit_event(name, code)
}

//export Copy
func Copy(msg *C.char) *C.char {
	return C.CString(C.GoString(msg))
}

//export ReleaseEvent
func ReleaseEvent(p *C.char) {
	C.leaks_free(p)
}

func main() {}
