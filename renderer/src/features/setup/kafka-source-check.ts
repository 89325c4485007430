/**
 * Where Kafka comes from, checked the same way for one server and for a cluster: a valid mirror,
 * or a .tgz that has finished uploading.
 */
import type { SetupPlanRequest } from '../../../../electron/shared/contract.js';
import { validateMirrorUrl } from '../../../../electron/shared/setup-validate.js';
import type { PickedFile } from '../../shared/picked-file.js';
import { fail, problemOf, type FormCheck } from './form-check.js';
import type { SourceKind } from './options-form.js';

export function checkKafkaSource(
  form: { readonly source: SourceKind; readonly mirrorUrl: string },
  tarball: PickedFile,
): FormCheck<SetupPlanRequest['source'], 'mirrorUrl' | 'tarball'> {
  if (form.source === 'download') {
    const mirrorUrl = form.mirrorUrl.trim();
    const mirrorProblem = problemOf(() => validateMirrorUrl(mirrorUrl));
    if (mirrorProblem !== null) return fail('mirrorUrl', mirrorProblem);
    return { ok: true, value: { kind: 'download', mirrorUrl } };
  }
  if (tarball.kind === 'uploading')
    return fail('tarball', `Wait until ${tarball.name} has finished uploading.`);
  if (tarball.kind === 'none')
    return fail(
      'tarball',
      'Choose the Kafka .tgz to upload (e.g. kafka_2.13-4.1.1.tgz from kafka.apache.org/downloads).',
    );
  return { ok: true, value: { kind: 'upload', fileId: tarball.ref.videoId } };
}
