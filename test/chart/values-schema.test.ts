import { CHART_DIR, helm, helmWorkDir, writeValues } from './helm';

// Mistakes users make in values, each refused by helm itself (values.schema.json) with a
// message that names the key, before anything reaches a cluster.

const work = helmWorkDir('chart-schema-');

const gpu = (extra: object) => ({ enabled: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4, ...extra }] });

const CASES: Array<[string, object, string]> = [
  [
    'a string where a number belongs',
    { timeSlicing: gpu({ replicas: 'four' }) },
    "at '/timeSlicing/resources/0/replicas': got string, want integer",
  ],
  [
    'a negative replica count',
    { timeSlicing: gpu({ replicas: -2 }) },
    "at '/timeSlicing/resources/0/replicas': minimum: got -2, want 2",
  ],
  [
    'one replica (no sharing at all)',
    { mps: gpu({ replicas: 1 }) },
    "at '/mps/resources/0/replicas': minimum: got 1, want 2",
  ],
  ['an unknown top-level key', { migstrategy: 'mixed' }, "additional properties 'migstrategy' not allowed"],
  [
    'an unknown nested key',
    { image: { pullSecret: 'regcred' } },
    "at '/image': additional properties 'pullSecret' not allowed",
  ],
  [
    'an unknown image pull policy',
    { image: { pullPolicy: 'always' } },
    "at '/image/pullPolicy': value must be one of 'IfNotPresent', 'Always', 'Never'",
  ],
  [
    "image pull secrets written as names (NVIDIA's chart takes [{name: …}] too)",
    { imagePullSecrets: ['regcred'] },
    "at '/imagePullSecrets/0': got string, want object",
  ],
  [
    'a pod annotation that is not a string',
    { podAnnotations: { 'example.com/replicas': 2 } },
    "at '/podAnnotations/example.com~1replicas': got number, want string",
  ],
  ['hostNetwork as a string', { hostNetwork: 'yes' }, "at '/hostNetwork': got string, want boolean"],
  [
    'an unknown MIG strategy',
    { migStrategy: 'both' },
    "at '/migStrategy': value must be one of 'none', 'single', 'mixed'",
  ],
  [
    'an unknown device list strategy',
    { deviceListStrategy: ['env'] },
    "at '/deviceListStrategy/0': value must be one of 'envvar', 'volume-mounts', 'cdi-annotations', 'cdi-cri'",
  ],
  [
    'a device list strategy named twice',
    { deviceListStrategy: ['envvar', 'envvar'] },
    "at '/deviceListStrategy': items at 0 and 1 are equal",
  ],
  ['no device list strategy', { deviceListStrategy: [] }, "at '/deviceListStrategy': minItems: got 0, want 1"],
  [
    'an unknown image kind',
    { image: { kind: 'upstream' } },
    "at '/image/kind': value must be one of '', 'project', 'nvidia'",
  ],
  ['a boolean written as a string', { failOnInitError: 'no' }, "at '/failOnInitError': got string, want boolean"],
  [
    'a relative driver root',
    { nvidiaDriverRoot: 'run/nvidia/driver' },
    "at '/nvidiaDriverRoot': 'run/nvidia/driver' does not match pattern",
  ],
  [
    'resources without a memory limit',
    { resources: { limits: null, requests: { cpu: '10m' } } },
    "at '/resources': missing property 'limits'",
  ],
  [
    'maxUnavailable of zero',
    { updateStrategy: { maxUnavailable: 0 } },
    "at '/updateStrategy/maxUnavailable': minimum: got 0, want 1",
  ],
  [
    'a misspelt toleration operator',
    { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exist' }] },
    "at '/tolerations/0/operator': value must be one of 'Exists', 'Equal'",
  ],
  [
    'an XID that is not a number',
    { health: { skipXids: ['48'] } },
    "at '/health/skipXids/0': got string, want integer",
  ],
  [
    'an environment variable that is not a string',
    { extraEnv: { LOG_LEVEL: 3 } },
    "at '/extraEnv/LOG_LEVEL': got number, want string",
  ],
  [
    'a namespace that is not a DNS label',
    { namespace: { name: 'GPU_plugins' } },
    "at '/namespace/name': 'GPU_plugins' does not match pattern",
  ],
  [
    'a shared resource outside nvidia.com',
    { timeSlicing: { enabled: true, resources: [{ name: 'amd.com/gpu', replicas: 2 }] } },
    "at '/timeSlicing/resources/0/name': 'amd.com/gpu' does not match pattern",
  ],
  // The API server's rules for tolerations, labels, class names and quantities (as the constructs' src/common/validation.ts).
  [
    'a toleration without a key and operator Equal',
    { tolerations: [{ operator: 'Equal', value: 'x' }] },
    "at '/tolerations/0/operator': value must be 'Exists'",
  ],
  [
    'a toleration without a key or operator',
    { tolerations: [{ effect: 'NoSchedule' }] },
    "at '/tolerations/0': missing property 'operator'",
  ],
  [
    'a toleration with Exists and a value',
    { tolerations: [{ key: 'gpu', operator: 'Exists', value: 'yes' }] },
    "at '/tolerations/0/value': maxLength: got 3, want 0",
  ],
  [
    'tolerationSeconds without an effect',
    { tolerations: [{ key: 'gpu', operator: 'Exists', tolerationSeconds: 30 }] },
    "at '/tolerations/0': missing property 'effect'",
  ],
  [
    'tolerationSeconds with NoSchedule',
    { tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 }] },
    "at '/tolerations/0/effect': value must be 'NoExecute'",
  ],
  [
    'a toleration key that is no label key',
    { tolerations: [{ key: 'gpu node', operator: 'Exists' }] },
    "at '/tolerations/0/key': 'gpu node' does not match pattern",
  ],
  [
    'a toleration key with a prefix of 254 characters',
    { tolerations: [{ key: `${'a'.repeat(254)}/x`, operator: 'Exists' }] },
    "does not match pattern '^([^/]{1,253}/)?[^/]*$'",
  ],
  [
    'a toleration value that is no label value',
    { tolerations: [{ key: 'gpu', value: 'a b' }] },
    "at '/tolerations/0/value': 'a b' does not match pattern",
  ],
  [
    'a nodeSelector key that is no label key',
    { nodeSelector: { 'gpu type': 'a100' } },
    "at '/nodeSelector': additional properties 'gpu type' not allowed",
  ],
  [
    'an empty nodeSelector key',
    { nodeSelector: { '': '' } },
    "at '/nodeSelector': additional properties '' not allowed",
  ],
  [
    'a nodeSelector key with a prefix of 254 characters',
    { nodeSelector: { [`${'a'.repeat(254)}/x`]: 'a' } },
    `at '/nodeSelector': additional properties '${'a'.repeat(254)}/x' not allowed`,
  ],
  [
    'a nodeSelector value that is no label value',
    { nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA A100' } },
    "at '/nodeSelector/nvidia.com~1gpu.product': 'NVIDIA A100' does not match pattern",
  ],
  [
    'a priorityClassName with an empty part',
    { priorityClassName: 'gpu..critical' },
    "at '/priorityClassName': 'gpu..critical' does not match pattern",
  ],
  [
    'a negative fractional quantity',
    { resources: { limits: { memory: '-.7G' } } },
    "at '/resources/limits/memory': '-.7G' does not match pattern",
  ],
  [
    'a fractional exponent',
    { resources: { limits: { memory: '192Mi' }, requests: { memory: '1E.5' } } },
    "at '/resources/requests/memory': '1E.5' does not match pattern",
  ],
  [
    'an exponent of three digits (past 1e308 YAML readers see infinity)',
    { resources: { limits: { memory: '1e310' } } },
    "at '/resources/limits/memory': '1e310' does not match pattern",
  ],
  [
    'an extended resource for the plugin itself',
    { resources: { limits: { memory: '192Mi', 'nvidia.com/gpu': 1 } } },
    "at '/resources/limits': additional properties 'nvidia.com/gpu' not allowed",
  ],
];

test.each(CASES)('helm refuses %s', (what, values, message) => {
  const file = writeValues(work.path, what.replace(/\W+/g, '-'), values);
  const r = helm(['template', 'gpu-device-plugin', CHART_DIR, '--values', file]);
  expect(r.stderr).toContain("values don't meet the specifications of the schema");
  expect(r.stderr).toContain(message);
  expect(r.status).not.toBe(0);
});

test('helm takes the edge cases the API server takes', () => {
  const file = writeValues(work.path, 'edge-valid', {
    tolerations: [
      { operator: 'Exists' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'dedicated', value: '' },
    ],
    nodeSelector: { 'nvidia.com/gpu.present': 'true', gpu: '' },
    priorityClassName: '',
    resources: { limits: { memory: 268435456, cpu: '1.5' }, requests: { cpu: '+.5', memory: '1e8' } },
  });
  const r = helm(['template', 'gpu-device-plugin', CHART_DIR, '--values', file]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test('helm lint reports a bad value as an error too', () => {
  const file = writeValues(work.path, 'lint-bad', { migStrategy: 'both' });
  const r = helm(['lint', '--strict', CHART_DIR, '--values', file]);
  expect(r.stdout).toContain("at '/migStrategy': value must be one of 'none', 'single', 'mixed'");
  expect(r.status).not.toBe(0);
});

test('--set with a string where a number belongs is refused as well', () => {
  const r = helm([
    'template',
    'gpu-device-plugin',
    CHART_DIR,
    '--set',
    'timeSlicing.enabled=true',
    '--set',
    'timeSlicing.resources[0].name=nvidia.com/gpu',
    '--set-string',
    'timeSlicing.resources[0].replicas=4',
  ]);
  expect(r.stderr).toContain("at '/timeSlicing/resources/0/replicas': got string, want integer");
  expect(r.status).not.toBe(0);
});
