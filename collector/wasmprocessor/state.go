package wasmprocessor

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// snapshotKey is the storage key of the guest's snapshot. The storage client is already scoped
// to this processor's ID, so one key suffices.
const snapshotKey = "snapshot"

// stateStore persists guest snapshots through a storage extension. file_storage writes each Set
// in one bbolt transaction, so a crash leaves the previous snapshot or the new one, never half.
type stateStore struct {
	client storage.Client
}

func openStateStore(ctx context.Context, host component.Host, id, owner component.ID, module string) (*stateStore, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("wasm processor (module %s): storage %q is not an extension of this collector: add it under `extensions` and `service::extensions`", module, id)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("wasm processor (module %s): storage %q is not a storage extension (use file_storage)", module, id)
	}
	client, err := se.GetClient(ctx, component.KindProcessor, owner, "")
	if err != nil {
		return nil, fmt.Errorf("wasm processor (module %s): storage %q: %w", module, id, err)
	}
	return &stateStore{client: client}, nil
}

func (s *stateStore) load(ctx context.Context) ([]byte, error) {
	return s.client.Get(ctx, snapshotKey)
}

func (s *stateStore) save(ctx context.Context, snap []byte) error {
	return s.client.Set(ctx, snapshotKey, snap)
}

func (s *stateStore) close(ctx context.Context) error {
	return s.client.Close(ctx)
}
