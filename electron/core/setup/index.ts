/**
 * The setup wizard's core: detect what a server is (detect.ts), plan the install
 * (plan.ts, pure), validate every value that reaches a remote command (validate.ts) and
 * show a plan before it runs (dry-run.ts). The SSH layer (electron/core/ssh) runs plans.
 */
export * from './config.js';
export * from './detect.js';
export * from './dry-run.js';
export * from './plan.js';
export * from '../../shared/setup-validate.js';
