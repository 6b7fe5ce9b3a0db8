// Chart generators for bench/render, written in the style of the most used public charts:
//  - big:      the original synthetic chart (250 templates heavy on include, tpl and toYaml);
//  - library:  an application of many components on a bitnami-`common`-like library chart (deep include chains,
//              tpl of values, merge/mergeOverwrite of big dicts, toYaml | nindent of large values, many small
//              templates per resource, .Files.Glob of config files);
//  - umbrella: a parent chart with five subcharts, each an application on its own copy of the library;
//  - crds:     an operator chart with tens of large CRDs in crds/ and in templates/.
// Everything is deterministic (no randomness), so helm and slipway see the same chart on every run.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

function put(dir, rel, text) {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

/** A small deterministic pseudo-random sequence (a linear congruential generator). */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const WORDS = (
  "the controller reconciles desired state of each resource and reports conditions when a field changes " +
  "value must be a valid quantity label selector restricts which pods are matched by this policy when empty " +
  "all pods in the namespace are selected specification of the endpoint including port scheme and tls settings"
).split(" ");

function sentence(rnd, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rnd() * WORDS.length)]);
  return out.join(" ");
}

export function generateBig(dir, n = 250) {
  put(dir, "Chart.yaml", "apiVersion: v2\nname: big\nversion: 1.0.0\nappVersion: \"1.0\"\n");
  let values =
    "global:\n  labels:\n    team: platform\n    tier: backend\ncommonAnnotations:\n  owner: \"{{ .Release.Name }}-owner\"\n  note: \"rendered for {{ .Release.Namespace }}\"\nservices:\n";
  for (let i = 0; i < n; i++) {
    values += `  svc${i}:\n    enabled: true\n    replicas: ${(i % 5) + 1}\n    image: {repository: registry.example.com/app${i}, tag: "v1.${i}.0"}\n`;
    values += `    env:\n      - {name: INDEX, value: "${i}"}\n      - {name: NAME, value: "svc${i}-{{ .Release.Name }}"}\n`;
    values += `    resources: {limits: {cpu: ${100 + i}m, memory: ${64 + i}Mi}, requests: {cpu: 10m, memory: 32Mi}}\n`;
    values += `    config:\n      key${i}: "value ${i} with a fairly long text that makes toYaml fold the line when it is long enough to pass eighty columns"\n      nested: {a: 1, b: [x, y, z], c: {d: true}}\n`;
  }
  put(dir, "values.yaml", values);
  put(
    dir,
    "templates/_helpers.tpl",
    `{{- define "big.fullname" -}}{{- printf "%s-%s" .ctx.Release.Name .name | trunc 63 | trimSuffix "-" -}}{{- end -}}
{{- define "big.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version }}
{{ toYaml .ctx.Values.global.labels }}
{{- end -}}
{{- define "big.render" -}}
{{- if typeIs "string" .value }}{{ tpl .value .context }}{{ else }}{{ tpl (toYaml .value) .context }}{{ end -}}
{{- end -}}
{{- define "big.annotations" -}}
{{- include "big.render" (dict "value" .ctx.Values.commonAnnotations "context" .ctx) -}}
{{- end -}}
`,
  );
  for (let i = 0; i < n; i++) {
    put(
      dir,
      `templates/svc${i}.yaml`,
      `{{- $svc := index .Values.services "svc${i}" }}
{{- if $svc.enabled }}
{{- $ctx := dict "name" "svc${i}" "ctx" $ }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "big.fullname" $ctx }}
  labels: {{- include "big.labels" $ctx | nindent 4 }}
  annotations: {{- include "big.annotations" $ctx | nindent 4 }}
spec:
  replicas: {{ $svc.replicas }}
  selector:
    matchLabels: {{- include "big.labels" $ctx | nindent 6 }}
  template:
    metadata:
      labels: {{- include "big.labels" $ctx | nindent 8 }}
    spec:
      containers:
        - name: app
          image: {{ printf "%s:%s" $svc.image.repository $svc.image.tag }}
          env: {{- include "big.render" (dict "value" $svc.env "context" $) | nindent 12 }}
          resources: {{- toYaml $svc.resources | nindent 12 }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "big.fullname" $ctx }}-config
  labels: {{- include "big.labels" $ctx | nindent 4 }}
data:
  config.yaml: |
    {{- toYaml $svc.config | nindent 4 }}
  all.json: {{ toJson $svc | quote }}
{{- end }}
`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The library chart: helpers in the manner of bitnami's `common` (names, labels, images, tplvalues, resources
// presets, affinities, capabilities, secrets, warnings), one file per topic.

const LIB = {
  "_names.tpl": `{{/* Names of the chart, the release and its resources. */}}
{{- define "lib.names.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lib.names.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lib.names.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "lib.names.component" -}}
{{- printf "%s-%s" (include "lib.names.fullname" .context) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lib.names.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lib.names.dependency.fullname" -}}
{{- if .chartValues.fullnameOverride -}}
{{- .chartValues.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .chartName .chartValues.nameOverride -}}
{{- printf "%s-%s" .context.Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
`,
  "_tplvalues.tpl": `{{/* Renders a value that may contain templates; .scope gives it a relative scope. */}}
{{- define "lib.tplvalues.render" -}}
{{- $value := typeIs "string" .value | ternary .value (.value | toYaml) }}
{{- if contains "{{" (toJson .value) }}
  {{- if .scope }}
      {{- tpl (cat "{{- with $.RelativeScope -}}" $value "{{- end }}") (merge (dict "RelativeScope" .scope) .context) }}
  {{- else }}
    {{- tpl $value .context }}
  {{- end }}
{{- else }}
    {{- $value }}
{{- end }}
{{- end -}}

{{/* Merges a list of values (each rendered first), the first one winning. */}}
{{- define "lib.tplvalues.merge" -}}
{{- $dst := dict -}}
{{- range .values -}}
{{- $dst = include "lib.tplvalues.render" (dict "value" . "context" $.context "scope" $.scope) | fromYaml | merge $dst -}}
{{- end -}}
{{ $dst | toYaml }}
{{- end -}}

{{/* Merges a list of values (each rendered first), the last one winning. */}}
{{- define "lib.tplvalues.merge-overwrite" -}}
{{- $dst := dict -}}
{{- range .values -}}
{{- $dst = include "lib.tplvalues.render" (dict "value" . "context" $.context "scope" $.scope) | fromYaml | mergeOverwrite $dst -}}
{{- end -}}
{{ $dst | toYaml }}
{{- end -}}
`,
  "_labels.tpl": `{{/* Kubernetes standard labels, merged with .customLabels. */}}
{{- define "lib.labels.standard" -}}
{{- if and (hasKey . "customLabels") (hasKey . "context") -}}
{{- $default := dict "app.kubernetes.io/name" (include "lib.names.name" .context) "helm.sh/chart" (include "lib.names.chart" .context) "app.kubernetes.io/instance" .context.Release.Name "app.kubernetes.io/managed-by" .context.Release.Service -}}
{{- with .context.Chart.AppVersion -}}
{{- $_ := set $default "app.kubernetes.io/version" . -}}
{{- end -}}
{{ template "lib.tplvalues.merge" (dict "values" (list .customLabels $default) "context" .context) }}
{{- else -}}
app.kubernetes.io/name: {{ include "lib.names.name" . }}
helm.sh/chart: {{ include "lib.names.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | replace "+" "_" | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels used in selectors (immutable). */}}
{{- define "lib.labels.matchLabels" -}}
{{- if and (hasKey . "customLabels") (hasKey . "context") -}}
{{ merge (pick (include "lib.tplvalues.render" (dict "value" .customLabels "context" .context) | fromYaml) "app.kubernetes.io/name" "app.kubernetes.io/instance") (dict "app.kubernetes.io/name" (include "lib.names.name" .context) "app.kubernetes.io/instance" .context.Release.Name ) | toYaml }}
{{- else -}}
app.kubernetes.io/name: {{ include "lib.names.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- end -}}
`,
  "_images.tpl": `{{/* An image reference from registry, repository, tag and digest, honouring global.imageRegistry. */}}
{{- define "lib.images.image" -}}
{{- $registryName := default .imageRoot.registry ((.global).imageRegistry) -}}
{{- $repositoryName := .imageRoot.repository -}}
{{- $separator := ":" -}}
{{- $termination := .imageRoot.tag | toString -}}
{{- if not .imageRoot.tag }}
  {{- if .chart }}
    {{- $termination = .chart.AppVersion | toString -}}
  {{- end -}}
{{- end -}}
{{- if .imageRoot.digest }}
    {{- $separator = "@" -}}
    {{- $termination = .imageRoot.digest | toString -}}
{{- end -}}
{{- if $registryName }}
    {{- printf "%s/%s%s%s" $registryName $repositoryName $separator $termination -}}
{{- else -}}
    {{- printf "%s%s%s" $repositoryName $separator $termination -}}
{{- end -}}
{{- end -}}

{{/* imagePullSecrets of several images plus the global ones, each rendered as a template. */}}
{{- define "lib.images.renderPullSecrets" -}}
{{- $pullSecrets := list }}
{{- $context := .context }}
{{- range (($context.Values.global).imagePullSecrets) -}}
  {{- if kindIs "map" . -}}
    {{- $pullSecrets = append $pullSecrets (include "lib.tplvalues.render" (dict "value" .name "context" $context)) -}}
  {{- else -}}
    {{- $pullSecrets = append $pullSecrets (include "lib.tplvalues.render" (dict "value" . "context" $context)) -}}
  {{- end -}}
{{- end -}}
{{- range .images -}}
  {{- range .pullSecrets -}}
    {{- if kindIs "map" . -}}
      {{- $pullSecrets = append $pullSecrets (include "lib.tplvalues.render" (dict "value" .name "context" $context)) -}}
    {{- else -}}
      {{- $pullSecrets = append $pullSecrets (include "lib.tplvalues.render" (dict "value" . "context" $context)) -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- if (not (empty $pullSecrets)) -}}
imagePullSecrets:
  {{- range $pullSecrets | uniq }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}
`,
  "_resources.tpl": `{{/* Resource requests and limits by preset name. */}}
{{- define "lib.resources.preset" -}}
{{- $presets := dict
  "nano" (dict
      "requests" (dict "cpu" "100m" "memory" "128Mi" "ephemeral-storage" "50Mi")
      "limits" (dict "cpu" "150m" "memory" "192Mi" "ephemeral-storage" "2Gi")
   )
  "micro" (dict
      "requests" (dict "cpu" "250m" "memory" "256Mi" "ephemeral-storage" "50Mi")
      "limits" (dict "cpu" "375m" "memory" "384Mi" "ephemeral-storage" "2Gi")
   )
  "small" (dict
      "requests" (dict "cpu" "500m" "memory" "512Mi" "ephemeral-storage" "50Mi")
      "limits" (dict "cpu" "750m" "memory" "768Mi" "ephemeral-storage" "2Gi")
   )
  "medium" (dict
      "requests" (dict "cpu" "500m" "memory" "1024Mi" "ephemeral-storage" "50Mi")
      "limits" (dict "cpu" "750m" "memory" "1536Mi" "ephemeral-storage" "2Gi")
   )
  "large" (dict
      "requests" (dict "cpu" "1.0" "memory" "2048Mi" "ephemeral-storage" "50Mi")
      "limits" (dict "cpu" "1.5" "memory" "3072Mi" "ephemeral-storage" "2Gi")
   )
 }}
{{- if hasKey $presets .type -}}
{{- index $presets .type | toYaml -}}
{{- else -}}
{{- printf "ERROR: Preset key '%s' invalid. Allowed values are %s" .type (join "," (keys $presets | sortAlpha)) | fail -}}
{{- end -}}
{{- end -}}
`,
  "_affinities.tpl": `{{/* Node and pod (anti-)affinity presets. */}}
{{- define "lib.affinities.nodes.soft" -}}
preferredDuringSchedulingIgnoredDuringExecution:
  - preference:
      matchExpressions:
        - key: {{ .key }}
          operator: In
          values:
            {{- range .values }}
            - {{ . | quote }}
            {{- end }}
    weight: 1
{{- end -}}

{{- define "lib.affinities.nodes.hard" -}}
requiredDuringSchedulingIgnoredDuringExecution:
  nodeSelectorTerms:
    - matchExpressions:
        - key: {{ .key }}
          operator: In
          values:
            {{- range .values }}
            - {{ . | quote }}
            {{- end }}
{{- end -}}

{{- define "lib.affinities.nodes" -}}
  {{- if eq .type "soft" }}
    {{- include "lib.affinities.nodes.soft" . -}}
  {{- else if eq .type "hard" }}
    {{- include "lib.affinities.nodes.hard" . -}}
  {{- end -}}
{{- end -}}

{{- define "lib.affinities.topologyKey" -}}
{{ .topologyKey | default "kubernetes.io/hostname" -}}
{{- end -}}

{{- define "lib.affinities.pods.soft" -}}
{{- $component := default "" .component -}}
{{- $customLabels := default (dict) .customLabels -}}
{{- $extraMatchLabels := default (dict) .extraMatchLabels -}}
{{- $extraPodAffinityTerms := default (list) .extraPodAffinityTerms -}}
preferredDuringSchedulingIgnoredDuringExecution:
  - podAffinityTerm:
      labelSelector:
        matchLabels: {{- (include "lib.labels.matchLabels" ( dict "customLabels" $customLabels "context" .context )) | nindent 10 }}
          {{- if not (empty $component) }}
          {{ printf "app.kubernetes.io/component: %s" $component }}
          {{- end }}
          {{- range $key, $value := $extraMatchLabels }}
          {{ $key }}: {{ $value | quote }}
          {{- end }}
      topologyKey: {{ include "lib.affinities.topologyKey" (dict "topologyKey" .topologyKey) }}
    weight: 1
  {{- range $extraPodAffinityTerms }}
  - podAffinityTerm:
      labelSelector:
        matchLabels: {{- (include "lib.labels.matchLabels" ( dict "customLabels" $customLabels "context" $.context )) | nindent 10 }}
          {{- range $key, $value := .extraMatchLabels }}
          {{ $key }}: {{ $value | quote }}
          {{- end }}
      topologyKey: {{ include "lib.affinities.topologyKey" (dict "topologyKey" .topologyKey) }}
    weight: {{ .weight | default 1 -}}
  {{- end -}}
{{- end -}}

{{- define "lib.affinities.pods.hard" -}}
{{- $component := default "" .component -}}
{{- $customLabels := default (dict) .customLabels -}}
requiredDuringSchedulingIgnoredDuringExecution:
  - labelSelector:
      matchLabels: {{- (include "lib.labels.matchLabels" ( dict "customLabels" $customLabels "context" .context )) | nindent 8 }}
        {{- if not (empty $component) }}
        {{ printf "app.kubernetes.io/component: %s" $component }}
        {{- end }}
    topologyKey: {{ include "lib.affinities.topologyKey" (dict "topologyKey" .topologyKey) }}
{{- end -}}

{{- define "lib.affinities.pods" -}}
  {{- if eq .type "soft" }}
    {{- include "lib.affinities.pods.soft" . -}}
  {{- else if eq .type "hard" }}
    {{- include "lib.affinities.pods.hard" . -}}
  {{- end -}}
{{- end -}}
`,
  "_capabilities.tpl": `{{/* API versions by the cluster's version. */}}
{{- define "lib.capabilities.kubeVersion" -}}
{{- default (default .Capabilities.KubeVersion.Version .Values.kubeVersion) ((.Values.global).kubeVersion) -}}
{{- end -}}

{{- define "lib.capabilities.policy.apiVersion" -}}
{{- if semverCompare "<1.21-0" (include "lib.capabilities.kubeVersion" .) -}}
{{- print "policy/v1beta1" -}}
{{- else -}}
{{- print "policy/v1" -}}
{{- end -}}
{{- end -}}

{{- define "lib.capabilities.hpa.apiVersion" -}}
{{- if semverCompare "<1.23-0" (include "lib.capabilities.kubeVersion" .context) -}}
{{- print "autoscaling/v2beta2" -}}
{{- else -}}
{{- print "autoscaling/v2" -}}
{{- end -}}
{{- end -}}

{{- define "lib.capabilities.ingress.apiVersion" -}}
{{- if .Values.ingress -}}
{{- if .Values.ingress.apiVersion -}}
{{- .Values.ingress.apiVersion -}}
{{- else if semverCompare "<1.19-0" (include "lib.capabilities.kubeVersion" .) -}}
{{- print "networking.k8s.io/v1beta1" -}}
{{- else -}}
{{- print "networking.k8s.io/v1" -}}
{{- end }}
{{- else -}}
{{- print "networking.k8s.io/v1" -}}
{{- end -}}
{{- end -}}

{{- define "lib.capabilities.apiVersions.has" -}}
{{- $providedAPIVersions := default .context.Values.apiVersions ((.context.Values.global).apiVersions) -}}
{{- if and (empty $providedAPIVersions) (.context.Capabilities.APIVersions.Has .version) -}}
    {{- true -}}
{{- else if has .version $providedAPIVersions -}}
    {{- true -}}
{{- end -}}
{{- end -}}
`,
  "_secrets.tpl": `{{/* Secret names and keys, existing or generated. */}}
{{- define "lib.secrets.name" -}}
{{- $name := (include "lib.names.fullname" .context) -}}
{{- if .defaultNameSuffix -}}
{{- $name = printf "%s-%s" $name .defaultNameSuffix | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- with .existingSecret -}}
{{- if not (typeIs "string" .) -}}
{{- with .name -}}
{{- $name = . -}}
{{- end -}}
{{- else -}}
{{- $name = . -}}
{{- end -}}
{{- end -}}
{{- printf "%s" $name -}}
{{- end -}}

{{- define "lib.secrets.key" -}}
{{- $key := .key -}}
{{- if .existingSecret -}}
  {{- if not (typeIs "string" .existingSecret) -}}
    {{- if .existingSecret.keyMapping -}}
      {{- $key = index .existingSecret.keyMapping $.key -}}
    {{- end -}}
  {{- end }}
{{- end -}}
{{- printf "%s" $key -}}
{{- end -}}

{{- define "lib.secrets.password" -}}
{{- $password := "" -}}
{{- if .providedValues -}}
{{- $password = index .context.Values .providedValues | default "" -}}
{{- end -}}
{{- if not $password -}}
{{- $password = sha256sum (printf "%s-%s-%s" .context.Release.Name .secret .key) | trunc (int (default 16 .length)) -}}
{{- end -}}
{{- $password | b64enc | quote -}}
{{- end -}}
`,
  "_warnings.tpl": `{{/* Warnings printed in NOTES. */}}
{{- define "lib.warnings.rollingTag" -}}
{{- if and (contains "example/" .repository) (not (.tag | toString | regexFind "-r\\\\d+$|sha256:")) }}
WARNING: Rolling tag detected ({{ .repository }}:{{ .tag }}), please note that it is strongly recommended to avoid using rolling tags in a production environment.
{{- end }}
{{- end -}}

{{- define "lib.warnings.resources" -}}
{{- $values := .context.Values -}}
{{- $missing := list -}}
{{- range .sections -}}
  {{- $section := index $values . -}}
  {{- if and (not $section.resources) $section.resourcesPreset (ne $section.resourcesPreset "none") -}}
  {{- $missing = append $missing . -}}
  {{- end -}}
{{- end -}}
{{- if $missing }}
WARNING: There are "resources" sections in the chart not set. Using "resourcesPreset" is not recommended for production. Sections: {{ join ", " $missing }}
{{- end -}}
{{- end -}}
`,
  "_pod.tpl": `{{/* A pod template shared by the workloads of a component: .component, .values (the component's values), .context. */}}
{{- define "lib.pod.labels" -}}
{{- $podLabels := include "lib.tplvalues.merge" (dict "values" (list .values.podLabels .context.Values.commonLabels) "context" .context) }}
{{- include "lib.labels.standard" (dict "customLabels" $podLabels "context" .context) }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "lib.pod.env" -}}
- name: COMPONENT
  value: {{ .component | quote }}
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- range $k, $v := .values.env }}
- name: {{ $k | upper | replace "." "_" | replace "-" "_" }}
  value: {{ include "lib.tplvalues.render" (dict "value" $v "context" $.context) | quote }}
{{- end }}
{{- if .values.extraEnvVars }}
{{ include "lib.tplvalues.render" (dict "value" .values.extraEnvVars "context" .context) }}
{{- end }}
{{- end -}}

{{- define "lib.pod.template" -}}
{{- $v := .values -}}
{{- $ctx := .context -}}
metadata:
  {{- if or $v.podAnnotations $ctx.Values.commonAnnotations }}
  annotations:
    {{- include "lib.tplvalues.merge-overwrite" (dict "values" (list $ctx.Values.commonAnnotations $v.podAnnotations (dict "checksum/config" (sha256sum (toJson $v.config)))) "context" $ctx) | nindent 4 }}
  {{- end }}
  labels: {{- include "lib.pod.labels" . | nindent 4 }}
spec:
  {{- include "lib.images.renderPullSecrets" (dict "images" (list $v.image) "context" $ctx) | nindent 2 }}
  serviceAccountName: {{ include "lib.names.component" (dict "context" $ctx "component" .component) }}
  automountServiceAccountToken: {{ $v.automountServiceAccountToken | default false }}
  {{- if $v.affinity }}
  affinity: {{- include "lib.tplvalues.render" (dict "value" $v.affinity "context" $ctx) | nindent 4 }}
  {{- else }}
  affinity:
    podAffinity: {{- include "lib.affinities.pods" (dict "type" $v.podAffinityPreset "component" .component "customLabels" $ctx.Values.commonLabels "context" $ctx) | nindent 6 }}
    podAntiAffinity: {{- include "lib.affinities.pods" (dict "type" $v.podAntiAffinityPreset "component" .component "customLabels" $ctx.Values.commonLabels "context" $ctx) | nindent 6 }}
    nodeAffinity: {{- include "lib.affinities.nodes" (dict "type" $v.nodeAffinityPreset.type "key" $v.nodeAffinityPreset.key "values" $v.nodeAffinityPreset.values) | nindent 6 }}
  {{- end }}
  {{- if $v.nodeSelector }}
  nodeSelector: {{- include "lib.tplvalues.render" (dict "value" $v.nodeSelector "context" $ctx) | nindent 4 }}
  {{- end }}
  {{- if $v.tolerations }}
  tolerations: {{- include "lib.tplvalues.render" (dict "value" $v.tolerations "context" $ctx) | nindent 4 }}
  {{- end }}
  {{- if $v.podSecurityContext.enabled }}
  securityContext: {{- omit $v.podSecurityContext "enabled" | toYaml | nindent 4 }}
  {{- end }}
  containers:
    - name: {{ .component }}
      image: {{ include "lib.images.image" (dict "imageRoot" $v.image "global" $ctx.Values.global "chart" $ctx.Chart) }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      {{- if $v.containerSecurityContext.enabled }}
      securityContext: {{- omit $v.containerSecurityContext "enabled" | toYaml | nindent 8 }}
      {{- end }}
      {{- if $v.command }}
      command: {{- include "lib.tplvalues.render" (dict "value" $v.command "context" $ctx) | nindent 8 }}
      {{- end }}
      {{- if $v.args }}
      args: {{- include "lib.tplvalues.render" (dict "value" $v.args "context" $ctx) | nindent 8 }}
      {{- end }}
      env: {{- include "lib.pod.env" . | nindent 8 }}
      envFrom:
        - configMapRef:
            name: {{ include "lib.names.component" (dict "context" $ctx "component" .component) }}
        - secretRef:
            name: {{ include "lib.secrets.name" (dict "existingSecret" $v.existingSecret "defaultNameSuffix" .component "context" $ctx) }}
      {{- if $v.resources }}
      resources: {{- toYaml $v.resources | nindent 8 }}
      {{- else if ne $v.resourcesPreset "none" }}
      resources: {{- include "lib.resources.preset" (dict "type" $v.resourcesPreset) | nindent 8 }}
      {{- end }}
      ports:
        {{- range $name, $port := $v.containerPorts }}
        - name: {{ $name }}
          containerPort: {{ $port }}
        {{- end }}
      {{- if $v.livenessProbe.enabled }}
      livenessProbe: {{- include "lib.tplvalues.render" (dict "value" (omit $v.livenessProbe "enabled") "context" $ctx) | nindent 8 }}
      {{- end }}
      {{- if $v.readinessProbe.enabled }}
      readinessProbe: {{- include "lib.tplvalues.render" (dict "value" (omit $v.readinessProbe "enabled") "context" $ctx) | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: config
          mountPath: /etc/{{ .component }}
        - name: shared
          mountPath: /opt/shared
        {{- if $v.extraVolumeMounts }}
        {{- include "lib.tplvalues.render" (dict "value" $v.extraVolumeMounts "context" $ctx) | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "lib.names.component" (dict "context" $ctx "component" .component) }}
    - name: shared
      configMap:
        name: {{ include "lib.names.fullname" $ctx }}-shared
    {{- if $v.extraVolumes }}
    {{- include "lib.tplvalues.render" (dict "value" $v.extraVolumes "context" $ctx) | nindent 4 }}
    {{- end }}
{{- end -}}
`,
};

function writeLibrary(dir) {
  put(dir, "Chart.yaml", "apiVersion: v2\nname: lib\ntype: library\nversion: 2.19.0\nappVersion: \"2.19.0\"\ndescription: Helpers shared by the bench charts\n");
  put(dir, "values.yaml", "exampleValue: common-chart\n");
  for (const [name, text] of Object.entries(LIB)) put(dir, `templates/${name}`, text);
}

/** The templates of one component: one small file per resource, as multi-component public charts do. */
function componentTemplates(c) {
  const v = `.Values.${c}`;
  const nm = `(dict "context" $ "component" "${c}")`;
  const meta = `  namespace: {{ include "lib.names.namespace" . | quote }}
  {{- $labels := include "lib.tplvalues.merge" (dict "values" (list ${v}.labels .Values.commonLabels) "context" .) }}
  labels: {{- include "lib.labels.standard" (dict "customLabels" $labels "context" $) | nindent 4 }}
    app.kubernetes.io/component: ${c}
  {{- if .Values.commonAnnotations }}
  annotations: {{- include "lib.tplvalues.render" (dict "value" .Values.commonAnnotations "context" $) | nindent 4 }}
  {{- end }}`;
  const selector = `{{- $podLabels := include "lib.tplvalues.merge" (dict "values" (list ${v}.podLabels .Values.commonLabels) "context" .) }}
    matchLabels: {{- include "lib.labels.matchLabels" (dict "customLabels" $podLabels "context" $) | nindent 6 }}
      app.kubernetes.io/component: ${c}`;
  return {
    "deployment.yaml": `{{- if ${v}.enabled }}
apiVersion: apps/v1
kind: {{ ternary "StatefulSet" "Deployment" ${v}.persistence.enabled }}
metadata:
  name: {{ include "lib.names.component" ${nm} }}
${meta}
spec:
  {{- if not ${v}.autoscaling.enabled }}
  replicas: {{ ${v}.replicaCount }}
  {{- end }}
  revisionHistoryLimit: {{ ${v}.revisionHistoryLimit }}
  selector:
    ${selector}
  {{- if ${v}.updateStrategy }}
  strategy: {{- toYaml ${v}.updateStrategy | nindent 4 }}
  {{- end }}
  template: {{- include "lib.pod.template" (dict "component" "${c}" "values" ${v} "context" $) | nindent 4 }}
{{- end }}
`,
    "service.yaml": `{{- if ${v}.enabled }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "lib.names.component" ${nm} }}
${meta}
    {{- if ${v}.service.annotations }}
    {{- include "lib.tplvalues.render" (dict "value" ${v}.service.annotations "context" $) | nindent 4 }}
    {{- end }}
spec:
  type: {{ ${v}.service.type }}
  {{- if and ${v}.service.clusterIP (eq ${v}.service.type "ClusterIP") }}
  clusterIP: {{ ${v}.service.clusterIP }}
  {{- end }}
  sessionAffinity: {{ ${v}.service.sessionAffinity }}
  ports:
    {{- range $name, $port := ${v}.service.ports }}
    - name: {{ $name }}
      port: {{ $port }}
      targetPort: {{ $name }}
      protocol: TCP
    {{- end }}
  {{- $podLabels := include "lib.tplvalues.merge" (dict "values" (list ${v}.podLabels .Values.commonLabels) "context" .) }}
  selector: {{- include "lib.labels.matchLabels" (dict "customLabels" $podLabels "context" $) | nindent 4 }}
    app.kubernetes.io/component: ${c}
{{- end }}
`,
    "configmap.yaml": `{{- if ${v}.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "lib.names.component" ${nm} }}
${meta}
data:
  {{- range $k, $val := ${v}.config }}
  {{ $k }}.yaml: |
    {{- include "lib.tplvalues.render" (dict "value" $val "context" $) | nindent 4 }}
  {{- end }}
  settings.json: {{ ${v}.config | toPrettyJson | quote }}
{{- end }}
`,
    "secret.yaml": `{{- if and ${v}.enabled (not ${v}.existingSecret) }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "lib.secrets.name" (dict "defaultNameSuffix" "${c}" "context" $) }}
${meta}
type: Opaque
data:
  password: {{ include "lib.secrets.password" (dict "secret" "${c}" "key" "password" "length" 20 "context" $) }}
  token: {{ include "lib.secrets.password" (dict "secret" "${c}" "key" "token" "length" 32 "context" $) }}
  {{ include "lib.secrets.key" (dict "existingSecret" ${v}.existingSecret "key" "api-key") }}: {{ printf "%s-%s" .Release.Name "${c}" | sha1sum | b64enc | quote }}
{{- end }}
`,
    "serviceaccount.yaml": `{{- if and ${v}.enabled ${v}.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "lib.names.component" ${nm} }}
${meta}
automountServiceAccountToken: {{ ${v}.serviceAccount.automountServiceAccountToken }}
{{- end }}
`,
    "hpa.yaml": `{{- if and ${v}.enabled ${v}.autoscaling.enabled }}
apiVersion: {{ include "lib.capabilities.hpa.apiVersion" (dict "context" $) }}
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "lib.names.component" ${nm} }}
${meta}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "lib.names.component" ${nm} }}
  minReplicas: {{ ${v}.autoscaling.minReplicas }}
  maxReplicas: {{ ${v}.autoscaling.maxReplicas }}
  metrics:
    {{- if ${v}.autoscaling.targetMemory }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ ${v}.autoscaling.targetMemory }}
    {{- end }}
    {{- if ${v}.autoscaling.targetCPU }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ ${v}.autoscaling.targetCPU }}
    {{- end }}
{{- end }}
`,
    "pdb.yaml": `{{- if and ${v}.enabled ${v}.pdb.create }}
apiVersion: {{ include "lib.capabilities.policy.apiVersion" . }}
kind: PodDisruptionBudget
metadata:
  name: {{ include "lib.names.component" ${nm} }}
${meta}
spec:
  {{- if ${v}.pdb.minAvailable }}
  minAvailable: {{ ${v}.pdb.minAvailable }}
  {{- end }}
  {{- if or ${v}.pdb.maxUnavailable (not ${v}.pdb.minAvailable) }}
  maxUnavailable: {{ ${v}.pdb.maxUnavailable | default 1 }}
  {{- end }}
  selector:
    ${selector}
{{- end }}
`,
    "networkpolicy.yaml": `{{- if and ${v}.enabled ${v}.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "lib.names.component" ${nm} }}
${meta}
spec:
  podSelector:
    ${selector}
  policyTypes:
    - Ingress
    - Egress
  {{- if ${v}.networkPolicy.allowExternalEgress }}
  egress:
    - {}
  {{- else }}
  egress:
    - ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- if ${v}.networkPolicy.extraEgress }}
    {{- include "lib.tplvalues.render" (dict "value" ${v}.networkPolicy.extraEgress "context" $) | nindent 4 }}
    {{- end }}
  {{- end }}
  ingress:
    - ports:
        {{- range $name, $port := ${v}.containerPorts }}
        - port: {{ $port }}
        {{- end }}
      {{- if not ${v}.networkPolicy.allowExternal }}
      from:
        - podSelector:
            matchLabels: {{- include "lib.labels.matchLabels" (dict "customLabels" .Values.commonLabels "context" $) | nindent 14 }}
        {{- if ${v}.networkPolicy.ingressNSMatchLabels }}
        - namespaceSelector:
            matchLabels:
              {{- range $key, $value := ${v}.networkPolicy.ingressNSMatchLabels }}
              {{ $key | quote }}: {{ $value | quote }}
              {{- end }}
        {{- end }}
      {{- end }}
{{- end }}
`,
    "ingress.yaml": `{{- if and ${v}.enabled ${v}.ingress.enabled }}
apiVersion: {{ include "lib.capabilities.ingress.apiVersion" . }}
kind: Ingress
metadata:
  name: {{ include "lib.names.component" ${nm} }}
${meta}
    {{- if ${v}.ingress.annotations }}
    {{- include "lib.tplvalues.render" (dict "value" ${v}.ingress.annotations "context" $) | nindent 4 }}
    {{- end }}
spec:
  {{- if ${v}.ingress.ingressClassName }}
  ingressClassName: {{ ${v}.ingress.ingressClassName | quote }}
  {{- end }}
  rules:
    {{- range ${v}.ingress.hosts }}
    - host: {{ include "lib.tplvalues.render" (dict "value" .name "context" $) }}
      http:
        paths:
          {{- range .paths }}
          - path: {{ . }}
            pathType: ImplementationSpecific
            backend:
              service:
                name: {{ include "lib.names.component" ${nm} }}
                port:
                  name: http
          {{- end }}
    {{- end }}
  {{- if ${v}.ingress.tls }}
  tls:
    {{- range ${v}.ingress.hosts }}
    - hosts:
        - {{ include "lib.tplvalues.render" (dict "value" .name "context" $) | quote }}
      secretName: {{ printf "%s-tls" .name | replace "." "-" | trunc 63 }}
    {{- end }}
  {{- end }}
{{- end }}
`,
    "servicemonitor.yaml": `{{- if and ${v}.enabled ${v}.metrics.serviceMonitor.enabled (include "lib.capabilities.apiVersions.has" (dict "version" "monitoring.coreos.com/v1" "context" $)) }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "lib.names.component" ${nm} }}
${meta}
spec:
  endpoints:
    - port: http
      interval: {{ ${v}.metrics.serviceMonitor.interval }}
{{- end }}
`,
  };
}

function componentValues(c, i, rnd) {
  const config = {};
  for (let k = 0; k < 6; k++) {
    const section = {};
    for (let j = 0; j < 8; j++) section[`option${j}`] = j % 3 === 0 ? `{{ .Release.Name }}-${c}-${k}-${j}` : sentence(rnd, 6 + j);
    section.limits = { maxConnections: 100 + k * 10 + i, timeout: `${5 + k}s`, retries: [1, 2, 4, 8] };
    config[`section${k}`] = section;
  }
  return {
    enabled: true,
    replicaCount: (i % 3) + 1,
    revisionHistoryLimit: 10,
    image: { registry: "registry.example.com", repository: `example/${c}`, tag: `1.${i}.0-debian-12-r${i}`, digest: "", pullPolicy: "IfNotPresent", pullSecrets: [`${c}-pull`, "{{ .Release.Name }}-registry"] },
    labels: { "team": "platform", "cost-center": `cc-${i}` },
    podLabels: { "sidecar.istio.io/inject": "false", "{{ .Release.Name }}/component": c },
    podAnnotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "9090", "release/name": "{{ .Release.Name }}" },
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
    persistence: { enabled: i % 4 === 0 },
    autoscaling: { enabled: i % 2 === 0, minReplicas: 2, maxReplicas: 10 + i, targetCPU: 70, targetMemory: i % 3 === 0 ? 80 : "" },
    pdb: { create: true, minAvailable: i % 2 === 0 ? 1 : "", maxUnavailable: "" },
    serviceAccount: { create: true, automountServiceAccountToken: false },
    automountServiceAccountToken: false,
    existingSecret: i % 5 === 4 ? { name: `${c}-existing`, keyMapping: { "api-key": "key" } } : "",
    podAffinityPreset: "",
    podAntiAffinityPreset: i % 2 === 0 ? "soft" : "hard",
    nodeAffinityPreset: { type: i % 3 === 0 ? "hard" : "soft", key: "node-role.kubernetes.io/worker", values: ["true", `pool-${i}`] },
    affinity: {},
    nodeSelector: i % 2 === 0 ? { "kubernetes.io/os": "linux", "topology.kubernetes.io/zone": "{{ .Release.Namespace }}-a" } : {},
    tolerations: [{ key: "dedicated", operator: "Equal", value: c, effect: "NoSchedule" }],
    podSecurityContext: { enabled: true, fsGroup: 1001, fsGroupChangePolicy: "Always", supplementalGroups: [], sysctls: [] },
    containerSecurityContext: {
      enabled: true, runAsUser: 1001, runAsGroup: 1001, runAsNonRoot: true, privileged: false, readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
    },
    command: i % 2 === 0 ? ["/opt/app/bin/run.sh"] : [],
    args: i % 2 === 0 ? ["--config", `/etc/${c}/section0.yaml`, "--name", "{{ .Release.Name }}"] : [],
    env: { "log.level": "info", "app-name": `{{ .Release.Name }}-${c}`, "cluster.domain": "cluster.local", "worker.threads": String(4 + i) },
    extraEnvVars: [{ name: "EXTRA_ONE", value: "{{ .Release.Namespace }}" }, { name: "EXTRA_TWO", value: "two" }],
    resourcesPreset: ["nano", "micro", "small", "medium", "large"][i % 5],
    resources: i % 3 === 1 ? { limits: { cpu: "2", memory: "2Gi" }, requests: { cpu: "500m", memory: "512Mi" } } : {},
    containerPorts: { http: 8080 + i, metrics: 9090 },
    livenessProbe: { enabled: true, httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6, successThreshold: 1 },
    readinessProbe: { enabled: true, httpGet: { path: "/ready", port: "http" }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3, successThreshold: 1 },
    extraVolumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    extraVolumes: [{ name: "tmp", emptyDir: { sizeLimit: "{{ .Values.tmpSize }}" } }],
    service: { type: "ClusterIP", clusterIP: "", sessionAffinity: "None", ports: { http: 80, metrics: 9090 }, annotations: { "service/owner": "{{ .Release.Name }}" } },
    ingress: { enabled: i % 2 === 1, ingressClassName: "nginx", annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "8m" }, tls: true, hosts: [{ name: `${c}.{{ .Release.Namespace }}.example.com`, paths: ["/", "/api"] }] },
    networkPolicy: { enabled: true, allowExternal: i % 2 === 0, allowExternalEgress: i % 3 === 0, extraEgress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }] }], ingressNSMatchLabels: { "kubernetes.io/metadata.name": "ingress" } },
    metrics: { serviceMonitor: { enabled: true, interval: "30s" } },
    config,
  };
}

/** YAML for plain JSON-like data (block style, quoted strings): enough for generated values files. */
function toYamlText(v, indent = "") {
  if (Array.isArray(v)) {
    if (v.length === 0) return " []\n";
    return "\n" + v.map((x) => `${indent}-${toYamlText(x, indent + "  ").replace(/^\n\s*/, " ")}`).join("");
  }
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 0) return " {}\n";
    return "\n" + keys.map((k) => `${indent}${JSON.stringify(k)}:${toYamlText(v[k], indent + "  ")}`).join("");
  }
  return ` ${JSON.stringify(v)}\n`;
}

function writeApp(dir, name, components, seed, libDir) {
  const rnd = lcg(seed);
  put(dir, "Chart.yaml", `apiVersion: v2\nname: ${name}\nversion: 3.${seed % 10}.1\nappVersion: "5.${seed % 7}.0"\ndescription: An application of ${components.length} components\ndependencies:\n  - name: lib\n    version: 2.x.x\n    repository: oci://registry.example.com/charts\n`);
  writeLibrary(join(dir, libDir));
  const values = {
    global: { imageRegistry: "", imagePullSecrets: ["global-pull"], kubeVersion: "" },
    nameOverride: "",
    fullnameOverride: "",
    tmpSize: "1Gi",
    commonLabels: { "example.com/owner": "{{ .Release.Name }}", environment: "bench", "example.com/part-of": name },
    commonAnnotations: { "example.com/rendered-by": "{{ .Release.Service }}", "example.com/revision": "{{ .Release.Revision }}" },
    shared: { files: "files/conf/*.conf", scripts: "files/scripts/*" },
  };
  for (let i = 0; i < components.length; i++) values[components[i]] = componentValues(components[i], i + seed, rnd);
  put(dir, "values.yaml", `# Default values of ${name}.${toYamlText(values).replace(/^\n/, "\n")}`);
  for (const c of components) {
    for (const [f, text] of Object.entries(componentTemplates(c))) put(dir, `templates/${c}/${f}`, text);
  }
  put(dir, "templates/_helpers.tpl", `{{- define "${name}.componentNames" -}}\n${components.map((c) => `- ${c}`).join("\n")}\n{{- end -}}\n`);
  put(
    dir,
    "templates/shared-configmap.yaml",
    `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "lib.names.fullname" . }}-shared
  namespace: {{ include "lib.names.namespace" . | quote }}
  labels: {{- include "lib.labels.standard" (dict "customLabels" .Values.commonLabels "context" $) | nindent 4 }}
data:
  {{- (.Files.Glob .Values.shared.files).AsConfig | nindent 2 }}
  {{- range $path, $_ := .Files.Glob .Values.shared.scripts }}
  {{ base $path }}: |
    {{- tpl ($.Files.Get $path) $ | nindent 4 }}
  {{- end }}
  components: |
    {{- include "${name}.componentNames" . | nindent 4 }}
`,
  );
  put(
    dir,
    "templates/NOTES.txt",
    `CHART NAME: {{ .Chart.Name }}
CHART VERSION: {{ .Chart.Version }}
APP VERSION: {{ .Chart.AppVersion }}
{{- range (include "${name}.componentNames" . | fromYamlArray) }}
{{- $v := index $.Values . }}
{{ include "lib.warnings.rollingTag" $v.image }}
{{- end }}
{{- include "lib.warnings.resources" (dict "sections" (include "${name}.componentNames" . | fromYamlArray) "context" $) }}
`,
  );
  for (let k = 0; k < 24; k++) {
    let text = `# ${name} configuration file ${k}\n`;
    for (let j = 0; j < 40; j++) text += `${sentence(rnd, 1).replace(/ /g, "_")}_${j} = ${sentence(rnd, 8)}\n`;
    put(dir, `files/conf/part-${String(k).padStart(2, "0")}.conf`, text);
  }
  for (let k = 0; k < 6; k++) {
    put(dir, `files/scripts/run-${k}.sh`, `#!/bin/sh\n# {{ .Release.Name }} script ${k}\nset -eu\nexec /opt/app/bin/${name} --namespace {{ .Release.Namespace }} --component ${k} "$@"\n`);
  }
}

const COMPONENTS = ["core", "api", "worker", "scheduler", "portal", "registry", "jobservice", "exporter", "notifier", "gateway", "indexer", "cache"];

export function generateLibrary(dir) {
  writeApp(dir, "libapp", COMPONENTS, 1, "charts/lib");
}

export function generateUmbrella(dir) {
  const subs = ["auth", "billing", "catalog", "search", "media"];
  put(
    dir,
    "Chart.yaml",
    `apiVersion: v2\nname: platform\nversion: 1.4.0\nappVersion: "1.4.0"\ndependencies:\n${subs.map((s) => `  - name: ${s}\n    version: 1.x.x\n    repository: file://charts/${s}\n    condition: ${s}.enabled\n`).join("")}`,
  );
  let values = "global:\n  imageRegistry: mirror.example.com\n  imagePullSecrets:\n    - platform-pull\n  kubeVersion: \"\"\n";
  for (const s of subs) values += `${s}:\n  enabled: true\n  commonLabels:\n    example.com/platform: "{{ .Release.Name }}"\n`;
  put(dir, "values.yaml", values);
  put(
    dir,
    "templates/namespace-config.yaml",
    `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-platform
data:
  subcharts: |
    {{- range $name, $sub := .Subcharts }}
    {{ $name }}: {{ $sub.Chart.Version }}
    {{- end }}
  globals: |
    {{- toYaml .Values.global | nindent 4 }}
`,
  );
  subs.forEach((s, i) => {
    const comps = COMPONENTS.slice(i, i + 4);
    writeApp(join(dir, "charts", s), s, comps, 10 + i, "charts/lib");
  });
}

/** A CRD's openAPIV3Schema: nested objects with long descriptions, about `budget` properties in all. */
function crdSchema(rnd, depth, budget) {
  const props = {};
  let left = budget;
  let i = 0;
  while (left > 0) {
    const name = `${WORDS[Math.floor(rnd() * WORDS.length)]}${WORDS[Math.floor(rnd() * WORDS.length)].replace(/^./, (x) => x.toUpperCase())}${i++}`;
    const r = rnd();
    left--;
    if (depth < 5 && r < 0.25 && left > 4) {
      const n = Math.min(left, 3 + Math.floor(rnd() * Math.min(left, 40)));
      left -= n;
      props[name] = { description: sentence(rnd, 20 + Math.floor(rnd() * 30)), type: "object", properties: crdSchema(rnd, depth + 1, n) };
    } else if (depth < 5 && r < 0.35 && left > 4) {
      const n = Math.min(left, 2 + Math.floor(rnd() * Math.min(left, 20)));
      left -= n;
      props[name] = { description: sentence(rnd, 15), type: "array", items: { type: "object", required: ["name"], properties: crdSchema(rnd, depth + 1, n) } };
    } else if (r < 0.6) {
      props[name] = { description: sentence(rnd, 10 + Math.floor(rnd() * 40)), type: "string" };
    } else if (r < 0.75) {
      props[name] = { description: sentence(rnd, 12), type: "integer", format: "int32", minimum: 0 };
    } else if (r < 0.85) {
      props[name] = { description: sentence(rnd, 8), type: "boolean" };
    } else {
      props[name] = { anyOf: [{ type: "integer" }, { type: "string" }], description: sentence(rnd, 14), pattern: "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$", "x-kubernetes-int-or-string": true };
    }
  }
  return props;
}

/** Plain YAML (block style) of generated data, indented by `pad`. */
function crdYaml(v, pad) {
  let out = "";
  for (const [k, x] of Object.entries(v)) {
    if (Array.isArray(x)) {
      out += `${pad}${k}:\n`;
      for (const e of x) {
        if (e !== null && typeof e === "object") out += crdYaml(e, pad + "  ").replace(/^(\s*) {2}/, "$1- ");
        else out += `${pad}  - ${JSON.stringify(e)}\n`;
      }
    } else if (x !== null && typeof x === "object") {
      out += `${pad}${k}:\n${crdYaml(x, pad + "  ")}`;
    } else {
      out += `${pad}${k}: ${typeof x === "string" && !/^[a-z][a-zA-Z0-9 ]*$/.test(x) ? JSON.stringify(x) : x}\n`;
    }
  }
  return out;
}

function crdText(group, kind, rnd, budget, header) {
  const plural = kind.toLowerCase() + "s";
  const spec = crdYaml(crdSchema(rnd, 0, budget), "                ");
  const status = crdYaml(crdSchema(rnd, 2, Math.floor(budget / 5)), "                ");
  return `${header}apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    controller-gen.kubebuilder.io/version: v0.16.1
  name: ${plural}.${group}
spec:
  group: ${group}
  names:
    categories:
      - bench
    kind: ${kind}
    listKind: ${kind}List
    plural: ${plural}
    singular: ${kind.toLowerCase()}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      subresources:
        status: {}
      schema:
        openAPIV3Schema:
          description: ${kind} is the Schema for the ${plural} API.
          type: object
          properties:
            apiVersion:
              description: APIVersion defines the versioned schema of this representation of an object.
              type: string
            kind:
              description: Kind is a string value representing the REST resource this object represents.
              type: string
            metadata:
              type: object
            spec:
              description: ${kind}Spec defines the desired state of ${kind}.
              type: object
              properties:
${spec}            status:
              description: ${kind}Status defines the observed state of ${kind}.
              type: object
              properties:
${status}`;
}

export function generateCrds(dir) {
  const rnd = lcg(42);
  put(dir, "Chart.yaml", "apiVersion: v2\nname: operator\nversion: 0.31.0\nappVersion: \"0.31.0\"\nkubeVersion: \">=1.25.0-0\"\n");
  put(
    dir,
    "values.yaml",
    "crds:\n  enabled: true\n  keep: true\n  annotations:\n    example.com/generated: \"true\"\noperator:\n  image: registry.example.com/operator:0.31.0\n  replicas: 1\n  args: [--leader-elect, --metrics-bind-address=:8443]\n",
  );
  const kinds = ["Alertmanager", "Prometheus", "Probe", "Rule", "Monitor", "Scrape", "Agent", "Receiver", "Silence", "Route", "Cluster", "Backup", "Restore", "Pooler", "Database", "Publication", "Subscription", "Schedule", "Certificate", "Issuer"];
  for (let i = 0; i < 20; i++) {
    put(dir, `crds/${kinds[i].toLowerCase()}.yaml`, crdText("monitoring.example.com", kinds[i], rnd, 250 + (i % 5) * 120, "---\n"));
  }
  const tplHeader = `{{- if .Values.crds.enabled }}
`;
  for (let i = 0; i < 20; i++) {
    const kind = `${kinds[i]}Policy`;
    let text = crdText("policy.example.com", kind, rnd, 200 + (i % 4) * 120, tplHeader);
    text = text.replace(
      "  annotations:\n    controller-gen.kubebuilder.io/version: v0.16.1\n",
      `  annotations:
    controller-gen.kubebuilder.io/version: v0.16.1
    {{- if .Values.crds.keep }}
    helm.sh/resource-policy: keep
    {{- end }}
    {{- with .Values.crds.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  labels:
    app.kubernetes.io/name: {{ .Chart.Name }}
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
`,
    );
    put(dir, `templates/crds/${kind.toLowerCase()}.yaml`, text + "{{- end }}\n");
  }
  put(
    dir,
    "templates/deployment.yaml",
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-operator
spec:
  replicas: {{ .Values.operator.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Chart.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Chart.Name }}
    spec:
      containers:
        - name: operator
          image: {{ .Values.operator.image }}
          args: {{- toYaml .Values.operator.args | nindent 12 }}
`,
  );
}

/** The bench charts by name, with the extra `helm template` arguments each is rendered with. */
export const CHARTS = {
  big: { generate: (dir, opts) => generateBig(dir, opts.templates), args: [] },
  library: { generate: generateLibrary, args: [] },
  umbrella: { generate: generateUmbrella, args: [] },
  crds: { generate: generateCrds, args: ["--include-crds"] },
};
