/** The wizard's steps, in order. */

// ---- steps -------------------------------------------------------------------------------------

export const WIZARD_STEPS = [
  { name: 'server', label: 'Server' },
  { name: 'login', label: 'Login' },
  { name: 'mode', label: 'Mode & version' },
  { name: 'review', label: 'Review plan' },
  { name: 'install', label: 'Install' },
  { name: 'done', label: 'Done' },
] as const;

export type WizardStep = (typeof WIZARD_STEPS)[number]['name'];

export function stepIndex(step: WizardStep): number {
  return WIZARD_STEPS.findIndex((s) => s.name === step);
}
