import { BigQuery } from '@google-cloud/bigquery';
import { OAuth2Client } from 'google-auth-library';

import type { BigqueryConfig } from '../config';

/** How long the placeholder token for a local emulator stays valid; the client never refreshes it. */
const EMULATOR_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * Creates the BigQuery client. With `apiEndpoint` set (a local bqemulator),
 * it sends a placeholder access token, so it never looks for credentials or
 * contacts a metadata server. Otherwise it authenticates with `keyFilename`
 * or, when that is unset, with application default credentials, which on
 * Google Cloud come from the metadata server.
 */
export function createBigqueryClient(config: BigqueryConfig): BigQuery {
  if (config.apiEndpoint) {
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: 'emulator', expiry_date: Date.now() + EMULATOR_TOKEN_LIFETIME_MS });
    return new BigQuery({ projectId: config.projectId, location: config.location, apiEndpoint: config.apiEndpoint, authClient });
  }

  return new BigQuery({ projectId: config.projectId, location: config.location, keyFilename: config.keyFilename });
}
