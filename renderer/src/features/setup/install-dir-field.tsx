/** The install folder of both options steps, with the screen's error when it is about the folder. */
import { TextField } from '../../shared/labelled-field.js';
import { ErrorBox, type SetupAction } from './setup-ui.js';

export function InstallDirField({
  label,
  testId,
  value,
  action,
  onChange,
}: {
  label: string;
  testId: string;
  value: string;
  /** The step's action: its error at 'installDir' shows here. */
  action: SetupAction;
  onChange(dir: string): void;
}) {
  return (
    <>
      <TextField
        label={label}
        data-testid={testId}
        className="mono"
        value={value}
        invalid={action.error?.at === 'installDir'}
        onChange={onChange}
      />
      <ErrorBox error={action.error} at="installDir" />
    </>
  );
}
