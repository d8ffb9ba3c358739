package wasmprocessor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
)

// The state file keeps the module's last snapshot across restarts. It is the processor's own
// small file, not a storage extension's database: a damaged bbolt file (file_storage) panics or
// faults the collector at start in ways that cannot be recovered in-process, while this file is
// checked whole before anything reads it, and a bad one is moved aside.
//
// Layout (little-endian): magic "NRDS", u16 version (1), u16 reserved (0), u32 payload length,
// u32 CRC-32 (IEEE) of the payload, then the payload (the snapshot's bytes).
const (
	stateMagic      = "NRDS"
	stateVersion    = 1
	stateHeaderSize = 16
)

var errBadState = errors.New("not a valid state file")

// stateFile is where one processor's snapshots are kept: <dir>/<component id>.state.
type stateFile struct {
	dir, path string
}

func newStateFile(dir string, id component.ID) *stateFile {
	return &stateFile{dir: dir, path: processorFile(dir, id, ".state")}
}

// processorFile is the path of one processor's file in the state directory: its component id,
// made a file name, with ext.
func processorFile(dir string, id component.ID, ext string) string {
	return filepath.Join(dir, strings.NewReplacer("/", "_", "\\", "_", ":", "_").Replace(id.String())+ext)
}

func encodeState(snap []byte) []byte {
	b := make([]byte, stateHeaderSize+len(snap))
	copy(b, stateMagic)
	binary.LittleEndian.PutUint16(b[4:], stateVersion)
	binary.LittleEndian.PutUint32(b[8:], uint32(len(snap)))
	binary.LittleEndian.PutUint32(b[12:], crc32.ChecksumIEEE(snap))
	copy(b[stateHeaderSize:], snap)
	return b
}

func decodeState(b []byte) ([]byte, error) {
	switch {
	case len(b) == 0:
		return nil, fmt.Errorf("%w: empty", errBadState)
	case len(b) < stateHeaderSize:
		return nil, fmt.Errorf("%w: %d bytes, shorter than its header", errBadState, len(b))
	case string(b[:4]) != stateMagic:
		return nil, fmt.Errorf("%w: no %q magic", errBadState, stateMagic)
	}
	if v := binary.LittleEndian.Uint16(b[4:]); v != stateVersion {
		return nil, fmt.Errorf("%w: version %d, this collector reads version %d", errBadState, v, stateVersion)
	}
	n := binary.LittleEndian.Uint32(b[8:])
	if uint64(n) != uint64(len(b)-stateHeaderSize) {
		return nil, fmt.Errorf("%w: header says %d bytes of state, the file has %d (truncated?)", errBadState, n, len(b)-stateHeaderSize)
	}
	snap := b[stateHeaderSize:]
	if crc32.ChecksumIEEE(snap) != binary.LittleEndian.Uint32(b[12:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errBadState)
	}
	return snap, nil
}

// load returns the saved snapshot, or nil when there is none. A file that cannot be read is
// reported; a file that is not a valid state file is renamed to <name>.corrupt-<time> first, so
// the next save starts clean and the bad file stays for inspection. Either way the caller starts
// fresh: a state file never stops a start.
func (s *stateFile) load() ([]byte, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, derr := os.Stat(s.dir); derr != nil && !errors.Is(derr, fs.ErrNotExist) {
			return nil, fmt.Errorf("state directory %s cannot be used: %w", s.dir, derr)
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read state file %s: %w", s.path, err)
	}
	snap, err := decodeState(b)
	if err == nil {
		return snap, nil
	}
	aside := s.path + ".corrupt-" + time.Now().UTC().Format("20060102T150405.000000000Z")
	if rerr := os.Rename(s.path, aside); rerr != nil {
		return nil, fmt.Errorf("state file %s: %w; it could not be moved aside (%v)", s.path, err, rerr)
	}
	return nil, fmt.Errorf("state file %s: %w; moved aside to %s", s.path, err, aside)
}

// save writes snap atomically: a temporary file in the same directory, fsynced, renamed over
// the old one, and the directory fsynced, so a crash leaves the old state or the new one.
func (s *stateFile) save(snap []byte) error {
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return fmt.Errorf("state directory %s: %w", s.dir, err)
	}
	tmp, err := os.CreateTemp(s.dir, filepath.Base(s.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("state file %s: %w", s.path, err)
	}
	_, err = tmp.Write(encodeState(snap))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("state file %s: %w", s.path, err)
	}
	if d, derr := os.Open(s.dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// storageDirectory returns the directory of the file_storage extension id (the deprecated
// `storage` key): the state file goes there, next to (never into) its database. file_storage
// does not export its config, so it is read by reflection; a test over the real extension
// guards it.
func storageDirectory(host component.Host, id component.ID) (string, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return "", fmt.Errorf("storage %q is not an extension of this collector: add it under `extensions` and `service::extensions`, or better, replace `storage` with `state_directory`", id)
	}
	v := reflect.ValueOf(ext)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		c := v.FieldByName("cfg")
		for c.IsValid() && c.Kind() == reflect.Pointer {
			c = c.Elem()
		}
		if c.IsValid() && c.Kind() == reflect.Struct {
			if d := c.FieldByName("Directory"); d.IsValid() && d.Kind() == reflect.String && d.String() != "" {
				return d.String(), nil
			}
		}
	}
	return "", fmt.Errorf("storage %q is not a file_storage extension; replace `storage` with `state_directory`", id)
}
