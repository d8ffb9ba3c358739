// JSON schemas of every component the generator emits, by component type. They are strict
// (additionalProperties: false) at every level we generate, including where the collector is lax
// (host_metrics and routing top-level keys), and `nrdot schemas` writes them to schemas/.
const duration = { type: "string", pattern: "^(\\$\\{[^}]+\\}|[0-9]+(ns|us|ms|s|m|h))$" };
const envOr = (t: Record<string, unknown>) => ({ anyOf: [t, { type: "string", pattern: "^\\$\\{env:[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}$" }] });
const str = { type: "string", minLength: 1 };
const strict = (properties: Record<string, unknown>, required: string[] = []) => ({ type: "object", additionalProperties: false, properties, required });
const sizer = { enum: ["requests", "items", "bytes"] };
// exporterhelper v0.158's sending_queue; `batch` batches inside the queue (with `storage`, on disk).
const queue = strict({
  enabled: { type: "boolean" }, storage: str, num_consumers: { type: "integer", minimum: 1 }, queue_size: { type: "integer", minimum: 1 },
  sizer, block_on_overflow: { type: "boolean" }, wait_for_result: { type: "boolean" },
  batch: strict({ flush_timeout: duration, min_size: { type: "integer", minimum: 0 }, max_size: { type: "integer", minimum: 0 }, sizer }),
});
const retry = strict({ enabled: { type: "boolean" }, initial_interval: duration, max_interval: duration, max_elapsed_time: duration });

export const componentSchemas: Record<string, Record<string, unknown>> = {
  host_metrics: strict({
    collection_interval: duration,
    metadata_collection_interval: duration,
    initial_delay: duration,
    timeout: duration,
    root_path: { type: "string" },
    scrapers: strict({
      process: strict({
        mute_process_all_errors: { type: "boolean" },
        mute_process_name_error: { type: "boolean" },
        mute_process_exe_error: { type: "boolean" },
        mute_process_io_error: { type: "boolean" },
        mute_process_user_error: { type: "boolean" },
        mute_process_cgroup_error: { type: "boolean" },
        scrape_process_delay: duration,
        metrics: { type: "object", additionalProperties: strict({ enabled: { type: "boolean" } }) },
        resource_attributes: { type: "object", additionalProperties: strict({ enabled: { type: "boolean" } }) },
        include: strict({ names: { type: "array", items: str }, match_type: { enum: ["strict", "regexp"] } }, ["names", "match_type"]),
        exclude: strict({ names: { type: "array", items: str }, match_type: { enum: ["strict", "regexp"] } }, ["names", "match_type"]),
      }),
    }, ["process"]),
  }, ["scrapers"]),
  memory_limiter: strict({ check_interval: duration, limit_mib: { type: "integer", minimum: 1 }, spike_limit_mib: { type: "integer", minimum: 0 }, limit_percentage: { type: "integer" }, spike_limit_percentage: { type: "integer" } }, ["check_interval"]),
  cumulative_to_delta: strict({
    include: strict({ metrics: { type: "array", items: str }, match_type: { enum: ["strict", "regexp"] } }),
    exclude: strict({ metrics: { type: "array", items: str }, match_type: { enum: ["strict", "regexp"] } }),
    max_staleness: str,
    initial_value: { enum: ["auto", "keep", "drop"] },
  }),
  delta_to_cumulative: strict({ max_stale: duration, max_streams: { type: "integer", minimum: 0 } }),
  wasm: strict({
    module: str, config: { type: "object" }, storage: str, checkpoint_interval: duration, memory_limit_mib: { type: "integer", minimum: 1, maximum: 4096 },
    // A resource attribute key: no whitespace, and not the tier's own attribute.
    score_attribute: { type: "string", pattern: "^\\S*$", not: { const: "nrdot.tier" } },
    // 0 derives the limit (GOMEMLIMIT, else the cgroup's); generated configs set it.
    memory_pressure_limit_mib: { type: "integer", minimum: 0, maximum: 1048576 },
    state_directory: str,
    call_timeout: duration,
    circuit_breaker: strict({ failures: { type: "integer", minimum: 1 }, cool_down: duration }),
  }, ["module"]),
  resource_detection: strict({
    detectors: { type: "array", items: str },
    override: { type: "boolean" },
    timeout: duration,
    refresh_interval: duration,
    system: strict({
      hostname_sources: { type: "array", items: { enum: ["os", "dns", "cname", "lookup"] } },
      resource_attributes: { type: "object", additionalProperties: strict({ enabled: { type: "boolean" } }) },
    }),
  }, ["detectors"]),
  batch: strict({ timeout: duration, send_batch_size: { type: "integer", minimum: 0 }, send_batch_max_size: { type: "integer", minimum: 0 } }),
  routing: strict({
    default_pipelines: { type: "array", items: str },
    error_mode: { enum: ["ignore", "silent", "propagate"] },
    table: { type: "array", items: strict({ context: { enum: ["resource", "metric", "datapoint", "request"] }, condition: str, statement: str, pipelines: { type: "array", items: str, minItems: 1 } }, ["pipelines"]) },
  }, ["table"]),
  file: strict({
    path: str, format: { enum: ["json", "proto"] }, append: { type: "boolean" }, flush_interval: duration, create_directory: { type: "boolean" },
    rotation: strict({ max_megabytes: { type: "integer", minimum: 1 }, max_days: { type: "integer", minimum: 0 }, max_backups: { type: "integer", minimum: 0 }, localtime: { type: "boolean" } }),
  }, ["path"]),
  otlp_http: strict({ endpoint: str, headers: { type: "object", additionalProperties: { type: "string" } }, compression: { enum: ["none", "gzip", "zstd", "snappy"] }, sending_queue: queue, retry_on_failure: retry }, ["endpoint"]),
  prometheus: strict({
    endpoint: str,
    namespace: { type: "string" },
    const_labels: { type: "object", additionalProperties: { type: "string" } },
    send_timestamps: { type: "boolean" },
    metric_expiration: duration,
    resource_to_telemetry_conversion: strict({ enabled: { type: "boolean" } }),
    enable_open_metrics: { type: "boolean" },
    without_scope_info: { type: "boolean" },
    add_metric_suffixes: { type: "boolean" },
    translation_strategy: { enum: ["UnderscoreEscapingWithSuffixes", "UnderscoreEscapingWithoutSuffixes", "NoUTF8EscapingWithSuffixes", "NoTranslation"] },
  }, ["endpoint"]),
  load_balancing: strict({
    routing_key: { enum: ["traceID", "service", "resource", "metric", "streamID", "attributes"] },
    protocol: strict({ otlp: { type: "object" } }, ["otlp"]),
    resolver: strict({ static: { type: "object" }, dns: strict({ hostname: str, port: envOr({ type: "string" }) }, ["hostname"]), k8s: { type: "object" } }),
    sending_queue: queue,
    retry_on_failure: retry,
  }, ["protocol", "resolver"]),
  otlp: strict({ protocols: strict({ grpc: strict({ endpoint: str }), http: strict({ endpoint: str, max_request_body_size: { type: "integer" } }) }) }, ["protocols"]),
  health_check: strict({ endpoint: str }),
  pprof: strict({ endpoint: str }),
  zpages: strict({ endpoint: str }),
  file_storage: strict({ directory: str, create_directory: { type: "boolean" }, timeout: duration, fsync: { type: "boolean" } }, ["directory"]),
};
