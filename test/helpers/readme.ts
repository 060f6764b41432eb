/**
 * The README's code examples, run as a user runs them: the tests read a block out of README.md,
 * so the README and what the tests check cannot drift apart. `cdk8s-gpu` is this repository's
 * src/; the file is compiled by ts-jest like any test, so a README example that no longer
 * type-checks fails too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import * as YAML from 'yaml';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Scratch files of the runs (test/.build is git-ignored). */
const BUILD_DIR = path.join(REPO_ROOT, 'test', '.build', 'readme');

/** The first fenced block in `lang` under the README heading `heading` (before the next heading). */
export function readmeBlock(heading: string, lang = 'ts'): string {
  const lines = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8').split('\n');
  const isHeading = (l: string) => /^#{1,6} /.test(l);
  const start = lines.findIndex((l) => isHeading(l) && l.replace(/^#+ /, '').trim() === heading);
  if (start < 0) throw new Error(`README.md has no heading "${heading}": the test reads its example from there`);
  let block: string[] | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (block) {
      if (line.startsWith('```')) return block.join('\n') + '\n';
      block.push(line);
    } else if (line.trim() === '```' + lang) {
      block = [];
    } else if (line.startsWith('```')) {
      // Another language's block: skip it whole, so a '#' line inside it is no heading.
      while (++i < lines.length && !lines[i].startsWith('```'));
    } else if (isHeading(line)) {
      break;
    }
  }
  throw new Error(`README.md has no \`\`\`${lang} block under "${heading}" (or it is not closed)`);
}

/**
 * Runs a README example (TypeScript that imports 'cdk8s-gpu' and calls `app.synth()`) and returns
 * what it wrote: each synthesized file's name with its parsed objects, and its YAML text.
 */
export async function runReadmeExample(code: string): Promise<Record<string, { text: string; objects: any[] }>> {
  if (!code.includes("from 'cdk8s-gpu'")) {
    throw new Error(`the README example imports nothing from 'cdk8s-gpu':\n${code}`);
  }
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  const dir = fs.mkdtempSync(path.join(BUILD_DIR, 'run-'));
  const file = path.join(dir, 'example.ts');
  const src = path.relative(dir, path.join(REPO_ROOT, 'src')).split(path.sep).join('/');
  fs.writeFileSync(file, code.replace(/from 'cdk8s-gpu'/g, `from '${src}'`));
  // `new App()` in the example writes where CDK8S_OUTDIR points (cdk8s' default for outdir).
  const outdir = path.join(dir, 'dist');
  const before = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = outdir;
  try {
    await import(file);
  } catch (e) {
    // ts-jest's TSError is no Error of this realm, and jest would print it empty: say it here.
    const why = stripVTControlCharacters(String((e as { message?: unknown }).message ?? e));
    throw new Error(`the README example in ${file} fails to compile or run: ${why}`);
  } finally {
    if (before === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = before;
  }
  if (!fs.existsSync(outdir)) throw new Error(`the README example wrote nothing (no app.synth()?):\n${code}`);
  const out: Record<string, { text: string; objects: any[] }> = {};
  for (const name of fs.readdirSync(outdir).sort()) {
    const text = fs.readFileSync(path.join(outdir, name), 'utf8');
    out[name] = { text, objects: YAML.parseAllDocuments(text).map((d) => d.toJS()) };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}
