import { defineSearchAttributeKey, type SearchAttributePair, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes that make syncs easy to find in the Web UI
 * (`PipefyConnection = "default"`). A Temporal cluster accepts them only
 * once registered: the local dev server registers them at start
 * (`scripts/local-temporal.ts`); elsewhere run
 * `temporal operator search-attribute create --name PipefyConnection --type Keyword`
 * (and the same for the other two). Clients set them when the cluster has
 * them, and workflows pass them on to their children only when their own
 * run carries them, so an unregistered cluster never rejects a sync.
 */
export const CONNECTION_ATTRIBUTE = defineSearchAttributeKey('PipefyConnection', SearchAttributeType.KEYWORD);
export const DESTINATION_ATTRIBUTE = defineSearchAttributeKey('PipefyDestination', SearchAttributeType.KEYWORD);
export const RESOURCE_ATTRIBUTE = defineSearchAttributeKey('PipefyResource', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_NAMES = [CONNECTION_ATTRIBUTE.name, DESTINATION_ATTRIBUTE.name, RESOURCE_ATTRIBUTE.name];

/** Search attributes of a sync of `connection` into `destination`, optionally of one resource. */
export function syncSearchAttributes(connection: string, destination: string, resource?: string): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: CONNECTION_ATTRIBUTE, value: connection },
    { key: DESTINATION_ATTRIBUTE, value: destination },
  ];
  if (resource) pairs.push({ key: RESOURCE_ATTRIBUTE, value: resource });
  return pairs;
}
