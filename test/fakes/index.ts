/** One import for integration tests and the local sandbox: every loopback fake and its types. */
export * from './fake-bot-framework';
export * from './fake-connector';
export * from './fake-entra';
export * from './fake-graph';
export * from './fake-token-service';
export * from './manual-clock';
export * from './odata-filter';
export * from './teams-client';
export * from './tls';
export { decodeJwt, type DecodedJwt, type JwtClaims } from './jwt';
export * from './contoso-tenant';
