// The gateway's readiness: not stopping, and every subgraph answers a trivial query.

/** Whether every subgraph answers `{ __typename }` within a second (and the gateway is not stopping); cached for a second. */
export function readinessProbe(subgraphs: Readonly<Record<string, string>>, accepting: () => boolean): () => Promise<boolean> {
  let last = { at: 0, ok: false };
  const answers = async (url: string): Promise<boolean> => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(1000),
      });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  };
  return async () => {
    if (!accepting()) return false;
    if (Date.now() - last.at < 1000) return last.ok;
    const ok = (await Promise.all(Object.values(subgraphs).map(answers))).every(Boolean);
    last = { at: Date.now(), ok };
    return ok;
  };
}
