/**
 * Writes the fake NVML topology baked into a plugin test image: `8gpu` (eight A100s, DGX-1
 * NVLink mesh) or `mig` (two A100s with MIG enabled). Usage:
 *   ts-node fake-nvml-config.ts <dir> <8gpu|mig> <events file path seen by the plugin>
 * The events file lives outside the image (in the device-plugins hostPath the DaemonSet
 * already mounts) so the tests can inject XIDs from the host.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { a100MigSpec, defaultSpec, writeFakeNvmlConfig } from '../../plugin/helpers/fake-nvml';

const [dir, spec, eventsPath] = process.argv.slice(2);
if (!dir || !eventsPath || (spec !== '8gpu' && spec !== 'mig')) {
  process.stderr.write('usage: fake-nvml-config.ts <dir> <8gpu|mig> <events path>\n');
  process.exit(2);
}
const files = writeFakeNvmlConfig(dir, spec === 'mig' ? a100MigSpec() : defaultSpec(8));
const text = readFileSync(files.configPath, 'utf8').replace(/^events\tpath=.*$/m, `events\tpath=${eventsPath}`);
writeFileSync(files.configPath, text);
process.stdout.write(`${files.configPath}\n`);
