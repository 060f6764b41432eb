/**
 * CDI device names and annotations in NVIDIA's format (vendor
 * `k8s.device-plugin.nvidia.com`, class `gpu`), so the CDI specs that the NVIDIA
 * Container Toolkit generates resolve them.
 */

import { CDI_VENDOR } from '../constants.js';

/** Plugin name that container-device-interface's UpdateAnnotations puts in the key. */
export const CDI_ANNOTATION_PLUGIN = 'nvidia-device-plugin';

/** `k8s.device-plugin.nvidia.com/<class>=<id>`. */
export function cdiQualifiedName(cdiClass: string, id: string): string {
  return `${CDI_VENDOR}/${cdiClass}=${id}`;
}

/**
 * One annotation `<prefix>nvidia-device-plugin_<responseId>` whose value lists the
 * CDI devices separated by commas, as container-device-interface's UpdateAnnotations
 * builds it (it replaces `/` in the ID by `_`).
 */
export function cdiAnnotations(prefix: string, responseId: string, devices: readonly string[]): Record<string, string> {
  const key = `${prefix}${CDI_ANNOTATION_PLUGIN}_${responseId.replace(/\//g, '_')}`;
  return { [key]: devices.join(',') };
}
