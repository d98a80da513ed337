import { contractFetch } from './contract.js';

// Every answer a test receives, through fetch (and so through openid-client and
// @timbrix/client too), is checked against the published contract.
globalThis.fetch = contractFetch(globalThis.fetch);
