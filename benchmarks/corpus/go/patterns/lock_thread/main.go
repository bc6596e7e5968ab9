// Re-created pattern (not copied): runtime.LockOSThread in exported entry
// points, as the runtime documentation describes for C libraries that keep
// thread-local state (OpenGL contexts, JNI attachments). No project of this
// corpus does it, so the cases are written here.
package main

import "C"

import "runtime"

var ready bool

//export InitRenderer
func InitRenderer() C.int {
	runtime.LockOSThread()
	ready = true
	return 0
}

//export Draw
func Draw(frames C.int) C.int {
	runtime.LockOSThread()
	if frames <= 0 {
		return -1
	}
	runtime.UnlockOSThread()
	return frames
}

//export Attach
func Attach() C.int {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return 1
}

//export Present
func Present(frames C.int) C.int {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if frames <= 0 {
		return -1
	}
	return frames
}

//export Poll
func Poll() C.int {
	runtime.LockOSThread()
	if !ready {
		return 0
	}
	runtime.UnlockOSThread()
	return 1
}

//export Flush
func Flush() {
	runtime.LockOSThread()
	defer func() {
		runtime.UnlockOSThread()
	}()
}

func main() {}
