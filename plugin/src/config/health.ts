/**
 * DP_DISABLE_HEALTHCHECKS and DP_ENABLE_HEALTHCHECKS, read as NVIDIA's plugin reads
 * them (internal/rm/health.go), except that a token that is neither an XID nor
 * all/xids is an error here: NVIDIA logs and drops it, which hides typos.
 *
 *   disable all|xids        -> health checks off
 *   disable 48,62           -> added to the default skip list (DEFAULT_SKIP_XIDS)
 *   enable 48               -> always critical, even when in the skip list
 *   enable all|xids         -> every XID critical, the default skip list included,
 *                              and it overrides disable=all
 *   disable all + enable 48 -> NVIDIA's code turns checks off entirely here (its
 *                              "all disabled" test ignores the enable list); we do
 *                              the same, and warn.
 */
import { ConfigError } from './errors.js';
import { HEALTH_ENV } from './options.js';
import type { HealthConfig } from './types.js';
import { DEFAULT_SKIP_XIDS } from '../constants.js';
import { parseList } from './rules.js';

interface XidList {
  all: boolean;
  xids: number[];
}

function parseXidList(env: NodeJS.ProcessEnv, name: string): XidList {
  const raw = env[name] ?? '';
  const result: XidList = { all: false, xids: [] };
  for (const token of parseList(raw.toLowerCase())) {
    if (token === 'all' || token === 'xids') {
      result.all = true;
    } else if (/^\d+$/.test(token) && Number(token) > 0 && Number.isSafeInteger(Number(token))) {
      result.xids.push(Number(token));
    } else {
      throw new ConfigError(
        `environment variable ${name} has "${token}" (in ${JSON.stringify(raw)}), which is neither an XID ` +
          'nor all/xids; use all, xids, or a comma-separated list of XID numbers ≥ 1 such as 48,79',
      );
    }
  }
  return result;
}

const sorted = (values: Iterable<number>): number[] => [...new Set(values)].sort((a, b) => a - b);

export function healthFromEnv(
  env: NodeJS.ProcessEnv,
  recoveryMs: number,
  warn: (message: string) => void,
): HealthConfig {
  const disable = parseXidList(env, HEALTH_ENV.disable);
  const enable = parseXidList(env, HEALTH_ENV.enable);

  if (enable.all) {
    // NVIDIA: enabling "all" wins over everything: no XID is skipped.
    return { disabled: false, skipXids: [], enableXids: [], recoveryMs };
  }
  const enabled = new Set(enable.xids);
  const skip = sorted([...DEFAULT_SKIP_XIDS, ...disable.xids].filter((xid) => !enabled.has(xid)));
  if (disable.all && enable.xids.length > 0) {
    warn(
      `${HEALTH_ENV.disable}=${env[HEALTH_ENV.disable]} turns health checks off, so ` +
        `${HEALTH_ENV.enable}=${env[HEALTH_ENV.enable]} has no effect (NVIDIA's plugin behaves the same); ` +
        `to check only some XIDs, unset ${HEALTH_ENV.disable} and list the others in it instead`,
    );
  }
  return { disabled: disable.all, skipXids: skip, enableXids: sorted(enable.xids), recoveryMs };
}
