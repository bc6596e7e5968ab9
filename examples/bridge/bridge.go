// Package main is a small Go library exported to C: the kind of bridge
// cgoguard audits. Build it with -buildmode=c-shared or -buildmode=c-archive.
package main

/*
#include <stdlib.h>
#include <string.h>

static int copy_name(char *dst, size_t n, const char *src) {
	char buf[64];
	strncpy(buf, src, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = 0;
	if (strlen(buf) >= n) return -1;
	memcpy(dst, buf, strlen(buf) + 1);
	return 0;
}
*/
import "C"

import (
	"crypto/sha256"
	"encoding/hex"
	"unsafe"
)

//export Add
func Add(a, b C.int) C.int { return a + b }

//export Sha256Hex
func Sha256Hex(data *C.char, n C.int) *C.char {
	sum := sha256.Sum256(C.GoBytes(unsafe.Pointer(data), n))
	return C.CString(hex.EncodeToString(sum[:]))
}

//export FreeString
func FreeString(s *C.char) { C.free(unsafe.Pointer(s)) }

//export CopyName
func CopyName(dst *C.char, n C.size_t, src *C.char) C.int { return C.copy_name(dst, n, src) }

func main() {}
