import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { synthesize } from '../../src/main';
import { SCENARIOS } from '../../src/scenarios';

const DIST = path.join(__dirname, '..', '..', 'dist');

function synthTo(): { dir: string; files: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
  return { dir, files: synthesize(dir) };
}

describe('reference app', () => {
  const first = synthTo();
  const second = synthTo();
  afterAll(() => {
    fs.rmSync(first.dir, { recursive: true, force: true });
    fs.rmSync(second.dir, { recursive: true, force: true });
  });

  test('writes one file per scenario', () => {
    expect(first.files.map(f => path.basename(f))).toEqual(SCENARIOS.map(s => `${s.name}.k8s.yaml`).sort());
  });

  test('two synths give identical bytes', () => {
    for (const f of first.files) {
      expect(fs.readFileSync(path.join(second.dir, path.basename(f)), 'utf-8')).toBe(fs.readFileSync(f, 'utf-8'));
    }
  });

  test('committed dist/ matches a fresh synth (run `npm run synth` and commit when this fails)', () => {
    const committed = fs.readdirSync(DIST).sort();
    expect(committed).toEqual(first.files.map(f => path.basename(f)));
    for (const f of first.files) {
      expect(fs.readFileSync(path.join(DIST, path.basename(f)), 'utf-8')).toBe(fs.readFileSync(f, 'utf-8'));
    }
  });

  test('every object carries the version label and every image is pinned', () => {
    for (const f of first.files) {
      const docs = YAML.parseAllDocuments(fs.readFileSync(f, 'utf-8')).map(d => d.toJSON());
      for (const o of docs) {
        expect([f, o.kind, o.metadata.labels?.['app.kubernetes.io/version']]).toEqual([f, o.kind, expect.stringMatching(/^v?\d+\.\d+\.\d+/)]);
      }
      const images = JSON.stringify(docs).match(/"image":"[^"]+"/g) ?? [];
      for (const image of images) {
        expect(image).toMatch(/:(v?\d[\w.-]*|[\w.-]*\d[\w.-]*)"$|@sha256:[a-f0-9]{64}"$/);
        expect(image).not.toMatch(/:latest"$/);
      }
    }
  });
});
