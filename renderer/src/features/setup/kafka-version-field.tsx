/**
 * The Kafka version field of both options steps: the version as typed (or the default), a "Use
 * <default>" link once it differs from the default, and what is wrong with it for the mode.
 */
import { TextField } from '../../shared/labelled-field.js';

export function KafkaVersionField({
  testId,
  version,
  edited,
  defaultVersion,
  problem,
  invalid,
  onChange,
}: {
  readonly testId: string;
  /** What the field shows: the typed version, or the default. */
  readonly version: string;
  /** The typed version; null = not edited (the default). */
  readonly edited: string | null;
  readonly defaultVersion: string;
  /** Why the version does not fit the mode, or null. */
  readonly problem: string | null;
  /** The screen's error is about this field. */
  readonly invalid: boolean;
  /** null = back to the default. */
  onChange(version: string | null): void;
}) {
  return (
    <>
      <TextField
        label="Kafka version"
        data-testid={testId}
        className="mono narrow-input"
        value={version}
        invalid={invalid || problem !== null}
        onChange={onChange}
        beside={
          edited !== null &&
          edited !== defaultVersion && (
            <button type="button" className="link" onClick={() => onChange(null)}>
              Use {defaultVersion}
            </button>
          )
        }
      />
      {problem !== null && <p className="field-error">{problem}</p>}
    </>
  );
}
