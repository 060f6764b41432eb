/**
 * plugin/src is written for nodenext (`./x.js` names `./x.ts`); ts-node's CommonJS loader
 * does not map those, so a failed relative `.js` request is retried without the extension.
 * Import this first in any ts-node entry point that loads plugin/src.
 */
import Module from 'node:module';

const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  try {
    return resolve.call(this, request, ...rest);
  } catch (e) {
    if (request.startsWith('.') && request.endsWith('.js')) return resolve.call(this, request.slice(0, -3), ...rest);
    throw e;
  }
};
