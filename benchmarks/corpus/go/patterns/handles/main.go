// Re-created pattern (not copied). hillu/go-yara issues #101 and #120: a
// cgo.Handle whose address is given to C, handles never deleted, and use after
// Delete. The correct forms follow the runtime/cgo documentation (handle passed
// by value as uintptr_t, deleted in a matching free export).
package main

/*
#include <stdint.h>
#include <stdlib.h>
static void set_user_data(void *p) { (void)p; }
static void set_user_id(uintptr_t h) { (void)h; }
*/
import "C"

import (
	"runtime/cgo"
	"sync"
	"unsafe"
)

type client struct {
	mu   sync.Mutex
	name string
}

//export NewClient
func NewClient() C.uintptr_t {
	return C.uintptr_t(cgo.NewHandle(&client{name: "c"}))
}

//export FreeClient
func FreeClient(id C.uintptr_t) {
	h := cgo.Handle(id)
	if _, ok := h.Value().(*client); ok {
		h.Delete()
	}
}

//export Subscribe
func Subscribe() {
	h := cgo.NewHandle(func() {})
	C.set_user_id(C.uintptr_t(h))
}

//export Close
func Close(id C.uintptr_t) *C.char {
	h := cgo.Handle(id)
	h.Delete()
	c := h.Value().(*client)
	return C.CString(c.name)
}

//export Watch
func Watch() {
	h := cgo.NewHandle(&client{name: "w"})
	defer h.Delete()
	C.set_user_data(unsafe.Pointer(&h))
}

//export Notify
func Notify(name *C.char) {
	h := cgo.NewHandle(C.GoString(name))
	defer h.Delete()
	C.set_user_id(C.uintptr_t(h))
}

//export Rename
func Rename(id C.uintptr_t, name *C.char) {
	h := cgo.Handle(id)
	if c, ok := h.Value().(*client); ok {
		c.mu.Lock()
		c.name = C.GoString(name)
		c.mu.Unlock()
	}
}

//export Drop
func Drop(id C.uintptr_t) {
	h := cgo.Handle(id)
	h.Delete()
	h.Delete()
}

//export FreeString
func FreeString(p *C.char) {
	C.free(unsafe.Pointer(p))
}

func main() {}
