// What Snowflake checks of a key-pair login: an RS256 JWT signed by the private half of the user's
// registered public key, issued for ACCOUNT.USER with the key's SHA-256 fingerprint, not expired.
import { createHash, createPublicKey, verify } from 'node:crypto';

/** Undefined when the token is good, else what is wrong with it. */
export function verifyLoginJwt(token: string, publicKeyPem: string, account: string, user: string): string | undefined {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return 'not a JWT';
  const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string };
  if (head.alg !== 'RS256') return `algorithm ${head.alg}, expected RS256`;
  const key = createPublicKey(publicKeyPem);
  if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) return 'signature does not match the public key';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: string; sub?: string; exp?: number };
  const fingerprint = 'SHA256:' + createHash('sha256').update(key.export({ format: 'der', type: 'spki' })).digest('base64');
  if (claims.sub !== `${account}.${user}`) return `subject ${claims.sub}, expected ${account}.${user}`;
  if (claims.iss !== `${account}.${user}.${fingerprint}`) return 'issuer does not name the public key fingerprint';
  // the driver writes exp in milliseconds
  if (typeof claims.exp !== 'number' || claims.exp < Date.now()) return 'expired';
  return undefined;
}
