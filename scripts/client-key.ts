// npm run client-key -- <name> [workPerSecond burst]: a new random API key for a client, and its entry for the clients
// file (CLIENTS_FILE), which keeps only the key's SHA-256. Give the key to the client; it is not stored anywhere.

import { randomBytes } from 'node:crypto';
import { apiKeyDigest } from '../gateway/src/clients';

const [name, workPerSecond, burst] = process.argv.slice(2);
if (!name || !/^[a-z0-9][a-z0-9._-]{0,62}$/.test(name) || (workPerSecond !== undefined) !== (burst !== undefined)) {
  process.stderr.write('usage: npm run client-key -- <name: a-z 0-9 . _ -> [workPerSecond burst]\n');
  process.exit(2);
}
const key = `ncr_${randomBytes(24).toString('base64url')}`;
const entry = {
  name,
  apiKeySha256: apiKeyDigest(key),
  ...(workPerSecond !== undefined && { workPerSecond: Number(workPerSecond), burst: Number(burst) }),
};
process.stdout.write(`API key (give it to the client, send it as x-api-key): ${key}\n`);
process.stdout.write(`entry for CLIENTS_FILE's "clients" list:\n${JSON.stringify(entry, null, 2)}\n`);
