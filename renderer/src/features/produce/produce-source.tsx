/** Where the produce panel's frames come from: a video file, or a camera in this page. */
import { RadioGroup } from '../../shared/choice-fields.js';

export type ProduceSourceKind = 'file' | 'camera';

export function ProduceSourceChoice({
  value,
  onChange,
}: {
  readonly value: ProduceSourceKind;
  onChange(value: ProduceSourceKind): void;
}) {
  return (
    <RadioGroup
      label="Source"
      value={value}
      onChange={onChange}
      options={[
        { value: 'file', label: 'File', testId: 'produce-source-file' },
        { value: 'camera', label: 'Camera', testId: 'produce-source-camera' },
      ]}
    />
  );
}
