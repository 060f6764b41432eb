import { renderUpgradePolicy } from '../../../src/operator/cluster-policy-spec';

describe('renderUpgradePolicy', () => {
  test("fills NVIDIA's defaults so Git shows what the operator will do", () => {
    expect(renderUpgradePolicy({})).toEqual({
      autoUpgrade: true,
      maxParallelUpgrades: 1,
      maxUnavailable: '25%',
      podDeletion: { force: false, timeoutSeconds: 300, deleteEmptyDir: false },
      waitForCompletion: { timeoutSeconds: 0, podSelector: '' },
      drain: { enable: false, force: false, timeoutSeconds: 300, deleteEmptyDir: false, podSelector: '' },
    });
  });

  test("maps gpuPodDeletion to the CRD's podDeletion and keeps maxParallelUpgrades 0 (all at once)", () => {
    const p = renderUpgradePolicy({
      autoUpgrade: false,
      maxParallelUpgrades: 0,
      gpuPodDeletion: { force: true, timeoutSeconds: 60, deleteEmptyDir: true },
    });
    expect(p.autoUpgrade).toBe(false);
    expect(p.maxParallelUpgrades).toBe(0);
    expect(p.podDeletion).toEqual({ force: true, timeoutSeconds: 60, deleteEmptyDir: true });
  });
});
