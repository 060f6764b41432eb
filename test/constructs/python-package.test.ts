/**
 * The Python package a user installs: jsii-pacmak builds the wheel from .jsii, a fresh venv
 * under .cache/python gets it with cdk8s, cdk8s-plus-28 and constructs from PyPI at the versions
 * package.json pins (test/tools/python-package.sh), and the README's examples written in Python
 * (test/python/readme_examples.py) synthesize to YAML byte-identical to the same examples in
 * TypeScript (test/python/readme-examples.ts). Needs python3 with venv and PyPI; without them it
 * fails saying why.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toSnakeCase } from 'codemaker';
import { synthReadmeExamples } from '../python/readme-examples';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const BUILD_TIMEOUT_MS = 15 * 60 * 1000;
const ENV = {
  ...process.env,
  JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1',
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '1',
};

let python: string;

beforeAll(() => {
  try {
    python = execFileSync('bash', [path.join(REPO_ROOT, 'test/tools/python-package.sh')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: BUILD_TIMEOUT_MS,
      env: ENV,
    }).trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `cannot build and install the Python package (test/tools/python-package.sh): ${err.stderr || err.message}`,
    );
  }
}, BUILD_TIMEOUT_MS);

function synthPython(outdir: string): void {
  try {
    execFileSync(python, [path.join(REPO_ROOT, 'test/python/readme_examples.py'), outdir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: ENV,
      timeout: 120000,
    });
  } catch (e) {
    throw new Error(`python readme_examples.py failed: ${(e as { stderr?: string }).stderr}`);
  }
}

test('the README examples written in Python synthesize to the same YAML as in TypeScript', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'py-vs-ts-'));
  try {
    await synthReadmeExamples(path.join(dir, 'ts'));
    synthPython(path.join(dir, 'py'));
    const ts = fs.readdirSync(path.join(dir, 'ts')).sort();
    expect(fs.readdirSync(path.join(dir, 'py')).sort()).toEqual(ts);
    expect(ts).toEqual(['gpu-operator.k8s.yaml', 'gpu.k8s.yaml', 'training.k8s.yaml']);
    for (const file of ts) {
      const a = fs.readFileSync(path.join(dir, 'ts', file), 'utf8');
      expect(a.length).toBeGreaterThan(1000);
      expect({ file, yaml: fs.readFileSync(path.join(dir, 'py', file), 'utf8') }).toEqual({ file, yaml: a });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180000);

test('MigProfile constants have the same name in Python as in TypeScript', () => {
  const out = execFileSync(
    python,
    [
      '-c',
      'from cdk8s_gpu import MigProfile; print(MigProfile.PROFILE_1_G_10_GB.name, MigProfile.PROFILE_7_G_80_GB.name)',
    ],
    { encoding: 'utf8', env: ENV },
  );
  expect(out.trim()).toBe('1g.10gb 7g.80gb');
});

/** Names jsii-pacmak converts to something else in Python (its own toSnakeCase), with the owner's reason to keep them. */
const KNOWN_PYTHON_RENAMES: Record<string, string> = {
  // src/operator/vocabulary.ts belongs to the operator work; renaming it there is pending.
  'ContainerdConfig.K3S': 'K3_S',
};

test('every constant and enum member keeps its name in Python (no PROFILE_1_G_10_GB surprises)', () => {
  const asm = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, '.jsii'), 'utf8'));
  const renamed: Record<string, string> = {};
  for (const t of Object.values<any>(asm.types)) {
    const names = [
      ...(t.properties ?? []).filter((p: any) => p.const).map((p: any) => p.name),
      ...(t.members ?? []).map((m: any) => m.name),
    ];
    for (const name of names) {
      const py = toSnakeCase(name).toUpperCase();
      if (py !== name) renamed[`${t.name}.${name}`] = py;
    }
  }
  expect(renamed).toEqual(KNOWN_PYTHON_RENAMES);
});

// Not tested here because it cannot be fixed here: a dict inside a list reaches the jsii kernel
// unconverted, and the kernel keeps only the struct's own (camelCase) keys, so a snake_case key
// is dropped before the library sees it. The README tells Python users to use the struct
// classes inside lists, and readme_examples.py does.
