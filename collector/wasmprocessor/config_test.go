package wasmprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

func TestLoadConfig(t *testing.T) {
	storageID := component.MustNewID("file_storage")
	tests := []struct {
		id       component.ID
		expected *Config
		err      error
	}{
		{
			id: component.NewID(component.MustNewType(typeStr)),
			expected: &Config{
				Module: "testdata/modules/scripted.wasm",
				ModuleConfig: map[string]any{
					"threshold": 0.5,
					"rules":     []any{map[string]any{"executable": "postgres*", "tier": "critical"}},
				},
				StateDirectory:         "./data/state",
				CheckpointInterval:     10 * time.Second,
				MemoryLimitMiB:         32,
				ScoreAttribute:         "nrdot.score",
				CallTimeout:            250 * time.Millisecond,
				CircuitBreaker:         BreakerConfig{Failures: 3, CoolDown: 30 * time.Second},
				MemoryPressureLimitMiB: 300,
			},
		},
		{
			id: component.NewIDWithName(component.MustNewType(typeStr), "storage"),
			expected: &Config{
				Module:             "testdata/modules/scripted.wasm",
				Storage:            &storageID,
				CheckpointInterval: defaultCheckpointInterval,
				MemoryLimitMiB:     defaultMemoryLimitMiB,
				CallTimeout:        defaultCallTimeout,
				CircuitBreaker:     BreakerConfig{Failures: defaultBreakerFailures, CoolDown: defaultBreakerCoolDown},
			},
		},
		{
			id: component.NewIDWithName(component.MustNewType(typeStr), "defaults"),
			expected: &Config{
				Module:             "testdata/modules/scripted.wasm",
				CheckpointInterval: defaultCheckpointInterval,
				MemoryLimitMiB:     defaultMemoryLimitMiB,
				CallTimeout:        defaultCallTimeout,
				CircuitBreaker:     BreakerConfig{Failures: defaultBreakerFailures, CoolDown: defaultBreakerCoolDown},
			},
		},
		{id: component.NewIDWithName(component.MustNewType(typeStr), "missing_module"), err: errMissingModule},
		{id: component.NewIDWithName(component.MustNewType(typeStr), "zero_call_timeout"), err: errBadCallTimeout},
		{id: component.NewIDWithName(component.MustNewType(typeStr), "long_call_timeout"), err: errBadCallTimeout},
		{id: component.NewIDWithName(component.MustNewType(typeStr), "breaker_zero_failures"), err: errBadBreaker},
		{id: component.NewIDWithName(component.MustNewType(typeStr), "breaker_short_cool_down"), err: errBadBreaker},
		{id: component.NewIDWithName(component.MustNewType(typeStr), "state_directory_and_storage"), err: errBothStates},
		{id: component.NewIDWithName(component.MustNewType(typeStr), "module_not_found"), err: errModuleNotFound},
		{id: component.NewIDWithName(component.MustNewType(typeStr), "bad_memory_limit"), err: errBadMemoryLimit},
		{id: component.NewIDWithName(component.MustNewType(typeStr), "negative_checkpoint"), err: errBadCheckpoint},
		{id: component.NewIDWithName(component.MustNewType(typeStr), "score_attribute_with_space"), err: errBadScoreAttr},
		{id: component.NewIDWithName(component.MustNewType(typeStr), "score_attribute_is_tier"), err: errBadScoreAttr},
	}
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			if tt.err != nil {
				assert.ErrorIs(t, cfg.Validate(), tt.err)
				return
			}
			require.NoError(t, cfg.Validate())
			assert.Equal(t, tt.expected, cfg)
		})
	}
}

func TestUnknownKeyIsRefused(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub("wasm")
	require.NoError(t, err)
	require.NoError(t, sub.Merge(confmapFrom(map[string]any{"max_processes": 10})))
	err = sub.Unmarshal(createDefaultConfig())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "max_processes")
}
