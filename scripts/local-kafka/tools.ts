import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { KvsError } from '../../electron/shared/errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

const isWindows = process.platform === 'win32';

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, isWindows ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First `names` entry found in the folders of env.PATH, or undefined. */
export function findOnPath(names: readonly string[], env: Env): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

const JAVA_NAMES = isWindows ? ['java.exe'] : ['java'];
const MIN_JAVA = 17;
const INSTALL_JAVA =
  'Install OpenJDK 17 or newer (e.g. `sudo apt-get install openjdk-17-jre-headless`, `brew install openjdk@17` or Eclipse Temurin 17) and try again, or point JAVA_HOME at it.';

/**
 * The java to run Kafka with: $JAVA_HOME/bin/java when that exists, else `java` on PATH
 * (the same order as Kafka's own bin/kafka-run-class.sh). Checks it is Java 17+.
 */
export async function findJava(env: Env): Promise<string> {
  let java: string | undefined;
  const javaHome = env.JAVA_HOME;
  if (javaHome !== undefined && javaHome !== '') {
    const candidate = path.join(javaHome, 'bin', JAVA_NAMES[0] ?? 'java');
    if (isExecutableFile(candidate)) java = candidate;
  }
  java ??= findOnPath(JAVA_NAMES, env);
  if (java === undefined) {
    throw new KvsError(
      'JAVA_NOT_FOUND',
      `Java was not found (looked in JAVA_HOME and on PATH). ${INSTALL_JAVA}`,
    );
  }
  const major = await javaMajorVersion(java, env);
  if (major !== undefined && major < MIN_JAVA) {
    throw new KvsError(
      'JAVA_NOT_FOUND',
      `${java} is Java ${major}, but Kafka needs Java ${MIN_JAVA}+. ${INSTALL_JAVA}`,
    );
  }
  return java;
}

/** Major version from `java -version` ("1.8.0_392" → 8, "17.0.15" → 17); undefined when unreadable. */
export async function javaMajorVersion(java: string, env: Env): Promise<number | undefined> {
  const output = await new Promise<string>((resolve) => {
    execFile(java, ['-version'], { env: { ...env }, timeout: 20_000 }, (_error, stdout, stderr) => {
      resolve(`${stderr}\n${stdout}`);
    });
  });
  return parseJavaMajorVersion(output);
}

export function parseJavaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(versionOutput);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

const MAVEN_NAMES = isWindows ? ['mvn.cmd', 'mvn.bat', 'mvn'] : ['mvn'];

/** The mvn to download Kafka's jars with: $MAVEN_HOME/bin, $M2_HOME/bin, then PATH. */
export function findMaven(env: Env, purpose: string): string {
  for (const home of [env.MAVEN_HOME, env.M2_HOME]) {
    if (home === undefined || home === '') continue;
    for (const name of MAVEN_NAMES) {
      const candidate = path.join(home, 'bin', name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  const mvn = findOnPath(MAVEN_NAMES, env);
  if (mvn === undefined) {
    throw new KvsError(
      'MAVEN_NOT_FOUND',
      `Maven (mvn) was not found on PATH; it is needed once to download ${purpose} from Maven Central. Install Maven 3.8 or newer (e.g. \`sudo apt-get install maven\` or \`brew install maven\`) and try again.`,
    );
  }
  return mvn;
}
