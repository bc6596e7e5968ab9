// Re-created pattern (not copied). Signatures like these were seen in
// WireGuard/wireguard-android tunnel/tools/libwg-go/api-android.go (string
// parameters: wgTurnOn) and in fluent/fluent-bit-go examples (Go int results).
package main

/*
#include <stdint.h>
*/
import "C"

import "unsafe"

var (
	peers   = []string{"a", "b"}
	counter int64
)

//export Greet
func Greet(name string) C.int {
	return C.int(len(name) & 0xff)
}

//export Version
func Version() string {
	return "1.2.3"
}

//export Peers
func Peers() []string {
	return peers
}

//export Current
func Current() *int64 {
	return &counter
}

//export Checksum
func Checksum(data unsafe.Pointer, size C.size_t) C.uint32_t {
	_ = data
	_ = size
	return 0
}

//export Count
func Count() int {
	return 1
}

//export Scale
func Scale(factor uint, base C.int64_t) C.int64_t {
	return base * C.int64_t(factor&0xffff)
}

//export Widths
func Widths(a int32, b int64, c C.long) int32 {
	return a + int32(b&0xff) + int32(c&0xff)
}

func main() {}
