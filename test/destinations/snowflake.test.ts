import { afterAll, beforeAll, vi } from 'vitest';

import { describeDestinationContract } from './contract';
import { startFakesnow, type FakesnowServer } from '../support/warehouse-servers';

// Without these variables the drivers probe cloud metadata hosts to detect their platform.
vi.hoisted(() => {
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
  process.env.METADATA_SERVER_DETECTION = 'none';
});

let server: FakesnowServer | undefined;
let datasetCounter = 0;

beforeAll(async () => {
  server = await startFakesnow();
}, 90_000);

afterAll(async () => {
  await server?.close();
});

async function openContractDestination() {
  const { openSnowflakeDestination } = await import('../../activities/destinations/snowflake/snowflake-destination');
  datasetCounter += 1;
  return openSnowflakeDestination({
    type: 'snowflake',
    account: 'fakesnow',
    username: 'fakesnow',
    password: 'fakesnow',
    database: 'pipefy',
    accessUrl: server?.accessUrl,
    dataset: `contract_${process.pid}_${datasetCounter}`,
  });
}

describeDestinationContract('snowflake', openContractDestination);
