import { describe, expect, it } from 'vitest';
import { keyringFromBase64, open, seal } from '../src/crypto/envelope.js';

const keyring = keyringFromBase64(Buffer.alloc(32, 1).toString('base64'));

describe('AES-256-GCM envelopes', () => {
  it('round-trips and never contains the plaintext', () => {
    const env = seal(keyring, 'super-secret-value', 'project:1');
    expect(env.keyId).toBe('k1');
    expect(env.nonce).toHaveLength(12);
    expect(env.tag).toHaveLength(16);
    expect(env.ciphertext.toString('utf8')).not.toContain('super-secret');
    expect(open(keyring, env, 'project:1')).toBe('super-secret-value');
  });

  it('uses a fresh nonce every time', () => {
    expect(seal(keyring, 'x', 'a').nonce.equals(seal(keyring, 'x', 'a').nonce)).toBe(false);
  });

  it('refuses an envelope moved to another row or tampered with', () => {
    const env = seal(keyring, 'value', 'project:1');
    expect(() => open(keyring, env, 'project:2')).toThrow();
    const tampered = { ...env, ciphertext: Buffer.from(env.ciphertext) };
    tampered.ciphertext[0]! ^= 1;
    expect(() => open(keyring, tampered, 'project:1')).toThrow();
  });

  it('refuses an unknown key id', () => {
    const env = { ...seal(keyring, 'v', 'a'), keyId: 'k9' };
    expect(() => open(keyring, env, 'a')).toThrow(/k9/);
  });
});
