// The cross-construct check of one App: a GpuJob that requests an NVIDIA resource which no
// GpuDevicePlugin or GpuOperatorStack of the same App advertises would stay Pending forever.
// It runs as a construct validation at synth, when the whole App exists. An App without a
// plugin construct (jobs kept in their own repository) is not checked: the cluster's plugin
// is unknown there. Not part of the public API.
import { IConstruct } from 'constructs';
import { GpuResource, NVIDIA_DOMAIN } from '../common/gpu-resource';
import { GpuDevicePlugin } from '../device-plugin/gpu-device-plugin';
import { DevicePluginConfig, MigStrategy, SharingOptions } from '../device-plugin/plugin-config';
import { GpuOperatorStack } from '../operator/gpu-operator-stack';
import { GpuRequest } from './gpu-request';

const GPU = GpuResource.NVIDIA_GPU.name;
const MIG_PREFIX = `${NVIDIA_DOMAIN}/mig-`;

/** What the nodes of one plugin config advertise (union over nodes). */
interface Advertised {
  /** Exact resource names. */
  readonly names: Set<string>;
  /** Whether MIG profiles are advertised one resource each (`mixed`); which ones depends on the GPUs. */
  readonly anyMig: boolean;
  /** Resources that sharing renames on every device, so their own name is not advertised. */
  readonly renamed: Set<string>;
}

function advertisedByConfig(config: DevicePluginConfig): Advertised {
  const names = new Set<string>([GPU]);
  const renamed = new Set<string>();
  const share = (opts: SharingOptions | undefined) => {
    for (const r of opts?.resources ?? []) {
      const base = (r.resource ?? GpuResource.NVIDIA_GPU).name;
      const name = r.rename ? `${NVIDIA_DOMAIN}/${r.rename}` : opts!.renameByDefault ? `${base}.shared` : base;
      names.add(name);
      // Sharing only some devices (devices: [...]) leaves the others whole, under the old name.
      if (name !== base && !(r.devices && r.devices.length > 0)) renamed.add(base);
    }
  };
  share(config.timeSlicing);
  share(config.mps);
  for (const base of renamed) names.delete(base);
  return { names, anyMig: config.migStrategy === MigStrategy.MIXED, renamed };
}

function advertises(a: Advertised, name: string): boolean {
  if (a.names.has(name)) return true;
  return a.anyMig && name.startsWith(MIG_PREFIX) && !a.renamed.has(name) && !name.endsWith('.shared');
}

interface Advertiser {
  readonly path: string;
  readonly what: string;
  readonly configs: Advertised[];
}

function advertisers(root: IConstruct): Advertiser[] {
  const found: Advertiser[] = [];
  for (const c of root.node.findAll()) {
    if (c instanceof GpuDevicePlugin) {
      found.push({ path: c.node.path, what: 'GpuDevicePlugin', configs: c.allConfigs.map(advertisedByConfig) });
    } else if (c instanceof GpuOperatorStack) {
      const policy = c.clusterPolicy;
      const configs = policy.devicePluginEnabled ? policy.pluginConfigs.map(advertisedByConfig) : [];
      found.push({ path: c.node.path, what: 'GpuOperatorStack', configs });
    }
  }
  return found;
}

function describe(a: Advertiser): string {
  if (a.configs.length === 0) return `${a.what} "${a.path}" runs no device plugin`;
  const names = new Set<string>();
  let mig = false;
  for (const c of a.configs) {
    c.names.forEach((n) => names.add(n));
    mig ||= c.anyMig;
  }
  const list = [...names].sort();
  if (mig) list.push(`${MIG_PREFIX}<profile>`);
  return `${a.what} "${a.path}" advertises ${list.join(', ')}`;
}

function fix(name: string): string {
  if (name.startsWith(MIG_PREFIX) && !name.endsWith('.shared')) {
    return 'set migStrategy: MigStrategy.MIXED on the GpuDevicePlugin (mig: { strategy: MigStrategy.MIXED } on the GpuOperatorStack), or request whole GPUs with GpuRequest.gpus(n)';
  }
  if (name === GPU) {
    return 'every GPU is shared under another name: request that name (GpuRequest.shared()), or share only some GPUs with the devices field of the shared resource';
  }
  return 'share GPUs with timeSlicing or mps on the plugin (renameByDefault: true advertises nvidia.com/gpu.shared; rename picks another name), or request one of the advertised resources';
}

/**
 * Problems of `job`'s requests against the plugins of its App, as validation messages; none
 * when the App has no GpuDevicePlugin or GpuOperatorStack.
 */
export function advertisedResourceProblems(job: IConstruct, requests: GpuRequest[]): string[] {
  const found = advertisers(job.node.root);
  if (found.length === 0) return [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const request of requests) {
    const name = request.resource.name;
    if (!name.startsWith(`${NVIDIA_DOMAIN}/`) || seen.has(name)) continue;
    seen.add(name);
    if (found.some((a) => a.configs.some((c) => advertises(c, name)))) continue;
    problems.push(
      `GpuJob "${job.node.path}" requests ${name}, which no device plugin in this app advertises, so its pod would stay Pending ` +
        `(${found.map(describe).join('; ')}); ${fix(name)}`,
    );
  }
  return problems;
}
