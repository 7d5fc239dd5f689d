import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError, type ErrorCode } from './errors';

/** What a request node's parser refused (or that timed out) is answered with. */
function answerOf(err: NodeJS.ErrnoException): HttpError {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new HttpError('request_timeout', 'the request took too long to arrive');
    case 'HPE_HEADER_OVERFLOW':
      return new HttpError('headers_too_large', 'the request headers are too large');
    default:
      return new HttpError('bad_request', 'the request is not valid HTTP');
  }
}

/** The raw HTTP/1.1 answer of an error, closing the connection. */
function rawAnswer(e: HttpError): string {
  const body = JSON.stringify(e.body());
  const reason: Readonly<Partial<Record<ErrorCode, string>>> = { request_timeout: 'Request Timeout', headers_too_large: 'Request Header Fields Too Large' };
  return `HTTP/1.1 ${e.status} ${reason[e.code] ?? 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * Answers what node's HTTP parser refuses before any route sees it (an unknown method, a
 * malformed request line or header, headers too large, a request that timed out) in the API's
 * error format: `{"error":{"code","message"}}` with a catalogued code, then closes the
 * connection. A connection already reset, or with an answer under way, is just closed.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // As node's own handler: answer only on a connection nothing was written to yet, then close it
    // at once (a slow client must not keep it open by sending more).
    if (err.code !== 'ECONNRESET' && socket.writable && (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0) socket.write(rawAnswer(answerOf(err)));
    socket.destroy();
  });
}
