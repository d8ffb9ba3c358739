package validate

// The kustomize base and overlays: every manifest and every rendered object strictly decoded into
// the Kubernetes API types (unknown or duplicate fields fail), then the deployment's invariants.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

var kubeDir = filepath.Join(repoRoot, "deploy", "kubernetes")

// The kustomizations: the base and each overlay.
func kustomizations(t *testing.T) []string {
	t.Helper()
	dirs := []string{filepath.Join(kubeDir, "base")}
	overlays, err := filepath.Glob(filepath.Join(kubeDir, "overlays", "*", "kustomization.yaml"))
	if err != nil || len(overlays) == 0 {
		t.Fatalf("no overlays under %s (%v)", kubeDir, err)
	}
	for _, o := range overlays {
		dirs = append(dirs, filepath.Dir(o))
	}
	return dirs
}

var decoder = func() runtime.Decoder {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, autoscalingv2.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}()

// decodeStrict decodes one object into its typed API struct; unknown kinds, unknown fields and
// duplicate fields are errors.
func decodeStrict(doc []byte) (runtime.Object, error) {
	obj, _, err := decoder.Decode(doc, nil, nil)
	return obj, err
}

func splitDocs(data []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		d, err := r.Read()
		if err != nil {
			if err == io.EOF {
				return docs, nil
			}
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(d))) > 0 {
			docs = append(docs, d)
		}
	}
}

func stripComments(d []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(d, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// TestManifestFilesDecodeStrictly: every hand-written manifest, patches included, as written.
func TestManifestFilesDecodeStrictly(t *testing.T) {
	n := 0
	for _, root := range []string{filepath.Join(kubeDir, "base"), filepath.Join(kubeDir, "overlays")} {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || d.Name() == "kustomization.yaml" || filepath.Base(filepath.Dir(p)) == "config" {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			docs, err := splitDocs(data)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			for _, d := range docs {
				if _, err := decodeStrict(d); err != nil {
					t.Errorf("%s: %v", rel(p), err)
				}
				n++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 10 {
		t.Fatalf("only %d manifests found", n)
	}
}

func rel(p string) string {
	r, err := filepath.Rel(repoRoot, p)
	if err != nil {
		return p
	}
	return r
}

// rendered is one kustomization's output, decoded.
type rendered struct {
	name       string
	objs       []runtime.Object
	configMaps map[string]*corev1.ConfigMap
	services   map[string]*corev1.Service
	accounts   map[string]*corev1.ServiceAccount
	daemonSets []*appsv1.DaemonSet
	statefuls  []*appsv1.StatefulSet
	hpas       []*autoscalingv2.HorizontalPodAutoscaler
	pdbs       []*policyv1.PodDisruptionBudget
}

// kustomizeBuild builds a kustomization with the kustomize library (what `kubectl kustomize` runs).
func kustomizeBuild(t *testing.T, dir string) resmap.ResMap {
	t.Helper()
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", rel(dir), err)
	}
	return m
}

// render builds a kustomization and decodes its objects strictly into the Kubernetes API types.
func render(t *testing.T, dir string) *rendered {
	t.Helper()
	m := kustomizeBuild(t, dir)
	r := &rendered{name: rel(dir), configMaps: map[string]*corev1.ConfigMap{}, services: map[string]*corev1.Service{}, accounts: map[string]*corev1.ServiceAccount{}}
	for _, res := range m.Resources() {
		y, err := res.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		obj, err := decodeStrict(y)
		if err != nil {
			t.Errorf("%s: %s/%s: %v", r.name, res.GetKind(), res.GetName(), err)
			continue
		}
		r.objs = append(r.objs, obj)
		switch o := obj.(type) {
		case *corev1.ConfigMap:
			r.configMaps[o.Name] = o
		case *corev1.Service:
			r.services[o.Name] = o
		case *corev1.ServiceAccount:
			r.accounts[o.Name] = o
		case *appsv1.DaemonSet:
			r.daemonSets = append(r.daemonSets, o)
		case *appsv1.StatefulSet:
			r.statefuls = append(r.statefuls, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			r.hpas = append(r.hpas, o)
		case *policyv1.PodDisruptionBudget:
			r.pdbs = append(r.pdbs, o)
		case *rbacv1.Role, *rbacv1.ClusterRole, *rbacv1.RoleBinding, *rbacv1.ClusterRoleBinding:
			t.Errorf("%s: RBAC object %T: neither the agent nor the gateway talks to the API server", r.name, o)
		}
	}
	return r
}

// TestKustomizations renders the base and every overlay and checks the deployment's invariants.
func TestKustomizations(t *testing.T) {
	for _, dir := range kustomizations(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			r := render(t, dir)
			if len(r.daemonSets) != 1 || len(r.statefuls) != 1 {
				t.Fatalf("%s: want one agent DaemonSet and one gateway StatefulSet, got %d and %d", r.name, len(r.daemonSets), len(r.statefuls))
			}
			ds, sts := r.daemonSets[0], r.statefuls[0]
			agentCfg := checkWorkload(t, r, "DaemonSet/"+ds.Name, &ds.Spec.Template)
			gatewayCfg := checkWorkload(t, r, "StatefulSet/"+sts.Name, &sts.Spec.Template)
			checkAgent(t, r, ds, agentCfg, sts, gatewayCfg)
			checkGateway(t, r, sts, gatewayCfg)
		})
	}
}

// TestKubectlKustomizeAgrees: where kubectl is installed, its kustomize renders the same objects.
func TestKubectlKustomizeAgrees(t *testing.T) {
	for _, dir := range kustomizations(t) {
		kubectlKustomizeAgrees(t, dir, func() int { return len(render(t, dir).objs) }, decodeStrict)
	}
}

// kubectlKustomizeAgrees: `kubectl kustomize dir` renders as many objects as the library (want),
// each one decoding with decode. Skips the test where kubectl is not installed.
func kubectlKustomizeAgrees(t *testing.T, dir string, want func() int, decode func([]byte) (runtime.Object, error)) {
	t.Helper()
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("kubectl not installed")
	}
	out, err := exec.Command("kubectl", "kustomize", dir).Output()
	if err != nil {
		t.Errorf("kubectl kustomize %s: %v", rel(dir), err)
		return
	}
	docs, err := splitDocs(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := want(); len(docs) != n {
		t.Errorf("%s: kubectl kustomize renders %d objects, the library %d", rel(dir), len(docs), n)
	}
	for _, d := range docs {
		if _, err := decode(d); err != nil {
			t.Errorf("%s (kubectl kustomize): %v", rel(dir), err)
		}
	}
}

// collectorContainer is the pod's container named "collector".
func collectorContainer(t *testing.T, what string, spec *corev1.PodSpec) *corev1.Container {
	t.Helper()
	return namedContainer(t, what, spec, "collector")
}

// namedContainer is the pod's container of that name.
func namedContainer(t *testing.T, what string, spec *corev1.PodSpec, name string) *corev1.Container {
	t.Helper()
	for i := range spec.Containers {
		if spec.Containers[i].Name == name {
			return &spec.Containers[i]
		}
	}
	t.Fatalf("%s: no container named %s", what, name)
	return nil
}

// envVar is the container's variable of that name, or nil.
func envVar(c *corev1.Container, name string) *corev1.EnvVar {
	for i := range c.Env {
		if c.Env[i].Name == name {
			return &c.Env[i]
		}
	}
	return nil
}

// workloadConfig is what a collector container runs: the effective config, its source text and
// overrides, and its environment.
type workloadConfig struct {
	cfg       map[string]any
	text      string
	overrides []string
	env       map[string]string
}

// checkWorkload checks what the agent and the gateway share: the config the args name exists in
// a ConfigMap and passes the collector's validate; probes on the health port; GOMEMLIMIT from
// the memory limit above the memory_limiter; a locked-down security context; the ServiceAccount.
func checkWorkload(t *testing.T, r *rendered, what string, tpl *corev1.PodTemplateSpec) *workloadConfig {
	t.Helper()
	spec := &tpl.Spec
	c := collectorContainer(t, what, spec)
	files, overrides, err := configArgs(c.Args)
	if err != nil || len(files) != 1 {
		t.Fatalf("%s: args %q: want one config file and yaml: overrides (%v)", what, c.Args, err)
	}
	text := configMapFile(t, r, what, spec, c, files[0])
	cfg := collectorValidate(t, what, text, overrides, c.Env)
	wc := &workloadConfig{cfg: cfg, text: text, overrides: overrides, env: containerEnv(c.Env)}

	// Probes: both on the port health_check listens on, on every interface.
	hc, ok := lookup(cfg, "extensions", "health_check", "endpoint")
	if !ok {
		t.Fatalf("%s: no health_check endpoint", what)
	}
	host, port, err := endpointPort(hc, wc.env)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if host != "0.0.0.0" {
		t.Errorf("%s: health_check listens on %q: the kubelet probes the pod IP", what, host)
	}
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("%s: no HTTP %s probe", what, name)
			continue
		}
		if got := containerPort(c, p.HTTPGet.Port.String()); got != port {
			t.Errorf("%s: %s probe on port %s (%d), health_check on %d", what, name, p.HTTPGet.Port.String(), got, port)
		}
	}
	// Own metrics reachable for scraping, on the port the container declares as metrics.
	if h, p, ok := promReader(cfg, wc.env); ok {
		if h != "0.0.0.0" {
			t.Errorf("%s: telemetry metrics on %v, not reachable from outside the pod", what, h)
		}
		if want := containerPort(c, "metrics"); p != fmt.Sprint(want) {
			t.Errorf("%s: telemetry metrics on port %s, the container's metrics port is %d", what, p, want)
		}
	}

	// GOMEMLIMIT from the memory limit, which is above the memory_limiter's limit.
	limit, ok := c.Resources.Limits[corev1.ResourceMemory]
	if !ok || c.Resources.Requests == nil {
		t.Errorf("%s: requests and a memory limit are required", what)
	}
	gomem := envVar(c, "GOMEMLIMIT")
	if gomem == nil || gomem.ValueFrom == nil || gomem.ValueFrom.ResourceFieldRef == nil ||
		gomem.ValueFrom.ResourceFieldRef.Resource != "limits.memory" ||
		(gomem.ValueFrom.ResourceFieldRef.ContainerName != "" && gomem.ValueFrom.ResourceFieldRef.ContainerName != c.Name) {
		t.Errorf("%s: GOMEMLIMIT must come from this container's limits.memory (resourceFieldRef)", what)
	} else if d := gomem.ValueFrom.ResourceFieldRef.Divisor; !d.IsZero() && d.Cmp(resource.MustParse("1")) != 0 {
		t.Errorf("%s: GOMEMLIMIT divisor %s: Go reads a plain number as bytes", what, d.String())
	}
	if mib, ok := lookup(cfg, "processors", "memory_limiter", "limit_mib"); ok {
		if f, _ := mib.(float64); int64(f)<<20 >= limit.Value() {
			t.Errorf("%s: memory_limiter limit_mib %v is not below the container's memory limit %s", what, mib, limit.String())
		}
	}

	// Locked down.
	checkPodSecurity(t, what+" container collector", spec.SecurityContext, c.SecurityContext, spec.InitContainers)
	if spec.HostNetwork || spec.HostIPC || spec.HostPID {
		t.Errorf("%s: shares a host namespace (network %v, IPC %v, PID %v)", what, spec.HostNetwork, spec.HostIPC, spec.HostPID)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("%s: mounts a ServiceAccount token it never uses", what)
	}
	if sa, ok := r.accounts[spec.ServiceAccountName]; !ok || spec.ServiceAccountName == "" {
		t.Errorf("%s: ServiceAccount %q is not in the output", what, spec.ServiceAccountName)
	} else if sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
		t.Errorf("%s: ServiceAccount %s mounts its token by default", what, sa.Name)
	}
	return wc
}

// checkPodSecurity: checkSecurity of the collector container and of each init container.
func checkPodSecurity(t *testing.T, what string, pod *corev1.PodSecurityContext, c *corev1.SecurityContext, inits []corev1.Container) {
	t.Helper()
	checkSecurity(t, what, pod, c, false)
	for i := range inits {
		checkSecurity(t, what+" init container "+inits[i].Name, pod, inits[i].SecurityContext, true)
	}
}

// checkSecurity: a read-only root, no privilege escalation, every capability dropped, not root.
// An init container may run as root with CHOWN and FOWNER alone (it hands a hostPath folder,
// which the kubelet creates root-owned, to the collector's user).
func checkSecurity(t *testing.T, what string, pod *corev1.PodSecurityContext, c *corev1.SecurityContext, init bool) {
	t.Helper()
	if c == nil {
		t.Errorf("%s: no securityContext", what)
		return
	}
	if c.ReadOnlyRootFilesystem == nil || !*c.ReadOnlyRootFilesystem {
		t.Errorf("%s: root filesystem is writable", what)
	}
	if c.AllowPrivilegeEscalation == nil || *c.AllowPrivilegeEscalation {
		t.Errorf("%s: allows privilege escalation", what)
	}
	if c.Privileged != nil && *c.Privileged {
		t.Errorf("%s: privileged", what)
	}
	if c.Capabilities == nil || !slices.Contains(c.Capabilities.Drop, "ALL") {
		t.Errorf("%s: does not drop ALL capabilities", what)
	}
	uid := c.RunAsUser
	nonRoot := c.RunAsNonRoot
	if pod != nil {
		if uid == nil {
			uid = pod.RunAsUser
		}
		if nonRoot == nil {
			nonRoot = pod.RunAsNonRoot
		}
	}
	asRoot := uid == nil || *uid == 0 || nonRoot == nil || !*nonRoot
	var added []corev1.Capability
	if c.Capabilities != nil {
		added = c.Capabilities.Add
	}
	switch {
	case !init && asRoot:
		t.Errorf("%s: must run as a non-root uid with runAsNonRoot", what)
	case !init && len(added) > 0:
		t.Errorf("%s: adds capabilities %v", what, added)
	case init:
		for _, a := range added {
			if a != "CHOWN" && a != "FOWNER" {
				t.Errorf("%s: adds capability %s", what, a)
			}
		}
	}
}

func containerPort(c *corev1.Container, p string) int32 {
	for _, cp := range c.Ports {
		if cp.Name == p || fmt.Sprint(cp.ContainerPort) == p {
			return cp.ContainerPort
		}
	}
	return -1
}

// configMapFile is the text of the config file the args name: a file in a ConfigMap volume
// mounted at its folder, under a key of that ConfigMap.
func configMapFile(t *testing.T, r *rendered, what string, spec *corev1.PodSpec, c *corev1.Container, file string) string {
	t.Helper()
	for _, m := range c.VolumeMounts {
		if m.MountPath != path.Dir(file) {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name != m.Name || v.ConfigMap == nil {
				continue
			}
			cm, ok := r.configMaps[v.ConfigMap.Name]
			if !ok {
				t.Fatalf("%s: ConfigMap %q (volume %s) is not in the output", what, v.ConfigMap.Name, v.Name)
			}
			key := path.Base(file)
			for _, it := range v.ConfigMap.Items {
				if it.Path == key {
					key = it.Key
				}
			}
			text, ok := cm.Data[key]
			if !ok {
				t.Fatalf("%s: ConfigMap %s has no key %q for %s", what, cm.Name, key, file)
			}
			return text
		}
	}
	t.Fatalf("%s: no ConfigMap volume mounted at %s for --config=%s", what, path.Dir(file), file)
	return ""
}

// exportersOfType is the ids of cfg's exporters of one of the types (the part before a "/"),
// sorted.
func exportersOfType(cfg map[string]any, types ...string) []string {
	exps, _ := lookup(cfg, "exporters")
	m, _ := exps.(map[string]any)
	var ids []string
	for id := range m {
		if slices.Contains(types, strings.SplitN(id, "/", 2)[0]) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func mountOf(c *corev1.Container, volume string) *corev1.VolumeMount {
	for i := range c.VolumeMounts {
		if c.VolumeMounts[i].Name == volume {
			return &c.VolumeMounts[i]
		}
	}
	return nil
}

// checkAgent: the node's /proc read-only at root_path/proc; the optimizer's state on a node-local
// hostPath under NRDOT_DATA_DIR; sends to the gateways' headless Service on the port their OTLP
// receiver listens on.
func checkAgent(t *testing.T, r *rendered, ds *appsv1.DaemonSet, agent *workloadConfig, sts *appsv1.StatefulSet, gateway *workloadConfig) {
	t.Helper()
	what := "DaemonSet/" + ds.Name
	spec := &ds.Spec.Template.Spec
	c := collectorContainer(t, what, spec)
	root, _ := lookup(agent.cfg, "receivers", "host_metrics", "root_path")
	rootPath, _ := root.(string)
	if rootPath == "" || rootPath == "/" {
		t.Fatalf("%s: host_metrics root_path is not set: the scraper would read the container's /proc", what)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	procOK := false
	for _, m := range c.VolumeMounts {
		v := volumes[m.Name]
		if v.HostPath != nil && v.HostPath.Path == "/proc" {
			procOK = m.MountPath == path.Join(rootPath, "proc") && m.ReadOnly
		}
	}
	if !procOK {
		t.Errorf("%s: the node's /proc must be mounted read-only at %s", what, path.Join(rootPath, "proc"))
	}
	dataDir := agent.env["NRDOT_DATA_DIR"]
	st, _ := lookup(agent.cfg, "extensions", "file_storage", "directory")
	stDir, _ := st.(string)
	stateOK := false
	for _, m := range c.VolumeMounts {
		v := volumes[m.Name]
		if v.HostPath != nil && m.MountPath == dataDir && strings.HasPrefix(expandEnv(stDir, agent.env), dataDir+"/") && !m.ReadOnly {
			stateOK = true
		}
	}
	if !stateOK {
		t.Errorf("%s: file_storage (%s) must be on a writable hostPath volume at NRDOT_DATA_DIR (%q)", what, stDir, dataDir)
	}
	lbs := exportersOfType(agent.cfg, "load_balancing", "loadbalancing")
	if len(lbs) == 0 {
		t.Fatalf("%s: the agent config does not send to the gateways (no load_balancing exporter)", what)
	}
	ep, _ := lookup(gateway.cfg, "receivers", "otlp", "protocols", "grpc", "endpoint")
	_, gwPort, err := endpointPort(ep, gateway.env)
	if err != nil {
		t.Errorf("%s: the gateway's OTLP receiver: %v", what, err)
	}
	for _, lb := range lbs {
		hostV, _ := lookup(agent.cfg, "exporters", lb, "resolver", "dns", "hostname")
		hostname := expandEnv(fmt.Sprint(hostV), agent.env)
		portV, _ := lookup(agent.cfg, "exporters", lb, "resolver", "dns", "port")
		port := expandEnv(fmt.Sprint(portV), agent.env)
		svc, ok := r.services[strings.Split(hostname, ".")[0]]
		if !ok {
			t.Errorf("%s: exporter %s resolves %q, which is no Service in the output", what, lb, hostname)
			continue
		}
		if svc.Spec.ClusterIP != corev1.ClusterIPNone {
			t.Errorf("%s: Service %s must be headless for the DNS resolver to see every gateway", what, svc.Name)
		}
		if svc.Name != sts.Spec.ServiceName {
			t.Errorf("%s: %s sends to %s, the gateway StatefulSet is governed by %s", what, lb, svc.Name, sts.Spec.ServiceName)
		}
		if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(sts.Spec.Template.Labels)) || len(svc.Spec.Selector) == 0 {
			t.Errorf("%s: Service %s does not select the gateway pods", what, svc.Name)
		}
		if fmt.Sprint(gwPort) != port {
			t.Errorf("%s: %s sends to port %s, the gateway's OTLP receiver listens on %d", what, lb, port, gwPort)
		}
	}
	if got := containerPort(collectorContainer(t, "gateway", &sts.Spec.Template.Spec), fmt.Sprint(gwPort)); got != gwPort {
		t.Errorf("%s: the gateway container does not declare its OTLP port %d", what, gwPort)
	}
}

// checkGateway: the queue on a per-replica PersistentVolumeClaim under NRDOT_DATA_DIR; Services,
// HPA and PDB aimed at the gateway pods.
func checkGateway(t *testing.T, r *rendered, sts *appsv1.StatefulSet, gateway *workloadConfig) {
	t.Helper()
	what := "StatefulSet/" + sts.Name
	c := collectorContainer(t, what, &sts.Spec.Template.Spec)
	// What the gateway keeps: the exporter's queue (file_storage) or, for the file backend, the
	// file it writes (no queue, so no file_storage).
	dataDir := gateway.env["NRDOT_DATA_DIR"]
	var kept []string
	if st, ok := lookup(gateway.cfg, "extensions", "file_storage", "directory"); ok {
		kept = append(kept, "file_storage "+expandEnv(fmt.Sprint(st), gateway.env))
	}
	for _, id := range exportersOfType(gateway.cfg, "file") {
		p, _ := lookup(gateway.cfg, "exporters", id, "path")
		kept = append(kept, id+" "+expandEnv(fmt.Sprint(p), gateway.env))
	}
	onClaim := false
	for _, pvc := range sts.Spec.VolumeClaimTemplates {
		if m := mountOf(c, pvc.Name); m != nil && m.MountPath == dataDir && dataDir != "" {
			onClaim = true
		}
	}
	if len(kept) == 0 {
		t.Errorf("%s: the gateway config keeps nothing on disk (no file_storage, no file exporter)", what)
	}
	for _, k := range kept {
		if !onClaim || !strings.HasPrefix(strings.SplitN(k, " ", 2)[1], dataDir+"/") {
			t.Errorf("%s: %s must be on a volumeClaimTemplate mounted at NRDOT_DATA_DIR (%q)", what, k, dataDir)
		}
	}
	if sts.Spec.Template.Spec.SecurityContext == nil || sts.Spec.Template.Spec.SecurityContext.FSGroup == nil {
		t.Errorf("%s: no fsGroup: the non-root collector cannot write its queue volume", what)
	}
	podLabels := labels.Set(sts.Spec.Template.Labels)
	headless, normal := 0, 0
	for _, svc := range r.services {
		sel := labels.SelectorFromSet(svc.Spec.Selector)
		if len(svc.Spec.Selector) == 0 || !sel.Matches(podLabels) {
			continue
		}
		if svc.Spec.ClusterIP == corev1.ClusterIPNone {
			headless++
		} else {
			normal++
		}
		for _, p := range svc.Spec.Ports {
			if containerPort(c, p.TargetPort.String()) < 0 {
				t.Errorf("Service/%s: targetPort %s is not a port of the gateway container", svc.Name, p.TargetPort.String())
			}
		}
	}
	if headless != 1 || normal != 1 {
		t.Errorf("%s: want one headless and one normal Service on the gateways, got %d and %d", what, headless, normal)
	}
	if len(r.hpas) != 1 {
		t.Fatalf("%s: want one HPA, got %d", what, len(r.hpas))
	}
	hpa := r.hpas[0]
	if ref := hpa.Spec.ScaleTargetRef; ref.Kind != "StatefulSet" || ref.Name != sts.Name || ref.APIVersion != "apps/v1" {
		t.Errorf("HPA/%s scales %s/%s, not the gateway", hpa.Name, ref.Kind, ref.Name)
	}
	if sts.Spec.Replicas != nil {
		t.Errorf("%s: replicas %d set while HPA/%s owns the count (every apply would reset it)", what, *sts.Spec.Replicas, hpa.Name)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 1 || hpa.Spec.MaxReplicas < *hpa.Spec.MinReplicas {
		t.Errorf("HPA/%s: replicas %v..%d", hpa.Name, hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}
	if len(r.pdbs) != 1 {
		t.Fatalf("%s: want one PodDisruptionBudget, got %d", what, len(r.pdbs))
	}
	pdb := r.pdbs[0]
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil || !sel.Matches(podLabels) {
		t.Errorf("PodDisruptionBudget/%s does not select the gateway pods (%v)", pdb.Name, err)
	}
}

// TestConfigsAreFresh: the checked-in configs are what the CLI generates now.
func TestConfigsAreFresh(t *testing.T) {
	checkFresh(t, "scripts/deploy-configs.ts")
}

// checkFresh runs a generator script with --check: it fails when a file it writes is stale.
func checkFresh(t *testing.T, script string) {
	t.Helper()
	cmd := exec.Command("node", "--import", "tsx", script, "--check")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s --check: %v\n%s", script, err, out)
	}
}
