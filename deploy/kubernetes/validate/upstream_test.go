package validate

// The upstream alternatives: values for the OpenTelemetry Collector Helm chart and
// OpenTelemetryCollector resources for the OpenTelemetry Operator. Neither the chart nor the
// operator's Go module can be had offline, so each file is decoded strictly into a mirror of the
// part of its schema it uses, whose Kubernetes parts are the real API types; the embedded
// collector config passes the collector's validate. With NRDOT_HELM_CHART (a folder holding the
// chart's values.yaml and values.schema.json) or NRDOT_OTEL_OPERATOR_CRD (the operator's
// opentelemetry.io_opentelemetrycollectors.yaml) set, the files are also checked against the
// upstream schema itself.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// helmValues mirrors the opentelemetry-collector chart's values that the NRDOT files set
// (chart 0.170.0; names and shapes as in its values.yaml and values.schema.json).
type helmValues struct {
	Mode             string `json:"mode"`
	FullnameOverride string `json:"fullnameOverride"`
	ReplicaCount     *int32 `json:"replicaCount,omitempty"`
	Image            struct {
		Repository string            `json:"repository"`
		Tag        string            `json:"tag"`
		PullPolicy corev1.PullPolicy `json:"pullPolicy"`
	} `json:"image"`
	Command struct {
		Name      string   `json:"name"`
		ExtraArgs []string `json:"extraArgs,omitempty"`
	} `json:"command"`
	ConfigMap struct {
		Create bool `json:"create"`
	} `json:"configMap"`
	ServiceAccount struct {
		Create                       bool  `json:"create"`
		AutomountServiceAccountToken *bool `json:"automountServiceAccountToken"`
	} `json:"serviceAccount"`
	ClusterRole struct {
		Create bool `json:"create"`
	} `json:"clusterRole"`
	HostPID                       bool                        `json:"hostPID,omitempty"`
	PodSecurityContext            corev1.PodSecurityContext   `json:"podSecurityContext"`
	SecurityContext               corev1.SecurityContext      `json:"securityContext"`
	Tolerations                   []corev1.Toleration         `json:"tolerations,omitempty"`
	UseGOMEMLIMIT                 bool                        `json:"useGOMEMLIMIT"`
	Resources                     corev1.ResourceRequirements `json:"resources"`
	TerminationGracePeriodSeconds *int64                      `json:"terminationGracePeriodSeconds,omitempty"`
	ExtraEnvs                     []corev1.EnvVar             `json:"extraEnvs,omitempty"`
	InitContainers                []corev1.Container          `json:"initContainers,omitempty"`
	ExtraVolumes                  []corev1.Volume             `json:"extraVolumes,omitempty"`
	ExtraVolumeMounts             []corev1.VolumeMount        `json:"extraVolumeMounts,omitempty"`
	Statefulset                   *struct {
		VolumeClaimTemplates                 []corev1.PersistentVolumeClaim `json:"volumeClaimTemplates"`
		PodManagementPolicy                  appsv1.PodManagementPolicyType `json:"podManagementPolicy"`
		PersistentVolumeClaimRetentionPolicy struct {
			Enabled     bool                                            `json:"enabled"`
			WhenDeleted appsv1.PersistentVolumeClaimRetentionPolicyType `json:"whenDeleted"`
			WhenScaled  appsv1.PersistentVolumeClaimRetentionPolicyType `json:"whenScaled"`
		} `json:"persistentVolumeClaimRetentionPolicy"`
	} `json:"statefulset,omitempty"`
	Service *struct {
		ClusterIP string `json:"clusterIP,omitempty"`
	} `json:"service,omitempty"`
	Ports map[string]struct {
		Enabled bool `json:"enabled"`
	} `json:"ports"`
	Autoscaling *struct {
		Enabled                           bool   `json:"enabled"`
		MinReplicas                       int32  `json:"minReplicas"`
		MaxReplicas                       int32  `json:"maxReplicas"`
		TargetCPUUtilizationPercentage    *int32 `json:"targetCPUUtilizationPercentage,omitempty"`
		TargetMemoryUtilizationPercentage *int32 `json:"targetMemoryUtilizationPercentage,omitempty"`
	} `json:"autoscaling,omitempty"`
	PodDisruptionBudget *struct {
		Enabled        bool                `json:"enabled"`
		MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
	} `json:"podDisruptionBudget,omitempty"`
	LivenessProbe   corev1.Probe   `json:"livenessProbe"`
	ReadinessProbe  corev1.Probe   `json:"readinessProbe"`
	AlternateConfig map[string]any `json:"alternateConfig"`
}

// eachUpstreamFile runs check, in a subtest, on each of the agent's and the gateway's files a
// pattern under deploy/kubernetes matches, decoded strictly into T.
func eachUpstreamFile[T any](t *testing.T, pattern string, check func(t *testing.T, what string, data []byte, v *T)) {
	files, _ := filepath.Glob(filepath.Join(kubeDir, pattern))
	if len(files) != 2 {
		t.Fatalf("want the agent's and the gateway's deploy/kubernetes/%s, got %v", pattern, files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var v T
			if err := yaml.UnmarshalStrict(data, &v); err != nil {
				t.Fatalf("%s: %v", rel(f), err)
			}
			check(t, rel(f), data, &v)
		})
	}
}

// upstreamConfig: an embedded collector config, with the overrides and environment it runs with,
// passes the collector's validate; it returns the effective config.
func upstreamConfig(t *testing.T, what string, config map[string]any, overrides []string, envs []corev1.EnvVar) map[string]any {
	t.Helper()
	text, err := yaml.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	return collectorValidate(t, what, string(text), overrides, envs)
}

func TestHelmValues(t *testing.T) {
	eachUpstreamFile(t, "helm/*-values.yaml", func(t *testing.T, what string, data []byte, v *helmValues) {
		if v.Command.Name != "nrdot-collector" || v.Image.Repository != "nrdot-collector" || v.Image.Tag == "" {
			t.Errorf("%s: must run /nrdot-collector from the nrdot-collector image", what)
		}
		if !v.ConfigMap.Create || v.AlternateConfig == nil || v.ClusterRole.Create || !v.UseGOMEMLIMIT {
			t.Errorf("%s: want the chart's ConfigMap from alternateConfig, no ClusterRole, useGOMEMLIMIT", what)
		}
		if v.ServiceAccount.AutomountServiceAccountToken == nil || *v.ServiceAccount.AutomountServiceAccountToken {
			t.Errorf("%s: mounts a ServiceAccount token it never uses", what)
		}
		// The chart writes each one as `- {{ . }}`, unquoted: it must come out as the same string.
		for _, a := range v.Command.ExtraArgs {
			var got []any
			if err := yaml.Unmarshal([]byte("- "+a), &got); err != nil || len(got) != 1 || got[0] != a {
				t.Errorf("%s: extraArgs %q does not survive the chart's unquoted rendering (got %v, %v)", what, a, got, err)
			}
		}
		files, overrides, err := configArgs(v.Command.ExtraArgs)
		if err != nil || len(files) > 0 {
			t.Fatalf("%s: extraArgs %q: want yaml: overrides only (%v)", what, v.Command.ExtraArgs, err)
		}
		cfg := upstreamConfig(t, what, v.AlternateConfig, overrides, v.ExtraEnvs)
		checkUpstreamPod(t, what, cfg, containerEnv(v.ExtraEnvs), &v.PodSecurityContext, &v.SecurityContext, v.InitContainers, v.Resources, []*corev1.Probe{&v.LivenessProbe, &v.ReadinessProbe})
		for _, m := range v.ExtraVolumeMounts {
			if !slices.ContainsFunc(v.ExtraVolumes, func(vol corev1.Volume) bool { return vol.Name == m.Name }) &&
				(v.Statefulset == nil || !slices.ContainsFunc(v.Statefulset.VolumeClaimTemplates, func(p corev1.PersistentVolumeClaim) bool { return p.Name == m.Name })) {
				t.Errorf("%s: volume mount %s has no volume", what, m.Name)
			}
		}
		switch v.Mode {
		case "daemonset":
			if _, ok := lookup(cfg, "receivers", "host_metrics", "root_path"); !ok {
				t.Errorf("%s: agent without host_metrics root_path", what)
			}
		case "statefulset":
			if v.Statefulset == nil || len(v.Statefulset.VolumeClaimTemplates) == 0 || v.Autoscaling == nil || !v.Autoscaling.Enabled ||
				v.PodDisruptionBudget == nil || !v.PodDisruptionBudget.Enabled || v.Service == nil || v.Service.ClusterIP != "None" {
				t.Errorf("%s: the gateway needs queue volumes, autoscaling, a PodDisruptionBudget and a headless Service", what)
			}
		default:
			t.Errorf("%s: mode %q", what, v.Mode)
		}
		// As helm does: the chart's values.yaml, these values merged over it, against the
		// chart's values.schema.json.
		checkAgainstSchema(t, what, "NRDOT_HELM_CHART", func(chart string) {
			validateSchema(t, what+" against "+chart, loadJSON(t, filepath.Join(chart, "values.schema.json")), coalesce(t, filepath.Join(chart, "values.yaml"), data))
		})
	})
}

// otelCollector mirrors the parts of the operator's OpenTelemetryCollector (v1beta1) the NRDOT
// resources set.
type otelCollector struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        metav1.ObjectMeta `json:"metadata"`
	Spec            struct {
		Mode                                 string                                                  `json:"mode"`
		Image                                string                                                  `json:"image"`
		UpgradeStrategy                      string                                                  `json:"upgradeStrategy"`
		Replicas                             *int32                                                  `json:"replicas,omitempty"`
		HostPID                              bool                                                    `json:"hostPID,omitempty"`
		PodManagementPolicy                  appsv1.PodManagementPolicyType                          `json:"podManagementPolicy,omitempty"`
		PersistentVolumeClaimRetentionPolicy *appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy `json:"persistentVolumeClaimRetentionPolicy,omitempty"`
		Autoscaler                           *struct {
			MinReplicas             *int32 `json:"minReplicas,omitempty"`
			MaxReplicas             *int32 `json:"maxReplicas,omitempty"`
			TargetCPUUtilization    *int32 `json:"targetCPUUtilization,omitempty"`
			TargetMemoryUtilization *int32 `json:"targetMemoryUtilization,omitempty"`
		} `json:"autoscaler,omitempty"`
		PodDisruptionBudget *struct {
			MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
		} `json:"podDisruptionBudget,omitempty"`
		PodSecurityContext            corev1.PodSecurityContext      `json:"podSecurityContext"`
		SecurityContext               corev1.SecurityContext         `json:"securityContext"`
		TerminationGracePeriodSeconds *int64                         `json:"terminationGracePeriodSeconds,omitempty"`
		Tolerations                   []corev1.Toleration            `json:"tolerations,omitempty"`
		Resources                     corev1.ResourceRequirements    `json:"resources"`
		Env                           []corev1.EnvVar                `json:"env,omitempty"`
		InitContainers                []corev1.Container             `json:"initContainers,omitempty"`
		Volumes                       []corev1.Volume                `json:"volumes,omitempty"`
		VolumeMounts                  []corev1.VolumeMount           `json:"volumeMounts,omitempty"`
		VolumeClaimTemplates          []corev1.PersistentVolumeClaim `json:"volumeClaimTemplates,omitempty"`
		Config                        map[string]any                 `json:"config"`
	} `json:"spec"`
}

func TestOperatorResources(t *testing.T) {
	eachUpstreamFile(t, "operator/*.yaml", func(t *testing.T, what string, data []byte, o *otelCollector) {
		s := &o.Spec
		if o.APIVersion != "opentelemetry.io/v1beta1" || o.Kind != "OpenTelemetryCollector" {
			t.Errorf("%s: %s %s", what, o.APIVersion, o.Kind)
		}
		if !strings.HasPrefix(s.Image, "nrdot-collector:") || s.UpgradeStrategy != "none" {
			t.Errorf("%s: must run the nrdot-collector image with upgradeStrategy none", what)
		}
		// The operator's own container is named otc-container.
		for _, e := range s.Env {
			if e.ValueFrom != nil && e.ValueFrom.ResourceFieldRef != nil && e.ValueFrom.ResourceFieldRef.ContainerName != "otc-container" {
				t.Errorf("%s: %s refers to container %q; the operator's is otc-container", what, e.Name, e.ValueFrom.ResourceFieldRef.ContainerName)
			}
		}
		cfg := upstreamConfig(t, what, s.Config, nil, s.Env)
		checkUpstreamPod(t, what, cfg, containerEnv(s.Env), &s.PodSecurityContext, &s.SecurityContext, s.InitContainers, s.Resources, nil)
		switch s.Mode {
		case "daemonset":
			root, _ := lookup(cfg, "receivers", "host_metrics", "root_path")
			rootPath, _ := root.(string)
			if rootPath == "" || !slices.ContainsFunc(s.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == rootPath+"/proc" && m.ReadOnly }) {
				t.Errorf("%s: the node's /proc is not mounted read-only at root_path/proc", what)
			}
		case "statefulset":
			if len(s.VolumeClaimTemplates) == 0 || s.Autoscaler == nil || s.PodDisruptionBudget == nil {
				t.Errorf("%s: the gateway needs queue volumes, an autoscaler and a PodDisruptionBudget", what)
			}
		default:
			t.Errorf("%s: mode %q", what, s.Mode)
		}
		checkAgainstSchema(t, what, "NRDOT_OTEL_OPERATOR_CRD", func(crd string) {
			checkCRD(t, what+" against "+crd, crdSchemas(t, crd, "v1beta1")[o.Kind], mustJSON(t, data))
		})
	})
}

// checkUpstreamPod: the pod-level invariants the chart's and the operator's files share with
// the kustomize manifests.
func checkUpstreamPod(t *testing.T, what string, cfg map[string]any, env map[string]string, pod *corev1.PodSecurityContext, c *corev1.SecurityContext,
	inits []corev1.Container, res corev1.ResourceRequirements, probes []*corev1.Probe) {
	t.Helper()
	hc, _ := lookup(cfg, "extensions", "health_check", "endpoint")
	host, port, err := endpointPort(hc, env)
	if err != nil || host != "0.0.0.0" || port != 13133 {
		t.Errorf("%s: health_check on %v (%v): probes need 0.0.0.0:13133", what, hc, err)
	}
	for _, p := range probes {
		if p.HTTPGet == nil || p.HTTPGet.Port.IntValue() != int(port) {
			t.Errorf("%s: probe not on the health port %d", what, port)
		}
	}
	// The chart's metrics port and the operator's default are 8888.
	if h, p, ok := promReader(cfg, env); ok {
		if h != "0.0.0.0" || p != "8888" {
			t.Errorf("%s: telemetry metrics on %v:%v: want 0.0.0.0:8888", what, h, p)
		}
	} else {
		t.Errorf("%s: no telemetry metrics reader", what)
	}
	checkPodSecurity(t, what, pod, c, inits)
	if _, ok := res.Limits[corev1.ResourceMemory]; !ok || res.Requests == nil {
		t.Errorf("%s: requests and a memory limit are required", what)
	}
}

// coalesce merges values over the chart's values.yaml, maps key by key, as helm does.
func coalesce(t *testing.T, chartValues string, values []byte) any {
	t.Helper()
	base, err := os.ReadFile(chartValues)
	if err != nil {
		t.Fatal(err)
	}
	var b, v map[string]any
	if err := yaml.Unmarshal(base, &b); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(values, &v); err != nil {
		t.Fatal(err)
	}
	mergeMaps(b, v)
	j, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustJSON(t *testing.T, yamlData []byte) any {
	t.Helper()
	j, err := yaml.YAMLToJSON(yamlData)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func loadJSON(t *testing.T, path string) any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// crdSchemas is the openAPIV3Schema of one version of each kind in a CustomResourceDefinition
// file (one CRD or several), as JSON schemas by kind.
func crdSchemas(t *testing.T, path, version string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := splitDocs(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	schemas := map[string]any{}
	for _, d := range docs {
		var crd struct {
			Spec struct {
				Names    struct{ Kind string } `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Schema struct {
						OpenAPIV3Schema json.RawMessage `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(d, &crd); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, v := range crd.Spec.Versions {
			if v.Name == version {
				s, err := jsonschema.UnmarshalJSON(bytes.NewReader(v.Schema.OpenAPIV3Schema))
				if err != nil {
					t.Fatalf("%s: %s: %v", path, crd.Spec.Names.Kind, err)
				}
				schemas[crd.Spec.Names.Kind] = s
			}
		}
	}
	return schemas
}

// checkCRD: doc passes a CRD's structural schema, and holds no field the API server would prune
// (silently) for not being in it.
func checkCRD(t *testing.T, what string, schema, doc any) {
	t.Helper()
	if schema == nil {
		t.Fatalf("%s: no schema for it in the CRD", what)
	}
	validateSchema(t, what, schema, doc)
	if p := prunedFields(schema, doc, ""); len(p) > 0 {
		t.Errorf("%s: fields not in the CRD's schema (the API server would drop them): %v", what, p)
	}
}

// validateSchema validates doc against a JSON schema.
func validateSchema(t *testing.T, what string, schema, doc any) {
	t.Helper()
	c := jsonschema.NewCompiler()
	if err := c.AddResource("file:///schema.json", schema); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("file:///schema.json")
	if err != nil {
		t.Fatalf("%s: the schema: %v", what, err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// prunedFields lists the fields of doc that a structural CRD schema does not declare (and does
// not preserve with x-kubernetes-preserve-unknown-fields).
func prunedFields(schema, doc any, at string) []string {
	s, _ := schema.(map[string]any)
	if s == nil || s["x-kubernetes-preserve-unknown-fields"] == true {
		return nil
	}
	var out []string
	switch d := doc.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for k, v := range d {
			if ps, ok := props[k]; ok {
				out = append(out, prunedFields(ps, v, at+"/"+k)...)
			} else if add, ok := s["additionalProperties"].(map[string]any); ok {
				out = append(out, prunedFields(add, v, at+"/"+k)...)
			} else if props != nil {
				out = append(out, at+"/"+k)
			}
		}
	case []any:
		for i, v := range d {
			out = append(out, prunedFields(s["items"], v, fmt.Sprintf("%s/%d", at, i))...)
		}
	}
	return out
}

// checkAgainstSchema runs check on the upstream schema file named by an environment variable,
// when it is set.
func checkAgainstSchema(t *testing.T, what, envVar string, check func(path string)) {
	t.Helper()
	p := os.Getenv(envVar)
	if p == "" {
		t.Logf("%s: %s not set, upstream schema not checked", what, envVar)
		return
	}
	check(p)
}
