/** A labelled number input; its value stays the text typed (the form's checks read it). */
import type { InputHTMLAttributes, ReactNode } from 'react';
import { LabelledField } from './labelled-field.js';

export interface NumberFieldProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'type' | 'value' | 'onChange' | 'min' | 'max' | 'step'
> {
  readonly label: ReactNode;
  readonly value: string;
  onChange(value: string): void;
  readonly min: number;
  readonly max: number;
  /** 1 unless told (`'any'` for fractions). */
  readonly step?: number | 'any';
  readonly invalid?: boolean;
}

export function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  step = 1,
  invalid,
  ...rest
}: NumberFieldProps) {
  return (
    <LabelledField label={label}>
      {(id) => (
        <input
          {...rest}
          id={id}
          type="number"
          min={min}
          max={max}
          step={step}
          value={value}
          aria-invalid={invalid}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </LabelledField>
  );
}
