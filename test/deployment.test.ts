import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../scripts/local-temporal';
import { loadWorkerConfig } from '../worker/config';

// The tests do not start Docker, so this file checks the structure of
// docker-compose.yml and the files it refers to. No npm package in the project
// parses YAML; Python's PyYAML does, and the checks that need it are skipped
// where it is missing.

interface ComposeService {
  image?: string;
  build?: unknown;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string | null>;
  volumes?: string[];
  ports?: string[];
  depends_on?: string[] | Record<string, unknown>;
  deploy?: { replicas?: number };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const PYTHON_YAML_TO_JSON = 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)';
const hasPyYaml = spawnSync('python3', ['-c', 'import yaml']).status === 0;

/** Parses a YAML file with PyYAML's safe loader. */
function readYaml<T>(relativePath: string): T {
  const parsed = spawnSync('python3', ['-c', PYTHON_YAML_TO_JSON], {
    input: readFileSync(path.join(PROJECT_ROOT, relativePath)),
    encoding: 'utf8',
  });
  if (parsed.status !== 0) throw new Error(`${relativePath} is not valid YAML: ${parsed.stderr}`);
  return JSON.parse(parsed.stdout) as T;
}

function readText(relativePath: string): string {
  return readFileSync(path.join(PROJECT_ROOT, relativePath), 'utf8');
}

/** Host side of a bind mount such as `./deploy/x:/etc/x:ro`, with a `${VAR:-default}` replaced by its default. */
function bindMountSource(volume: string): string | undefined {
  const source = volume.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1').split(':')[0];
  return source.startsWith('.') ? source : undefined;
}

describe.skipIf(!hasPyYaml)('docker-compose.yml', () => {
  const compose = hasPyYaml ? readYaml<ComposeFile>('docker-compose.yml') : { services: {} };
  const services = compose.services;

  it('defines the whole topology', () => {
    expect(Object.keys(services).sort()).toEqual(['emulator', 'temporal', 'temporal-db', 'temporal-ui', 'warehouse', 'worker']);
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(services['temporal-db'].image).toMatch(/^postgres:\d+$/);
    expect(services.warehouse.image).toMatch(/^postgres:\d+$/);
    expect(services.worker.build).toBe('.');
    expect(services.worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
  });

  it('runs the emulator in the demo profile only', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, profiles: service.profiles ?? [] }).toEqual({ name, profiles: name === 'emulator' ? ['demo'] : [] });
    }
    expect(services.emulator.command).toEqual(expect.arrayContaining(['emulator/main.ts', '--host', '0.0.0.0', '--port', '4010']));
    expect(services.emulator.ports).toBeUndefined();
  });

  it('publishes ports on loopback only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
    }
  });

  it('points services at each other', () => {
    const temporalEnv = services.temporal.environment ?? {};
    expect(temporalEnv.DB).toBe('postgres12');
    expect(temporalEnv.POSTGRES_SEEDS).toBe('temporal-db');
    expect(services['temporal-ui'].environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');

    for (const [name, service] of Object.entries(services)) {
      const dependencies = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dependency of dependencies) expect({ name, dependency, defined: dependency in services }).toEqual({ name, dependency, defined: true });
    }
  });

  it('turns off update checks and news', () => {
    expect(services['temporal-ui'].environment?.TEMPORAL_DISABLE_NEWS_FETCH).toBe('true');

    const dynamicConfigPath = services.temporal.environment?.DYNAMIC_CONFIG_FILE_PATH ?? '';
    const dynamicConfig = readYaml<Record<string, Array<{ value: unknown }>>>(
      path.join('deploy', 'dynamicconfig', path.basename(dynamicConfigPath)),
    );
    expect(dynamicConfig['frontend.enableServerVersionCheck']).toEqual([{ value: false, constraints: {} }]);
  });

  it('mounts existing files and declared volumes', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = bindMountSource(volume);
        if (source) expect({ name, source, exists: existsSync(path.join(PROJECT_ROOT, source)) }).toEqual({ name, source, exists: true });
        else expect({ name, volume: volume.split(':')[0] }).toEqual({ name, volume: expect.toBeOneOf(declared) });
      }
    }
    expect(services.worker.volumes).toContain('pipefy-data:/data');
  });

  it('keeps secrets out of the file', () => {
    const workerEnv = services.worker.environment ?? {};
    expect(workerEnv.PIPEFY_TOKEN).toBeNull();
    expect(workerEnv.PGPASSWORD).toMatch(/^\$\{WAREHOUSE_PASSWORD:\?/);
    expect(services.temporal.environment?.POSTGRES_PWD).toMatch(/^\$\{TEMPORAL_DB_PASSWORD:\?/);
  });
});

describe('deployment files', () => {
  it('worker configuration loads', () => {
    const config = loadWorkerConfig({ PIPEFY_SYNC_CONFIG: path.join('deploy', 'pipefy-sync.config.json') }, PROJECT_ROOT);

    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.dataDir).toBe('/data');
    expect(config.destinations.warehouse).toMatchObject({ type: 'postgres', host: 'warehouse', database: 'pipefy' });
    expect(config.connections.default.tokenEnv).toBe('PIPEFY_TOKEN');
  });

  it('Dockerfile builds the worker on Node 20', () => {
    const dockerfile = readText('Dockerfile');

    expect(dockerfile).toMatch(/^FROM node:20[\w.-]*$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toContain('CMD ["node", "--import", "tsx", "worker/main.ts"]');
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('.dockerignore leaves out local state and secrets', () => {
    const ignored = readText('.dockerignore').split('\n');

    for (const entry of ['node_modules', 'data', '.tools', 'pipefy-sync.config.json']) expect(ignored).toContain(entry);
  });
});
