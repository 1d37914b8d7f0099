// The shared tier's entries: written in a versioned format with their length and digest; one read back that is not
// what was written is rejected, never served.

import { decodeEntry, encodeEntry, ENTRY_FORMAT } from './shared-tier';
import type { Entry } from './entries';

const entries: Entry[] = [
  {
    kind: 'graphql',
    body: Buffer.from('{"data":{"ncr":"120"}}'),
    cacheControl: 'public, max-age=60',
    maxAgeSeconds: 60,
    storedAt: 1_700_000_000_000,
  },
  { kind: 'rest', digits: '1'.repeat(10_000), cacheControl: 'public, max-age=31536000, immutable', storedAt: 1 },
  { kind: 'alias', documentId: 'abc_-123' },
];

describe('the shared tier format', () => {
  it.each(entries)('reads back what it wrote (%s)', (entry) => {
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
  });

  it('rejects garbage, a truncated entry, a changed byte and another version, each with its reason', () => {
    const text = encodeEntry(entries[0]!);
    expect(decodeEntry('not an entry')).toEqual({ rejected: 'format' });
    expect(decodeEntry('{"f":42}\nx')).toEqual({ rejected: 'format' });
    expect(decodeEntry(text.slice(0, -3))).toEqual({ rejected: 'truncated' });
    expect(decodeEntry(text.replace('"120"', '"121"'))).toEqual({ rejected: 'digest' });
    expect(decodeEntry(text.replace(ENTRY_FORMAT, 'ncr-answers/0'))).toEqual({ rejected: 'version' });
    expect(decodeEntry(text.replace('"k":"graphql"', '"k":"other"'))).toEqual({ rejected: 'format' });
  });
});
