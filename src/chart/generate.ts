import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { chartReadme, chartYaml, helmIgnore, notesTxt, readPackageInfo } from './chart-files';
import { CI_SCENARIOS } from './ci-scenarios';
import { DEVICE_PLUGIN_FIELDS, DEVICE_PLUGIN_RULES } from './device-plugin-values';
import { devicePluginTemplates } from './device-plugin-templates';
import { nvidiaMigrationSection, nvidiaValuesSchema } from './nvidia-values';
import { PLUGIN_CONSTANTS_COPY, pluginConstantsCopy } from './plugin-constants-copy';
import { GENERATED_NOTICE, valuesSchemaJson, valuesTable, valuesYaml } from './values-files';
import { CHART_NAME } from './values-props';

/** Where `npm run chart` writes the chart, relative to the repository root. */
export const CHART_DIR = path.join('charts', CHART_NAME);

/** Every file of the chart, by path relative to the chart directory. */
export function chartFiles(): Map<string, string> {
  const pkg = readPackageInfo();
  const files = new Map<string, string>();
  files.set('Chart.yaml', chartYaml(CHART_NAME, pkg));
  files.set('.helmignore', helmIgnore());
  files.set('values.yaml', valuesYaml(DEVICE_PLUGIN_FIELDS));
  files.set(
    'values.schema.json',
    valuesSchemaJson(
      `Values of the ${CHART_NAME} chart`,
      DEVICE_PLUGIN_FIELDS,
      DEVICE_PLUGIN_RULES,
      nvidiaValuesSchema(),
    ),
  );
  files.set(
    'README.md',
    chartReadme(CHART_NAME, pkg, valuesTable(DEVICE_PLUGIN_FIELDS), CI_SCENARIOS, nvidiaMigrationSection()),
  );
  files.set('templates/NOTES.txt', notesTxt(CHART_NAME));
  for (const t of devicePluginTemplates()) {
    const notice = t.path.endsWith('.tpl') ? `{{/* ${GENERATED_NOTICE} */}}\n` : `# ${GENERATED_NOTICE}\n`;
    files.set(t.path, notice + t.text);
  }
  for (const s of CI_SCENARIOS) {
    const body = Object.keys(s.values).length > 0 ? YAML.stringify(s.values, { version: '1.1', lineWidth: 0 }) : '{}\n';
    files.set(`ci/${s.name}-values.yaml`, `# ${GENERATED_NOTICE}\n# ${s.description}\n${body}`);
  }
  return files;
}

/** Writes the chart into `outDir`, replacing whatever was there; returns the paths written. */
export function generateChart(outDir: string): string[] {
  const files = chartFiles();
  fs.rmSync(outDir, { recursive: true, force: true });
  for (const [rel, text] of files) {
    const file = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return [...files.keys()].sort().map((rel) => path.join(outDir, rel));
}

if (require.main === module) {
  const outDir = process.argv[2] ?? CHART_DIR;
  for (const file of generateChart(outDir)) {
    process.stdout.write(`wrote ${file}\n`);
  }
  fs.writeFileSync(PLUGIN_CONSTANTS_COPY, pluginConstantsCopy('.'));
  process.stdout.write(`wrote ${PLUGIN_CONSTANTS_COPY}\n`);
}
