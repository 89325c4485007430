/**
 * Removing what the install made: services, files, the kafka user — only what the plan knows
 * it made, each step checked first.
 */
import { LAYOUT } from './config.js';
import { Installation, OperationPlan, PlanStep } from './plan-types.js';
import { argv } from './scripts.js';
import { buildStopPlan, checkInstallation, unitPath } from './service-plans.js';

export function buildUninstallPlan(
  installation: Installation,
  options: { removeData?: boolean } = {},
): OperationPlan {
  const inst = checkInstallation(installation);
  const steps: PlanStep[] = [...buildStopPlan(inst).steps];
  if (inst.systemd) {
    const units = [
      LAYOUT.kafkaUnit,
      ...(inst.zookeeper === 'bundled' ? [LAYOUT.bundledZookeeperUnit] : []),
    ];
    steps.push({
      id: 'remove-units',
      title: 'Remove the systemd units',
      why: 'So nothing starts Kafka at boot.',
      apply: [
        argv('systemctl', 'disable', ...units),
        argv('rm', '-f', '--', ...units.map(unitPath)),
        argv('systemctl', 'daemon-reload'),
      ],
      sudo: true,
    });
  }
  steps.push({
    id: 'remove-kafka',
    title: `Remove ${inst.installDir}`,
    why: 'The Kafka program files and the downloaded tarball.',
    apply: [
      argv('rm', '-rf', '--', inst.installDir, `${inst.installDir}.partial`, LAYOUT.stagingDir),
    ],
    sudo: true,
  });
  const notes = [
    'Java and zookeeperd (if installed) are left in place; remove them with apt if nothing else uses them.',
  ];
  if (options.removeData === true) {
    steps.push({
      id: 'remove-data',
      title: 'Remove Kafka data, logs and the kafka user',
      why: 'Deletes every topic and message stored on this server.',
      apply: [
        argv('rm', '-rf', '--', LAYOUT.stateDir, LAYOUT.logDir),
        argv('userdel', LAYOUT.user),
      ],
      sudo: true,
    });
  } else {
    notes.push(`Data in ${LAYOUT.stateDir} and logs in ${LAYOUT.logDir} are kept.`);
  }
  return { kind: 'uninstall', installation: inst, steps, notes };
}
