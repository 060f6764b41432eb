import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { PluginImage } from '../device-plugin/plugin-image';
import { CiScenario } from './ci-scenarios';
import { GENERATED_NOTICE } from './values-files';

/** The fields of package.json the chart metadata comes from. */
export interface PackageInfo {
  readonly version: string;
  readonly description?: string;
  readonly license?: string;
  readonly homepage?: string;
  readonly repository?: { url?: string } | string;
  readonly keywords?: string[];
  readonly author?: { name?: string; url?: string; email?: string } | string;
}

/** Reads the root package.json (two levels above this file in src/ and lib/ alike). */
export function readPackageInfo(): PackageInfo {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
}

/** Lowest Kubernetes release the manifests are written for (Pod Security labels are GA in 1.25). */
export const KUBE_VERSION = '>=1.25.0-0';

/** Chart.yaml: apiVersion v2, versions from package.json, Artifact Hub annotations. */
export function chartYaml(chart: string, pkg: PackageInfo): string {
  const repo = repositoryUrl(pkg);
  const author = typeof pkg.author === 'string' ? { name: pkg.author } : (pkg.author ?? {});
  const images = [
    { name: 'gpu-device-plugin', image: PluginImage.project().reference },
    { name: 'nvidia-k8s-device-plugin', image: PluginImage.nvidia().reference },
  ];
  const doc = {
    apiVersion: 'v2',
    name: chart,
    description:
      'The NVIDIA GPU device plugin (nvidia.com/gpu, MIG, time-slicing, MPS), generated from the cdk8s-gpu GpuDevicePlugin construct.',
    type: 'application',
    version: pkg.version,
    appVersion: pkg.version,
    kubeVersion: KUBE_VERSION,
    home: pkg.homepage ?? repo,
    sources: [repo],
    keywords: pkg.keywords ?? [],
    maintainers: [
      {
        name: author.name ?? 'maintainers',
        ...(author.email ? { email: author.email } : {}),
        ...(author.url ? { url: author.url } : {}),
      },
    ],
    annotations: {
      'artifacthub.io/license': pkg.license ?? 'Apache-2.0',
      'artifacthub.io/category': 'ai-machine-learning',
      'artifacthub.io/prerelease': String(pkg.version.includes('-')),
      'artifacthub.io/images': YAML.stringify(images),
      'artifacthub.io/links': YAML.stringify([
        { name: 'source', url: repo },
        { name: 'documentation', url: `${repo}#readme` },
      ]),
    },
  };
  return `# ${GENERATED_NOTICE}\n${YAML.stringify(doc, { lineWidth: 0 })}`;
}

/** NOTES.txt: where the plugin runs and how to see the resources this release advertises. */
export function notesTxt(chart: string): string {
  const inc = (name: string) => `{{ include "${chart}.${name}" . }}`;
  return `{{- /* ${GENERATED_NOTICE} */ -}}
{{- $resources := splitList "," (include "${chart}.advertised" .) -}}
The NVIDIA GPU device plugin runs as DaemonSet ${inc('fullname')} in namespace ${inc('namespace')}.

1. Wait until it runs on every GPU node:

  kubectl -n ${inc('namespace')} rollout status daemonset/${inc('fullname')}
  kubectl -n ${inc('namespace')} get pods -l app.kubernetes.io/instance=${inc('fullname')} -o wide

2. Check that the nodes advertise {{ join ", " $resources }} (allocatable):

  kubectl get nodes -o custom-columns='NODE:.metadata.name{{ range $resources }},{{ . }}:.status.allocatable.{{ replace "." "\\\\." . }}{{ end }}'
{{- if eq .Values.migStrategy "mixed" }}

  MIG strategy "mixed": each MIG profile is its own resource (nvidia.com/mig-<profile>); list them with
  kubectl describe nodes | grep 'nvidia.com/mig-'
{{- end }}
{{- if or .Values.timeSlicing.enabled .Values.mps.enabled }}

  GPUs are shared ({{ if .Values.timeSlicing.enabled }}time-slicing{{ else }}MPS{{ end }}): each GPU counts as several replicas.
{{- end }}

3. Run a pod that asks for one {{ last $resources }}:

  resources:
    limits:
      {{ last $resources }}: 1
`;
}

/** The chart's README.md: install, scenarios, and the values table. */
export function chartReadme(
  chart: string,
  pkg: PackageInfo,
  table: string,
  scenarios: CiScenario[],
  migration = '',
): string {
  const scenarioRows = scenarios
    .map((s) => `| [\`ci/${s.name}-values.yaml\`](ci/${s.name}-values.yaml) | ${s.description} |`)
    .join('\n');
  return `<!-- ${GENERATED_NOTICE} -->
# ${chart}

![Version: ${pkg.version}](https://img.shields.io/badge/Version-${pkg.version.replace(/-/g, '--')}-informational)
![AppVersion: ${pkg.version}](https://img.shields.io/badge/AppVersion-${pkg.version.replace(/-/g, '--')}-informational)

The NVIDIA GPU device plugin for Kubernetes: advertises \`nvidia.com/gpu\` (and MIG profiles, time-sliced or MPS replicas) to the kubelet on every GPU node.
This chart is generated from the \`GpuDevicePlugin\` cdk8s construct, so \`helm template\` gives the same objects as \`cdk8s synth\` with the same settings.

## Install

\`\`\`sh
helm install ${chart} ./charts/${chart} --namespace kube-system
\`\`\`

The objects go to the namespace \`namespace.name\` (created by the chart while \`namespace.create\` is true); the release record stays in \`--namespace\`.
Kubernetes ${KUBE_VERSION.replace('>=', '').replace('-0', '')} or later.

## Scenarios

| Values file | What it shows |
|-------------|---------------|
${scenarioRows}

## Values

${table}${migration ? `\n${migration}` : ''}`;
}

/** .helmignore: keep editor and VCS files out of the package. */
export function helmIgnore(): string {
  return `# ${GENERATED_NOTICE}\n.DS_Store\n.git/\n.gitignore\n*.swp\n*.bak\n*.tmp\n*.orig\n*~\n.idea/\n.vscode/\n`;
}

function repositoryUrl(pkg: PackageInfo): string {
  const raw = typeof pkg.repository === 'string' ? pkg.repository : (pkg.repository?.url ?? pkg.homepage ?? '');
  return raw.replace(/^git\+/, '').replace(/\.git$/, '');
}
