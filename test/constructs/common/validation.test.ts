import { k8s } from 'cdk8s-plus-28';
import { ChartValue } from '../../../src/common/value';
import {
  extendedResourceNameProblem,
  isQualifiedName,
  isQuantity,
  requireDnsLabel,
  requireDnsSubdomain,
  requireEnvName,
  requireLabels,
  requireLabelValue,
  requireResourceRequirements,
  requireTolerations,
  requireWholeNumber,
} from '../../../src/common/validation';

// The API server's rules that every construct applies to its props (src/common/validation.ts).

type Check = (prop: string, value: any) => void;

describe.each<[string, Check, unknown[], unknown[], string]>([
  [
    'requireDnsLabel',
    requireDnsLabel,
    ['gpu-operator', 'a', 'a'.repeat(63)],
    ['GPU', 'a.b', '-a', 'job-', 'a'.repeat(64), ''],
    'must be a DNS-1123 label: at most 63 lower-case letters',
  ],
  [
    'requireDnsSubdomain',
    requireDnsSubdomain,
    ['cluster-policy', 'nvidia.runtime', 'a.b-c.d', `${'a'.repeat(63)}.${'b'.repeat(63)}`],
    ['A', 'nvidia_runtime', '.a', 'a.', 'a..b', 'a.-b', 'a-.b', 'gpu..critical', 'a'.repeat(254), ''],
    'must be a DNS-1123 subdomain',
  ],
  [
    'requireLabelValue',
    requireLabelValue,
    ['NVIDIA_A100.80GB', 'A1', 'a'.repeat(63)],
    ['', '-a', 'a b', 'a'.repeat(64)],
    'must be a label value',
  ],
  [
    'requireEnvName',
    requireEnvName,
    ['LOG_LEVEL', '_x', 'a.b-c', '-x'],
    ['1X', 'MY VAR', '', 'A=B', 'é'],
    'holds the variable name',
  ],
])('%s', (_name, check, good, bad, message) => {
  test.each(good)('accepts %p', (v) => {
    expect(() => check('p', v)).not.toThrow();
  });
  test.each(bad)('refuses %p, naming the prop, the value and the rule', (v) => {
    expect(() => check('p', v)).toThrow(new RegExp(`^p ${message}`));
    expect(() => check('p', v)).toThrow(`"${v}"`);
  });
});

describe('requireWholeNumber', () => {
  test.each([
    [undefined, 1],
    [0, 0],
    [3, 1],
    [2 ** 31 - 1, 0],
  ])('accepts %p with min %p', (v, min) => {
    expect(() => requireWholeNumber('n', v, min)).not.toThrow();
  });
  test.each([
    [-1, 0],
    [1.5, 0],
    [0, 1],
    [NaN, 0],
    [Infinity, 1],
  ])('refuses %p with min %p', (v, min) => {
    expect(() => requireWholeNumber('n', v, min)).toThrow(`n must be a whole number ≥ ${min} (got ${v})`);
  });
  test('refuses a number beyond 32 bits', () => {
    expect(() => requireWholeNumber('n', 2 ** 31, 0)).toThrow(
      'n must be at most 2147483647 (got 2147483648); Kubernetes stores it in 32 bits',
    );
  });
});

describe('chart value tokens', () => {
  test('a token issued by ChartValue skips the literal check (the chart schema checks it)', () => {
    expect(() => requireDnsLabel('name', ChartValue.expr('include "x.fullname" .'))).not.toThrow();
  });
  test.each(['\u27e6cv:0\u27e7', '\u27e6cv:', 'x\u27e6cv:1\u27e7'])(
    'a literal that looks like a token (%p) is checked like any other',
    (forged) => {
      expect(() => requireDnsLabel('name', forged)).toThrow(/^name must be a DNS-1123 label/);
    },
  );
});

test.each([
  ['gpu', true],
  ['nvidia.com/gpu', true],
  ['a.b/C_d.e', true],
  [`${'a'.repeat(253)}/x`, true],
  ['', false],
  ['/x', false],
  ['a/', false],
  ['a/b/c', false],
  ['A.com/x', false],
  ['a..b/x', false],
  [`${'a'.repeat(254)}/x`, false],
  ['x'.repeat(64), false],
  ['a b', false],
])('isQualifiedName(%p) is %p', (key, ok) => {
  expect(isQualifiedName(key)).toBe(ok);
});

test.each([
  ['1', true],
  ['+1', true],
  ['0.5', true],
  ['.5', true],
  ['5.', true],
  ['64Mi', true],
  ['500m', true],
  ['1e3', true],
  ['1E-3', true],
  ['1e99', true],
  ['12345678901234567890.5', true],
  [0, true],
  [2.5, true],
  ['-1', false],
  ['-64Mi', false],
  ['-.7G', false],
  ['1E.5', false],
  ['1e+9073433333', false],
  ['1e310', false],
  ['1'.repeat(21), false],
  ['1.5.5', false],
  ['lots', false],
  ['', false],
  ['64 Mi', false],
  ['0x10', false],
  ['1mi', false],
  [-1, false],
  [NaN, false],
  [Infinity, false],
])('isQuantity(%p) is %p', (q, ok) => {
  expect(isQuantity(q)).toBe(ok);
});

describe('requireLabels', () => {
  test('accepts label keys with and without a prefix, and an empty value', () => {
    expect(() =>
      requireLabels('nodeSelector', { 'nvidia.com/gpu.present': 'true', gpu: '', 'tier_1.x': 'A-1' }),
    ).not.toThrow();
  });
  test.each<[string, { [k: string]: string }, string]>([
    [
      'a key with a space',
      { 'gpu node': 'true' },
      'nodeSelector key "gpu node" must be a label key: an optional DNS subdomain prefix and \'/\'',
    ],
    [
      'a key with an upper-case prefix',
      { 'NVIDIA.com/gpu': 'true' },
      'nodeSelector key "NVIDIA.com/gpu" must be a label key',
    ],
    ['a key of two slashes', { 'a/b/c': 'x' }, 'nodeSelector key "a/b/c" must be a label key'],
    ['a value with a space', { gpu: 'a b' }, 'nodeSelector["gpu"] must be a label value: empty or 1-63 letters'],
    ['a value ending in -', { gpu: 'yes-' }, '(got "yes-")'],
    ['a value of 64 characters', { gpu: 'v'.repeat(64) }, 'nodeSelector["gpu"] must be a label value'],
  ])('refuses %s', (_what, labels, message) => {
    expect(() => requireLabels('nodeSelector', labels)).toThrow(message);
  });
  test('a label map of undefined passes', () => {
    expect(() => requireLabels('nodeSelector', undefined)).not.toThrow();
  });
});

describe('requireTolerations', () => {
  test.each<[string, k8s.Toleration]>([
    ['a key that exists, any effect', { key: 'nvidia.com/gpu', operator: 'Exists' }],
    ['no key and Exists (tolerates everything)', { operator: 'Exists' }],
    ['an empty key and Exists', { key: '', operator: 'Exists', effect: 'NoSchedule' }],
    ['no effect (every effect)', { key: 'a', operator: 'Exists' }],
    ['Equal with a value', { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    ['no operator (Equal) with an empty value', { key: 'dedicated', value: '' }],
    [
      'tolerationSeconds with NoExecute',
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
  ])('accepts %s', (_what, t) => {
    expect(() => requireTolerations('tolerations', [t])).not.toThrow();
  });

  test.each<[string, k8s.Toleration, string]>([
    [
      'an unknown operator',
      { key: 'gpu', operator: 'In' },
      'tolerations[0].operator must be "Exists" or "Equal" (got "In")',
    ],
    ['an empty operator', { key: 'gpu', operator: '' }, 'tolerations[0].operator must be "Exists" or "Equal" (got "")'],
    [
      'a key that is no label key',
      { key: 'gpu node', operator: 'Exists' },
      "tolerations[0].key must be a label key: an optional DNS subdomain prefix and '/', then a name of 1-63 letters",
    ],
    [
      'no key with Equal',
      { operator: 'Equal', value: 'x' },
      'tolerations[0] has no key, so its operator must be "Exists" (it then tolerates every taint) (got "Equal")',
    ],
    [
      'no key and no operator',
      { effect: 'NoSchedule' },
      'tolerations[0] has no key, so its operator must be "Exists" (it then tolerates every taint) (got undefined)',
    ],
    [
      'Exists with a value',
      { key: 'gpu', operator: 'Exists', value: 'true' },
      'tolerations[0].value must be left out with operator "Exists" (got "true")',
    ],
    [
      'a value that is no label value',
      { key: 'gpu', operator: 'Equal', value: 'a b' },
      'tolerations[0].value must be a label value: empty or 1-63 letters',
    ],
    [
      'an unknown effect',
      { key: 'gpu', operator: 'Exists', effect: 'NoEvict' },
      'tolerations[0].effect must be one of "NoSchedule", "PreferNoSchedule", "NoExecute", or left out for all (got "NoEvict")',
    ],
    [
      'an empty effect (leave it out for every effect)',
      { key: 'gpu', operator: 'Exists', effect: '' },
      'tolerations[0].effect must be one of "NoSchedule", "PreferNoSchedule", "NoExecute", or left out for all (got "")',
    ],
    [
      'tolerationSeconds without an effect',
      { key: 'gpu', operator: 'Exists', tolerationSeconds: 60 },
      'tolerations[0].tolerationSeconds applies only to effect "NoExecute" (got effect undefined)',
    ],
    [
      'tolerationSeconds with NoSchedule',
      { key: 'gpu', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 60 },
      '(got effect "NoSchedule")',
    ],
    [
      'fractional tolerationSeconds',
      { key: 'gpu', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1.5 },
      'tolerations[0].tolerationSeconds must be a whole number of seconds (got 1.5)',
    ],
  ])('refuses %s', (_what, t, message) => {
    expect(() => requireTolerations('tolerations', [t])).toThrow(message);
  });

  test('names the position of the bad toleration, counting from `first`', () => {
    const ok: k8s.Toleration = { operator: 'Exists' };
    expect(() => requireTolerations('daemonsets.tolerations', [ok, { key: 'x', operator: 'In' }])).toThrow(
      /^daemonsets.tolerations\[1\]\.operator/,
    );
    expect(() => requireTolerations('tolerations', [{ key: 'x', operator: 'In' }], 2)).toThrow(
      /^tolerations\[2\]\.operator/,
    );
  });
});

describe('requireResourceRequirements', () => {
  const q = (v: string) => k8s.Quantity.fromString(v);
  test.each<[string, k8s.ResourceRequirements]>([
    [
      'cpu and memory with requests below limits',
      { requests: { cpu: q('10m'), memory: q('64Mi') }, limits: { cpu: q('1'), memory: q('192Mi') } },
    ],
    [
      'a request equal to its limit in other units',
      { requests: { memory: q('1Gi') }, limits: { memory: q('1024Mi') } },
    ],
    ['a request without a limit', { requests: { cpu: q('10m') } }],
    ['numbers', { limits: { cpu: k8s.Quantity.fromNumber(2) } }],
    [
      'an extended resource with equal whole amounts',
      { requests: { 'example.com/fpga': q('1') }, limits: { 'example.com/fpga': q('1') } },
    ],
    [
      'huge pages with equal amounts',
      { requests: { 'hugepages-2Mi': q('64Mi') }, limits: { 'hugepages-2Mi': q('64Mi') } },
    ],
    ['nothing', {}],
  ])('accepts %s', (_what, r) => {
    expect(() => requireResourceRequirements('resources', r)).not.toThrow();
  });

  test.each<[string, k8s.ResourceRequirements, string]>([
    [
      'a negative amount',
      { limits: { memory: q('-64Mi') } },
      'resources.limits.memory must be a quantity ≥ 0 such as "500m", "64Mi" or "2" (got "-64Mi")',
    ],
    [
      'words',
      { requests: { cpu: q('lots') } },
      'resources.requests.cpu must be a quantity ≥ 0 such as "500m", "64Mi" or "2" (got "lots")',
    ],
    ['a fractional exponent', { limits: { memory: q('1E.5') } }, '(got "1E.5")'],
    [
      'a negative number',
      { limits: { cpu: k8s.Quantity.fromNumber(-1) } },
      'resources.limits.cpu must be a quantity ≥ 0 such as "500m", "64Mi" or "2" (got -1)',
    ],
    [
      'an unknown resource name',
      { limits: { gpu: q('1') } },
      'resources.limits names the resource "gpu"; use cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource <domain>/<name>',
    ],
    [
      'a resource in the kubernetes.io domain',
      { limits: { 'kubernetes.io/gpu': q('1') } },
      'resources.limits names the resource "kubernetes.io/gpu"',
    ],
    [
      'a request above its limit',
      { requests: { memory: q('256Mi') }, limits: { memory: q('192Mi') } },
      'resources.requests.memory must be at most resources.limits.memory (got 256Mi > 192Mi)',
    ],
    [
      'a fractional extended resource',
      { limits: { 'example.com/fpga': q('0.5') } },
      'resources.limits.example.com/fpga must be a whole number for an extended resource (got "0.5")',
    ],
    [
      'an extended request without a limit',
      { requests: { 'example.com/fpga': q('1') } },
      'resources.requests.example.com/fpga must equal resources.limits.example.com/fpga: example.com/fpga cannot be overcommitted (got 1 and no limit)',
    ],
    [
      'an extended request below its limit',
      { requests: { 'example.com/fpga': q('1') }, limits: { 'example.com/fpga': q('2') } },
      '(got 1 and 2)',
    ],
    [
      'huge pages overcommitted',
      { requests: { 'hugepages-2Mi': q('32Mi') }, limits: { 'hugepages-2Mi': q('64Mi') } },
      'hugepages-2Mi cannot be overcommitted',
    ],
  ])('refuses %s', (_what, r, message) => {
    expect(() => requireResourceRequirements('resources', r)).toThrow(message);
  });
});

test.each([
  ['nvidia.com/gpu', undefined],
  ['gpu', 'it must have the form <domain>/<name>, e.g. nvidia.com/gpu'],
  ['Nvidia.com/gpu', "the domain \"Nvidia.com\" is not a DNS subdomain (lower case letters, digits, '-' and '.')"],
  ['kubernetes.io/gpu', 'names in the kubernetes.io domain are reserved for Kubernetes'],
  [
    'nvidia.com/-gpu',
    "the name \"-gpu\" must be 1-63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
  ],
])('extendedResourceNameProblem(%p)', (name, problem) => {
  expect(extendedResourceNameProblem(name)).toBe(problem);
});
