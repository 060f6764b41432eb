/**
 * Facts of NVIDIA's device plugin that the plugin, the constructs and the chart all need,
 * declared once. This file is the source; the construct library (jsii, which cannot import
 * the plugin package) compiles a generated copy, src/common/plugin-constants.ts, written by
 * `npm run chart` and checked byte for byte by test/chart/plugin-constants.test.ts. So it must
 * stay self-contained: no imports, only literal values that compile under both tsconfigs.
 */

/** The domain of every resource the plugin advertises (NVIDIA's `nvidia.com/<name>`). */
export const RESOURCE_PREFIX = 'nvidia.com';

/** The kubelet's limit on an extended resource name, prefix included (NVIDIA's MaxResourceNameLength). */
export const MAX_RESOURCE_NAME_LENGTH = 63;

/**
 * XIDs NVIDIA's plugin ignores by default (v0.18+): application errors, the GPU is still
 * fine. `DP_DISABLE_HEALTHCHECKS` adds to them, `DP_ENABLE_HEALTHCHECKS` overrides them.
 */
export const DEFAULT_SKIP_XIDS: readonly number[] = [13, 31, 43, 45, 68, 109];

/** The CDI vendor of NVIDIA's device names (`k8s.device-plugin.nvidia.com/gpu=<id>`). */
export const CDI_VENDOR = 'k8s.device-plugin.nvidia.com';
