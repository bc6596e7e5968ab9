// Re-created pattern (not copied). google/go-jsonnet c-bindings/c-bindings.go
// calls os.Exit from helpers reached by its exports (getVM, getJSONValue); the
// variants below cover the other exits and the places where an exit is fine.
package main

import "C"

import (
	"fmt"
	"log"
	"os"
	"runtime"
	"syscall"
)

var configured bool

func init() {
	if os.Getenv("PLUGIN_DISABLED") == "1" {
		fmt.Fprintln(os.Stderr, "disabled")
		os.Exit(2)
	}
}

func mustConfigure(path string) {
	if path == "" {
		log.Fatalf("no configuration")
	}
	configured = true
}

//export Configure
func Configure(path *C.char) C.int {
	mustConfigure(C.GoString(path))
	return 0
}

//export Shutdown
func Shutdown(code C.int) {
	syscall.Exit(int(code))
}

//export StopWorker
func StopWorker() {
	runtime.Goexit()
}

//export Check
func Check(v C.int) C.int {
	if v < 0 {
		log.Panicf("negative value %d", v)
	}
	return v
}

//export Start
func Start() C.int {
	go func() {
		if !configured {
			os.Exit(3)
		}
	}()
	return 0
}

//export Status
func Status() C.int {
	if configured {
		return 1
	}
	return 0
}

func fatalForTests(t string) {
	log.Fatal(t)
}

func main() {
	if len(os.Args) > 1 {
		fatalForTests(os.Args[1])
	}
	os.Exit(0)
}
