import pg from 'pg';
import { afterAll } from 'vitest';

import { openPostgresDestination } from '../../activities/destinations/postgres/postgres-destination';
import { describeDestinationContract } from './contract';

const server = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const datasets: string[] = [];
let datasetCounter = 0;

afterAll(async () => {
  const client = new pg.Client(server);
  await client.connect();
  try {
    for (const dataset of datasets) await client.query(`DROP SCHEMA IF EXISTS "${dataset}" CASCADE`);
  } finally {
    await client.end();
  }
});

function openContractDestination() {
  datasetCounter += 1;
  const dataset = `contract_${process.pid}_${datasetCounter}`;
  datasets.push(dataset);
  return openPostgresDestination({ type: 'postgres', ...server, ssl: false, dataset });
}

describeDestinationContract('postgres', openContractDestination);
