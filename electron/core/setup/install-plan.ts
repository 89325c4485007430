/**
 * The setup wizard's install plan: a pure function from what the server is (ServerFacts)
 * and what the user chose to an ordered list of steps of remote commands. Nothing here
 * touches the network or the disk; the SSH layer runs the steps.
 *
 * Every remote command is an argv array (or a file to write, or a file to upload), never a
 * shell string. Where a shell is unavoidable (a redirect, a loop, `nohup … &`), the script
 * is one of the fixed texts in SCRIPTS and every value is passed as a positional
 * argument ("$1", "$2", …) after it: `['sh', '-c', SCRIPT, 'sh', value1, value2]`.
 *
 * How a step runs: when it has a `check` and the check exits 0, the step is already done
 * and is skipped; otherwise each `apply` command runs in order (with sudo when `sudo`)
 * and the first failure stops the plan. Running a plan again is safe.
 */
import {
  SetupValidationError,
  validateIPv4,
  validateKafkaVersion,
  validateLocalPath,
  validateMirrorUrl,
  validateSha512,
  validateUsername,
} from '../../shared/setup-validate.js';
import { LAYOUT, atLeast, serverProperties, zookeeperProperties } from './config.js';
import { type ServerFacts } from './detect.js';
import {
  installationFor,
  javaMajorsFor,
  kafkaJar,
  tarballName,
  writeFileStep,
} from './installation.js';
import {
  InstallChoices,
  InstallPlan,
  KafkaSource,
  PlanStep,
  RemoteCommand,
  SetupPlanError,
} from './plan-types.js';
import { MIN_FREE_KB, SCRIPTS, aptInstall, argv, asKafka, sh } from './scripts.js';
import {
  SECURE_FILES,
  checkSecureChoice,
  scramStep,
  secureSetup,
  tlsStep,
} from './secure-install.js';
import { startSteps, waitPortsStep } from './service-plans.js';
import { checkClusterChoice, type ClusterChoice } from './cluster-choice.js';

export function buildInstallPlan(facts: ServerFacts, choices: InstallChoices): InstallPlan {
  const inst = installationFor(facts, choices);
  const advertise = validateIPv4(choices.advertise);
  const v = validateKafkaVersion(inst.kafkaVersion);
  const source: KafkaSource =
    choices.source.kind === 'download'
      ? { kind: 'download', mirrorUrl: validateMirrorUrl(choices.source.mirrorUrl) }
      : choices.source.kind === 'upload'
        ? { kind: 'upload', tarballPath: validateLocalPath(choices.source.tarballPath) }
        : ((): never => {
            throw new SetupValidationError(
              'source',
              choices.source,
              'The source must be download or upload.',
            );
          })();
  const sha512 = choices.sha512 === undefined ? undefined : validateSha512(choices.sha512);
  const secure = choices.secure === undefined ? null : checkSecureChoice(choices.secure);
  const cluster =
    choices.cluster === undefined
      ? null
      : checkClusterChoice(choices.cluster, {
          mode: inst.mode,
          version: v,
          advertise,
          secure: secure !== null,
        });
  const notes: string[] = [];

  // Preconditions from the facts.
  if (facts.diskFreeKb !== null && facts.diskFreeKb < MIN_FREE_KB) {
    throw new SetupPlanError(
      'DISK_LOW',
      `Only ${Math.floor(facts.diskFreeKb / 1024)} MiB free where ${inst.installDir} goes; Kafka needs at least ${MIN_FREE_KB / 1024} MiB.`,
    );
  }
  if (facts.diskFreeKb === null)
    notes.push('Free disk space is unknown; it is checked again on the server.');
  if (facts.kafkaVersion !== null && facts.kafkaVersion !== inst.kafkaVersion) {
    throw new SetupPlanError(
      'EXISTING_KAFKA',
      `${inst.installDir} already holds Kafka ${facts.kafkaVersion}; uninstall it first or choose another install folder.`,
    );
  }
  const reinstall = facts.kafkaVersion === inst.kafkaVersion;
  const wanted: Array<[number, string]> = [[LAYOUT.clientPort, 'Kafka']];
  if (inst.mode === 'kraft') wanted.push([LAYOUT.controllerPort, 'the KRaft controller']);
  if (secure !== null) wanted.push([LAYOUT.internalPort, "Kafka's local listener"]);
  if (
    inst.zookeeper === 'bundled' ||
    (inst.zookeeper === 'zookeeperd' && facts.zookeeperd?.installed !== true)
  ) {
    wanted.push([LAYOUT.zookeeperPort, 'ZooKeeper']);
  }
  if (facts.portsInUse === null)
    notes.push('Listening ports are unknown; a port conflict would show when Kafka starts.');
  for (const [port, who] of wanted) {
    if (facts.portsInUse?.includes(port) === true && !reinstall) {
      throw new SetupPlanError(
        'PORT_IN_USE',
        `TCP port ${port}, which ${who} needs, is already in use on the server; stop what listens there (see \`sudo ss -ltnp\`) and try again.`,
      );
    }
  }
  if (reinstall)
    notes.push(
      `Kafka ${inst.kafkaVersion} is already in ${inst.installDir}; finished steps are skipped.`,
    );

  const steps: PlanStep[] = [];
  const tgz = `${LAYOUT.stagingDir}/${tarballName(inst)}`;
  const part = `${tgz}.part`;
  const config = `${inst.installDir}/config`;

  steps.push({
    id: 'preflight',
    title: `Check ${facts.os.prettyName ?? 'the OS'} and free disk space`,
    why: `${facts.os.prettyName ?? 'The OS'} (${facts.arch ?? ''}) is supported; at least ${MIN_FREE_KB / 1024} MiB must be free for the tarball, the extracted Kafka and its first logs.`,
    apply: [sh(SCRIPTS.diskFree, inst.installDir, String(MIN_FREE_KB))],
    sudo: false,
  });

  const packages = [inst.javaPackage];
  if (source.kind === 'download') packages.push('curl');
  if (inst.zookeeper === 'zookeeperd') packages.push('zookeeperd');
  if (secure !== null) packages.push('openssl');
  steps.push({
    id: 'apt-update',
    title: 'Refresh the package lists',
    why: `Needed only when one of ${packages.join(', ')} is missing.`,
    check: sh(SCRIPTS.packagesInstalled, ...packages),
    apply: [argv('apt-get', 'update')],
    sudo: true,
  });
  steps.push({
    id: 'java',
    title: `Install Java ${inst.javaMajor} (${inst.javaPackage})`,
    why: atLeast(v, 2, 1)
      ? `Kafka ${v.text} runs on Java ${javaMajorsFor(v).join(' or ')}${atLeast(v, 4, 0) ? ' (Kafka 4 needs 17 on the broker)' : ''}; the services use ${inst.javaHome} whatever \`java\` on PATH is.`
      : `Kafka ${v.text}'s start scripts fail on Java 9 and newer (old GC logging flags), so it gets OpenJDK 8.`,
    check: sh(SCRIPTS.packagesInstalled, inst.javaPackage),
    apply: [aptInstall(inst.javaPackage)],
    sudo: true,
  });
  if (source.kind === 'download') {
    steps.push({
      id: 'curl',
      title: 'Install curl',
      why: 'Kafka is downloaded with curl, which can resume an interrupted download.',
      check: sh(SCRIPTS.packagesInstalled, 'curl'),
      apply: [aptInstall('curl')],
      sudo: true,
    });
  }
  if (secure !== null) {
    steps.push({
      id: 'openssl',
      title: 'Install openssl',
      why: 'The CA and the server certificate are made on the server with openssl, so no private key leaves it.',
      check: sh(SCRIPTS.packagesInstalled, 'openssl'),
      apply: [aptInstall('openssl')],
      sudo: true,
    });
  }
  if (inst.zookeeper === 'zookeeperd') {
    notes.push(
      `ZooKeeper comes from the distribution's zookeeperd package (${facts.zookeeperd?.version ?? facts.zookeeperdCandidate ?? 'apt'}), which apt keeps updated; it listens on port 2181 on all interfaces.`,
    );
    steps.push({
      id: 'zookeeper',
      title: 'Install ZooKeeper (zookeeperd)',
      why: 'Kafka in ZooKeeper mode needs a running ZooKeeper on port 2181; the distribution package installs and starts it as a service.',
      check: sh(SCRIPTS.packagesInstalled, 'zookeeperd'),
      apply: [
        aptInstall('zookeeperd'),
        inst.systemd
          ? argv('systemctl', 'enable', '--now', LAYOUT.zookeeperdUnit)
          : argv('service', 'zookeeper', 'start'),
      ],
      sudo: true,
    });
  } else if (inst.zookeeper === 'bundled') {
    notes.push(
      secure !== null
        ? 'With TLS + SCRAM login the ZooKeeper bundled with Kafka runs as its own service on 127.0.0.1:2181 only (zookeeperd would listen on every interface, where the logins could be changed).'
        : 'apt offers no zookeeperd here, so the ZooKeeper bundled with Kafka runs as its own service on 127.0.0.1:2181.',
    );
  }
  steps.push({
    id: 'user',
    title: `Create the system user "${LAYOUT.user}"`,
    why: 'Kafka runs as an unprivileged user of its own, not as root.',
    check: argv('id', '-u', validateUsername(LAYOUT.user)),
    apply: [
      argv(
        'useradd',
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir',
        LAYOUT.stateDir,
        '--shell',
        '/usr/sbin/nologin',
        LAYOUT.user,
      ),
    ],
    sudo: true,
  });
  const dirs: string[] = [LAYOUT.stateDir, LAYOUT.dataDir, LAYOUT.logDir];
  if (inst.zookeeper === 'bundled') dirs.push(LAYOUT.zookeeperDataDir);
  steps.push({
    id: 'dirs',
    title: 'Create the data and log folders',
    why: `Messages go to ${LAYOUT.dataDir} and logs to ${LAYOUT.logDir}, owned by ${LAYOUT.user}.`,
    check: sh(SCRIPTS.dirsExist, ...dirs, LAYOUT.stagingDir),
    apply: [
      argv('install', '-d', '-o', LAYOUT.user, '-g', LAYOUT.user, '-m', '0750', ...dirs),
      argv('install', '-d', '-o', 'root', '-g', 'root', '-m', '0755', LAYOUT.stagingDir),
    ],
    sudo: true,
  });

  // Fetch the tarball to <tgz>.part, verify, then rename: an interrupted transfer resumes
  // (curl -C -) and a corrupt one is removed by the verify step, so a re-run starts over.
  const sumFile = `${tgz}.sha512`;
  const verify: RemoteCommand[] =
    sha512 !== undefined
      ? [
          { writeFile: { path: sumFile, content: `${sha512}  ${part}\n`, mode: 0o644 } },
          sh(SCRIPTS.verifySha512sum, part, sumFile),
        ]
      : [];
  if (source.kind === 'download') {
    const url = `${source.mirrorUrl}/kafka/${inst.kafkaVersion}/${tarballName(inst)}`;
    if (sha512 === undefined) {
      verify.push(
        argv('curl', '-fsSL', '--retry', '3', '-o', sumFile, `${url}.sha512`),
        sh(SCRIPTS.verifyApacheSha512, part, sumFile),
      );
      notes.push(
        'No SHA-512 was given: the download is checked against the .sha512 file next to it on the mirror.',
      );
    }
    steps.push({
      id: 'download',
      title: `Download Kafka ${inst.kafkaVersion}`,
      why: `From ${url}; resumable, and verified with SHA-512 before it is used.`,
      check: argv('test', '-f', tgz),
      apply: [
        argv('curl', '-fL', '--retry', '3', '-C', '-', '-o', part, url),
        ...verify,
        argv('mv', '-f', '--', part, tgz),
      ],
      sudo: true,
    });
  } else {
    const user = facts.user === null ? null : validateUsername(facts.user);
    if (user === null) {
      throw new SetupPlanError(
        'FACTS_MISSING',
        'The SSH user name is unknown (id -un), so the upload folder cannot be prepared.',
      );
    }
    const uploadDir = `${LAYOUT.stagingDir}/upload`;
    const uploaded = `${uploadDir}/${tarballName(inst)}`;
    steps.push({
      id: 'upload-dir',
      title: 'Prepare the upload folder',
      why: `The tarball is uploaded as ${user} (SFTP has no sudo) into a folder only ${user} can write.`,
      check: argv('test', '-f', tgz),
      apply: [argv('install', '-d', '-o', user, '-m', '0700', uploadDir)],
      sudo: true,
    });
    steps.push({
      id: 'upload',
      title: `Upload Kafka ${inst.kafkaVersion}`,
      why: 'The tarball comes from this computer, for servers without internet access.',
      check: argv('test', '-f', tgz),
      apply: [{ upload: { localPath: source.tarballPath, remotePath: uploaded } }],
      sudo: false,
    });
    if (sha512 === undefined)
      notes.push('No SHA-512 was given for the uploaded tarball, so it is not verified.');
    steps.push({
      id: 'verify',
      title: 'Verify the uploaded tarball',
      why:
        sha512 === undefined
          ? 'Moves it into place.'
          : 'Checks its SHA-512 before it is used, then moves it into place.',
      check: argv('test', '-f', tgz),
      apply: [argv('mv', '-f', '--', uploaded, part), ...verify, argv('mv', '-f', '--', part, tgz)],
      sudo: true,
    });
  }
  steps.push({
    id: 'extract',
    title: `Unpack Kafka into ${inst.installDir}`,
    why: `Unpacked beside it first and renamed when complete, so a half-unpacked folder never looks installed; owned by ${LAYOUT.user}.`,
    check: argv('test', '-f', `${inst.installDir}/${kafkaJar(inst)}`),
    apply: [sh(SCRIPTS.extract, tgz, inst.installDir, kafkaJar(inst))],
    sudo: true,
  });

  if (secure !== null) {
    steps.push(tlsStep(advertise));
    notes.push(
      `TLS + SCRAM login: clients connect with SASL_SSL to ${advertise}:${LAYOUT.clientPort} as "${secure.scramUser}" (SCRAM-SHA-512) and trust the CA made on the server; PLAINTEXT stays on 127.0.0.1 for Kafka itself.`,
    );
  }
  steps.push(
    writeFileStep(
      'server-properties',
      'Write server.properties',
      secure === null
        ? `Clients are told to connect to ${advertise}:${LAYOUT.clientPort} (advertised.listeners): it must be the address they can reach.`
        : `Clients are told to connect to ${advertise}:${LAYOUT.clientPort} with SASL_SSL (advertised.listeners): it must be the address they can reach, and the one the certificate names.`,
      `${config}/server.properties`,
      serverProperties({
        mode: inst.mode,
        kafkaVersion: v,
        advertise,
        ...(secure === null ? {} : { secure: { keystore: SECURE_FILES.keystore } }),
        ...(cluster === null ? {} : { cluster }),
      }),
    ),
  );
  if (inst.zookeeper === 'bundled') {
    steps.push(
      writeFileStep(
        'zookeeper-properties',
        'Write zookeeper.properties',
        'The bundled ZooKeeper keeps its data in /var/lib/kafka/zookeeper and only accepts local clients.',
        `${config}/zookeeper.properties`,
        zookeeperProperties(),
      ),
    );
  }
  if (cluster !== null) {
    steps.push({
      id: 'format',
      title: `Format the KRaft storage for cluster ${cluster.clusterId} as node ${cluster.nodeId} (once)`,
      why: 'Every node of the cluster is formatted once with the same cluster id; storage that already belongs to this cluster and node is kept, storage of another is never reformatted.',
      check: sh(
        SCRIPTS.formatKraftClusterDone,
        `${LAYOUT.dataDir}/meta.properties`,
        cluster.clusterId,
        String(cluster.nodeId),
      ),
      apply: [
        {
          argv: asKafka(
            [`JAVA_HOME=${inst.javaHome}`, `LOG_DIR=${LAYOUT.logDir}`],
            'sh',
            '-c',
            SCRIPTS.formatKraftCluster,
            'sh',
            inst.installDir,
            `${config}/server.properties`,
            LAYOUT.dataDir,
            cluster.clusterId,
            String(cluster.nodeId),
          ),
        },
      ],
      sudo: true,
    });
  } else if (inst.mode === 'kraft') {
    steps.push({
      id: 'format',
      title: 'Format the KRaft storage (once)',
      why: 'A KRaft node needs its storage formatted with a cluster id exactly once; formatting again would fail with "Invalid cluster.id", so it is skipped when meta.properties exists.',
      check: argv('test', '-f', `${LAYOUT.dataDir}/meta.properties`),
      apply: [
        {
          argv: asKafka(
            [`JAVA_HOME=${inst.javaHome}`, `LOG_DIR=${LAYOUT.logDir}`],
            'sh',
            '-c',
            SCRIPTS.formatKraft,
            'sh',
            inst.installDir,
            `${config}/server.properties`,
            LAYOUT.dataDir,
            atLeast(v, 4, 0) ? 'standalone' : 'static',
          ),
        },
      ],
      sudo: true,
    });
  }
  steps.push(...startSteps(inst));

  if (facts.ufw === 'active') {
    steps.push(
      choices.openFirewall === true
        ? {
            id: 'firewall',
            title: `Allow port ${LAYOUT.clientPort}/tcp in ufw`,
            why: 'The ufw firewall is active; clients need to reach Kafka on this port.',
            check: sh(SCRIPTS.ufwAllows, String(LAYOUT.clientPort)),
            apply: [argv('ufw', 'allow', `${LAYOUT.clientPort}/tcp`)],
            sudo: true,
          }
        : {
            id: 'firewall',
            title: `The ufw firewall is active: port ${LAYOUT.clientPort} stays closed`,
            why: `Clients on other machines can't reach Kafka until ${LAYOUT.clientPort}/tcp is allowed (sudo ufw allow ${LAYOUT.clientPort}/tcp), or choose "open the firewall".`,
            apply: [],
            sudo: false,
          },
    );
  }
  if (facts.ufw === 'active' && cluster !== null)
    steps.push(controllerFirewallStep(cluster, choices.openFirewall === true));
  steps.push(waitPortsStep(inst));
  if (secure !== null) steps.push(scramStep(inst, secure));
  return {
    kind: 'install',
    installation: inst,
    steps,
    notes,
    secure: secure === null ? null : secureSetup(secure),
  };
}

/**
 * A cluster node behind an active ufw: the other nodes' controllers must reach this one's
 * controller port (the quorum forms over it), and only they — clients never use it.
 */
function controllerFirewallStep(cluster: ClusterChoice, open: boolean): PlanStep {
  const peers = cluster.voters.filter((v) => v.nodeId !== cluster.nodeId).map((v) => v.host);
  const port = String(LAYOUT.controllerPort);
  return open
    ? {
        id: 'firewall-controller',
        title: `Allow port ${port}/tcp in ufw from the other nodes (${peers.join(', ')})`,
        why: 'The controller quorum talks on this port between the nodes; without it the cluster has no controller. Only the other nodes may connect.',
        apply: peers.map((ip) =>
          argv('ufw', 'allow', 'from', ip, 'to', 'any', 'port', port, 'proto', 'tcp'),
        ),
        check: sh(SCRIPTS.ufwAllowsFromAll, port, ...peers),
        sudo: true,
      }
    : {
        id: 'firewall-controller',
        title: `The ufw firewall is active: the controller port ${port} stays closed`,
        why: `The nodes cannot form the controller quorum until each allows ${port}/tcp from the others (sudo ufw allow from <other node> to any port ${port} proto tcp), or choose "open the firewall".`,
        apply: [],
        sudo: false,
      };
}

/** Kafka (and ZooKeeper) accept connections: a start is only done when clients can connect. */
