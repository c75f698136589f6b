#!/usr/bin/env node
// Subscribe through Apollo Client's GraphQLWsLink (graphql-ws, the graphql-transport-ws protocol) and print
// one JSON line per event: {"next": {data, errors}}, {"error": ...}, {"complete": true}.
// Exits 0 after --count events, 1 when Apollo reports an error or ends the subscription first.
//
//   node subscribe.mjs --url ws://127.0.0.1:PORT/graphql --authorization TOKEN --count 2 \
//        --query 'subscription { onCreatePost { id } }'
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ApolloClient, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions/index.js';
import { createClient } from 'graphql-ws';

const { values: o } = parseArgs({ options: {
  url: { type: 'string' }, authorization: { type: 'string' }, 'api-key': { type: 'string' },
  query: { type: 'string' }, count: { type: 'string', default: '1' }, timeout: { type: 'string', default: '20' },
} });
if (!o.url || !o.query) { process.stderr.write('usage: --url WS_URL --query DOC [--authorization T | --api-key K]\n'); process.exit(2); }

const connectionParams = o.authorization ? { Authorization: o.authorization } : o['api-key'] ? { 'x-api-key': o['api-key'] } : {};
const wsClient = createClient({ url: o.url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0,
  on: { connected: () => console.log(JSON.stringify({ connected: true })) } });
const client = new ApolloClient({ link: new GraphQLWsLink(wsClient), cache: new InMemoryCache() });

const wanted = Number(o.count);
let seen = 0;
const finish = (code) => { wsClient.dispose(); setTimeout(() => process.exit(code), 50); };
setTimeout(() => { console.log(JSON.stringify({ timeout: true, seen })); finish(3); }, Number(o.timeout) * 1000);
client.subscribe({ query: gql(o.query), fetchPolicy: 'no-cache' }).subscribe({
  next: (result) => {
    console.log(JSON.stringify({ next: { data: result.data ?? null, errors: result.errors ?? null } }));
    seen += 1;
    if (seen >= wanted) finish(0);
  },
  error: (error) => { console.log(JSON.stringify({ error: String(error?.message ?? error) })); finish(1); },
  complete: () => { console.log(JSON.stringify({ complete: true, seen })); finish(seen >= wanted ? 0 : 1); },
});
