// Re-created pattern (not copied). The issue behind this corpus saw recovers
// done in a helper of another package of the module (defer helper()) and
// exports whose only possible panics run in goroutines; libtailscale's
// tailscale.go and wireguard-apple's api-apple.go show the goroutine and map
// read cases on real code.
package main

/*
#include <stdlib.h>
*/
import "C"

import (
	"example.com/recoverpaths/guard"
	"strings"
	"sync"
	"unsafe"
)

var (
	mu       sync.Mutex
	registry = map[string]C.int{}
	names    []string
	events   = make(chan string, 8)
	done     = make(chan struct{})
	cache    sync.Map
)

//export Ratio
func Ratio(a, b C.double) C.double {
	return a / b
}

//export Divide
func Divide(a, b C.int) C.int {
	return a / b
}

//export DivideGuarded
func DivideGuarded(a, b C.int) C.int {
	defer guard.Recover()
	return a / b
}

//export DivideReported
func DivideReported(a, b C.int) C.int {
	defer func() {
		guard.Report()
	}()
	return a / b
}

//export DivideInline
func DivideInline(a, b C.int) (r C.int) {
	defer func() {
		if recover() != nil {
			r = -1
		}
	}()
	return a / b
}

//export Lookup
func Lookup(key *C.char) C.int {
	mu.Lock()
	defer mu.Unlock()
	return registry[C.GoString(key)]
}

//export Nth
func Nth(i C.int) *C.char {
	mu.Lock()
	defer mu.Unlock()
	if int(i) < len(names) && i >= 0 {
		return C.CString(names[i])
	}
	return nil
}

//export First
func First() *C.char {
	mu.Lock()
	defer mu.Unlock()
	return C.CString(names[0])
}

//export Join
func Join() *C.char {
	mu.Lock()
	defer mu.Unlock()
	var b strings.Builder
	for i := range names {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(names[i])
	}
	return C.CString(b.String())
}

//export Publish
func Publish(msg *C.char) {
	events <- C.GoString(msg)
}

//export Background
func Background(p unsafe.Pointer) {
	go func() {
		var values []int
		_ = values[len(values)-1]
		_ = p
	}()
}

//export Stop
func Stop() {
	close(done)
}

//export Add
func Add(key *C.char) {
	registry[C.GoString(key)]++
	names = append(names, C.GoString(key))
}

//export AddLocked
func AddLocked(key *C.char) {
	mu.Lock()
	defer mu.Unlock()
	registry[C.GoString(key)]++
	names = append(names, C.GoString(key))
}

//export Remember
func Remember(key *C.char) {
	cache.Store(C.GoString(key), true)
}

//export Forget
func Forget(key *C.char) {
	delete(registry, C.GoString(key))
}

//export Value
func Value(p *C.int) C.int {
	return *p
}

//export FreeString
func FreeString(p *C.char) {
	C.free(unsafe.Pointer(p))
}

func main() {}
