/** The SSH layer's shapes: login options, host-key policy, command options and results, session. */
import type { Client } from 'ssh2';

/** The ssh2 connection a session runs over. */
export type SshClient = Client;

export type SshAuth =
  | { kind: 'password'; password: string }
  | { kind: 'key'; privateKey: Buffer | string; passphrase?: string }
  | { kind: 'agent'; socket?: string };

export interface UnknownHostInfo {
  host: string;
  port: number;
  /** OpenSSH style: "SHA256:" + unpadded base64. */
  fingerprint: string;
  keyType: string;
}

/**
 * How the server's host key is trusted:
 * - ask: known-hosts file; an unknown host is shown to the person (true pins it)
 * - acceptNew: known-hosts file; an unknown host is pinned without asking
 * - expectedFingerprint: only this key (e.g. from `--host-key SHA256:…`)
 * A key that differs from the pinned/expected one is always refused.
 */
export type HostKeyPolicy =
  | {
      knownHostsFile: string;
      onUnknownHost: (info: UnknownHostInfo) => Promise<boolean>;
      acceptNew?: false;
    }
  | { knownHostsFile: string; acceptNew: true }
  | { expectedFingerprint: string };

export interface SshConnectOptions {
  host: string;
  port?: number;
  username: string;
  auth: SshAuth;
  /** Time to reach the server and log in (not counting time spent waiting for the person in onUnknownHost). */
  readyTimeoutMs?: number;
  hostKey: HostKeyPolicy;
}

export interface SshDeps {
  /** Diagnostic lines (commands run, uploads); never contains a password. */
  log?: (line: string) => void;
  /** Where the agent socket comes from when auth.socket is not given (default: process.env). */
  env?: Record<string, string | undefined>;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  timeoutMs: number;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

export interface SudoOptions extends ExecOptions {
  /** The login user's password for sudo; without it sudo runs with -n (must not need one). */
  password?: string;
}

export interface ExecResult {
  /** Exit status, or null when the remote command was killed by a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface UploadOptions {
  mode?: number;
  onProgress?: (transferred: number, total: number) => void;
}

export interface SshSession {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly hostKey: { keyType: string; fingerprint: string };
  /** Every command string sent to the server, in order (passwords are never part of one). */
  readonly commandLog: string[];
  exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult>;
  sudo(argv: readonly string[], opts: SudoOptions): Promise<ExecResult>;
  /** Whether the login user is uid 0 (asked once, then remembered). */
  isRoot(): Promise<boolean>;
  upload(localPath: string, remotePath: string, opts?: UploadOptions): Promise<void>;
  writeFile(remotePath: string, content: string | Buffer, mode: number): Promise<void>;
  close(): Promise<void>;
}

/** Who a session is logged in as, where, and the host key it accepted. */
export interface SessionInfo {
  host: string;
  port: number;
  username: string;
  hostKey: { keyType: string; fingerprint: string };
}
