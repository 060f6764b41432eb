/**
 * The node flags the plugin's image starts it with (plugin/Dockerfile's ENTRYPOINT), so the
 * bench measures our plugin as it is deployed.
 */
import { execFileSync } from 'node:child_process';
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

/**
 * The node binary of the image's runtime (plugin/image/versions.sh: IMAGE_NODE_VERSION), installed
 * by test/tools/node-lts.sh into .cache/tools, so the bench runs our plugin on the Node the image
 * ships rather than on whatever node runs the bench.
 */
export function imageNodeBinary(): { path: string; version: string } {
  const script = path.resolve(__dirname, '..', '..', 'test', 'tools', 'node-lts.sh');
  let bin: string;
  try {
    bin = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer | string }).stderr ?? '').trim();
    throw new Error(
      `the image's Node could not be installed by ${script}, so the bench cannot run our plugin as the image does: ${stderr}`,
    );
  }
  const node = path.join(bin, 'node');
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  return { path: node, version };
}
