package wasmprocessor

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/processor/processortest"
)

// storageHost is a host whose only extension is a real file_storage.
type storageHost struct {
	component.Host
	exts map[component.ID]component.Component
}

func (h storageHost) GetExtensions() map[component.ID]component.Component { return h.exts }

func startFileStorage(t *testing.T, dir string) (storageHost, component.ID) {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	id := component.NewID(f.Type())
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	return storageHost{Host: componenttest.NewNopHost(), exts: map[component.ID]component.Component{id: ext}}, id
}

// countAfterOneBatch runs one batch through a fresh processor on host and returns how many
// batches the guest says it has seen, then shuts the processor down (which checkpoints).
func countAfterOneBatch(t *testing.T, host storageHost, id component.ID) float64 {
	t.Helper()
	cfg := scriptedConfig()
	cfg.Storage = &id
	cfg.ScoreAttribute = attrScore // the guest's count is its score
	sink := new(consumertest.MetricsSink)
	p, err := NewFactory().CreateMetrics(context.Background(), processortest.NewNopSettings(component.MustNewType(typeStr)), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), host))
	require.NoError(t, p.ConsumeMetrics(context.Background(), processBatch("count")))
	require.NoError(t, p.Shutdown(context.Background()))
	rm, ok := resourceByName(sink.AllMetrics()[0], "count")
	require.True(t, ok)
	v, _ := rm.Resource().Attributes().Get(attrScore)
	return v.Double()
}

func TestStateSurvivesRestartThroughFileStorage(t *testing.T) {
	host, id := startFileStorage(t, t.TempDir())
	assert.Equal(t, 1.0, countAfterOneBatch(t, host, id))
	assert.Equal(t, 2.0, countAfterOneBatch(t, host, id), "the second run resumes from the first run's snapshot")
	assert.Equal(t, 3.0, countAfterOneBatch(t, host, id))
}

func TestCorruptSnapshotStartsFresh(t *testing.T) {
	host, id := startFileStorage(t, t.TempDir())
	client, err := host.exts[id].(storage.Extension).GetClient(context.Background(), component.KindProcessor,
		component.NewID(component.MustNewType(typeStr)), "")
	require.NoError(t, err)
	require.NoError(t, client.Set(context.Background(), snapshotKey, []byte("not a snapshot")))
	require.NoError(t, client.Close(context.Background()))

	assert.Equal(t, 1.0, countAfterOneBatch(t, host, id), "a corrupt snapshot is replaced by a fresh start")
	assert.Equal(t, 2.0, countAfterOneBatch(t, host, id), "and the fresh state is saved over it")
}
