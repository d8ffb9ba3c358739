package wasmprocessor

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/collector/component"
)

// errStateLocked: another process holds the state directory's lock for this processor.
var errStateLocked = errors.New("state directory is in use")

// stateLock is an exclusive lock on <dir>/<component id>.lock, held from start to shutdown, so a
// second collector given the same state directory (and the same processor) fails at start
// instead of writing over this one's state. The lock is an flock(2) on an open file: the kernel
// releases it when the process ends in any way, SIGKILL included, so a stale lock file never
// blocks a start. The file keeps the holder's pid, for the message.
type stateLock struct {
	path string
	f    *os.File
}

// lockStateDirectory takes the processor's lock in dir without waiting. It returns an error
// wrapping errStateLocked when another process holds it, and another error when the lock file
// cannot be created (the caller then goes on without it, as with any unusable state directory).
func lockStateDirectory(dir string, id component.ID) (*stateLock, error) {
	path := processorFile(dir, id, ".lock")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("lock file %s: %w", path, err)
	}
	locked, err := tryLock(f)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock file %s: %w", path, err)
	}
	if !locked {
		holder := ""
		if b, rerr := os.ReadFile(path); rerr == nil && len(strings.TrimSpace(string(b))) > 0 {
			holder = " (pid " + strings.TrimSpace(string(b)) + ")"
		}
		_ = f.Close()
		return nil, fmt.Errorf("%w: %s is used by another running collector%s, which holds the lock file %s; "+
			"stop that collector first, or give this one a state_directory of its own (e.g. another NRDOT_DATA_DIR)",
			errStateLocked, dir, holder, path)
	}
	if err = f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(fmt.Sprintf("%d\n", os.Getpid())), 0)
	}
	_ = err // the pid is a courtesy for the message: the lock is what counts
	return &stateLock{path: path, f: f}, nil
}

// release gives the lock up (the file stays: removing it could race with a collector starting).
func (l *stateLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = unlock(l.f)
	_ = l.f.Close()
	l.f = nil
}
