// Subscriptions over WebSocket (graphql-transport-ws, as gqlgen serves it). Loaded only by
// the pages that need live updates; the session cookie authenticates the handshake.
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from './gql/graphql';

let client: Client | null = null;

function getClient(): Client {
  if (!client) {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    client = createClient({ url, lazy: true, retryAttempts: 20, keepAlive: 20_000 });
  }
  return client;
}

export function subscribe<R, V>(doc: TypedDocumentString<R, V>, variables: V, onData: (d: R) => void): () => void {
  return getClient().subscribe<R>(
    { query: doc.toString(), variables: variables as Record<string, unknown> },
    { next: (r) => r.data && onData(r.data as R), error: () => {}, complete: () => {} },
  );
}
