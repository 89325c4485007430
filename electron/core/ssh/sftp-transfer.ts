/** File transfer over the session's SFTP channel: uploading a file, writing one, its mode. */
import type { SFTPWrapper } from 'ssh2';
import { connectionClosed, SshError } from './ssh-errors.js';
import type { SessionInfo, SshClient, SshDeps, UploadOptions } from './ssh-types.js';

export interface SftpTransfer {
  upload(localPath: string, remotePath: string, opts?: UploadOptions): Promise<void>;
  writeFile(remotePath: string, content: string | Buffer, mode: number): Promise<void>;
}

export function createSftpTransfer(
  client: SshClient,
  info: SessionInfo,
  deps: SshDeps,
  isClosed: () => boolean,
): SftpTransfer {
  let sftpPromise: Promise<SFTPWrapper> | undefined;

  const getSftp = (): Promise<SFTPWrapper> => {
    if (isClosed()) return Promise.reject(connectionClosed(info.host));
    sftpPromise ??= new Promise<SFTPWrapper>((resolve, reject) => {
      client.sftp((e, sftp) => {
        if (e) {
          sftpPromise = undefined;
          reject(
            new SshError(
              'SSH_COMMAND_FAILED',
              `The server on ${info.host} does not offer SFTP: ${e.message}`,
              'reason=no-sftp',
            ),
          );
        } else resolve(sftp);
      });
    });
    return sftpPromise;
  };

  const chmod = (sftp: SFTPWrapper, remotePath: string, mode: number): Promise<void> =>
    new Promise((resolve, reject) => {
      sftp.chmod(remotePath, mode, (e) =>
        e
          ? reject(
              new SshError(
                'SSH_COMMAND_FAILED',
                `Could not set the mode of ${remotePath}: ${e.message}`,
                'reason=sftp-chmod',
              ),
            )
          : resolve(),
      );
    });

  const upload = async (
    localPath: string,
    remotePath: string,
    opts: UploadOptions = {},
  ): Promise<void> => {
    const sftp = await getSftp();
    deps.log?.(`sftp put ${localPath} -> ${remotePath}`);
    await new Promise<void>((resolve, reject) => {
      sftp.fastPut(
        localPath,
        remotePath,
        {
          ...(opts.mode !== undefined ? { mode: opts.mode } : {}),
          step: (transferred, _chunk, total) => opts.onProgress?.(transferred, total),
        },
        (e) =>
          e
            ? reject(
                new SshError(
                  'SSH_COMMAND_FAILED',
                  `Could not upload ${localPath} to ${info.host}:${remotePath}: ${e.message}`,
                  'reason=sftp-put',
                ),
              )
            : resolve(),
      );
    });
    if (opts.mode !== undefined) await chmod(sftp, remotePath, opts.mode);
  };

  const writeFile = async (
    remotePath: string,
    content: string | Buffer,
    mode: number,
  ): Promise<void> => {
    const sftp = await getSftp();
    deps.log?.(`sftp write ${remotePath} (mode ${mode.toString(8)})`);
    await new Promise<void>((resolve, reject) => {
      sftp.writeFile(remotePath, content, { mode }, (e) =>
        e
          ? reject(
              new SshError(
                'SSH_COMMAND_FAILED',
                `Could not write ${info.host}:${remotePath}: ${e.message}`,
                'reason=sftp-write',
              ),
            )
          : resolve(),
      );
    });
    await chmod(sftp, remotePath, mode); // mode only applies when the file is created
  };

  return { upload, writeFile };
}
