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
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["delete"]
- apiGroups: ["", "events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- if .Values.operator.peering }}
- apiGroups: ["kopf.dev"]
  resources: ["kopfpeerings"]
  verbs: ["get", "list", "watch", "patch"]
{{- end }}
{{- end }}

{{/* ---- the API and its database ---- */}}

{{- define "miniredis.apiName" -}}
{{- printf "%s-api" (include "miniredis.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "miniredis.apiSelectorLabels" -}}
{{ include "miniredis.selectorLabels" . }}
app.kubernetes.io/component: api
{{- end }}

{{- define "miniredis.apiServiceAccountName" -}}
{{- if .Values.api.serviceAccount.create }}
{{- default (include "miniredis.apiName" .) .Values.api.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.api.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "miniredis.apiImage" -}}
{{- printf "%s:%s" .Values.api.image.repository (default .Chart.AppVersion .Values.api.image.tag) }}
{{- end }}

{{/* Where the API's MiniRedisNodes and password Secrets live. */}}
{{- define "miniredis.nodesNamespace" -}}
{{- default .Release.Namespace .Values.api.nodesNamespace }}
{{- end }}

{{/* The API Secret: the chart's own, or api.existingSecret. */}}
{{- define "miniredis.apiSecretName" -}}
{{- default (include "miniredis.apiName" .) .Values.api.existingSecret }}
{{- end }}

{{/* A generated value kept across upgrades: the existing Secret's key, else a new random one. */}}
{{- define "miniredis.keptRandom" -}}
{{- $existing := lookup "v1" "Secret" .namespace .name }}
{{- if and $existing $existing.data (hasKey $existing.data .key) }}
{{- index $existing.data .key | b64dec }}
{{- else }}
{{- randAlphaNum 48 }}
{{- end }}
{{- end }}

{{- define "miniredis.postgresqlName" -}}
{{- printf "%s-postgresql" (include "miniredis.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "miniredis.postgresqlSelectorLabels" -}}
{{ include "miniredis.selectorLabels" . }}
app.kubernetes.io/component: postgresql
{{- end }}

{{/* Refuse an API without a database. */}}
{{- define "miniredis.checkDatabase" -}}
{{- if and .Values.api.enabled (not .Values.postgresql.enabled) (not .Values.database.url) (not .Values.database.existingSecret) (not .Values.api.existingSecret) }}
{{- fail "the API needs a database: set database.url (or database.existingSecret, or api.existingSecret with a database-url key), or postgresql.enabled=true" }}
{{- end }}
{{- end }}
