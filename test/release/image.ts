// Helpers of the release tests: build the release image (plugin/image/build.sh), read its
// OCI layout, unpack one architecture's root filesystem.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const BUILD_SCRIPT = path.join(REPO_ROOT, 'plugin', 'image', 'build.sh');
export const IMAGE_JS = path.join(REPO_ROOT, 'plugin', 'image', 'image.js');
/** First build downloads Node (2 x 57 MB), Debian .debs and npm tarballs; later ones reuse .cache/image. */
export const BUILD_TIMEOUT_MS = 15 * 60 * 1000;
export const VERSION: string = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'plugin', 'package.json'), 'utf8'),
).version;
export const REF = `v${VERSION}`;

/** Reads a value pinned in plugin/image/versions.sh. */
export function pinned(name: string): string {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'plugin', 'image', 'versions.sh'), 'utf8');
  const m = new RegExp(`^${name}=(\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`plugin/image/versions.sh pins no ${name}`);
  return m[1];
}

export interface Built {
  /** Directory given as IMAGE_OUT. */
  out: string;
  /** The OCI layout. */
  layout: string;
  /** Index digest the build printed. */
  digest: string;
  /** The build's stderr (progress, sizes). */
  log: string;
  seconds: number;
}

/** Runs `plugin/image/build.sh` into a fresh directory. */
export function buildImage(env: Record<string, string> = {}): Built {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'release-image-'));
  const started = Date.now();
  const logFile = path.join(out, 'build.log');
  let stdout: string;
  try {
    stdout = execFileSync('bash', [BUILD_SCRIPT], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, IMAGE_OUT: out, ...env },
      stdio: ['ignore', 'pipe', fs.openSync(logFile, 'w')],
      timeout: BUILD_TIMEOUT_MS,
    });
  } catch (e) {
    throw new Error(`plugin/image/build.sh failed: ${(e as Error).message}\n${fs.readFileSync(logFile, 'utf8')}`);
  }
  const digest = stdout.trim().split('\n').pop() ?? '';
  return {
    out,
    layout: path.join(out, 'gpu-device-plugin'),
    digest,
    log: fs.readFileSync(logFile, 'utf8'),
    seconds: (Date.now() - started) / 1000,
  };
}

export function blob(layout: string, digest: string): Buffer {
  const [alg, hex] = digest.split(':');
  return fs.readFileSync(path.join(layout, 'blobs', alg, hex));
}

export function json<T = any>(layout: string, digest: string): T {
  return JSON.parse(blob(layout, digest).toString('utf8'));
}

/** Unpacks REF's linux/ARCH image (its layers in order) into a new directory. */
export function unpack(layout: string, arch: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `release-rootfs-${arch}-`));
  const layers = execFileSync('node', [IMAGE_JS, 'layers', layout, REF, arch], { encoding: 'utf8' }).trim().split('\n');
  for (const layer of layers) execFileSync('tar', ['-xzf', layer, '-C', root]);
  return root;
}

export interface LayerEntry {
  /** Path in the layer, in archive order, without the trailing / of directories. */
  name: string;
  /** uid/gid, e.g. 0/0. */
  owner: string;
  /** mtime as `YYYY-MM-DD HH:MM:SS` (UTC). */
  mtime: string;
}

/** The entries of a gzip'd layer, in archive order (`tar -tvz`, names from `tar -tz`). */
export function listLayer(layout: string, digest: string): LayerEntry[] {
  const [alg, hex] = digest.split(':');
  const file = path.join(layout, 'blobs', alg, hex);
  const opts = { encoding: 'utf8' as const, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TZ: 'UTC' } };
  const names = execFileSync('tar', ['-tzf', file], opts).trim().split('\n');
  const long = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvzf', file], opts).trim().split('\n');
  return names.map((name, i) => {
    const f = long[i].split(/\s+/);
    return { name: name.replace(/\/$/, ''), owner: f[1], mtime: `${f[3]} ${f[4]}` };
  });
}
