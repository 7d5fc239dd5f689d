import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { ReloadingFile } from '../auth/reloading-file';

/** The files HTTPS is served from. */
export interface TlsFiles {
  /** PEM certificate chain of the server. */
  readonly certFile: string;
  /** PEM private key of that certificate. */
  readonly keyFile: string;
  /** PEM CA bundle client certificates must chain to (mTLS); null = no client certificates asked. */
  readonly clientCaFile: string | null;
}

/** What `https.createServer` needs of the files: the certificate, its key and the client CA. */
function contextOf(files: TlsFiles, certText: string): SecureContextOptions {
  return {
    cert: certText,
    key: readFileSync(files.keyFile, 'utf8'),
    ...(files.clientCaFile === null ? {} : { ca: readFileSync(files.clientCaFile, 'utf8') }),
  };
}

/** Server options for `https.createServer`: the context, and with a client CA, mTLS (a client without a valid certificate is refused in the handshake). */
export function tlsServerOptions(files: TlsFiles, context: SecureContextOptions): { readonly requestCert: boolean; readonly rejectUnauthorized: boolean } & SecureContextOptions {
  return { ...context, requestCert: files.clientCaFile !== null, rejectUnauthorized: files.clientCaFile !== null };
}

/**
 * The TLS files, watched: `onChange` gets the new context when any of them changes and the set
 * parses (a renewed certificate is served to new connections without a restart; pass it to
 * `server.setSecureContext`). A set that does not load (a key that does not match, half-written
 * files) keeps the previous one, reported through `onError`. Throws at once when the files
 * cannot be read.
 */
export function watchTlsFiles(
  files: TlsFiles,
  o: { readonly intervalMs: number; readonly onError: (err: Error) => void; readonly onChange: (context: SecureContextOptions) => void; readonly validate: (context: SecureContextOptions) => void },
): ReloadingFile<SecureContextOptions> {
  return ReloadingFile.load({
    path: files.certFile,
    also: [files.keyFile, ...(files.clientCaFile === null ? [] : [files.clientCaFile])],
    parse: (certText) => {
      const context = contextOf(files, certText);
      o.validate(context);
      return context;
    },
    intervalMs: o.intervalMs,
    onError: o.onError,
    onReload: o.onChange,
  });
}
