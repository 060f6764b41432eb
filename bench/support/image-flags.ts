/**
 * The node flags the plugin's image starts it with (plugin/Dockerfile's ENTRYPOINT), so the
 * bench measures our plugin as it is deployed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function imageNodeFlags(): string[] {
  const dockerfile = path.resolve(__dirname, '..', '..', 'plugin', 'Dockerfile');
  const line = fs
    .readFileSync(dockerfile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('ENTRYPOINT'));
  if (line === undefined)
    throw new Error(`${dockerfile} has no ENTRYPOINT line; the bench reads the image's node flags from it`);
  const argv = JSON.parse(line.slice('ENTRYPOINT'.length).trim()) as string[];
  if (argv[0] !== 'node')
    throw new Error(`${dockerfile}: ENTRYPOINT ${line} does not start node; the bench cannot tell the node flags`);
  return argv.slice(1).filter((a) => a.startsWith('--'));
}
