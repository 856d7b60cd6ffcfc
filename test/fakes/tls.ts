import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Folder that `scripts/make-test-cert.sh` writes to; the HTTPS fakes and NODE_EXTRA_CA_CERTS both point here. */
export const TEST_TLS_DIR = resolve(__dirname, '..', '..', '.test-tls');

/** Self-signed certificate for 127.0.0.1, trusted by the test process through NODE_EXTRA_CA_CERTS. */
export const TEST_CERT_PATH = join(TEST_TLS_DIR, 'cert.pem');

/** Private key matching {@link TEST_CERT_PATH}; only the fakes read it. */
export const TEST_KEY_PATH = join(TEST_TLS_DIR, 'key.pem');

/** PEM material an HTTPS fake serves with. */
export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
}

/** Loads the loopback certificate, failing with a hint because a missing cert is the usual first-run mistake. */
export function loadTestTls(certPath = TEST_CERT_PATH, keyPath = TEST_KEY_PATH): TlsMaterial {
  try {
    return { cert: readFileSync(certPath), key: readFileSync(keyPath) };
  } catch (err) {
    throw new Error(
      `Cannot read test TLS material (${certPath}, ${keyPath}); run \`bash scripts/make-test-cert.sh\` first: ${String(err)}`,
      { cause: err },
    );
  }
}
