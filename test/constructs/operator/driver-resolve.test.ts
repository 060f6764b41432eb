import {
  DefaultOperandImages,
  DriverSettings,
  GpuOperatorRelease,
  KernelModuleType,
  OperandImage,
} from '../../../src/operator';
import { resolveDriver } from '../../../src/operator/driver-resolve';

describe('resolveDriver', () => {
  test('defaults: enabled, the pinned driver, auto modules, not precompiled', () => {
    const d = resolveDriver({}, GpuOperatorRelease.PINNED);
    expect([d.enabled, d.image, d.kernelModuleType, d.usePrecompiled]).toEqual([
      true,
      DefaultOperandImages.DRIVER,
      KernelModuleType.AUTO,
      false,
    ]);
  });

  test('version replaces the tag of the default image', () => {
    expect(resolveDriver({ version: '570.195.03' }, GpuOperatorRelease.PINNED).image.reference).toBe(
      'nvcr.io/nvidia/driver:570.195.03',
    );
  });

  test("usePrecompiled defaults to the release's branch: 595 for v26.7.0, 580 for v25.10.1", () => {
    expect(resolveDriver({ usePrecompiled: true }, GpuOperatorRelease.V26_7_0).image.version).toBe('595');
    expect(resolveDriver({ usePrecompiled: true }, GpuOperatorRelease.V25_10_1).image.version).toBe('580');
  });

  test('the default driver and manager follow the release', () => {
    expect(resolveDriver({}, GpuOperatorRelease.V25_10_1).image.reference).toBe('nvcr.io/nvidia/driver:580.105.08');
    expect(resolveDriver({}, GpuOperatorRelease.V25_10_1).managerImage.version).toBe('v0.9.1');
    expect(resolveDriver({}, GpuOperatorRelease.V26_7_0).image.reference).toBe('nvcr.io/nvidia/driver:595.91.07');
    expect(resolveDriver({}, GpuOperatorRelease.V26_7_0).managerImage.version).toBe('v0.12.0');
  });

  test('image keeps a mirror', () => {
    const image = OperandImage.of('registry.local/nvidia', 'driver', '580.105.08');
    expect(resolveDriver({ image }, GpuOperatorRelease.PINNED).image).toBe(image);
  });

  test.each<[string, DriverSettings, RegExp]>([
    [
      'an upgrade policy with the driver disabled',
      { enabled: false, upgradePolicy: { autoUpgrade: true } },
      /driver.upgradePolicy applies only to a driver the operator installs, but driver.enabled is false; remove driver.upgradePolicy or enable the driver/,
    ],
    [
      'a version with the driver disabled',
      { enabled: false, version: '580.105.08' },
      /driver.version applies only to a driver the operator installs/,
    ],
    [
      'version and image together',
      { version: '580.105.08', image: DefaultOperandImages.DRIVER },
      /set driver.version or driver.image, not both/,
    ],
    [
      'a full version with usePrecompiled',
      { usePrecompiled: true, version: '580.105.08' },
      /with driver.usePrecompiled the version is a driver branch like "595" \(got "580.105.08"\)/,
    ],
    [
      'a branch without usePrecompiled',
      { version: '580' },
      /driver.version "580" is a branch; give a full version like "595.91.07", or set driver.usePrecompiled/,
    ],
    [
      'an unknown kernel module type (from another jsii language)',
      { kernelModuleType: 'closed' as KernelModuleType },
      /driver.kernelModuleType must be one of "auto", "open", "proprietary" \(got "closed"\)/,
    ],
    [
      'negative parallel upgrades',
      { upgradePolicy: { maxParallelUpgrades: -1 } },
      /maxParallelUpgrades must be a whole number ≥ 0 \(got -1\)/,
    ],
    [
      'a bad maxUnavailable',
      { upgradePolicy: { maxUnavailable: 'half' } },
      /upgradePolicy.maxUnavailable must be a whole number ≥ 1 or a percentage/,
    ],
    [
      'a fractional pod deletion timeout',
      { upgradePolicy: { gpuPodDeletion: { timeoutSeconds: 1.5 } } },
      /gpuPodDeletion.timeoutSeconds must be a whole number ≥ 0/,
    ],
    [
      'drain options while drain is off',
      { upgradePolicy: { drain: { force: true } } },
      /drain.force has no effect while drain.enable is false; set drain.enable to true or remove drain.force/,
    ],
  ])('rejects %s', (_what, settings, message) => {
    expect(() => resolveDriver(settings, GpuOperatorRelease.PINNED)).toThrow(message);
  });
});
