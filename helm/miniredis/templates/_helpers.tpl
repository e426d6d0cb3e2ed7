{{/* The chart name, truncated to 63 characters. */}}
{{- define "miniredis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name: release + chart, truncated to 63 characters. */}}
{{- define "miniredis.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "miniredis.operatorName" -}}
{{- printf "%s-operator" (include "miniredis.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "miniredis.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "miniredis.labels" -}}
helm.sh/chart: {{ include "miniredis.chart" . }}
{{ include "miniredis.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "miniredis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "miniredis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "miniredis.operatorSelectorLabels" -}}
{{ include "miniredis.selectorLabels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "miniredis.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "miniredis.operatorName" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "miniredis.operatorImage" -}}
{{- printf "%s:%s" .Values.operator.image.repository (default .Chart.AppVersion .Values.operator.image.tag) }}
{{- end }}

{{- define "miniredis.nodeImage" -}}
{{- printf "%s:%s" .Values.operator.nodeImage.repository (default .Chart.AppVersion .Values.operator.nodeImage.tag) }}
{{- end }}

{{/* The operator's namespaced permissions, shared by the ClusterRole and the per-namespace Roles. */}}
{{- define "miniredis.operatorRules" -}}
- apiGroups: ["miniredis.io"]
  resources: ["miniredisnodes"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["miniredis.io"]
  resources: ["miniredisnodes/status"]
  verbs: ["get", "patch"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "delete"]
- apiGroups: [""]
  resources: ["pods/resize"]
  verbs: ["patch"]
- apiGroups: ["", "events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- if .Values.operator.peering }}
- apiGroups: ["kopf.dev"]
  resources: ["kopfpeerings"]
  verbs: ["get", "list", "watch", "patch"]
{{- end }}
{{- end }}
