import { createPublicKey, createVerify, generateKeyPairSync, createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { ConfigurationError } from '../../activities/errors';
import { loadWorkerConfig, validateDestinations } from '../../worker/config';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { startFakesnow, type FakesnowServer } from '../support/warehouse-servers';

// Without these variables the drivers probe cloud metadata hosts to detect their platform.
vi.hoisted(() => {
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
  process.env.METADATA_SERVER_DETECTION = 'none';
});

const PASSPHRASE = 'correct horse battery staple';

let server: FakesnowServer | undefined;
let recorder: RecordingProxy | undefined;
let directory: string;
let keyPath: string;
let publicKeyDer: Buffer;

/** Returns the body of each login request the driver sent: fakesnow accepts any credentials, so the test checks these. */
function logins(): Record<string, unknown>[] {
  return (recorder?.requests ?? [])
    .filter((request) => request.url.startsWith('/session/v1/login-request'))
    .map((request) => {
      const text = request.headers['content-encoding'] === 'gzip' ? gunzipSync(request.body).toString('utf8') : request.body.toString('utf8');
      return (JSON.parse(text) as { data: Record<string, unknown> }).data;
    });
}

function decodeJwt(token: string) {
  const [header, payload, signature] = token.split('.');
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: json(header), payload: json(payload), signed: `${header}.${payload}`, signature: Buffer.from(signature, 'base64url') };
}

function writeConfig(destination: Record<string, unknown>): string {
  const configPath = path.join(directory, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(configPath, JSON.stringify({ destinations: { snowflake: destination } }));
  return configPath;
}

function configFor(destination: Record<string, unknown>) {
  return loadWorkerConfig({ PIPEFY_SYNC_CONFIG: writeConfig(destination) }, directory);
}

const snowflakeSettings = () => ({
  type: 'snowflake',
  account: 'fakesnow',
  username: 'loader',
  database: 'pipefy',
  accessUrl: recorder?.url,
  dataset: 'key_pair',
});

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'pipefy-sync-key-pair-'));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  keyPath = path.join(directory, 'rsa_key.p8');
  writeFileSync(keyPath, privateKey);
  publicKeyDer = createPublicKey(publicKey).export({ type: 'spki', format: 'der' });

  server = await startFakesnow();
  recorder = await startRecordingProxy(server.accessUrl);
}, 90_000);

afterAll(async () => {
  await recorder?.close();
  await server?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('snowflake key-pair authentication', () => {
  it('logs in with a signed JWT', async () => {
    const config = configFor({ ...snowflakeSettings(), privateKeyPath: keyPath, privateKeyPassphrase: PASSPHRASE });
    validateDestinations(config);

    const { openSnowflakeDestination } = await import('../../activities/destinations/snowflake/snowflake-destination');
    const destination = config.destinations.snowflake;
    if (destination.type !== 'snowflake') throw new Error('expected a snowflake destination');
    const warehouse = await openSnowflakeDestination(destination);
    try {
      await warehouse.loadBatch({
        loadId: 'key-pair/0',
        tables: [{ table: { name: 'pipes', primaryKey: ['id'], columns: [{ name: 'id', type: 'text' }, { name: 'name', type: 'text' }] }, rows: [{ id: '1', name: 'Sales' }] }],
        load: { loadId: 'key-pair/0', syncId: 'key-pair', resource: 'metadata', scope: 'org', page: 0, rowCount: 1 },
      });
      expect(await warehouse.readRows('pipes', ['id'])).toMatchObject([{ id: '1', name: 'Sales' }]);
    } finally {
      await warehouse.close();
    }

    const login = logins().at(-1);
    expect(login).toMatchObject({ AUTHENTICATOR: 'SNOWFLAKE_JWT', LOGIN_NAME: 'loader' });
    expect(login).not.toHaveProperty('PASSWORD');

    const jwt = decodeJwt(String(login?.TOKEN));
    const fingerprint = `SHA256:${createHash('sha256').update(publicKeyDer).digest('base64')}`;
    expect(jwt.header.alg).toBe('RS256');
    expect(jwt.payload.iss).toBe(`FAKESNOW.LOADER.${fingerprint}`);
    expect(jwt.payload.sub).toBe('FAKESNOW.LOADER');
    const verified = createVerify('RSA-SHA256')
      .update(jwt.signed)
      .verify({ key: createPublicKey({ key: publicKeyDer, format: 'der', type: 'spki' }) }, jwt.signature);
    expect(verified).toBe(true);
  });

  it('names a wrong passphrase', () => {
    const config = configFor({ ...snowflakeSettings(), privateKeyPath: keyPath, privateKeyPassphrase: 'wrong' });
    expect(() => validateDestinations(config)).toThrow(ConfigurationError);
    expect(() => validateDestinations(config)).toThrow(/destinations\.snowflake\.privateKeyPassphrase: it does not open .*rsa_key\.p8/);
  });

  it('names a missing key file', () => {
    const missing = path.join(directory, 'missing.p8');
    const config = configFor({ ...snowflakeSettings(), privateKeyPath: missing });
    expect(() => validateDestinations(config)).toThrow(/destinations\.snowflake\.privateKeyPath: cannot read .*missing\.p8 \(ENOENT\)/);
  });

  it('rejects missing credentials', () => {
    expect(() => configFor(snowflakeSettings())).toThrow(/destinations\.snowflake\.password: set "password", or "privateKeyPath"/);
  });
});
