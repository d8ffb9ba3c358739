package wasmprocessor

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode"

	"go.opentelemetry.io/collector/component"
)

// Sentinel errors returned by Config.Validate, so tests compare errors rather than strings.
var (
	errMissingModule  = errors.New("module must be set to the path of a .wasm file")
	errModuleNotFound = errors.New("module file does not exist")
	errBadMemoryLimit = errors.New("memory_limit_mib must be between 1 and 4096")
	errBadCheckpoint  = errors.New("checkpoint_interval must not be negative")
	errBadScoreAttr   = errors.New("score_attribute must be empty, or an attribute key without whitespace other than " + attrTier)
)

// Config defines the configuration of the wasm processor.
type Config struct {
	// Module is the path of the WebAssembly module to run. Required; there is no default.
	Module string `mapstructure:"module"`

	// ModuleConfig is handed to the module as a JSON object by nrdot_configure. Empty means the
	// module's own defaults.
	ModuleConfig map[string]any `mapstructure:"config"`

	// Storage is the ID of a storage extension (e.g. file_storage) that keeps the module's state
	// snapshots across restarts. Empty (the default) keeps snapshots in memory only.
	Storage *component.ID `mapstructure:"storage"`

	// CheckpointInterval is how often the module's state is snapshotted (in memory, and to Storage
	// when set), checked after each batch; zero snapshots after every batch. The default is 30s.
	// Snapshots are also taken at shutdown.
	CheckpointInterval time.Duration `mapstructure:"checkpoint_interval"`

	// MemoryLimitMiB caps the module's linear memory. Zero is not allowed; the default is 64.
	MemoryLimitMiB uint32 `mapstructure:"memory_limit_mib"`

	// ScoreAttribute is the resource attribute a kept resource's score is written to (e.g.
	// nrdot.score). The default, empty, writes no score: backends key series by their attributes,
	// and a score that changes every scrape would make a new series every scrape.
	ScoreAttribute string `mapstructure:"score_attribute"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ component.Config = (*Config)(nil)

// Validate checks the configuration without loading the module; the module itself is checked
// when the processor is created, with errors that name the file.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.Module == "" {
		errs = append(errs, errMissingModule)
	} else if _, err := os.Stat(cfg.Module); err != nil {
		errs = append(errs, fmt.Errorf("%w: %q (build it with `make wasm`, or fix the path)", errModuleNotFound, cfg.Module))
	}
	if cfg.MemoryLimitMiB == 0 || cfg.MemoryLimitMiB > 4096 {
		errs = append(errs, errBadMemoryLimit)
	}
	if cfg.CheckpointInterval < 0 {
		errs = append(errs, errBadCheckpoint)
	}
	if strings.ContainsFunc(cfg.ScoreAttribute, unicode.IsSpace) || cfg.ScoreAttribute == attrTier {
		errs = append(errs, fmt.Errorf("%w: %q", errBadScoreAttr, cfg.ScoreAttribute))
	}
	return errors.Join(errs...)
}
