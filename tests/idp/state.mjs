// Storage for the test provider: oidc-provider's models (grants, tokens,
// device codes, sessions, interactions) plus the secrets that must outlive a
// restart (the ID token signing key and the cookie keys).
//
// With a file, every change rewrites the whole file atomically (temporary file
// + rename), synchronously, before the change is acknowledged: a test may
// SIGTERM the server at any moment and start it again on the same file.  The
// data is a handful of entries, so rewriting it all is cheap.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const VERSION = 1;

// The models that /_test/revoke-account deletes: everything that lets a
// client act for the account.  Sessions (the account's sign-in at the
// provider itself) are left alone, as when a person revokes one app's access.
const ACCOUNT_ARTIFACTS = new Set([
  'Grant',
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('base64url'),
    alg: 'RS256',
    use: 'sig',
  };
}

export class Store {
  #file;
  #state;

  // file: path of the state file, or undefined to keep everything in memory.
  constructor(file) {
    this.#file = file;
    let state;
    if (file) {
      try {
        state = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        if (err.code !== 'ENOENT') throw new Error(`cannot read state file ${file}: ${err.message}`);
      }
      if (state && state.version !== VERSION) {
        throw new Error(`state file ${file} has version ${state.version}, expected ${VERSION}`);
      }
    }
    this.#state = state ?? {
      version: VERSION,
      jwks: { keys: [newSigningKey()] },
      cookieKeys: [randomBytes(32).toString('base64url')],
      entries: {},
    };
    this.#save();
  }

  get jwks() {
    return structuredClone(this.#state.jwks);
  }

  get cookieKeys() {
    return [...this.#state.cookieKeys];
  }

  #save() {
    if (!this.#file) return;
    const now = Date.now();
    for (const [key, entry] of Object.entries(this.#state.entries)) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) delete this.#state.entries[key];
    }
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#state));
    renameSync(tmp, this.#file);
  }

  #live(key) {
    const entry = this.#state.entries[key];
    if (!entry || (entry.expiresAt !== null && entry.expiresAt <= Date.now())) return undefined;
    return entry;
  }

  get(key) {
    const entry = this.#live(key);
    // A copy, as a database would return: the provider mutates what it finds.
    return entry ? structuredClone(entry.payload) : undefined;
  }

  set(key, payload, expiresIn) {
    this.#state.entries[key] = {
      payload: structuredClone(payload),
      expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : null,
    };
    this.#save();
  }

  update(key, change) {
    const entry = this.#live(key);
    if (!entry) return;
    change(entry.payload);
    this.#save();
  }

  delete(key) {
    if (!(key in this.#state.entries)) return;
    delete this.#state.entries[key];
    this.#save();
  }

  // The first live entry of `model` whose payload satisfies `test`.
  findKey(model, test) {
    const prefix = `${model}:`;
    for (const key of Object.keys(this.#state.entries)) {
      if (key.startsWith(prefix) && this.#live(key) && test(this.#state.entries[key].payload)) {
        return key;
      }
    }
    return undefined;
  }

  // Deletes every entry for which test(model, payload) holds; returns how many.
  deleteWhere(test) {
    let deleted = 0;
    for (const [key, entry] of Object.entries(this.#state.entries)) {
      const model = key.slice(0, key.indexOf(':'));
      if (test(model, entry.payload)) {
        delete this.#state.entries[key];
        deleted += 1;
      }
    }
    if (deleted) this.#save();
    return deleted;
  }

  deleteAccount(accountId) {
    return this.deleteWhere((model, payload) => ACCOUNT_ARTIFACTS.has(model)
      && payload.accountId === accountId);
  }

  // An oidc-provider adapter factory (one adapter per model name) on this store.
  adapterFactory() {
    const store = this;
    return (model) => ({
      async upsert(id, payload, expiresIn) {
        store.set(`${model}:${id}`, payload, expiresIn);
      },
      async find(id) {
        return store.get(`${model}:${id}`);
      },
      async findByUid(uid) {
        const key = store.findKey(model, (payload) => payload.uid === uid);
        return key && store.get(key);
      },
      async findByUserCode(userCode) {
        const key = store.findKey(model, (payload) => payload.userCode === userCode);
        return key && store.get(key);
      },
      async consume(id) {
        store.update(`${model}:${id}`, (payload) => {
          payload.consumed = Math.floor(Date.now() / 1000);
        });
      },
      async destroy(id) {
        store.delete(`${model}:${id}`);
      },
      async revokeByGrantId(grantId) {
        store.deleteWhere((m, payload) => m === model && payload.grantId === grantId);
      },
    });
  }
}
