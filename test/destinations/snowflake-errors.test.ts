import { describe, expect, it } from 'vitest';
import { translateSnowflakeError } from '../../activities/destinations/snowflake/snowflake-errors';

const context = { destination: 'acme.snowflakecomputing.com/ANALYTICS', table: 'cards' };

describe('snowflake error translation', () => {
  it.each([
    ['wrong password', { code: '390100', message: 'Incorrect username or password was specified.' }],
    ['invalid JWT', { code: 390144, message: 'JWT token is invalid.' }],
    ['missing object', { code: '002003', sqlState: '42S02', message: 'Object does not exist or not authorized.' }],
    ['syntax error', { code: '001003', sqlState: '42000', message: 'SQL compilation error' }],
    ['invalid value', { code: '100038', sqlState: '22018', message: "Numeric value 'abc' is not recognized" }],
  ])('does not retry %s', (_, driverError) => {
    const error = translateSnowflakeError(Object.assign(new Error(driverError.message), driverError), 'load batch b1', context);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('load batch b1');
  });

  it.each([
    ['network fault', { code: 401001, message: 'Network error' }],
    ['socket reset', { code: 'ECONNRESET', message: 'read ECONNRESET' }],
    ['throttled request', { code: 402002, message: 'Request failed', response: { status: 429 } }],
    ['server error', { code: 402002, message: 'Request failed', response: { status: 503 } }],
  ])('retries %s', (_, driverError) => {
    const error = translateSnowflakeError(Object.assign(new Error(driverError.message), driverError), 'load batch b1', context);
    expect(error.retryable).toBe(true);
  });
});
