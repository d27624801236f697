/**
 * GraphQL errors in Pipefy's shape: `{message, locations, path,
 * extensions: {code, correlation_id}}` inside an HTTP 200 response. The
 * server adds `correlation_id` to every error when it formats the response.
 */
import { GraphQLError } from 'graphql';

/** Error codes the emulator returns inside `extensions.code`. */
export type PipefyErrorCode = 'RESOURCE_NOT_FOUND' | 'PERMISSION_DENIED' | 'INVALID_INPUT' | 'INTERNAL_SERVER_ERROR';

export function pipefyError(code: PipefyErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** `Pipe not found with id: 999`, the form Pipefy documents for unknown ids. */
export function notFoundError(kind: string, id: string): GraphQLError {
  return pipefyError('RESOURCE_NOT_FOUND', `${kind} not found with id: ${id}`);
}

/**
 * Returns the error for a pipe the token may not read. Pipefy documents a
 * "Permission denied" error without its code; the emulator uses
 * `PERMISSION_DENIED`, which Pipefy's own SDK classifies as a permission problem.
 */
export function permissionDeniedError(): GraphQLError {
  return pipefyError('PERMISSION_DENIED', 'Permission denied');
}

export function invalidInputError(message: string): GraphQLError {
  return pipefyError('INVALID_INPUT', message);
}
