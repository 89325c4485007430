/**
 * `profiles:import`: a Java client.properties the page read, with the files it names (truststore,
 * keystore) that the person picked alongside it, turned into profile settings for the form — the
 * public half and the secrets (the person is about to review and save them; nothing is stored here).
 *
 * A store named in the file is matched to a picked file by its file name (the page cannot know the
 * paths on this computer, and `kvs serve` may run on another). What is missing, a JKS store (with the
 * keytool command), GSSAPI: refused with every problem listed (INVALID_ARGUMENT), never half-imported.
 */
import path from 'node:path';
import type { ProfileImportResult } from '../shared/contract.js';
import { splitSecurity } from '../shared/connection-profile.js';
import { KvsError } from '../shared/errors.js';
import { loadClientProperties } from '../core/kafka/client-properties.js';

export interface PickedFile {
  readonly name: string;
  readonly base64: string;
}

/** Files are read from this fake folder, so every name the properties give resolves inside it. */
const HERE = path.resolve('/kvs-import');

export async function importClientProperties(req: {
  readonly fileName: string;
  readonly text: string;
  readonly files: readonly PickedFile[];
}): Promise<ProfileImportResult> {
  const byName = new Map(req.files.map((f) => [f.name, f.base64]));
  const loaded = await loadClientProperties(req.text, path.join(HERE, 'client.properties'), {
    readFile: (file) => {
      const name = file.split(/[\\/]/).pop() ?? file;
      const b64 = byName.get(name);
      if (b64 === undefined)
        return Promise.reject(
          new Error(`pick ${name} too (together with ${req.fileName}), it is not among the files`),
        );
      return Promise.resolve(Buffer.from(b64, 'base64'));
    },
  });
  if (loaded.security === null)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `${req.fileName} cannot be used:\n- ${loaded.problems
        .map((p) => p.replaceAll(`${HERE}${path.sep}`, '').replaceAll(HERE, '.'))
        .join('\n- ')}`,
    );
  const { security, secrets } = splitSecurity(loaded.security);
  return { bootstrap: loaded.bootstrap, security, secrets, unused: [...loaded.unused] };
}
