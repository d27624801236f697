import snowflake from 'snowflake-sdk';

import type { SnowflakeConfig } from '../config';

export type SnowflakeRow = Record<string, unknown>;
export type SnowflakeBinds = snowflake.Binds;

/** One open Snowflake session; statements run one at a time in the order they are called. */
export interface SnowflakeSession {
  execute(sqlText: string, binds?: SnowflakeBinds): Promise<SnowflakeRow[]>;
  close(): Promise<void>;
}

let configured = false;

/**
 * Opens a session with password or key-pair authentication. Its statements
 * return numbers as text, so that NUMBER(38, 9) keeps every digit.
 *
 * @throws the driver's error when the connection or the login fails.
 */
export async function connectSnowflake(config: SnowflakeConfig): Promise<SnowflakeSession> {
  if (!configured) {
    // The driver logs at INFO to the console by default; the worker logs failures itself.
    snowflake.configure({ logLevel: 'ERROR' });
    configured = true;
  }

  const connection = snowflake.createConnection({
    account: config.account,
    username: config.username,
    database: config.database,
    warehouse: config.warehouse,
    role: config.role,
    accessUrl: config.accessUrl,
    application: 'pipefy-sync',
    ...credentials(config),
  });
  await new Promise<void>((resolve, reject) => {
    connection.connect((error) => (error ? reject(error) : resolve()));
  });

  return createSession(connection);
}

function credentials(config: SnowflakeConfig): Partial<snowflake.ConnectionOptions> {
  if (config.privateKeyPath) {
    return {
      authenticator: 'SNOWFLAKE_JWT',
      privateKeyPath: config.privateKeyPath,
      privateKeyPass: config.privateKeyPassphrase,
    };
  }
  return { password: config.password };
}

function createSession(connection: snowflake.Connection): SnowflakeSession {
  return {
    execute(sqlText, binds) {
      return new Promise((resolve, reject) => {
        connection.execute({
          sqlText,
          binds,
          fetchAsString: ['Number'],
          complete: (error, _statement, rows) => (error ? reject(error) : resolve((rows ?? []) as SnowflakeRow[])),
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        // A failed logout leaves nothing to clean up on this side.
        connection.destroy(() => resolve());
      });
    },
  };
}
