// The least-privilege rules of issue 8 as one checker over synthesized or rendered
// objects, so the same rules hold for dist/, every chart scenario and every fuzzed set of
// props. Returns each broken rule as a sentence; empty when all hold.
import * as YAML from 'yaml';
import { restrictedViolations } from '../constructs/helpers/pod-security';

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
const DEVICE_PLUGIN_DIR = '/var/lib/kubelet/device-plugins';
const PSS_MODES = ['enforce', 'audit', 'warn'];

/** Host paths the plugin may mount, by volume name, and whether it may write there. */
const HOST_PATHS: { [volume: string]: { path?: string; writable: boolean } } = {
  // Its sockets and the kubelet's.
  'device-plugins': { path: DEVICE_PLUGIN_DIR, writable: true },
  // NVML and the driver's files under a containerized driver: read only.
  'driver-root': { writable: false },
  // CDI specs the plugin writes for the runtime.
  'cdi-root': { path: '/var/run/cdi', writable: true },
  // The MPS daemon's pipes and logs.
  'mps-root': { writable: true },
  // NFD's local feature files: the GPU Feature Discovery labels the plugin writes (gpuFeatureDiscovery).
  'nfd-features': { path: '/etc/kubernetes/node-feature-discovery/features.d', writable: true },
};

function where(o: any): string {
  return `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
}

/** The plugin's config (NVIDIA v1) from the ConfigMap the DaemonSet mounts (single-config mode). */
function pluginConfig(objects: any[], ds: any): any {
  return pluginConfigs(objects, ds)?.[0];
}

/**
 * Every config the plugin may run: config.yaml, or with named configs (CONFIG_DIR) every file
 * of the ConfigMap, since a node may switch to any of them without a restart.
 */
function pluginConfigs(objects: any[], ds: any): any[] | undefined {
  const volume = (ds.spec.template.spec.volumes ?? []).find((v: any) => v.configMap);
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === volume?.configMap?.name);
  if (!cm?.data) return undefined;
  if (namedConfigs(ds)) return Object.values(cm.data).map((text) => YAML.parse(text as string));
  return cm.data['config.yaml'] === undefined ? undefined : [YAML.parse(cm.data['config.yaml'])];
}

/** True when the plugin follows its node's config label (named configs: CONFIG_DIR set). */
function namedConfigs(ds: any): boolean {
  return (ds.spec.template.spec.containers ?? []).some((c: any) =>
    (c.env ?? []).some((e: any) => e.name === 'CONFIG_DIR'),
  );
}

/**
 * With named configs the plugin lists and watches its own Node: one ClusterRole with get,
 * list and watch on nodes and nothing else, bound to the plugin's ServiceAccount alone.
 */
function nodeReaderProblems(objects: any[], rbac: any[]): string[] {
  const out: string[] = [];
  const plugins = objects.filter(
    (o) => o.kind === 'DaemonSet' && o.metadata?.labels?.['app.kubernetes.io/component'] === 'device-plugin',
  );
  const readers = plugins.filter(namedConfigs);
  for (const o of rbac) {
    if (readers.length === 0) {
      out.push(`${where(o)}: no RBAC is needed (the plugin never calls the API server without named configs)`);
      continue;
    }
    if (o.kind === 'ClusterRole') {
      const want = [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }];
      if (JSON.stringify(o.rules) !== JSON.stringify(want))
        out.push(`${where(o)}: may only get, list and watch nodes (got ${JSON.stringify(o.rules)})`);
    } else if (o.kind === 'ClusterRoleBinding') {
      const role = rbac.find((r) => r.kind === 'ClusterRole' && r.metadata.name === o.roleRef?.name);
      if (!role) out.push(`${where(o)}: binds ${o.roleRef?.name}, which is not the node-reader ClusterRole`);
      for (const sub of o.subjects ?? []) {
        const ok = readers.some(
          (ds) =>
            sub.kind === 'ServiceAccount' &&
            sub.name === ds.spec.template.spec.serviceAccountName &&
            sub.namespace === ds.metadata.namespace,
        );
        if (!ok)
          out.push(`${where(o)}: binds ${sub.kind} ${sub.namespace}/${sub.name}, not the plugin's ServiceAccount`);
      }
    } else {
      out.push(`${where(o)}: only a ClusterRole and its ClusterRoleBinding are needed (nodes are cluster-scoped)`);
    }
  }
  return out;
}

function pluginProblems(objects: any[], ds: any, hostNetworkAllowed = false): string[] {
  const out: string[] = [];
  const at = where(ds);
  const pod = ds.spec.template.spec;
  if (pod.automountServiceAccountToken !== false && !namedConfigs(ds))
    out.push(`${at}: automountServiceAccountToken must be false (the plugin never calls the API server)`);
  if (!pod.serviceAccountName || pod.serviceAccountName === 'default')
    out.push(`${at}: must run as its own ServiceAccount, not "default"`);
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (f === 'hostNetwork' && hostNetworkAllowed) continue;
    if (pod[f] === true) out.push(`${at}: ${f} must not be true`);
  }
  const configs = pluginConfigs(objects, ds);
  // Named configs from an existing ConfigMap (chart config.name): the files are not among the
  // objects, so SYS_ADMIN (what MIG or volume-mounts need) is the most that is accepted.
  const external = namedConfigs(ds) && configs === undefined;
  if (!external && (!configs || configs.length === 0))
    out.push(`${at}: no ConfigMap with config.yaml (or named configs) is mounted`);
  const flagsOf = (config: any) => config?.flags ?? {};
  const listsOf = (config: any): string[] => [flagsOf(config).plugin?.deviceListStrategy ?? []].flat();
  const hostPaths = new Map<string, string>();
  for (const v of pod.volumes ?? []) {
    if (!v.hostPath) continue;
    const rule = HOST_PATHS[v.name];
    if (!rule) out.push(`${at}: hostPath volume "${v.name}" (${v.hostPath.path}) is not one the plugin needs`);
    else if (rule.path && v.hostPath.path !== rule.path)
      out.push(`${at}: hostPath volume "${v.name}" must be ${rule.path} (got ${v.hostPath.path})`);
    hostPaths.set(v.name, v.hostPath.path);
  }
  for (const c of pod.containers ?? []) {
    const cat = `${at} container "${c.name}"`;
    for (const m of c.volumeMounts ?? []) {
      const rule = HOST_PATHS[m.name];
      if (hostPaths.has(m.name) && rule && !rule.writable && m.readOnly !== true)
        out.push(`${cat}: mount "${m.name}" must be readOnly`);
      if (m.name === 'config' && m.readOnly !== true) out.push(`${cat}: the config mount must be readOnly`);
    }
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push(`${cat}: hostPort ${p.hostPort} is not needed`);
    }
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) {
      if (!(configs ?? []).some((c) => flagsOf(c).plugin?.passDeviceSpecs === true))
        out.push(`${cat}: privileged without passDeviceSpecs`);
      continue;
    }
    if (sc.allowPrivilegeEscalation !== false) out.push(`${cat}: allowPrivilegeEscalation must be false`);
    if (sc.readOnlyRootFilesystem !== true)
      out.push(`${cat}: readOnlyRootFilesystem must be true (it writes only into hostPath mounts)`);
    if (sc.seccompProfile?.type !== 'RuntimeDefault') out.push(`${cat}: seccompProfile must be RuntimeDefault`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${cat}: capabilities must drop ALL`);
    const added: string[] = sc.capabilities?.add ?? [];
    const needsSysAdmin =
      external ||
      (configs ?? []).some(
        (c) => (flagsOf(c).migStrategy ?? 'none') !== 'none' || listsOf(c).includes('volume-mounts'),
      );
    const allowed = needsSysAdmin ? ['SYS_ADMIN'] : [];
    const extra = added.filter((cap) => !allowed.includes(cap));
    if (extra.length > 0) out.push(`${cat}: adds capabilities ${extra.join(', ')} that this config does not need`);
  }
  return out;
}

/**
 * Every least-privilege rule the objects break. `restrictedJobs`: Jobs must pass the Pod
 * Security Standard `restricted` (true for GpuJobs with default security props);
 * `jobTokenAllowed`: the user asked for the API token (automountServiceAccountToken);
 * `hostNetworkAllowed`: the user asked for the host network (GpuDevicePlugin `hostNetwork`, chart `hostNetwork`).
 */
export function leastPrivilegeProblems(
  objects: any[],
  options: { restrictedJobs?: boolean; jobTokenAllowed?: boolean; hostNetworkAllowed?: boolean } = {},
): string[] {
  const out: string[] = [];
  out.push(
    ...nodeReaderProblems(
      objects,
      objects.filter((o) => RBAC_KINDS.has(o.kind)),
    ),
  );
  for (const o of objects) {
    if (o.kind === 'ServiceAccount' && o.automountServiceAccountToken !== false) {
      out.push(`${where(o)}: automountServiceAccountToken must be false`);
    }
    const component = o.metadata?.labels?.['app.kubernetes.io/component'];
    if (o.kind === 'Namespace' && component === 'device-plugin') {
      for (const mode of PSS_MODES) {
        const level = o.metadata.labels[`pod-security.kubernetes.io/${mode}`];
        if (level !== 'privileged')
          out.push(`${where(o)}: pod-security.kubernetes.io/${mode} must be privileged (got ${level})`);
      }
    }
    if (o.kind === 'DaemonSet' && component === 'device-plugin')
      out.push(...pluginProblems(objects, o, options.hostNetworkAllowed));
    if (o.kind === 'DaemonSet' && component === 'mps-control-daemon') {
      // hostPID (the MPS server matches client PIDs) and privileged, as NVIDIA's chart; nothing more.
      const pod = o.spec.template.spec;
      if (pluginConfig(objects, o)?.sharing?.mps === undefined)
        out.push(`${where(o)}: an MPS control daemon without sharing.mps in its config`);
      for (const f of ['hostNetwork', 'hostIPC']) if (pod[f]) out.push(`${where(o)}: ${f} must not be true`);
      if (pod.automountServiceAccountToken !== false)
        out.push(`${where(o)}: automountServiceAccountToken must be false`);
      const extra = (pod.volumes ?? []).filter(
        (v: any) => v.hostPath && !['mps-root', 'mps-shm', 'driver-root'].includes(v.name),
      );
      for (const v of extra)
        out.push(`${where(o)}: hostPath volume "${v.name}" (${v.hostPath.path}) is not one the MPS daemon needs`);
    }
    if (o.kind === 'Job') {
      const spec = o.spec.template.spec;
      if (!options.jobTokenAllowed && spec.automountServiceAccountToken !== false)
        out.push(`${where(o)}: automountServiceAccountToken must be false by default`);
      if (options.restrictedJobs ?? true)
        out.push(...restrictedViolations(spec).map((v) => `${where(o)}: restricted: ${v}`));
    }
  }
  return out;
}
