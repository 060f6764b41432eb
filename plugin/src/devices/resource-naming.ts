/**
 * Resource names as NVIDIA's plugin builds them (api/config/v1/resources.go): a bare name gets
 * the `nvidia.com/` prefix, the whole name is at most 63 characters, and the part after the
 * `/` must be a DNS subdomain so the kubelet accepts it.
 */

import { isResourceName } from '../config/rules.js';
import { MAX_RESOURCE_NAME_LENGTH, RESOURCE_PREFIX } from '../constants.js';

/** Suffix of shared resources under renameByDefault. */
export const SHARED_SUFFIX = '.shared';
export const GPU_RESOURCE = `${RESOURCE_PREFIX}/gpu`;

/**
 * The fully qualified name, or an Error that names `where` (the config field the name came
 * from), the value and the rule it breaks.
 */
export function qualifyResourceName(name: string, where: string): string {
  const full = name.includes('/') ? name : `${RESOURCE_PREFIX}/${name}`;
  if (full.length > MAX_RESOURCE_NAME_LENGTH) {
    throw new Error(
      `${where}: resource name '${full}' is ${full.length} characters; the kubelet accepts at most ` +
        `${MAX_RESOURCE_NAME_LENGTH} (prefix included). Choose a shorter name (set rename).`,
    );
  }
  if (!isResourceName(full)) {
    throw new Error(
      `${where}: resource name '${full}' is not valid: it must be '${RESOURCE_PREFIX}/<name>' where <name> is ` +
        'lowercase letters, digits, - and . (starting and ending with a letter or digit).',
    );
  }
  return full;
}

/** `nvidia.com/mig-1g.10gb` → `nvidia-mig-1g.10gb.sock`, NVIDIA's socket naming. */
export function socketNameFor(resourceName: string): string {
  const local = resourceName.includes('/') ? resourceName.slice(resourceName.indexOf('/') + 1) : resourceName;
  return `nvidia-${local}.sock`;
}
