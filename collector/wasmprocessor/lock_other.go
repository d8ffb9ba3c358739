//go:build !unix

package wasmprocessor

import "os"

// tryLock: no flock on this platform; the state directory is not locked.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlock(*os.File) error { return nil }
