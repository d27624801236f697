/**
 * The GraphQL context value of one request. Function-valued properties of
 * seeded objects receive it as their second argument (graphql-js's default
 * field resolver calls them as `source[field](args, context, info)`).
 */
import type { EmulatorState } from './state';

export interface EmulatorContext {
  state: EmulatorState;
  /** The bearer token of the request, used for per-token pipe permissions. */
  token: string;
  /** Correlation id copied into every error of this response. */
  correlationId: string;
}
