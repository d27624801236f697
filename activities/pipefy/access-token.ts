import { PipefyAuthError, PipefyTransientError } from '../errors';

export interface ServiceAccountCredentials {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
}

interface CachedToken {
  accessToken: string;
  /** Epoch milliseconds after which the token is refreshed. */
  refreshAt: number;
}

/** Refresh this long before the server's expiry, so no request races it. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * Supplies bearer tokens for one connection: a fixed personal token, or
 * access tokens obtained with the OAuth2 client-credentials grant, cached
 * until shortly before they expire and refreshed on demand (for example
 * after a 401).
 */
export class AccessTokenProvider {
  private cached?: CachedToken;
  private pending?: Promise<CachedToken>;

  constructor(
    private readonly source: { token?: string; serviceAccount?: ServiceAccountCredentials },
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a refresh can produce a different token (false for a fixed token). */
  get canRefresh(): boolean {
    return this.source.serviceAccount !== undefined;
  }

  /**
   * Returns a token to send now.
   *
   * @throws PipefyAuthError when the token endpoint rejects the client credentials.
   * @throws PipefyTransientError when the token endpoint cannot be reached.
   */
  async getToken(): Promise<string> {
    const { serviceAccount, token } = this.source;
    if (!serviceAccount) {
      if (!token) throw new PipefyAuthError('No Pipefy token is configured for this connection.');
      return token;
    }

    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.accessToken;
    return (await this.refresh()).accessToken;
  }

  /** Drops the cached access token so that the next call obtains a new one. */
  invalidate(): void {
    this.cached = undefined;
  }

  private refresh(): Promise<CachedToken> {
    // Concurrent activities share one token request instead of each sending their own.
    this.pending ??= this.requestToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async requestToken(): Promise<CachedToken> {
    const account = this.source.serviceAccount!;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: account.clientId,
      client_secret: account.clientSecret,
    });

    let response: Response;
    try {
      response = await fetch(account.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new PipefyTransientError(`Token endpoint ${account.tokenUrl} could not be reached: ${(error as Error).message}.`);
    }

    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw new PipefyAuthError(
        `Token endpoint ${account.tokenUrl} rejected the service account's client credentials (HTTP ${response.status}); ` +
          'check clientId and clientSecret.',
      );
    }
    if (!response.ok) {
      throw new PipefyTransientError(`Token endpoint ${account.tokenUrl} responded with HTTP ${response.status}.`);
    }

    const payload = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof payload.access_token !== 'string' || payload.access_token === '') {
      throw new PipefyTransientError(`Token endpoint ${account.tokenUrl} responded without an access_token.`);
    }

    const lifetimeMs = typeof payload.expires_in === 'number' ? payload.expires_in * 1000 : 3_600_000;
    this.cached = {
      accessToken: payload.access_token,
      refreshAt: this.now() + Math.max(lifetimeMs - REFRESH_MARGIN_MS, lifetimeMs / 2),
    };
    return this.cached;
  }
}
