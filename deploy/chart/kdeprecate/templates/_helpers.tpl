{{/* The release's full name, at most 52 characters (CronJob names are limited so that Job names fit). */}}
{{- define "kdeprecate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kdeprecate.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kdeprecate.labels" -}}
{{ include "kdeprecate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "kdeprecate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kdeprecate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* repository:tag, or repository@digest when a digest is given. Argument: an image map and a default tag. */}}
{{- define "kdeprecate.image" -}}
{{- $image := index . 0 -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default (index . 1) $image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Whether this chart runs its own Pushgateway ("true" or ""). */}}
{{- define "kdeprecate.pushgateway.deployed" -}}
{{- if or .Values.pushgateway.deploy .Values.serviceMonitor.enabled -}}
{{- if or .Values.pushgateway.url .Values.pushgateway.urlSecret.name -}}
{{- fail "pushgateway: set either url/urlSecret (an existing Pushgateway) or deploy/serviceMonitor.enabled (this chart's), not both" -}}
{{- end -}}
true
{{- end -}}
{{- end -}}

{{/* Restricted Pod Security Standard, for every container of the chart. */}}
{{- define "kdeprecate.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
