// Trusted documents: the persisted query list (Apollo's manifest), its modes, and its hot reload.

export { documentId, MANIFEST_FORMAT, normalize, parseManifest, type ManifestOperation, type PersistedDocuments } from './manifest';
export { TrustedDocuments, type PersistedDocumentsMode, type TrustedDocumentsOptions, type Verdict } from './trusted-documents';
