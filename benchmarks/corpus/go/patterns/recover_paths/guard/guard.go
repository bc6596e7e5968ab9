// Package guard holds the recover helpers of the recover_paths pattern.
package guard

import (
	"fmt"
	"os"
)

// Recover stops a panic; it must be deferred directly (defer guard.Recover()).
func Recover() {
	if r := recover(); r != nil {
		fmt.Fprintln(os.Stderr, "recovered:", r)
	}
}

// Report calls recover too, but when it is called from inside a deferred
// closure recover returns nil: the panic goes on.
func Report() {
	if r := recover(); r != nil {
		fmt.Fprintln(os.Stderr, "recovered:", r)
	}
}
