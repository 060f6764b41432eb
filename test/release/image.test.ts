// The release image (plugin/image/build.sh, `npm run image`): built without a Docker engine
// into an OCI layout holding an image index for linux/amd64 and linux/arm64; the same
// config as plugin/Dockerfile's runtime stage; reproducible; and its Node, koffi and the
// plugin really run from the unpacked root filesystem (amd64 under chroot, arm64 under
// qemu-user).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Built, REF, REPO_ROOT, VERSION, blob, buildImage, json, listLayer, pinned, unpack } from './image';

jest.setTimeout(30 * 60 * 1000);

const NODE_VERSION = pinned('IMAGE_NODE_VERSION');
const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'plugin', 'Dockerfile'), 'utf8');
const EPOCH = '1700000000';

let first: Built;
let index: any;
const manifests: Record<string, any> = {};
const configs: Record<string, any> = {};
const roots: Record<string, string> = {};

beforeAll(() => {
  first = buildImage({ SOURCE_DATE_EPOCH: EPOCH });
  const top = JSON.parse(fs.readFileSync(path.join(first.layout, 'index.json'), 'utf8'));
  expect(top.manifests).toHaveLength(1);
  expect(top.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe(REF);
  index = json(first.layout, top.manifests[0].digest);
  for (const m of index.manifests) {
    manifests[m.platform.architecture] = json(first.layout, m.digest);
    configs[m.platform.architecture] = json(first.layout, manifests[m.platform.architecture].config.digest);
  }
  process.stdout.write(
    `release image: index ${first.digest}, built in ${first.seconds.toFixed(0)} s\n` +
      first.log
        .split('\n')
        .filter((l) => /^image: (linux|  )/.test(l))
        .join('\n') +
      '\n',
  );
});

afterAll(() => {
  for (const dir of [first?.out, ...Object.values(roots)]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the layout holds an OCI image index with linux/amd64 and linux/arm64, tagged with the plugin version', () => {
  expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
  expect(index.manifests.map((m: any) => m.platform)).toEqual([
    { architecture: 'amd64', os: 'linux' },
    { architecture: 'arm64', os: 'linux', variant: 'v8' },
  ]);
  for (const arch of ['amd64', 'arm64']) {
    expect(configs[arch]).toMatchObject({ os: 'linux', architecture: arch });
    expect(manifests[arch].layers).toHaveLength(4);
    expect(
      manifests[arch].layers.every((l: any) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip'),
    ).toBe(true);
  }
});

test("each image's config is plugin/Dockerfile's runtime stage: entrypoint, env, labels, user, workdir, port", () => {
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile);
  expect(entrypoint).not.toBeNull();
  for (const arch of ['amd64', 'arm64']) {
    const c = configs[arch].config;
    expect(c.Entrypoint).toEqual(JSON.parse(entrypoint![1]));
    expect(c.Entrypoint).toContain('--max-semi-space-size=1');
    expect(c.Entrypoint).toContain('--max-old-space-size=128');
    expect(c.Cmd ?? null).toBeNull();
    expect(c.User).toBe(/^USER (\S+)$/m.exec(dockerfile)![1]);
    expect(c.WorkingDir).toBe(/^WORKDIR (\S+)$/m.exec(dockerfile.slice(dockerfile.lastIndexOf('\nFROM ')))![1]);
    expect(Object.keys(c.ExposedPorts)).toEqual([`${/^EXPOSE (\d+)$/m.exec(dockerfile)![1]}/tcp`]);
    // Every ENV and LABEL the Dockerfile sets, with its value, and what the node base image sets.
    for (const [k, v] of [
      ['NODE_ENV', 'production'],
      ['NVIDIA_VISIBLE_DEVICES', 'all'],
      ['NVIDIA_DRIVER_CAPABILITIES', 'compute,utility'],
    ]) {
      expect(dockerfile).toContain(`${k}=${v}`);
      expect(c.Env).toContain(`${k}=${v}`);
    }
    expect(c.Env).toContain(`NODE_VERSION=${NODE_VERSION}`);
    expect(c.Env.find((e: string) => e.startsWith('PATH='))).toContain('/usr/local/bin');
    for (const [k, v] of Object.entries<string>(c.Labels)) {
      if (k === 'org.opencontainers.image.version') expect(v).toBe(VERSION);
      else expect(dockerfile).toContain(`${k}="${v}"`);
    }
    expect(Object.keys(c.Labels).sort()).toEqual([
      'org.opencontainers.image.description',
      'org.opencontainers.image.licenses',
      'org.opencontainers.image.title',
      'org.opencontainers.image.version',
    ]);
  }
  // The Dockerfile's runtime base is the same Node major as the image's runtime.
  expect(dockerfile).toMatch(new RegExp(`^FROM node:${NODE_VERSION.split('.')[0]}-bookworm-slim AS runtime$`, 'm'));
  expect(dockerfile).not.toMatch(/^FROM node:(?!\d+-bookworm)/m);
});

test('every path the Dockerfile copies into the runtime stage is in both images', () => {
  const copies = [...dockerfile.matchAll(/^COPY --from=\S+ \S+ (\S+)$/gm)].map((m) =>
    path.posix.resolve('/opt/gpu-device-plugin', m[1]),
  );
  expect(copies).toEqual(
    expect.arrayContaining(['/opt/gpu-device-plugin/node_modules', '/opt/gpu-device-plugin/plugin/lib/bundle']),
  );
  for (const arch of ['amd64', 'arm64']) {
    roots[arch] ??= unpack(first.layout, arch);
    for (const dest of copies)
      expect([arch, dest, fs.existsSync(path.join(roots[arch], dest))]).toEqual([arch, dest, true]);
    // The entrypoint runs the bundle (plugin/scripts/bundle.js); the compiled modules are in it, not beside it.
    expect(fs.existsSync(path.join(roots[arch], 'opt/gpu-device-plugin/plugin/lib/bundle/gpu-device-plugin.js'))).toBe(
      true,
    );
    expect(fs.existsSync(path.join(roots[arch], 'opt/gpu-device-plugin/plugin/lib/cli.js'))).toBe(false);
    expect(fs.existsSync(path.join(roots[arch], 'opt/gpu-device-plugin/plugin/proto'))).toBe(true);
  }
});

test('layers: Debian runtime, Node, node_modules (koffi for the right arch), plugin (shared by both arches)', () => {
  const holds = (arch: string, i: number) =>
    listLayer(first.layout, manifests[arch].layers[i].digest).map((e) => e.name);
  for (const [arch, triplet, other] of [
    ['amd64', 'x86_64-linux-gnu', 'arm64'],
    ['arm64', 'aarch64-linux-gnu', 'x64'],
  ]) {
    const base = holds(arch, 0);
    expect(base).toEqual(
      expect.arrayContaining([
        `lib/${triplet}/libc.so.6`,
        `usr/lib/${triplet}/libstdc++.so.6.0.30`,
        'etc/passwd',
        'tmp',
      ]),
    );
    // Minimal: no gconv modules, locales, binaries or manuals from the .debs.
    expect(base.filter((p) => /gconv|locale|\/bin\/|\/sbin\/|\/man\//.test(p))).toEqual([]);
    expect(holds(arch, 1)).toEqual([
      'usr',
      'usr/local',
      'usr/local/bin',
      'usr/local/bin/node',
      'usr/local/share',
      'usr/local/share/doc',
      'usr/local/share/doc/node',
      'usr/local/share/doc/node/LICENSE',
    ]);
    const modules = holds(arch, 2);
    const nodeArch = arch === 'amd64' ? 'x64' : 'arm64';
    expect(modules).toContain(`opt/gpu-device-plugin/node_modules/@koromix/koffi-linux-${nodeArch}/package.json`);
    expect(modules.filter((p) => p.includes(`koffi-linux-${other}`))).toEqual([]);
    expect(modules.filter((p) => /node_modules\/(jest|typescript|ts-node|cdk8s|fast-check)\//.test(p))).toEqual([]);
    // Only what the bundle leaves outside (koffi): grpc-js, pino, zod … are in the bundle.
    expect(
      [...new Set(modules.map((p) => /node_modules\/(@[^/]+\/[^/]+|[^@/][^/]*)/.exec(p)?.[1]).filter(Boolean))].sort(),
    ).toEqual([`@koromix/koffi-linux-${nodeArch}`, 'koffi']);
  }
  expect(manifests.amd64.layers[3].digest).toBe(manifests.arm64.layers[3].digest);
  expect(holds('amd64', 3).filter((p) => p.endsWith('.map'))).toEqual([]);
});

test('layer entries are sorted, owned by 0:0 and dated SOURCE_DATE_EPOCH; the configs are dated too', () => {
  const date = new Date(Number(EPOCH) * 1000).toISOString().replace('T', ' ').replace('.000Z', '');
  for (const arch of ['amd64', 'arm64']) {
    for (const layer of manifests[arch].layers) {
      const entries = listLayer(first.layout, layer.digest);
      const names = entries.map((e) => e.name);
      expect(names).toEqual([...names].sort());
      for (const e of entries) expect([e.name, e.owner, e.mtime]).toEqual([e.name, '0/0', date]);
    }
    expect(configs[arch].created).toBe(new Date(Number(EPOCH) * 1000).toISOString().replace('.000Z', 'Z'));
    expect(configs[arch].history.map((h: any) => h.created)).toEqual(Array(4).fill(configs[arch].created));
  }
});

test(`amd64: Node ${NODE_VERSION}, koffi and the plugin run from the image's own root filesystem (chroot)`, () => {
  roots.amd64 ??= unpack(first.layout, 'amd64');
  const run = (...args: string[]) =>
    execFileSync('/usr/sbin/chroot', [roots.amd64, ...args], {
      encoding: 'utf8',
      env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    });
  expect(run('/usr/local/bin/node', '--version').trim()).toBe(`v${NODE_VERSION}`);
  // koffi's prebuilt binary loads and calls into the image's glibc.
  expect(
    run(
      '/usr/local/bin/node',
      '-e',
      'const k=require("/opt/gpu-device-plugin/node_modules/koffi");process.stdout.write(String(k.load("libm.so.6").func("double cos(double)")(0)))',
    ),
  ).toBe('1');
  // The plugin leaves through libc's _exit while an NVML wait is in flight (plugin/src/cli.ts,
  // exitProcess): the image's libc must have it under the name the plugin loads.
  const exited = spawnSync(
    '/usr/sbin/chroot',
    [
      roots.amd64,
      '/usr/local/bin/node',
      '-e',
      'require("/opt/gpu-device-plugin/node_modules/koffi").load("libc.so.6").func("void _exit(int)")(7)',
    ],
    { encoding: 'utf8' },
  );
  expect(exited.status).toBe(7);
  const entrypoint = configs.amd64.config.Entrypoint as string[];
  const help = spawnSync('/usr/sbin/chroot', [roots.amd64, '/usr/local/bin/node', ...entrypoint.slice(1), '--help'], {
    encoding: 'utf8',
  });
  expect(help.status).toBe(0);
  expect(help.stdout).toContain('Usage: gpu-device-plugin');
});

test(`arm64: Node ${NODE_VERSION} and koffi's arm64 binary run under qemu-user`, () => {
  roots.arm64 ??= unpack(first.layout, 'arm64');
  const qemu = spawnSync('bash', ['-c', 'command -v qemu-aarch64-static'], { encoding: 'utf8' }).stdout.trim();
  if (!qemu)
    throw new Error(
      'qemu-aarch64-static is not installed: apt-get install qemu-user-static (test/e2e/install-deps.sh installs it)',
    );
  const run = (...args: string[]) =>
    execFileSync(qemu, ['-L', roots.arm64, path.join(roots.arm64, 'usr/local/bin/node'), ...args], {
      encoding: 'utf8',
      env: {},
    });
  expect(run('--version').trim()).toBe(`v${NODE_VERSION}`);
  // qemu-user's -L prefix covers the dynamic loader, not the script's require paths: use host paths.
  const koffi = path.join(roots.arm64, 'opt/gpu-device-plugin/node_modules/koffi');
  expect(
    run(
      '-e',
      `const k=require(${JSON.stringify(koffi)});process.stdout.write(process.arch+" "+k.load("libm.so.6").func("double cos(double)")(0))`,
    ),
  ).toBe('arm64 1');
  const script = (configs.arm64.config.Entrypoint as string[]).find((a) => a.endsWith('.js'))!;
  const help = run(path.join(roots.arm64, script), '--help');
  expect(help).toContain('Usage: gpu-device-plugin');
});

test('reproducible: a second build gives the same index digest and byte-identical blobs', () => {
  const second = buildImage({ SOURCE_DATE_EPOCH: EPOCH });
  try {
    expect(second.digest).toBe(first.digest);
    const files = (dir: string) => fs.readdirSync(path.join(dir, 'blobs', 'sha256')).sort();
    expect(files(second.layout)).toEqual(files(first.layout));
    for (const f of files(first.layout))
      expect(blob(second.layout, `sha256:${f}`).equals(blob(first.layout, `sha256:${f}`))).toBe(true);
    expect(fs.readFileSync(path.join(second.layout, 'index.json'))).toEqual(
      fs.readFileSync(path.join(first.layout, 'index.json')),
    );
    process.stdout.write(`release image: second build ${second.digest} in ${second.seconds.toFixed(0)} s\n`);
  } finally {
    fs.rmSync(second.out, { recursive: true, force: true });
  }
});

test('a different SOURCE_DATE_EPOCH changes the digest (the dates are really in the image)', () => {
  // Only the amd64 image, to keep the test short: the index digest changes with it.
  const other = buildImage({ SOURCE_DATE_EPOCH: String(Number(EPOCH) + 1), IMAGE_ARCHES: 'amd64' });
  try {
    expect(other.digest).not.toBe(first.digest);
    const otherManifest = json(other.layout, json(other.layout, other.digest).manifests[0].digest);
    expect(otherManifest.layers[1].digest).not.toBe(manifests.amd64.layers[1].digest);
  } finally {
    fs.rmSync(other.out, { recursive: true, force: true });
  }
});
