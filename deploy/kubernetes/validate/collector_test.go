package validate

// The collector side of the checks: what a container's --config flags add up to, and whether the
// real binary accepts it.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// repoRoot is the NRDOT checkout this module lives in (deploy/kubernetes/validate).
var repoRoot = func() string {
	abs, err := filepath.Abs("../../..")
	if err != nil {
		panic(err)
	}
	return abs
}()

// collectorBinary is bin/nrdot-collector, or $NRDOT_COLLECTOR.
func collectorBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("NRDOT_COLLECTOR")
	if bin == "" {
		bin = filepath.Join(repoRoot, "bin", "nrdot-collector")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is missing: run make build", bin)
	}
	return bin
}

// configArgs splits a container's arguments into config files and yaml: overrides, in order.
func configArgs(args []string) (files []string, overrides []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		var v string
		switch {
		case strings.HasPrefix(a, "--config="):
			v = strings.TrimPrefix(a, "--config=")
		case a == "--config" && i+1 < len(args):
			i++
			v = args[i]
		default:
			return nil, nil, fmt.Errorf("unexpected argument %q", a)
		}
		if strings.HasPrefix(v, "yaml:") {
			overrides = append(overrides, v)
		} else {
			files = append(files, strings.TrimPrefix(v, "file:"))
		}
	}
	return files, overrides, nil
}

// applyOverride merges one `yaml:a::b: value` source over cfg the way the collector's yaml
// provider and config merge do: keys split on "::", maps merged, anything else replaced.
func applyOverride(cfg map[string]any, override string) error {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(strings.TrimPrefix(override, "yaml:")), &m); err != nil {
		return fmt.Errorf("override %q: %w", override, err)
	}
	for k, v := range m {
		path := strings.Split(k, "::")
		cur := cfg
		for _, p := range path[:len(path)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		last := path[len(path)-1]
		if old, ok := cur[last].(map[string]any); ok {
			if nv, ok := v.(map[string]any); ok {
				mergeMaps(old, nv)
				continue
			}
		}
		cur[last] = v
	}
	return nil
}

func mergeMaps(dst, src map[string]any) {
	for k, v := range src {
		if d, ok := dst[k].(map[string]any); ok {
			if s, ok := v.(map[string]any); ok {
				mergeMaps(d, s)
				continue
			}
		}
		dst[k] = v
	}
}

// effectiveConfig is the config text with the overrides merged over it.
func effectiveConfig(text string, overrides []string) (map[string]any, error) {
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
		return nil, err
	}
	for _, o := range overrides {
		if err := applyOverride(cfg, o); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

func lookup(cfg map[string]any, path ...string) (any, bool) {
	var cur any = cfg
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// rootPathRef finds a root_path of /hostfs, in block or JSON form.
var rootPathRef = regexp.MustCompile(`(root_path"?:\s*"?)/hostfs\b`)

var envRef = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}`)

// expandEnv resolves ${env:NAME} and ${env:NAME:-default} as the collector does, from env.
func expandEnv(s string, env map[string]string) string {
	return envRef.ReplaceAllStringFunc(s, func(m string) string {
		g := envRef.FindStringSubmatch(m)
		if v, ok := env[g[1]]; ok && v != "" {
			return v
		}
		return g[2]
	})
}

// containerEnv is the container's plain env values; values from elsewhere (Secrets, the
// downward API) get a stand-in so that the config resolves.
func containerEnv(envs []corev1.EnvVar) map[string]string {
	env := map[string]string{}
	for _, e := range envs {
		if e.ValueFrom != nil {
			env[e.Name] = "from-" + e.Name
			continue
		}
		env[e.Name] = e.Value
	}
	return env
}

// endpointPort is the port of a host:port endpoint after env expansion.
func endpointPort(v any, env map[string]string) (host string, port int32, err error) {
	s, ok := v.(string)
	if !ok {
		return "", 0, fmt.Errorf("endpoint %v is not a string", v)
	}
	s = expandEnv(s, env)
	i := strings.LastIndex(s, ":")
	if i < 0 {
		return "", 0, fmt.Errorf("endpoint %q has no port", s)
	}
	p, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return "", 0, fmt.Errorf("endpoint %q: %w", s, err)
	}
	return s[:i], int32(p), nil
}

// collectorValidate runs `nrdot-collector validate` on the config text with the overrides, in
// the container's environment (plain values; stand-ins for the rest), with the repository's
// WASM modules (build/wasm, or $NRDOT_WASM_BUILD) and a scratch data folder. A root_path override is pointed at a scratch folder
// holding this machine's /proc, as the pod's /hostfs holds the node's. It returns the effective
// config (effectiveConfig).
func collectorValidate(t *testing.T, name, text string, overrides []string, envs []corev1.EnvVar) map[string]any {
	t.Helper()
	cfg, err := effectiveConfig(text, overrides)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	bin := collectorBinary(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	hostfs := filepath.Join(dir, "hostfs")
	text = rootPathRef.ReplaceAllString(text, "${1}"+hostfs)
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(hostfs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/proc", filepath.Join(hostfs, "proc")); err != nil {
		t.Fatal(err)
	}
	args := []string{"validate", "--config=" + file}
	for _, o := range overrides {
		args = append(args, "--config="+rootPathRef.ReplaceAllString(o, "${1}"+hostfs))
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	for k, v := range containerEnv(envs) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	wasm := os.Getenv("NRDOT_WASM_BUILD")
	if wasm == "" {
		wasm = filepath.Join(repoRoot, "build", "wasm")
	}
	cmd.Env = append(cmd.Env,
		"NRDOT_WASM_DIR="+wasm,
		"NRDOT_DATA_DIR="+filepath.Join(dir, "data"),
		"GOMEMLIMIT=512MiB")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s: nrdot-collector validate: %v\n%s", name, err, out)
	}
	return cfg
}

// promReader is the host and port (env expanded) of the first telemetry metrics reader's
// Prometheus exporter; ok is false when there is no reader.
func promReader(cfg map[string]any, env map[string]string) (host any, port string, ok bool) {
	readers, _ := lookup(cfg, "service", "telemetry", "metrics", "readers")
	rs, _ := readers.([]any)
	if len(rs) == 0 {
		return nil, "", false
	}
	r0, _ := rs[0].(map[string]any)
	host, _ = lookup(r0, "pull", "exporter", "prometheus", "host")
	p, _ := lookup(r0, "pull", "exporter", "prometheus", "port")
	return host, expandEnv(fmt.Sprint(p), env), true
}
