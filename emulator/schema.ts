/**
 * The emulator's executable schema: Pipefy's 2021-02 public schema, extended
 * with a few newer fields (`schema/newer-fields.graphql`), with resolvers
 * attached to the fields that take arguments or read mutable state. Other
 * fields resolve by property name on the seeded objects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, extendSchema, GraphQLObjectType, parse, type GraphQLSchema } from 'graphql';
import { RESOLVERS } from './resolvers';

const SCHEMA_DIRECTORY = join(__dirname, 'schema');

/** Builds the 2021 schema plus the newer fields, without resolvers. */
export function buildPipefySchema(): GraphQLSchema {
  const base = buildSchema(readFileSync(join(SCHEMA_DIRECTORY, 'pipefy-public-api-2021-02.graphql'), 'utf8'));
  return extendSchema(base, parse(readFileSync(join(SCHEMA_DIRECTORY, 'newer-fields.graphql'), 'utf8')));
}

/** Builds the schema and attaches the emulator's resolvers. Throws if a resolver names a missing field. */
export function buildEmulatorSchema(): GraphQLSchema {
  const schema = buildPipefySchema();
  for (const [typeName, fields] of Object.entries(RESOLVERS)) {
    const type = schema.getType(typeName);
    if (!(type instanceof GraphQLObjectType)) throw new Error(`Resolver map names ${typeName}, which is not an object type in the schema`);
    const typeFields = type.getFields();
    for (const [fieldName, resolve] of Object.entries(fields)) {
      if (!typeFields[fieldName]) throw new Error(`Resolver map names ${typeName}.${fieldName}, which is not in the schema`);
      typeFields[fieldName].resolve = resolve;
    }
  }
  return schema;
}
