package wasmprocessor

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

const (
	typeStr                   = "wasm"
	stability                 = component.StabilityLevelAlpha
	defaultMemoryLimitMiB     = 64
	defaultCheckpointInterval = 30 * time.Second
	defaultCallTimeout        = time.Second
	defaultBreakerFailures    = 5
	defaultBreakerCoolDown    = time.Minute
)

var processorCapabilities = consumer.Capabilities{MutatesData: true}

// NewFactory returns the factory of the wasm processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		component.MustNewType(typeStr),
		createDefaultConfig,
		processor.WithMetrics(createMetricsProcessor, stability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		MemoryLimitMiB:     defaultMemoryLimitMiB,
		CheckpointInterval: defaultCheckpointInterval,
		ScoreAttribute:     "", // no score: it would make a new series every scrape
		CallTimeout:        defaultCallTimeout,
		CircuitBreaker:     BreakerConfig{Failures: defaultBreakerFailures, CoolDown: defaultBreakerCoolDown},
	}
}

func createMetricsProcessor(
	ctx context.Context,
	set processor.Settings,
	cfg component.Config,
	next consumer.Metrics,
) (processor.Metrics, error) {
	oCfg := cfg.(*Config)
	p, err := newWasmProcessor(ctx, set, oCfg)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewMetrics(ctx, set, cfg, next, p.processMetrics,
		processorhelper.WithCapabilities(processorCapabilities),
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(p.shutdown),
	)
}
