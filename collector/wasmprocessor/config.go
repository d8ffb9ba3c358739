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
	errBadCallTimeout = errors.New("call_timeout must be between 1ms and 1m")
	errBadBreaker     = errors.New("circuit_breaker: failures must be at least 1 and cool_down between 1s and 24h")
	errBadPressure    = errors.New("memory_pressure_limit_mib must be between 0 (derive it) and 1048576")
	errBothStates     = errors.New("set state_directory or storage, not both (storage is deprecated: use state_directory)")
)

// BreakerConfig configures the circuit breaker around the module.
type BreakerConfig struct {
	// Failures is the number of consecutive failed calls (trap, deadline, error status, invalid
	// decisions) that open the breaker. The default is 5.
	Failures int `mapstructure:"failures"`
	// CoolDown is how long an open breaker passes batches through before the module is tried
	// again. The default is 1m.
	CoolDown time.Duration `mapstructure:"cool_down"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// Config defines the configuration of the wasm processor.
type Config struct {
	// Module is the path of the WebAssembly module to run. Required; there is no default.
	Module string `mapstructure:"module"`

	// ModuleConfig is handed to the module as a JSON object by nrdot_configure. Empty means the
	// module's own defaults.
	ModuleConfig map[string]any `mapstructure:"config"`

	// StateDirectory is the directory of the processor's own state file (<directory>/<id>.state,
	// written atomically with a checksum), which keeps the module's snapshots across restarts.
	// Empty (the default) keeps snapshots in memory only.
	StateDirectory string `mapstructure:"state_directory"`

	// Storage is deprecated: the ID of a file_storage extension whose directory holds the state
	// file, as if it were state_directory. The extension's own database is not used: a damaged
	// bbolt file can panic or fault the collector at start.
	Storage *component.ID `mapstructure:"storage"`

	// CallTimeout is the deadline of one batch inside the module (and of every other call into
	// it). When it passes the batch goes through unchanged and the instance is rebuilt. The
	// default is 1s (a 10k-process batch takes ~10ms).
	CallTimeout time.Duration `mapstructure:"call_timeout"`

	// CircuitBreaker stops calling a module that keeps failing, for a cool-down.
	CircuitBreaker BreakerConfig `mapstructure:"circuit_breaker"`

	// MemoryPressureLimitMiB is the memory limit the pressure handed to the module is relative to
	// (Go heap ÷ limit). Zero (the default) derives it: GOMEMLIMIT when set, else the cgroup's
	// memory limit, else none (pressure 0, with a warning).
	MemoryPressureLimitMiB uint32 `mapstructure:"memory_pressure_limit_mib"`

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
	if cfg.CallTimeout < time.Millisecond || cfg.CallTimeout > time.Minute {
		errs = append(errs, fmt.Errorf("%w (got %s)", errBadCallTimeout, cfg.CallTimeout))
	}
	if cfg.CircuitBreaker.Failures < 1 || cfg.CircuitBreaker.CoolDown < time.Second || cfg.CircuitBreaker.CoolDown > 24*time.Hour {
		errs = append(errs, fmt.Errorf("%w (got failures %d, cool_down %s)", errBadBreaker, cfg.CircuitBreaker.Failures, cfg.CircuitBreaker.CoolDown))
	}
	if cfg.MemoryPressureLimitMiB > 1<<20 {
		errs = append(errs, errBadPressure)
	}
	if cfg.StateDirectory != "" && cfg.Storage != nil {
		errs = append(errs, errBothStates)
	}
	return errors.Join(errs...)
}
