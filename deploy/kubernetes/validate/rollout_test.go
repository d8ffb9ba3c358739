package validate

// The staged rollout (deploy/kubernetes/rollout, written by scripts/canary.ts): every step
// rendered with the kustomize library and strictly decoded into the Kubernetes API types, the
// workloads' invariants, the node buckets of each step; and Flagger's objects
// (deploy/kubernetes/canary) strictly decoded into Flagger's own Go API types
// (github.com/fluxcd/flagger/pkg/apis/flagger/v1beta1), checked against the CRD shipped in that
// module, their queries rendered with Flagger's template functions.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"

	flaggerv1 "github.com/fluxcd/flagger/pkg/apis/flagger/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

const bucketLabel = "nrdot.io/rollout-bucket"

var rolloutSteps = []struct {
	name            string
	percent, shadow int
}{
	{"shadow", 0, 10}, {"canary-10", 10, 10}, {"canary-25", 25, 25}, {"canary-50", 50, 50}, {"canary-100", 100, 0},
}

// buckets is the node buckets a DaemonSet's required node affinity on bucketLabel admits, of the
// 20 ("00".."19"); a DaemonSet without affinity runs on all of them.
func buckets(t *testing.T, ds *appsv1.DaemonSet) []string {
	t.Helper()
	all := make([]string, 20)
	for i := range all {
		all[i] = fmt.Sprintf("%02d", i)
	}
	a := ds.Spec.Template.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return all
	}
	terms := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	if len(terms) != 1 || len(terms[0].MatchExpressions) != 1 || terms[0].MatchExpressions[0].Key != bucketLabel {
		t.Fatalf("DaemonSet/%s: want one node selector term on %s, got %+v", ds.Name, bucketLabel, terms)
	}
	e := terms[0].MatchExpressions[0]
	var out []string
	for _, b := range all {
		in := slices.Contains(e.Values, b)
		if (e.Operator == corev1.NodeSelectorOpIn && in) || (e.Operator == corev1.NodeSelectorOpNotIn && !in) {
			out = append(out, b)
		}
	}
	if e.Operator != corev1.NodeSelectorOpIn && e.Operator != corev1.NodeSelectorOpNotIn {
		t.Fatalf("DaemonSet/%s: operator %s", ds.Name, e.Operator)
	}
	return out
}

func hostPathOf(spec *corev1.PodSpec, volume string) string {
	for _, v := range spec.Volumes {
		if v.Name == volume && v.HostPath != nil {
			return v.HostPath.Path
		}
	}
	return ""
}

// TestRolloutSteps renders every step and checks what each runs where.
func TestRolloutSteps(t *testing.T) {
	dir := filepath.Join(kubeDir, "rollout")
	for _, step := range rolloutSteps {
		t.Run(step.name, func(t *testing.T) {
			r := render(t, filepath.Join(dir, step.name))
			if len(r.statefuls) != 1 {
				t.Fatalf("%s: want the gateway StatefulSet, got %d", r.name, len(r.statefuls))
			}
			sts := r.statefuls[0]
			gateway := checkWorkload(t, r, "StatefulSet/"+sts.Name, &sts.Spec.Template)
			checkGateway(t, r, sts, gateway)
			ds := map[string]*appsv1.DaemonSet{}
			for _, d := range r.daemonSets {
				ds[d.Name] = d
			}
			stable, canary, shadow := ds["nrdot-agent"], ds["nrdot-agent-canary"], ds["nrdot-agent-shadow"]
			if stable == nil {
				t.Fatalf("%s: no nrdot-agent DaemonSet", r.name)
			}
			// Every exporting agent: the base's invariants and its config passes the collector's validate.
			var stableCfg *workloadConfig
			for _, d := range []*appsv1.DaemonSet{stable, canary} {
				if d != nil {
					wc := checkWorkload(t, r, "DaemonSet/"+d.Name, &d.Spec.Template)
					checkAgent(t, r, d, wc, sts, gateway)
					if d == stable {
						stableCfg = wc
					}
				}
			}
			if shadow != nil {
				checkShadow(t, r, shadow)
			}
			if canary != nil {
				checkCanaryArms(t, canary, stable)
			}

			// Where each runs: the canary's buckets are the step's percentage, the stable agent
			// runs on every other node (and on nodes without the label), the shadow on the
			// step's pool; no node runs two exporting agents.
			want := step.percent * 20 / 100
			switch {
			case step.percent == 100:
				if canary != nil || shadow != nil || len(r.daemonSets) != 1 {
					t.Errorf("%s: want the base's agent alone, got %d DaemonSets", r.name, len(r.daemonSets))
				}
				if len(buckets(t, stable)) != 20 {
					t.Errorf("%s: the agent is pinned to buckets %v", r.name, buckets(t, stable))
				}
				// The treatment's config, the same as the canary component's.
				if want, err := os.ReadFile(filepath.Join(dir, "components", "canary", "config", "agent.yaml")); err != nil || stableCfg.text != string(want) {
					t.Errorf("%s: the agent does not run the canary's config (%v)", r.name, err)
				}
			case step.percent == 0:
				if canary != nil {
					t.Errorf("%s: a canary DaemonSet in the shadow step", r.name)
				}
				if a := stable.Spec.Template.Spec.Affinity; a != nil {
					t.Errorf("%s: the shadow step pins the stable agent", r.name)
				}
			default:
				if canary == nil {
					t.Fatalf("%s: no nrdot-agent-canary DaemonSet", r.name)
				}
				cb, sb := buckets(t, canary), buckets(t, stable)
				if len(cb) != want {
					t.Errorf("%s: the canary runs on %d of 20 buckets, want %d", r.name, len(cb), want)
				}
				for _, b := range cb {
					if slices.Contains(sb, b) {
						t.Errorf("%s: bucket %s runs the stable and the canary agent", r.name, b)
					}
				}
				if len(cb)+len(sb) != 20 {
					t.Errorf("%s: buckets %v and %v do not cover the 20", r.name, cb, sb)
				}
				if !strings.Contains(string(stable.Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Operator), "NotIn") {
					t.Errorf("%s: the stable agent must use NotIn (unlabelled nodes keep it)", r.name)
				}
			}
			if step.shadow > 0 {
				if shadow == nil {
					t.Fatalf("%s: no shadow DaemonSet", r.name)
				}
				sb := buckets(t, shadow)
				if len(sb) != step.shadow*20/100 {
					t.Errorf("%s: the shadow runs on %d buckets, want %d", r.name, len(sb), step.shadow*20/100)
				}
				if canary != nil && !slices.Equal(sb, buckets(t, canary)) {
					t.Errorf("%s: the shadow (%v) is not on the canary nodes (%v)", r.name, sb, buckets(t, canary))
				}
			}
			// Node-local folders apart: no two DaemonSets share a state folder.
			seen := map[string]string{}
			for _, d := range r.daemonSets {
				p := hostPathOf(&d.Spec.Template.Spec, "state")
				if other, ok := seen[p]; ok {
					t.Errorf("%s: DaemonSets %s and %s share the state folder %s", r.name, d.Name, other, p)
				}
				seen[p] = d.Name
			}
		})
	}
}

// checkShadow: the shadow agent exports nothing: file exporters only, the reference and both
// arms, on its node-local folder, which the streams container reads.
func checkShadow(t *testing.T, r *rendered, d *appsv1.DaemonSet) {
	t.Helper()
	what := "DaemonSet/" + d.Name
	wc := checkWorkload(t, r, what, &d.Spec.Template)
	exps, _ := lookup(wc.cfg, "exporters")
	m, _ := exps.(map[string]any)
	files := exportersOfType(wc.cfg, "file")
	if len(files) != len(m) || !slices.Equal(files, []string{"file/control", "file/reference", "file/treatment"}) {
		t.Errorf("%s: exporters %v: want file/reference, file/control, file/treatment and nothing else", what, files)
	}
	dataDir := wc.env["NRDOT_DATA_DIR"]
	c := collectorContainer(t, what, &d.Spec.Template.Spec)
	if m := mountOf(c, "state"); m == nil || m.MountPath != dataDir || hostPathOf(&d.Spec.Template.Spec, "state") == "" {
		t.Errorf("%s: the streams must be on a hostPath volume at NRDOT_DATA_DIR (%q)", what, dataDir)
	}
	for _, id := range files {
		p, _ := lookup(wc.cfg, "exporters", id, "path")
		if !strings.HasPrefix(expandEnv(fmt.Sprint(p), wc.env), dataDir+"/") {
			t.Errorf("%s: %s writes %v, not under NRDOT_DATA_DIR", what, id, p)
		}
		if _, ok := lookup(wc.cfg, "exporters", id, "rotation", "max_megabytes"); !ok {
			t.Errorf("%s: %s is not rotated: it would fill the node's disk", what, id)
		}
	}
	streams := namedContainer(t, what+" (the gate copies the streams through its streams container)", &d.Spec.Template.Spec, "streams")
	checkSecurity(t, what+" container streams", d.Spec.Template.Spec.SecurityContext, streams.SecurityContext, false)
	if m := mountOf(streams, "state"); m == nil || m.MountPath != dataDir || !m.ReadOnly {
		t.Errorf("%s: the streams container must mount the state read-only at %s", what, dataDir)
	}
}

// checkCanaryArms: what Flagger needs of a DaemonSet target, and a state folder per arm: Flagger
// runs a copy (<name>-primary, the selector label's value suffixed) on the same nodes during an
// analysis, and two collectors cannot share one file_storage.
func checkCanaryArms(t *testing.T, d, stable *appsv1.DaemonSet) {
	t.Helper()
	what := "DaemonSet/" + d.Name
	if d.Spec.UpdateStrategy.Type != "" && d.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType {
		t.Errorf("%s: Flagger requires RollingUpdate, got %s", what, d.Spec.UpdateStrategy.Type)
	}
	if d.Spec.Selector == nil || d.Spec.Selector.MatchLabels["app.kubernetes.io/name"] != d.Name || len(d.Spec.Selector.MatchLabels) != 1 {
		t.Errorf("%s: Flagger's selector label app.kubernetes.io/name must be the selector, = the name", what)
	}
	if hostPathOf(&d.Spec.Template.Spec, "state") == hostPathOf(&stable.Spec.Template.Spec, "state") {
		t.Errorf("%s: shares the stable agent's state folder", what)
	}
	for _, c := range append(slices.Clone(d.Spec.Template.Spec.InitContainers), d.Spec.Template.Spec.Containers...) {
		m := mountOf(&c, "state")
		if m == nil {
			continue
		}
		arm := envVar(&c, "NRDOT_ARM")
		if m.SubPathExpr != "$(NRDOT_ARM)" || arm == nil || arm.ValueFrom == nil || arm.ValueFrom.FieldRef == nil ||
			arm.ValueFrom.FieldRef.FieldPath != "metadata.labels['app.kubernetes.io/name']" {
			t.Errorf("%s container %s: the state mount must be subPathExpr $(NRDOT_ARM), NRDOT_ARM the pod's app.kubernetes.io/name", what, c.Name)
		}
	}
}

// flaggerObjects renders deploy/kubernetes/canary and decodes each object strictly into Flagger's
// API types.
func flaggerObjects(t *testing.T) (*flaggerv1.Canary, map[string]*flaggerv1.MetricTemplate, map[string][]byte) {
	t.Helper()
	dir := filepath.Join(kubeDir, "canary")
	var canary *flaggerv1.Canary
	templates := map[string]*flaggerv1.MetricTemplate{}
	raw := map[string][]byte{}
	for _, res := range kustomizeBuild(t, dir).Resources() {
		y, err := res.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		raw[res.GetKind()+"/"+res.GetName()] = y
		obj, err := decodeFlagger(y)
		if err != nil {
			t.Errorf("%s: %s/%s: %v", rel(dir), res.GetKind(), res.GetName(), err)
		}
		switch o := obj.(type) {
		case *flaggerv1.Canary:
			canary = o
		case *flaggerv1.MetricTemplate:
			templates[o.Name] = o
		}
	}
	if canary == nil || len(templates) == 0 {
		t.Fatalf("%s: want a Canary and MetricTemplates", rel(dir))
	}
	return canary, templates, raw
}

// decodeFlagger decodes a Canary or a MetricTemplate of Flagger's API version strictly into its
// Go type; anything else is an error.
func decodeFlagger(doc []byte) (runtime.Object, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return nil, err
	}
	if tm.APIVersion != flaggerv1.SchemeGroupVersion.String() {
		return nil, fmt.Errorf("apiVersion %s, Flagger's is %s", tm.APIVersion, flaggerv1.SchemeGroupVersion)
	}
	var obj runtime.Object
	switch tm.Kind {
	case "Canary":
		obj = &flaggerv1.Canary{}
	case "MetricTemplate":
		obj = &flaggerv1.MetricTemplate{}
	default:
		return nil, fmt.Errorf("unexpected kind %s", tm.Kind)
	}
	return obj, yaml.UnmarshalStrict(doc, obj)
}

// flaggerCRDs is the openAPIV3Schema of each kind in the CRD file of the Flagger module in use.
func flaggerCRDs(t *testing.T) map[string]any {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/fluxcd/flagger").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/fluxcd/flagger: %v", err)
	}
	return crdSchemas(t, filepath.Join(strings.TrimSpace(string(out)), "artifacts", "flagger", "crd.yaml"), flaggerv1.SchemeGroupVersion.Version)
}

// TestFlaggerObjects: Flagger's Canary and MetricTemplates decode strictly into Flagger's types,
// pass its CRD's schema with nothing pruned, aim at the canary step's DaemonSet, carry the spec's
// thresholds, and their queries render with Flagger's template functions into series the
// collector exports (the names in deploy/monitoring/nrdot.rules.yml, checked against a running
// collector by test/monitoring).
func TestFlaggerObjects(t *testing.T) {
	canary, templates, raw := flaggerObjects(t)
	schemas := flaggerCRDs(t)
	for what, y := range raw {
		checkCRD(t, what+" against Flagger's CRD", schemas[strings.SplitN(what, "/", 2)[0]], mustJSON(t, y))
	}

	spec := canary.Spec
	if spec.TargetRef.Kind != "DaemonSet" || spec.TargetRef.APIVersion != "apps/v1" {
		t.Errorf("Canary/%s targets %s %s: want an apps/v1 DaemonSet", canary.Name, spec.TargetRef.APIVersion, spec.TargetRef.Kind)
	}
	if spec.Provider != "kubernetes" {
		t.Errorf("Canary/%s: provider %q: a DaemonSet takes no traffic, only provider kubernetes (blue/green) fits", canary.Name, spec.Provider)
	}
	a := spec.Analysis
	if a == nil || a.Iterations < 1 || a.Threshold < 1 || a.StepWeight != 0 || a.MaxWeight != 0 || len(a.StepWeights) != 0 {
		t.Fatalf("Canary/%s: want a blue/green analysis (iterations and threshold, no weights), got %+v", canary.Name, a)
	}
	// The target is in each canary step, and the Service's port is its metrics port.
	for _, step := range []string{"canary-10", "canary-25", "canary-50"} {
		r := render(t, filepath.Join(kubeDir, "rollout", step))
		found := false
		for _, d := range r.daemonSets {
			if d.Name == spec.TargetRef.Name {
				found = true
				if got := containerPort(collectorContainer(t, d.Name, &d.Spec.Template.Spec), spec.Service.TargetPort.String()); got != spec.Service.Port {
					t.Errorf("Canary/%s: service port %d, target port %s is %d on %s", canary.Name, spec.Service.Port, spec.Service.TargetPort.String(), got, d.Name)
				}
			}
		}
		if !found {
			t.Errorf("Canary/%s: %s has no DaemonSet %s", canary.Name, step, spec.TargetRef.Name)
		}
	}

	// Thresholds from the spec.
	var exp struct {
		Criteria struct {
			MinCostReduction *float64 `json:"min_cost_reduction"`
		} `json:"criteria"`
		Canary struct {
			MaxSendFailureRatio *float64 `json:"max_send_failure_ratio"`
			MaxP99LatencyMs     *float64 `json:"max_p99_latency_ms"`
		} `json:"canary"`
	}
	specData, err := os.ReadFile(filepath.Join(repoRoot, "experiments", "aggressive-vs-balanced.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(specData, &exp); err != nil {
		t.Fatal(err)
	}
	failures, latency := 0.001, 100.0 // the spec's defaults (src/experiment/spec.ts)
	if exp.Canary.MaxSendFailureRatio != nil {
		failures = *exp.Canary.MaxSendFailureRatio
	}
	if exp.Canary.MaxP99LatencyMs != nil {
		latency = *exp.Canary.MaxP99LatencyMs
	}
	want := map[string][2]*float64{
		"nrdot-send-failure-ratio": {nil, &failures},
		"nrdot-p99-latency":        {nil, &latency},
	}
	if exp.Criteria.MinCostReduction != nil {
		want["nrdot-optimization-ratio"] = [2]*float64{exp.Criteria.MinCostReduction, nil}
	}
	eq := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	rules, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "monitoring", "nrdot.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	seriesName := regexp.MustCompile(`\b(otelcol_[a-z_]+)\{`)
	got := 0
	for _, m := range a.Metrics {
		if m.TemplateRef == nil {
			t.Errorf("Canary/%s metric %s: no templateRef", canary.Name, m.Name)
			continue
		}
		mt, ok := templates[m.TemplateRef.Name]
		if !ok || (m.TemplateRef.Namespace != "" && m.TemplateRef.Namespace != mt.Namespace) {
			t.Errorf("Canary/%s metric %s: MetricTemplate %s/%s is not in the output", canary.Name, m.Name, m.TemplateRef.Namespace, m.TemplateRef.Name)
			continue
		}
		w, ok := want[mt.Name]
		if !ok || m.ThresholdRange == nil || !eq(m.ThresholdRange.Min, w[0]) || !eq(m.ThresholdRange.Max, w[1]) {
			t.Errorf("Canary/%s metric %s: threshold %+v, the spec says %v", canary.Name, m.Name, m.ThresholdRange, w)
		}
		got++
		if mt.Spec.Provider.Type != "prometheus" || mt.Spec.Provider.Address == "" {
			t.Errorf("MetricTemplate/%s: provider %+v: want prometheus with an address", mt.Name, mt.Spec.Provider)
		}
		// Rendered as Flagger renders it (pkg/controller/scheduler_metrics.go).
		model := flaggerv1.MetricTemplateModel{Name: canary.Name, Namespace: canary.Namespace, Target: spec.TargetRef.Name, Service: spec.TargetRef.Name, Interval: m.Interval}
		tmpl, err := template.New("query").Funcs(model.TemplateFunctions()).Parse(mt.Spec.Query)
		if err != nil {
			t.Errorf("MetricTemplate/%s: %v", mt.Name, err)
			continue
		}
		var q bytes.Buffer
		if err := tmpl.Execute(&q, nil); err != nil {
			t.Errorf("MetricTemplate/%s: %v", mt.Name, err)
			continue
		}
		if strings.Contains(q.String(), "{{") || !strings.Contains(q.String(), `pod=~"nrdot-agent-canary-[a-z0-9]{5}"`) || !strings.Contains(q.String(), `namespace="nrdot"`) {
			t.Errorf("MetricTemplate/%s: rendered query does not select the canary's pods:\n%s", mt.Name, q.String())
		}
		if strings.Count(q.String(), "(") != strings.Count(q.String(), ")") {
			t.Errorf("MetricTemplate/%s: unbalanced parentheses:\n%s", mt.Name, q.String())
		}
		for _, s := range seriesName.FindAllStringSubmatch(q.String(), -1) {
			name := strings.TrimSuffix(s[1], "_bucket")
			if !bytes.Contains(rules, []byte(name)) {
				t.Errorf("MetricTemplate/%s: series %s is not one the rules (and test/monitoring) know", mt.Name, s[1])
			}
		}
	}
	if got != len(want) {
		t.Errorf("Canary/%s: %d metrics, want %d (%v)", canary.Name, got, len(want), want)
	}
}

// TestRolloutFilesAreFresh: the checked-in rollout and canary files are what scripts/canary.ts
// writes now (from the spec and from base/agent/daemonset.yaml).
func TestRolloutFilesAreFresh(t *testing.T) {
	checkFresh(t, "scripts/canary.ts")
}

// TestFlaggerQueriesParse: where promtool is installed, each MetricTemplate's query, rendered as
// Flagger renders it, is valid PromQL (checked as a recording rule's expression).
func TestFlaggerQueriesParse(t *testing.T) {
	if _, err := exec.LookPath("promtool"); err != nil {
		t.Skip("promtool not installed")
	}
	canary, templates, _ := flaggerObjects(t)
	type rule struct {
		Record string `json:"record"`
		Expr   string `json:"expr"`
	}
	var rules []rule
	for _, mt := range templates {
		model := flaggerv1.MetricTemplateModel{Name: canary.Name, Namespace: canary.Namespace, Target: canary.Spec.TargetRef.Name, Interval: "1m"}
		tmpl, err := template.New("query").Funcs(model.TemplateFunctions()).Parse(mt.Spec.Query)
		if err != nil {
			t.Fatalf("MetricTemplate/%s: %v", mt.Name, err)
		}
		var q bytes.Buffer
		if err := tmpl.Execute(&q, nil); err != nil {
			t.Fatalf("MetricTemplate/%s: %v", mt.Name, err)
		}
		rules = append(rules, rule{Record: "flagger:" + strings.ReplaceAll(mt.Name, "-", "_"), Expr: q.String()})
	}
	data, err := yaml.Marshal(map[string]any{"groups": []any{map[string]any{"name": "flagger", "rules": rules}}})
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "queries.yml")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("promtool", "check", "rules", f).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules: %v\n%s", err, out)
	}
}

// TestKubectlKustomizeAgreesOnRollout: where kubectl is installed, its kustomize renders each
// step and the Flagger folder into as many objects as the library, each decoding strictly.
func TestKubectlKustomizeAgreesOnRollout(t *testing.T) {
	for _, step := range rolloutSteps {
		dir := filepath.Join(kubeDir, "rollout", step.name)
		kubectlKustomizeAgrees(t, dir, func() int { return len(render(t, dir).objs) }, decodeStrict)
	}
	kubectlKustomizeAgrees(t, filepath.Join(kubeDir, "canary"), func() int { _, _, raw := flaggerObjects(t); return len(raw) }, decodeFlagger)
}
