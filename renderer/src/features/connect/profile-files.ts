/**
 * Reading the files a person picks for a connection profile: bytes as base64 (a PKCS#12 bundle, a
 * truststore), and the "Import client.properties…" pick split into the properties file and the
 * stores it names (matched by file name on the service's side).
 */
import type { InvokeArgs } from '../../../../electron/shared/contract.js';

export async function readFileBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The properties file: the one named *.properties, else the first picked. */
export function propertiesFileOf<F extends { readonly name: string }>(files: readonly F[]): F {
  const f = files.find((x) => /\.properties$/i.test(x.name)) ?? files[0];
  if (f === undefined) throw new Error('Pick a client.properties file.');
  return f;
}

export async function splitImportPick(
  files: readonly File[],
): Promise<InvokeArgs<'profiles:import'>> {
  const props = propertiesFileOf(files);
  const others = files.filter((f) => f !== props);
  return {
    fileName: props.name,
    text: await props.text(),
    files: await Promise.all(
      others.map(async (f) => ({ name: f.name, base64: await readFileBase64(f) })),
    ),
  };
}
