/**
 * A fresh Ed25519 key pair in OpenSSH's own formats: the public key as an `authorized_keys` line,
 * the private key as an unencrypted `-----BEGIN OPENSSH PRIVATE KEY-----` file (what `ssh -i`
 * and the ssh2 library read, and what a test-drive customer downloads). Written here, not by
 * `ssh-keygen`, so nothing but Node is needed (format: OpenSSH's PROTOCOL.key).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export interface SshKeyPair {
  /** `ssh-ed25519 AAAA… comment` */
  publicKey: string;
  /** The OpenSSH private key file, unencrypted. */
  privateKey: string;
}

const KEY_TYPE = 'ssh-ed25519';

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
}

export function generateSshKeyPair(comment = 'vmarket'): SshKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d!, 'base64url');
  const pub = Buffer.from(jwk.x!, 'base64url');
  const publicBlob = Buffer.concat([sshString(KEY_TYPE), sshString(pub)]);

  const check = randomBytes(4).readUInt32BE();
  let secret = Buffer.concat([uint32(check), uint32(check), sshString(KEY_TYPE), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  // padded with 1, 2, 3, … to the cipher's block size (8 for "none")
  const padding = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: padding }, (_, i) => i + 1))]);

  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(''), uint32(1), sshString(publicBlob), sshString(secret)]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return {
    publicKey: `${KEY_TYPE} ${publicBlob.toString('base64')} ${comment}`,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
  };
}
