/**
 * The setup wizard's core: detect what a server is (detect.ts), plan the install
 * and its service operations (install-plan.ts, service-plans.ts, uninstall-plan.ts; pure),
 * validate every value that reaches a remote command (shared/setup-validate.ts) and
 * show a plan before it runs (dry-run.ts). The SSH layer (electron/core/ssh) runs plans.
 */
export * from './config.js';
export * from './detect.js';
export * from './dry-run.js';
export * from './install-plan.js';
export * from './installation.js';
export * from './plan-types.js';
export * from './scripts.js';
export * from './service-plans.js';
export * from './uninstall-plan.js';
export * from '../../shared/setup-validate.js';
