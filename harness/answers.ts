// A request and its answer as the hostile tests read them: status, headers, parsed body, and how long it took.

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] } & Record<string, unknown>;
  ms: number;
}

export async function post(url: string, query: string, variables?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer['body'],
    ms: performance.now() - started,
  };
}

export async function get(url: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer['body'],
    ms: performance.now() - started,
  };
}

export const codeOf = (answer: Answer): string | undefined =>
  answer.body.errors?.[0]?.extensions?.code ?? (answer.body.code as string | undefined);
