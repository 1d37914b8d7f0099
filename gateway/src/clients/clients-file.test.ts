import { apiKeyDigest, parseClientsFile } from './clients-file';

const digest = apiKeyDigest('a-key');

describe('the clients file', () => {
  it('reads clients with their hashed keys, quotas and free-form permission', () => {
    expect(
      parseClientsFile(
        JSON.stringify({ clients: [{ name: 'web', apiKeySha256: digest, workPerSecond: 10, burst: 50, freeformOperations: true }] }),
        'f',
      ),
    ).toEqual([{ name: 'web', apiKeySha256: digest, workPerSecond: 10, burst: 50, freeformOperations: true }]);
    expect(apiKeyDigest('a-key')).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['not JSON', '{', 'is not JSON'],
    ['no list', '{}', 'must be {"clients": [...]}'],
    ['a plain key', JSON.stringify({ clients: [{ name: 'web', apiKeySha256: 'a-key' }] }), 'never the key itself'],
    ['a bad name', JSON.stringify({ clients: [{ name: 'Web App', apiKeySha256: digest }] }), '.name must match'],
    [
      'a name twice',
      JSON.stringify({
        clients: [
          { name: 'a', apiKeySha256: digest },
          { name: 'a', apiKeySha256: apiKeyDigest('b') },
        ],
      }),
      'listed twice',
    ],
    [
      'a key twice',
      JSON.stringify({
        clients: [
          { name: 'a', apiKeySha256: digest },
          { name: 'b', apiKeySha256: digest },
        ],
      }),
      "another client's",
    ],
    ['a rate without a burst', JSON.stringify({ clients: [{ name: 'a', apiKeySha256: digest, workPerSecond: 5 }] }), 'together'],
    ['a fractional rate', JSON.stringify({ clients: [{ name: 'a', apiKeySha256: digest, workPerSecond: 0.5, burst: 1 }] }), 'whole number'],
    ['an unknown field', JSON.stringify({ clients: [{ name: 'a', apiKeySha256: digest, apiKey: 'x' }] }), 'unknown fields: apiKey'],
  ])('refuses %s, naming the mistake', (_what, text, message) => {
    expect(() => parseClientsFile(text, 'f')).toThrow(message);
  });
});
