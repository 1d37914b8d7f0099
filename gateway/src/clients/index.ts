// Clients known by name: the clients file (API keys stored hashed), and who sent a request.

export { apiKeyDigest, parseClientsFile, readClientsFile, type KnownClient } from './clients-file';
export { ANONYMOUS, API_KEY_HEADER, Clients, UnknownApiKeyError, type ClientIdentity } from './identity';
