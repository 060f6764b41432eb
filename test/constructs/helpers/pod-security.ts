// The checks of the Pod Security Standard `restricted` (Kubernetes 1.28, which includes
// `baseline`) that a synthesized pod spec can fail, as listed on
// https://kubernetes.io/docs/concepts/security/pod-security-standards/. Returns each
// violation as a sentence, so a test can show all of them at once.

const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SECCOMP_ALLOWED = new Set(['RuntimeDefault', 'Localhost']);

/** The violations of `restricted` in a pod spec; empty when it passes. */
export function restrictedViolations(spec: any): string[] {
  const out: string[] = [];
  const pod = spec.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) out.push(`${field} must not be true`);
  }
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUME_TYPES.has(type))
      out.push(`volume "${volume.name}" has type ${type}, which restricted does not allow`);
  }
  if (pod.runAsUser === 0) out.push('pod runAsUser must not be 0');
  if (pod.seccompProfile && !SECCOMP_ALLOWED.has(pod.seccompProfile.type)) {
    out.push(`pod seccompProfile ${pod.seccompProfile.type} is not RuntimeDefault or Localhost`);
  }
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const where = `container "${c.name}"`;
    if (sc.privileged === true) out.push(`${where}: privileged must not be true`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation must be false`);
    const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
    if (nonRoot !== true) out.push(`${where}: runAsNonRoot must be true (on the pod or the container)`);
    if (sc.runAsUser === 0) out.push(`${where}: runAsUser must not be 0`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (!seccomp || !SECCOMP_ALLOWED.has(seccomp))
      out.push(`${where}: seccompProfile must be RuntimeDefault or Localhost (got ${seccomp})`);
    const caps = sc.capabilities ?? {};
    if (!(caps.drop ?? []).includes('ALL')) out.push(`${where}: capabilities must drop ALL`);
    const added = (caps.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) out.push(`${where}: capabilities may add only NET_BIND_SERVICE (got ${added.join(', ')})`);
    for (const port of c.ports ?? []) {
      if (port.hostPort) out.push(`${where}: hostPort ${port.hostPort} is not allowed`);
    }
  }
  return out;
}
