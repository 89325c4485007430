/**
 * Plans for an installed Kafka: start (waiting for its ports), stop, status, and rewriting
 * advertised.listeners (the doctor's fix). Each step is checked first, like the install's.
 */
import {
  SetupValidationError,
  validateIPv4,
  validateInstallDir,
  validateKafkaVersion,
} from '../../shared/setup-validate.js';
import { LAYOUT, kafkaSystemdUnit, serverProperties, zookeeperSystemdUnit } from './config.js';
import { writeFileStep } from './installation.js';
import { Installation, OperationPlan, PlanStep, SetupPlanError } from './plan-types.js';
import { SCRIPTS, argv, asKafka, sh } from './scripts.js';

export function waitPortsStep(inst: Installation): PlanStep {
  const listening: number[] = [
    ...(inst.zookeeper === null ? [] : [LAYOUT.zookeeperPort]),
    LAYOUT.clientPort,
  ];
  if (inst.mode === 'kraft') listening.push(LAYOUT.controllerPort);
  if (inst.secure) listening.push(LAYOUT.internalPort);
  return {
    id: 'verify-ports',
    title: 'Check that Kafka listens',
    why: `Waits up to 90 s for TCP port${listening.length > 1 ? 's' : ''} ${listening.join(', ')} to be listening.`,
    apply: [sh(SCRIPTS.waitPorts, '90', ...listening.map(String))],
    sudo: false,
  };
}

export function unitPath(name: string): string {
  return `${LAYOUT.unitDir}/${name}`;
}

function zookeeperUnitName(inst: Installation): string | null {
  if (inst.zookeeper === 'bundled') return LAYOUT.bundledZookeeperUnit;
  if (inst.zookeeper === 'zookeeperd') return LAYOUT.zookeeperdUnit;
  return null;
}

/** Units (systemd) or background processes with pid files, then started. */
export function startSteps(inst: Installation): PlanStep[] {
  const steps: PlanStep[] = [];
  const zkUnit = zookeeperUnitName(inst);
  const unitOptions = {
    installDir: inst.installDir,
    javaHome: inst.javaHome,
    kafkaVersion: inst.kafkaVersion,
  };
  if (inst.systemd) {
    if (inst.zookeeper === 'bundled') {
      steps.push(
        writeFileStep(
          'zookeeper-unit',
          `Write ${LAYOUT.bundledZookeeperUnit}`,
          'systemd starts the bundled ZooKeeper at boot and restarts it if it fails.',
          unitPath(LAYOUT.bundledZookeeperUnit),
          zookeeperSystemdUnit(unitOptions),
        ),
      );
    }
    steps.push(
      writeFileStep(
        'kafka-unit',
        `Write ${LAYOUT.kafkaUnit}`,
        'systemd starts Kafka at boot (after ZooKeeper in ZooKeeper mode) and restarts it if it fails.',
        unitPath(LAYOUT.kafkaUnit),
        kafkaSystemdUnit({ ...unitOptions, requires: zkUnit }),
      ),
    );
    if (inst.zookeeper === 'bundled') {
      steps.push({
        id: 'start-zookeeper',
        title: 'Enable and start ZooKeeper',
        why: 'Kafka in ZooKeeper mode needs it running first.',
        check: sh(SCRIPTS.systemdRunning, LAYOUT.bundledZookeeperUnit),
        apply: [
          argv('systemctl', 'daemon-reload'),
          argv('systemctl', 'enable', '--now', LAYOUT.bundledZookeeperUnit),
        ],
        sudo: true,
      });
    }
    steps.push({
      id: 'start-kafka',
      title: 'Enable and start Kafka',
      why: 'Starts Kafka now and at every boot. (When it is already running it is left alone; use restart to apply a changed configuration.)',
      check: sh(SCRIPTS.systemdRunning, LAYOUT.kafkaUnit),
      apply: [
        argv('systemctl', 'daemon-reload'),
        argv('systemctl', 'enable', '--now', LAYOUT.kafkaUnit),
      ],
      sudo: true,
    });
    return steps;
  }
  // No systemd (e.g. a container): background processes with pid files, not restarted at boot.
  const env = (heap: string): string[] => [
    `JAVA_HOME=${inst.javaHome}`,
    `LOG_DIR=${LAYOUT.logDir}`,
    `KAFKA_HEAP_OPTS=${heap}`,
  ];
  if (inst.zookeeper === 'bundled') {
    steps.push({
      id: 'start-zookeeper',
      title: 'Start ZooKeeper in the background',
      why: `This server has no systemd, so ZooKeeper runs as a background process (pid in ${LAYOUT.zookeeperPidFile}); it does not start again after a reboot.`,
      check: sh(SCRIPTS.pidAlive, LAYOUT.zookeeperPidFile),
      apply: [
        {
          argv: asKafka(
            env(LAYOUT.zookeeperHeapOpts),
            'sh',
            '-c',
            SCRIPTS.background,
            'sh',
            LAYOUT.zookeeperPidFile,
            LAYOUT.zookeeperOutFile,
            `${inst.installDir}/bin/zookeeper-server-start.sh`,
            `${inst.installDir}/config/zookeeper.properties`,
          ),
        },
      ],
      sudo: true,
    });
  }
  steps.push({
    id: 'start-kafka',
    title: 'Start Kafka in the background',
    why: `This server has no systemd, so Kafka runs as a background process (pid in ${LAYOUT.kafkaPidFile}, output in ${LAYOUT.kafkaOutFile}); it does not start again after a reboot.`,
    check: sh(SCRIPTS.pidAlive, LAYOUT.kafkaPidFile),
    apply: [
      {
        argv: asKafka(
          env(LAYOUT.heapOpts),
          'sh',
          '-c',
          SCRIPTS.background,
          'sh',
          LAYOUT.kafkaPidFile,
          LAYOUT.kafkaOutFile,
          `${inst.installDir}/bin/kafka-server-start.sh`,
          `${inst.installDir}/config/server.properties`,
        ),
      },
    ],
    sudo: true,
  });
  return steps;
}

export function checkInstallation(inst: Installation): Installation {
  validateInstallDir(inst.installDir);
  validateKafkaVersion(inst.kafkaVersion);
  if (!/^2\.1[23]$/.test(inst.scala))
    throw new SetupValidationError('kafkaVersion', inst.scala, 'Unknown Scala version.');
  if (!/^\/usr\/lib\/jvm\/java-\d{1,2}-openjdk-(amd64|arm64)$/.test(inst.javaHome)) {
    throw new SetupValidationError('installDir', inst.javaHome, 'Unexpected JAVA_HOME.');
  }
  return inst;
}

export function buildStartPlan(installation: Installation): OperationPlan {
  const inst = checkInstallation(installation);
  const steps: PlanStep[] = [];
  const zk = zookeeperUnitName(inst);
  if (inst.systemd) {
    if (zk !== null) {
      steps.push({
        id: 'start-zookeeper',
        title: 'Start ZooKeeper',
        why: 'Kafka in ZooKeeper mode needs it running first.',
        check: argv('systemctl', 'is-active', '--quiet', zk),
        apply: [argv('systemctl', 'start', zk)],
        sudo: true,
      });
    }
    steps.push({
      id: 'start-kafka',
      title: 'Start Kafka',
      why: 'Starts the kafka service.',
      check: argv('systemctl', 'is-active', '--quiet', LAYOUT.kafkaUnit),
      apply: [argv('systemctl', 'start', LAYOUT.kafkaUnit)],
      sudo: true,
    });
  } else {
    if (inst.zookeeper === 'zookeeperd') {
      steps.push({
        id: 'start-zookeeper',
        title: 'Start ZooKeeper',
        why: 'Kafka in ZooKeeper mode needs it running first.',
        apply: [argv('service', 'zookeeper', 'start')],
        sudo: true,
      });
    }
    steps.push(...startSteps(inst));
  }
  steps.push(waitPortsStep(inst));
  return { kind: 'start', installation: inst, steps, notes: [] };
}

export function buildStopPlan(installation: Installation): OperationPlan {
  const inst = checkInstallation(installation);
  const steps: PlanStep[] = [];
  const zk = zookeeperUnitName(inst);
  if (inst.systemd) {
    steps.push({
      id: 'stop-kafka',
      title: 'Stop Kafka',
      why: 'Kafka shuts down cleanly on SIGTERM (up to 2 minutes).',
      apply: [argv('systemctl', 'stop', LAYOUT.kafkaUnit)],
      sudo: true,
    });
    if (zk !== null) {
      steps.push({
        id: 'stop-zookeeper',
        title: 'Stop ZooKeeper',
        why: 'After Kafka, which needs ZooKeeper to shut down cleanly.',
        apply: [argv('systemctl', 'stop', zk)],
        sudo: true,
      });
    }
  } else {
    steps.push({
      id: 'stop-kafka',
      title: 'Stop Kafka',
      why: 'SIGTERM, then SIGKILL after 120 s.',
      apply: [sh(SCRIPTS.stopPid, LAYOUT.kafkaPidFile, '120')],
      sudo: true,
    });
    if (inst.zookeeper === 'bundled') {
      steps.push({
        id: 'stop-zookeeper',
        title: 'Stop ZooKeeper',
        why: 'After Kafka, which needs ZooKeeper to shut down cleanly.',
        apply: [sh(SCRIPTS.stopPid, LAYOUT.zookeeperPidFile, '60')],
        sudo: true,
      });
    } else if (inst.zookeeper === 'zookeeperd') {
      steps.push({
        id: 'stop-zookeeper',
        title: 'Stop ZooKeeper',
        why: 'After Kafka, which needs ZooKeeper to shut down cleanly.',
        apply: [argv('service', 'zookeeper', 'stop')],
        sudo: true,
      });
    }
  }
  return { kind: 'stop', installation: inst, steps, notes: [] };
}

/** Commands whose output shows the state; each exits 0 when that part is up. */
/**
 * The connection doctor's "Fix on server": rewrite server.properties so advertised.listeners names
 * `advertise` (what clients can reach), then restart Kafka only. The file is the one the wizard
 * wrote (same generator), so nothing else in it changes.
 */
export function buildAdvertisePlan(installation: Installation, advertise: string): OperationPlan {
  const inst = checkInstallation(installation);
  const ip = validateIPv4(advertise);
  if (inst.secure)
    throw new SetupPlanError(
      'SECURITY_CHOICE',
      `This Kafka was installed with TLS + SCRAM login: its certificate names the address too. Run the install again with ${ip} as the address (the CA and the login are kept; the certificate and server.properties are made anew), then restart Kafka.`,
    );
  const v = validateKafkaVersion(inst.kafkaVersion);
  const steps: PlanStep[] = [
    writeFileStep(
      'server-properties',
      `Set advertised.listeners=PLAINTEXT://${ip}:${LAYOUT.clientPort}`,
      'Clients are sent to the advertised address after their first connection: it must be one they can reach.',
      `${inst.installDir}/config/server.properties`,
      serverProperties({ mode: inst.mode, kafkaVersion: v, advertise: ip }),
    ),
    ...buildStopPlan(inst).steps.filter((st) => st.id === 'stop-kafka'),
    ...buildStartPlan(inst).steps.filter((st) => !st.id.includes('zookeeper')),
  ];
  return { kind: 'advertise', installation: inst, steps, notes: [] };
}

export function buildStatusPlan(installation: Installation): OperationPlan {
  const inst = checkInstallation(installation);
  const zk = zookeeperUnitName(inst);
  const steps: PlanStep[] = [];
  if (inst.systemd) {
    if (zk !== null) {
      steps.push({
        id: 'zookeeper',
        title: 'Is ZooKeeper running?',
        why: `systemd unit ${zk}.`,
        apply: [argv('systemctl', 'is-active', zk)],
        sudo: false,
      });
    }
    steps.push({
      id: 'kafka',
      title: 'Is Kafka running?',
      why: `systemd unit ${LAYOUT.kafkaUnit}.`,
      apply: [argv('systemctl', 'is-active', LAYOUT.kafkaUnit)],
      sudo: false,
    });
  } else {
    if (inst.zookeeper === 'bundled') {
      steps.push({
        id: 'zookeeper',
        title: 'Is ZooKeeper running?',
        why: `pid in ${LAYOUT.zookeeperPidFile}.`,
        apply: [sh(SCRIPTS.pidAlive, LAYOUT.zookeeperPidFile)],
        sudo: true,
      });
    }
    steps.push({
      id: 'kafka',
      title: 'Is Kafka running?',
      why: `pid in ${LAYOUT.kafkaPidFile}.`,
      apply: [sh(SCRIPTS.pidAlive, LAYOUT.kafkaPidFile)],
      sudo: true,
    });
  }
  steps.push({
    id: 'ports',
    title: 'Listening ports',
    why: 'Kafka listens on 9092 (and 9093 for KRaft, 2181 for ZooKeeper).',
    apply: [argv('ss', '-ltn')],
    sudo: false,
  });
  return { kind: 'status', installation: inst, steps, notes: [] };
}

/**
 * Stops and removes Kafka (and the bundled ZooKeeper's unit). Data in /var/lib/kafka and
 * logs are removed only with removeData, which also removes the kafka user. Java and
 * zookeeperd stay installed (other software may use them).
 */
