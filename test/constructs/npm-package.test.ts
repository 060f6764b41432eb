/**
 * The npm package ships the construct library only: `npm pack --dry-run --json` lists what a
 * user installs. The reference app (src/main.ts, src/scenarios.ts) and the chart generator
 * (src/chart/) are excluded from the jsii build (tsconfig.json) and from package.json "files",
 * and nothing packed requires a module that is not a dependency (the generator needs `yaml`).
 */
import { builtinModules } from 'node:module';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

jest.setTimeout(120000);

let files: string[];

beforeAll(() => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'lib', 'index.js'))) {
    throw new Error('lib/index.js is missing: run "npm run build" (jsii) first; this test lists what npm would pack');
  }
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path).sort();
});

test('only the library, its declarations, the jsii assembly and the docs are packed', () => {
  const unexpected = files.filter(
    (f) => !/^lib\/.*\.(js|d\.ts)$/.test(f) && !['.jsii', 'API.md', 'README.md', 'package.json', 'LICENSE'].includes(f),
  );
  expect(unexpected).toEqual([]);
  expect(files).toEqual(expect.arrayContaining(['lib/index.js', 'lib/index.d.ts', '.jsii', 'API.md', 'package.json']));
});

test('no reference app, scenarios or chart generator in the package', () => {
  expect(files.filter((f) => /^lib\/(main|scenarios)\.|^lib\/chart\//.test(f))).toEqual([]);
});

test('every packed module requires only the package, node builtins and peer dependencies', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const bad: string[] = [];
  for (const f of files.filter((p) => p.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(REPO_ROOT, f), 'utf8');
    for (const m of text.matchAll(/require\("([^"]+)"\)/g)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        const target = path.join(path.dirname(f), spec);
        if (!files.includes(`${target}.js`) && !files.includes(path.join(target, 'index.js')))
          bad.push(`${f}: ${spec} (not packed)`);
        continue;
      }
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!allowed.has(name) && !name.startsWith('node:') && !builtinModules.includes(name)) bad.push(`${f}: ${spec}`);
    }
  }
  expect(bad).toEqual([]);
});
