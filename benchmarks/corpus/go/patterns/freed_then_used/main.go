// Re-created pattern (not copied). The bug (a C string freed by a deferred
// C.free and then returned) was seen in public code found by code search for
// "defer C.free(unsafe.Pointer(cstr))\n\treturn cstr"; the correct form is the
// one of bogdanfinn/tls-client cffi_dist/main.go (returned, freed by an export).
package main

/*
#include <stdlib.h>
*/
import "C"

import (
	"strings"
	"unsafe"
)

//export Upper
func Upper(in *C.char) *C.char {
	out := C.CString(strings.ToUpper(C.GoString(in)))
	defer C.free(unsafe.Pointer(out))
	return out
}

//export Describe
func Describe(code C.int) *C.char {
	msg := C.CString("code")
	if code == 0 {
		C.free(unsafe.Pointer(msg))
		return msg
	}
	return msg
}

//export Reset
func Reset(buf *C.char) {
	C.free(unsafe.Pointer(buf))
	C.free(unsafe.Pointer(buf))
}

//export Lower
func Lower(in *C.char) *C.char {
	tmp := C.CString(C.GoString(in))
	defer C.free(unsafe.Pointer(tmp))
	out := C.CString(strings.ToLower(C.GoString(tmp)))
	return out
}

//export Release
func Release(p *C.char) {
	if p == nil {
		return
	}
	C.free(unsafe.Pointer(p))
	p = nil
	_ = p
}

//export Twice
func Twice(a, b *C.char) {
	C.free(unsafe.Pointer(a))
	C.free(unsafe.Pointer(b))
}

func main() {}
