/**
 * A label and its control, tied by an id made here: the label names the control for screen
 * readers and for tests (getByLabel). LabelledField takes any control; TextField and
 * SelectField are the common cases (number-field.tsx and choice-fields.tsx hold the others).
 */
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';

export function LabelledField({
  label,
  labelClassName,
  children,
}: {
  readonly label: ReactNode;
  readonly labelClassName?: string;
  /** The control, given the id its label points at. */
  children(id: string): ReactNode;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id} className={labelClassName}>
        {label}
      </label>
      {children(id)}
    </>
  );
}

export interface TextFieldProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'type' | 'value' | 'onChange'
> {
  readonly label: ReactNode;
  readonly value: string;
  onChange(value: string): void;
  readonly invalid?: boolean;
  /** A secret (no spell check, never shown). */
  readonly password?: boolean;
  /** Beside the input, in one row: a button, a datalist. Given at all (even `false`), the row is there. */
  readonly beside?: ReactNode;
}

/** A one-line text input (no autocomplete or spell check unless told). */
export function TextField({
  label,
  value,
  onChange,
  invalid,
  password = false,
  beside,
  ...rest
}: TextFieldProps) {
  return (
    <LabelledField label={label}>
      {(id) => {
        const input = (
          <input
            autoComplete="off"
            spellCheck={password ? undefined : false}
            {...rest}
            id={id}
            type={password ? 'password' : 'text'}
            value={value}
            aria-invalid={invalid}
            onChange={(e) => onChange(e.target.value)}
          />
        );
        return beside === undefined ? (
          input
        ) : (
          <div className="row">
            {input}
            {beside}
          </div>
        );
      }}
    </LabelledField>
  );
}

export interface SelectOption<V extends string> {
  readonly value: V;
  readonly label: ReactNode;
  readonly disabled?: boolean;
}

export interface SelectFieldProps<V extends string> extends Omit<
  SelectHTMLAttributes<HTMLSelectElement>,
  'id' | 'value' | 'onChange'
> {
  readonly label: ReactNode;
  readonly value: V;
  onChange(value: V): void;
  readonly options: readonly SelectOption<V>[];
}

/** A drop-down of fixed choices. */
export function SelectField<V extends string>({
  label,
  value,
  onChange,
  options,
  ...rest
}: SelectFieldProps<V>) {
  return (
    <LabelledField label={label}>
      {(id) => (
        <select {...rest} id={id} value={value} onChange={(e) => onChange(e.target.value as V)}>
          {options.map((o) => (
            <option key={o.value} value={o.value} disabled={o.disabled}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </LabelledField>
  );
}
