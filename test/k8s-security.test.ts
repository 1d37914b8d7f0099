// The Kubernetes manifests' security: the restricted Pod Security Standard, and which pods may reach which.

import { at, container, find, objects, workload } from '../harness/k8s';

/** The "restricted" Pod Security Standard, field by field (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
function restrictedViolations(pod: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const podContext = (pod.securityContext ?? {}) as Record<string, unknown>;
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[field]) problems.push(`${field} is set`);
  const volumes = (pod.volumes ?? []) as Record<string, unknown>[];
  const allowedVolumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
  for (const volume of volumes) {
    const kind = Object.keys(volume).find((key) => key !== 'name');
    if (!kind || !allowedVolumes.includes(kind)) problems.push(`volume ${String(volume.name)} is a ${kind}`);
  }
  const containers = [
    ...((pod.containers ?? []) as Record<string, unknown>[]),
    ...((pod.initContainers ?? []) as Record<string, unknown>[]),
  ];
  for (const c of containers) {
    const context = (c.securityContext ?? {}) as Record<string, unknown>;
    const where = `container ${String(c.name)}`;
    const effective = (field: string) => context[field] ?? podContext[field];
    if (context.privileged) problems.push(`${where} is privileged`);
    if (context.allowPrivilegeEscalation !== false) problems.push(`${where} does not set allowPrivilegeEscalation: false`);
    if (effective('runAsNonRoot') !== true) problems.push(`${where} does not run as non-root`);
    if (effective('runAsUser') === 0) problems.push(`${where} runs as uid 0`);
    const seccomp = (effective('seccompProfile') ?? {}) as { type?: string };
    if (seccomp.type !== 'RuntimeDefault' && seccomp.type !== 'Localhost')
      problems.push(`${where} has no RuntimeDefault or Localhost seccomp profile`);
    const capabilities = (context.capabilities ?? {}) as { drop?: string[]; add?: string[] };
    if (!capabilities.drop?.includes('ALL')) problems.push(`${where} does not drop ALL capabilities`);
    for (const added of capabilities.add ?? []) if (added !== 'NET_BIND_SERVICE') problems.push(`${where} adds ${added}`);
    for (const port of (c.ports ?? []) as { hostPort?: number }[]) if (port.hostPort) problems.push(`${where} uses a host port`);
  }
  return problems;
}

interface Policy {
  metadata: { name: string };
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes: string[];
    ingress?: {
      from?: { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown }[];
      ports?: { port: string }[];
    }[];
  };
}

describe('deploy/k8s security', () => {
  const deployments = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet').map((o) => o.metadata.name);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as Policy[];
  const labelsOf = (name: string) => at<Record<string, string>>(workload(name).spec, 'template', 'metadata', 'labels');
  const selects = (selector: { matchLabels?: Record<string, string> } | undefined, name: string) =>
    Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labelsOf(name)[key] === value);

  it.each(['factorial', 'math', 'primes', 'gateway', 'redis'])('runs %s under the "restricted" Pod Security Standard', (name) => {
    expect(restrictedViolations(at(workload(name).spec, 'template', 'spec'))).toEqual([]);
  });

  it('catches what the profile forbids (a root container, an added capability, no seccomp profile)', () => {
    const pod = structuredClone(at<Record<string, unknown>>(find('Deployment', 'math').spec, 'template', 'spec'));
    (pod.securityContext as Record<string, unknown>).runAsNonRoot = false;
    delete (pod.securityContext as Record<string, unknown>).seccompProfile;
    ((pod.containers as Record<string, unknown>[])[0]!.securityContext as Record<string, unknown>).capabilities = {
      drop: ['ALL'],
      add: ['SYS_ADMIN'],
    };
    expect(restrictedViolations(pod)).toEqual([
      'container math does not run as non-root',
      'container math has no RuntimeDefault or Localhost seccomp profile',
      'container math adds SYS_ADMIN',
    ]);
  });

  it('enforces the profile on the namespace', () => {
    expect(at(find('Namespace', 'ncr'), 'metadata', 'labels', 'pod-security.kubernetes.io/enforce')).toBe('restricted');
  });

  it('denies all ingress by default, and each policy selects pods and ports that exist', () => {
    const deny = policies.find((p) => p.metadata.name === 'default-deny-ingress')!;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    for (const policy of policies.filter((p) => p !== deny)) {
      const targets = deployments.filter((name) => selects(policy.spec.podSelector, name));
      expect([policy.metadata.name, targets]).toEqual([policy.metadata.name, [policy.metadata.name]]);
      const portNames = container(targets[0]!).ports.map((p) => p.name);
      for (const rule of policy.spec.ingress ?? []) {
        for (const port of rule.ports ?? []) expect(portNames).toContain(port.port);
        for (const peer of rule.from ?? []) {
          if (!peer.namespaceSelector) expect(deployments.filter((name) => selects(peer.podSelector, name)).length).toBeGreaterThan(0);
        }
      }
    }
  });

  /** Which pods of the namespace may open a connection to `target` on its port named `port` (['*'] for anyone). */
  const allowedFrom = (target: string, port: string): string[] => {
    const sources = new Set<string>();
    for (const policy of policies.filter((p) => selects(p.spec.podSelector, target))) {
      for (const rule of policy.spec.ingress ?? []) {
        if (rule.ports && !rule.ports.some((p) => p.port === port)) continue;
        if (!rule.from) sources.add('*');
        for (const peer of rule.from ?? []) {
          if (peer.namespaceSelector) sources.add('prometheus');
          else for (const name of deployments.filter((d) => selects(peer.podSelector, d))) sources.add(name);
        }
      }
    }
    return [...sources].sort();
  };

  it('lets anyone reach the gateway, only the gateway reach the subgraphs, only the subgraphs reach the factorial service', () => {
    expect(allowedFrom('gateway', 'http')).toEqual(['*']);
    expect(allowedFrom('gateway', 'metrics')).toEqual(['prometheus']);
    expect(allowedFrom('math', 'http')).toEqual(['gateway', 'prometheus']);
    expect(allowedFrom('primes', 'http')).toEqual(['gateway', 'prometheus']);
    expect(allowedFrom('factorial', 'grpc')).toEqual(['math', 'primes']);
    expect(allowedFrom('factorial', 'metrics')).toEqual(['prometheus']);
    expect(allowedFrom('redis', 'redis')).toEqual(['gateway']);
  });

  it('gives the gateway its Redis URL from the Secret that also holds the password Redis requires', () => {
    const gatewayEnv = (container('gateway').env as { name: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[]).find(
      (e) => e.name === 'REDIS_URL',
    );
    expect(gatewayEnv?.valueFrom?.secretKeyRef).toEqual({ name: 'redis', key: 'url' });
    const secret = find('Secret', 'redis') as unknown as { stringData: { password: string; url: string } };
    expect(new URL(secret.stringData.url).password).toBe(secret.stringData.password);
    expect(new URL(secret.stringData.url).host).toBe(`redis:${container('redis').ports[0]!.containerPort}`);
    expect(container('redis').command).toEqual(['redis-server']);
  });
});
