import * as fs from 'fs';
import * as path from 'path';
import { App, YamlOutputType } from 'cdk8s';
import { SCENARIOS, buildScenario } from './scenarios';

/**
 * The reference app: `npm run synth` (or `npx cdk8s synth`) writes one file per scenario
 * to dist/ and says which files it wrote.
 */
export function synthesize(outdir: string): string[] {
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  for (const scenario of SCENARIOS) {
    buildScenario(app, scenario);
  }
  app.synth();
  return fs
    .readdirSync(outdir)
    .sort()
    .map((f) => path.join(outdir, f));
}

if (require.main === module) {
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  for (const file of synthesize(outdir)) {
    process.stdout.write(`wrote ${file}\n`);
  }
}
