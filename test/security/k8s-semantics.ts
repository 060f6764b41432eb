// Rules the kube-apiserver enforces that the OpenAPI schemas of kubernetes-models do not
// (they check types, required fields and enums only): names, label keys and values,
// quantities, env var names, ports, tolerations. The fuzzers use them, with the schema,
// to tell valid output from output a cluster would refuse. Each problem is a sentence.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// Env var names before Kubernetes 1.34 relaxed them; the chart supports 1.25 and up.
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const QUANTITY = /^[+]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const TAINT_EFFECTS = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
// Objects whose name the apiserver checks as a DNS label rather than a subdomain.
const LABEL_NAMED = new Set(['Namespace', 'Service']);

function isDnsSubdomain(s: unknown): boolean {
  return typeof s === 'string' && s.length <= 253 && DNS_SUBDOMAIN.test(s);
}

function isDnsLabel(s: unknown): boolean {
  return typeof s === 'string' && s.length <= 63 && DNS_LABEL.test(s);
}

/** Kubernetes' IsQualifiedName: `[prefix/]name`, prefix a DNS subdomain, name ≤ 63. */
export function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && (parts[0].length === 0 || !isDnsSubdomain(parts[0]))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

function isLabelValue(v: unknown): boolean {
  return typeof v === 'string' && v.length <= 63 && LABEL_VALUE.test(v);
}

function labelProblems(at: string, map: any, what: string, checkValues: boolean): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(map ?? {})) {
    if (!isQualifiedName(k)) out.push(`${at}: ${what} key "${k}" is not a qualified name`);
    if (checkValues && !isLabelValue(v)) out.push(`${at}: ${what} value "${String(v)}" of "${k}" is not a label value`);
    if (!checkValues && typeof v !== 'string') out.push(`${at}: ${what} "${k}" is not a string`);
  }
  return out;
}

function quantityProblems(at: string, resources: any): string[] {
  const out: string[] = [];
  for (const field of ['limits', 'requests']) {
    for (const [name, q] of Object.entries(resources?.[field] ?? {})) {
      const text = String(q);
      if (q === null || !QUANTITY.test(text))
        out.push(`${at}: resources.${field}.${name} "${text}" is not a non-negative quantity`);
      if (name.includes('/') && !/^\d+$/.test(text))
        out.push(`${at}: extended resource ${name} must be a whole number (got ${text})`);
    }
  }
  for (const [name, q] of Object.entries(resources?.requests ?? {})) {
    if (name.includes('/') && String(resources?.limits?.[name]) !== String(q)) {
      out.push(`${at}: extended resource ${name} request ${String(q)} must equal its limit`);
    }
  }
  return out;
}

function containerProblems(at: string, c: any, volumeNames: Set<string>): string[] {
  const out: string[] = [];
  const cat = `${at} container "${c.name}"`;
  if (!isDnsLabel(c.name)) out.push(`${cat}: name is not a DNS label`);
  if (typeof c.image !== 'string' || c.image.trim() === '' || c.image !== c.image.trim())
    out.push(`${cat}: image "${c.image}" is empty or has surrounding spaces`);
  for (const e of c.env ?? []) {
    if (!ENV_NAME.test(e.name ?? '')) out.push(`${cat}: env name "${e.name}" is not a valid variable name`);
  }
  for (const p of c.ports ?? []) {
    if (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535)
      out.push(`${cat}: containerPort ${p.containerPort} out of range`);
    if (p.name !== undefined && (p.name.length > 15 || !PORT_NAME.test(p.name) || !/[a-z]/.test(p.name)))
      out.push(`${cat}: port name "${p.name}" is not an IANA service name`);
  }
  for (const m of c.volumeMounts ?? []) {
    if (!volumeNames.has(m.name)) out.push(`${cat}: mounts unknown volume "${m.name}"`);
    if (typeof m.mountPath !== 'string' || m.mountPath === '') out.push(`${cat}: mountPath of "${m.name}" is empty`);
  }
  return [...out, ...quantityProblems(cat, c.resources)];
}

function podSpecProblems(at: string, spec: any): string[] {
  const out: string[] = [];
  const volumeNames = new Set<string>();
  for (const v of spec.volumes ?? []) {
    if (!isDnsLabel(v.name)) out.push(`${at}: volume name "${v.name}" is not a DNS label`);
    if (volumeNames.has(v.name)) out.push(`${at}: volume "${v.name}" twice`);
    volumeNames.add(v.name);
    if (v.hostPath && !String(v.hostPath.path).startsWith('/'))
      out.push(`${at}: hostPath "${v.hostPath.path}" is not absolute`);
  }
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const names = containers.map((c: any) => c.name);
  const dup = names.find((n: string, i: number) => names.indexOf(n) !== i);
  if (dup !== undefined) out.push(`${at}: container name "${dup}" twice`);
  for (const c of containers) out.push(...containerProblems(at, c, volumeNames));
  // An empty priorityClassName or serviceAccountName means "not set"; runtimeClassName is a pointer.
  for (const field of ['priorityClassName', 'serviceAccountName']) {
    if (spec[field] && !isDnsSubdomain(spec[field]))
      out.push(`${at}: ${field} "${spec[field]}" is not a DNS subdomain`);
  }
  if (spec.runtimeClassName !== undefined && !isDnsSubdomain(spec.runtimeClassName)) {
    out.push(`${at}: runtimeClassName "${spec.runtimeClassName}" is not a DNS subdomain`);
  }
  out.push(...labelProblems(at, spec.nodeSelector, 'nodeSelector', true));
  for (const t of spec.tolerations ?? []) {
    if (t.key !== undefined && t.key !== '' && !isQualifiedName(t.key))
      out.push(`${at}: toleration key "${t.key}" is not a qualified name`);
    if (!t.key && t.operator !== 'Exists') out.push(`${at}: a toleration without a key needs operator Exists`);
    if (t.operator === 'Exists' && t.value) out.push(`${at}: toleration "${t.key}" has operator Exists and a value`);
    if (t.operator !== undefined && t.operator !== 'Exists' && t.operator !== 'Equal')
      out.push(`${at}: toleration operator "${t.operator}" is not Exists or Equal`);
    if (t.effect !== undefined && t.effect !== '' && !TAINT_EFFECTS.has(t.effect))
      out.push(`${at}: toleration effect "${t.effect}" is unknown`);
    if (t.value !== undefined && !isLabelValue(t.value))
      out.push(`${at}: toleration value "${t.value}" is not a label value`);
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute')
      out.push(`${at}: tolerationSeconds needs effect NoExecute`);
  }
  return out;
}

/** Everything in `objects` the apiserver would refuse beyond what the JSON schema checks. */
export function semanticProblems(objects: any[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    const at = `${o.kind} "${o.metadata?.name}"`;
    const name = o.metadata?.name;
    if (LABEL_NAMED.has(o.kind) ? !isDnsLabel(name) : !isDnsSubdomain(name))
      out.push(`${at}: metadata.name is not a valid ${o.kind} name`);
    if (o.metadata?.namespace !== undefined && !isDnsLabel(o.metadata.namespace))
      out.push(`${at}: namespace "${o.metadata.namespace}" is not a DNS label`);
    out.push(...labelProblems(at, o.metadata?.labels, 'label', true));
    out.push(...labelProblems(at, o.metadata?.annotations, 'annotation', false));
    const template = o.spec?.template;
    if (template?.spec) {
      out.push(...labelProblems(`${at} pod template`, template.metadata?.labels, 'label', true));
      out.push(...podSpecProblems(at, template.spec));
    }
    if (o.kind === 'DaemonSet') {
      for (const [k, v] of Object.entries(o.spec.selector?.matchLabels ?? {})) {
        if (template?.metadata?.labels?.[k] !== v)
          out.push(`${at}: selector ${k}=${String(v)} does not match the pod template`);
      }
    }
  }
  return out;
}
