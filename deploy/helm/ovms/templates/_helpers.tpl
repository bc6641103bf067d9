{{- define "ovms.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ovms.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ovms.labels" -}}
{{ include "ovms.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The folder or URL that holds the model folders. */}}
{{- define "ovms.repositoryRoot" -}}
{{- if has .Values.repository.type (list "s3" "gcs" "azure") -}}
{{- required "repository.url is required for an s3, gcs or azure repository" .Values.repository.url | trimSuffix "/" -}}
{{- else -}}
{{- .Values.repository.mountPath | trimSuffix "/" -}}
{{- end -}}
{{- end -}}

{{/* config.json from the models and pipelines values. */}}
{{- define "ovms.config" -}}
{{- $root := include "ovms.repositoryRoot" . -}}
{{- $models := list -}}
{{- range .Values.models -}}
{{- $model := merge (deepCopy .) (dict "base_path" (printf "%s/%s" $root .name)) -}}
{{- $models = append $models (dict "config" $model) -}}
{{- end -}}
{{- $config := dict "model_config_list" $models -}}
{{- if .Values.pipelines -}}
{{- $_ := set $config "pipeline_config_list" .Values.pipelines -}}
{{- end -}}
{{- toPrettyJson $config -}}
{{- end -}}
