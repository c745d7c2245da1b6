'use strict';
// The bench's users: blinded (`15`) identities derived from fixed seeds, so the seeding and the
// request generator (in other threads) agree on who is who, and a fast blinded signer for them.
const crypto = require('node:crypto');

const sha512 = (...parts) => {
  const h = crypto.createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** A blinded identity on the server with public key `serverPk`, from the seed of `label`. */
function identity(c, serverPk, label) {
  const seed = crypto.createHash('sha256').update(`sogs-bench ${label}`).digest();
  const { publicKey, secretScalar } = c.blindedKeyPair(seed, serverPk);
  return {
    label,
    sessionId: '15' + publicKey.toString('hex'),
    pub: publicKey.toString('hex'),
    ka: secretScalar.toString('hex'),
    // The second half of SHA-512(seed): the nonce key of the desktop's blinded signature (§2.3).
    nonceKey: sha512(seed).subarray(32).toString('hex'),
  };
}

/**
 * The desktop's blinded Ed25519 signature, as dist's blindedSign makes it but with the key pair
 * computed once instead of per signature: r = H(nonceKey ‖ kA ‖ M), R = rG,
 * S = r + H(R ‖ kA ‖ M)·ka. `id` holds Buffers (see signer()).
 */
function blindedSign(sodium, id, message) {
  const r = sodium.crypto_core_ed25519_scalar_reduce(sha512(id.nonceKey, id.pub, message));
  const R = sodium.crypto_scalarmult_ed25519_base_noclamp(r);
  const h = sodium.crypto_core_ed25519_scalar_reduce(sha512(R, id.pub, message));
  const S = sodium.crypto_core_ed25519_scalar_add(r, sodium.crypto_core_ed25519_scalar_mul(h, id.ka));
  return Buffer.concat([R, S]);
}

/** `identity()`'s hex fields as Buffers, with a sign(message) method. */
function signer(sodium, id) {
  const k = { sessionId: id.sessionId, pub: Buffer.from(id.pub, 'hex'), ka: Buffer.from(id.ka, 'hex'), nonceKey: Buffer.from(id.nonceKey, 'hex') };
  k.sign = (message) => blindedSign(sodium, k, message);
  return k;
}

module.exports = { identity, signer };
