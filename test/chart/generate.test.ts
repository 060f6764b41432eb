import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GENERATED_NOTICE } from '../../src/chart/values-files';
import { CHART_DIR, generateChart } from '../../src/chart/generate';
import { REPO_ROOT } from './helm';

// Drift: the committed chart is exactly what `npm run chart` writes now.

let tmp: string;
let written: string[];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-generate-'));
  written = generateChart(path.join(tmp, 'chart'));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: false })
    .map(String)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

test('regenerating writes the same set of files as charts/gpu-device-plugin holds', () => {
  expect(listFiles(path.join(tmp, 'chart'))).toEqual(listFiles(path.join(REPO_ROOT, CHART_DIR)));
});

test('regenerating writes every file byte for byte as committed (run `npm run chart` after changing src/)', () => {
  const differing = listFiles(path.join(tmp, 'chart')).filter(
    (f) =>
      fs.readFileSync(path.join(tmp, 'chart', f), 'utf-8') !==
      fs.readFileSync(path.join(REPO_ROOT, CHART_DIR, f), 'utf-8'),
  );
  expect(differing).toEqual([]);
});

test('every generated file says so in its first line (values.schema.json in its first key)', () => {
  const silent = written.filter((file) => {
    const text = fs.readFileSync(file, 'utf-8');
    return file.endsWith('.json')
      ? JSON.parse(text).$comment !== GENERATED_NOTICE
      : !text.split('\n')[0].includes(GENERATED_NOTICE);
  });
  expect(silent).toEqual([]);
});

test('generating again replaces files left from an earlier run', () => {
  const stale = path.join(tmp, 'chart', 'templates', 'old.yaml');
  fs.writeFileSync(stale, 'kind: Old\n');
  generateChart(path.join(tmp, 'chart'));
  expect(fs.existsSync(stale)).toBe(false);
});
