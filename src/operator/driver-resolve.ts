// Resolves and validates the driver settings. Internal (not exported from index.ts).
import { requireCountOrPercent, requireOneOf, requireWholeNumber } from '../common/validation';
import { DriverSettings, DriverUpgradePolicy } from './driver-settings';
import { OperandImage } from './operator-images';
import { GpuOperatorRelease } from './releases';
import { KernelModuleType } from './vocabulary';

/** The driver settings with every default applied. Internal. */
export interface ResolvedDriver {
  readonly enabled: boolean;
  readonly image: OperandImage;
  readonly managerImage: OperandImage;
  readonly usePrecompiled: boolean;
  readonly kernelModuleType: KernelModuleType;
  readonly upgradePolicy: DriverUpgradePolicy;
}

/** Resolves and validates the driver settings. Internal. */
export function resolveDriver(d: DriverSettings, release: GpuOperatorRelease): ResolvedDriver {
  const enabled = d.enabled ?? true;
  if (!enabled) {
    const set = (
      ['version', 'image', 'usePrecompiled', 'kernelModuleType', 'upgradePolicy', 'managerImage'] as const
    ).filter((k) => d[k] !== undefined);
    if (set.length > 0) {
      throw new Error(
        `driver.${set[0]} applies only to a driver the operator installs, but driver.enabled is false; remove driver.${set.join(', driver.')} or enable the driver`,
      );
    }
  }
  const usePrecompiled = d.usePrecompiled ?? false;
  if (d.version !== undefined && d.image !== undefined) {
    throw new Error(
      `set driver.version or driver.image, not both (got version "${d.version}" and image ${d.image.reference})`,
    );
  }
  const version =
    d.version ?? d.image?.version ?? (usePrecompiled ? release.driverBranch : release.operands.driver.version);
  if (usePrecompiled && !/^\d+$/.test(version)) {
    throw new Error(
      `with driver.usePrecompiled the version is a driver branch like "${release.driverBranch}" (got "${version}"); the operator picks the image for each node's kernel`,
    );
  }
  if (!usePrecompiled && /^\d+$/.test(version)) {
    throw new Error(
      `driver.version "${version}" is a branch; give a full version like "${release.operands.driver.version}", or set driver.usePrecompiled to true`,
    );
  }
  const kernelModuleType = d.kernelModuleType ?? KernelModuleType.AUTO;
  requireOneOf('driver.kernelModuleType', kernelModuleType, KernelModuleType);
  const upgradePolicy = d.upgradePolicy ?? {};
  checkUpgradePolicy(upgradePolicy);
  return {
    enabled,
    image: d.image ?? release.operands.driver.withVersion(version),
    managerImage: d.managerImage ?? release.operands.driverManager,
    usePrecompiled,
    kernelModuleType,
    upgradePolicy,
  };
}

function checkUpgradePolicy(p: DriverUpgradePolicy): void {
  if (p.maxParallelUpgrades !== undefined)
    requireWholeNumber('driver.upgradePolicy.maxParallelUpgrades', p.maxParallelUpgrades, 0);
  if (p.maxUnavailable !== undefined) requireCountOrPercent('driver.upgradePolicy.maxUnavailable', p.maxUnavailable);
  if (p.gpuPodDeletion?.timeoutSeconds !== undefined)
    requireWholeNumber('driver.upgradePolicy.gpuPodDeletion.timeoutSeconds', p.gpuPodDeletion.timeoutSeconds, 0);
  if (p.drain?.timeoutSeconds !== undefined)
    requireWholeNumber('driver.upgradePolicy.drain.timeoutSeconds', p.drain.timeoutSeconds, 0);
  const drainEnabled = p.drain?.enable ?? false;
  for (const k of ['force', 'deleteEmptyDir', 'podSelector', 'timeoutSeconds'] as const) {
    if (!drainEnabled && p.drain?.[k] !== undefined) {
      throw new Error(
        `driver.upgradePolicy.drain.${k} has no effect while drain.enable is false; set drain.enable to true or remove drain.${k}`,
      );
    }
  }
}
