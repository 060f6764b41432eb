/**
 * `gpu-device-plugin --help`, generated from the option table so that every flag,
 * its env vars, its default and its config-file key are always listed.
 */
import { DEFAULT_SKIP_XIDS } from '../constants.js';
import { HEALTH_ENV, OPTIONS, type AnyOption, type OptionGroup } from './options.js';

const GROUP_TITLES: Record<OptionGroup, string> = {
  nvidia: "Flags compatible with NVIDIA's k8s-device-plugin (same names, aliases and env vars):",
  own: "This plugin's own flags:",
};

function describe(spec: AnyOption): string[] {
  const names = spec.flags.map((flag) => `--${flag}`).join(', ');
  const value = spec.bool ? '[=true|false]' : `=<${spec.valueName ?? 'value'}>`;
  const details = [
    `env ${spec.env.join(', ')}`,
    `default ${spec.defaultText}`,
    ...(spec.filePath ? [`file ${spec.filePath}`] : []),
  ];
  return [`  ${names}${value}`, `      ${details.join(' · ')}`, `      ${spec.help}`];
}

export function helpText(): string {
  const lines = [
    'Usage: gpu-device-plugin [flags]',
    '',
    "A kubelet device plugin for NVIDIA GPUs, a drop-in for NVIDIA's k8s-device-plugin.",
    'Precedence: flags > environment variables > config file (--config-file) > defaults.',
    'Booleans: --flag, --flag=true or --flag=false; in env vars true, false, 1 or 0.',
    'List flags take commas (--device-list-strategy=envvar,cdi-cri) or repeat.',
    '',
  ];
  for (const group of Object.keys(GROUP_TITLES) as OptionGroup[]) {
    lines.push(GROUP_TITLES[group]);
    for (const spec of OPTIONS.filter((candidate) => candidate.group === group)) lines.push(...describe(spec));
    if (group === 'own') lines.push('  -h, --help', '      print this help and exit');
    lines.push('');
  }
  lines.push(
    "Health checks (environment variables only, as in NVIDIA's plugin):",
    `  ${HEALTH_ENV.disable}`,
    '      default none · "all" or "xids" turns XID health checks off; a comma list of XIDs adds them',
    `      to the XIDs ignored by default (${DEFAULT_SKIP_XIDS.join(', ')})`,
    `  ${HEALTH_ENV.enable}`,
    '      default none · a comma list of XIDs always treated as critical, even if ignored above;',
    '      "all" makes every XID critical',
    '',
    'Config file: NVIDIA\'s "version: v1" format, YAML or JSON (flags, sharing.timeSlicing,',
    'sharing.mps, imex, resources). Unknown keys are errors. SIGHUP reloads it; a bad file',
    'then keeps the last good config running.',
    '',
    'Named configs (--config-dir, one v1 file per name): the node label (--node-label) picks the',
    'file; unset → --default-config, else --fallback-strategies. A label change or an edit of the',
    'selected file is applied in the running process; a label naming no config keeps the default',
    'and logs a warning. Needs --node-name and get/list/watch on nodes (its own Node only).',
  );
  return lines.join('\n') + '\n';
}
