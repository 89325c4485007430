/** A checkbox with its label around it, and a group of radio buttons. */
import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

export interface CheckFieldProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'type' | 'checked' | 'onChange'
> {
  readonly label: ReactNode;
  readonly checked: boolean;
  onChange(checked: boolean): void;
  /** On the label (a longer explanation on hover). */
  readonly labelTitle?: string;
}

export function CheckField({ label, checked, onChange, labelTitle, ...rest }: CheckFieldProps) {
  const id = useId();
  return (
    <label className="check" htmlFor={id} title={labelTitle}>
      <input
        {...rest}
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      {label}
    </label>
  );
}

export interface RadioOption<V> {
  readonly value: V;
  readonly label: ReactNode;
  readonly testId?: string;
}

/** Radio buttons of one choice, named by `label` (aria-label of the group). */
export function RadioGroup<V extends string | boolean>({
  label,
  value,
  onChange,
  options,
}: {
  readonly label: string;
  readonly value: V;
  onChange(value: V): void;
  readonly options: readonly RadioOption<V>[];
}) {
  const name = useId();
  return (
    <div className="radios" role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <label key={String(o.value)}>
          <input
            type="radio"
            name={name}
            data-testid={o.testId}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          {o.label}
        </label>
      ))}
    </div>
  );
}
