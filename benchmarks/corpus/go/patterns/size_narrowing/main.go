// Re-created pattern (not copied). google/go-jsonnet c-bindings/c-bindings.go
// narrows a C size_t with C.int(buflen) before C.GoBytes; bindings often pass
// len() of Go data as C.int. The checked variants are the fix.
package main

/*
#include <stddef.h>
static int consume(const void *p, int n) { return n; }
static unsigned count_items(unsigned n) { return n; }
*/
import "C"

import (
	"errors"
	"math"
	"unsafe"
)

var errTooLarge = errors.New("too large")

func send(data []byte) C.int {
	if len(data) == 0 {
		return 0
	}
	return C.consume(unsafe.Pointer(&data[0]), C.int(len(data)))
}

//export Send
func Send(p unsafe.Pointer, n C.size_t) C.int {
	data := C.GoBytes(p, C.int(n))
	return send(data)
}

//export Items
func Items(names **C.char, n C.size_t) C.uint {
	list := unsafe.Slice(names, n)
	total := len(list)
	return C.count_items(C.uint(total))
}

//export Length
func Length(s *C.char) int32 {
	str := C.GoString(s)
	return int32(len(str))
}

func checkedSend(data []byte) (C.int, error) {
	if len(data) == 0 {
		return 0, nil
	}
	if len(data) > math.MaxInt32 {
		return 0, errTooLarge
	}
	return C.consume(unsafe.Pointer(&data[0]), C.int(len(data))), nil
}

//export SendChecked
func SendChecked(p unsafe.Pointer, n C.size_t) C.int {
	if n > math.MaxInt32 {
		return -1
	}
	data := C.GoBytes(p, C.int(n))
	r, err := checkedSend(data)
	if err != nil {
		return -1
	}
	return r
}

//export Small
func Small() C.int {
	const width = 16
	return C.int(width) + C.int(3)
}

//export Bytes
func Bytes(s *C.char) C.size_t {
	return C.size_t(len(C.GoString(s)))
}

//export Clamp
func Clamp(s *C.char) C.int {
	n := len(C.GoString(s))
	if n > 1024 {
		n = 1024
	}
	return C.int(n)
}

func main() {}
