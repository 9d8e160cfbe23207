// Requests Node refuses before any handler sees them (a request line and headers over http.maxHeaderSize, a request
// not received in time, bytes that are not HTTP/1.1) get the documented error body too, not Node's bare status
// line: a client that sent a long GET learns what to do instead. There is no response object at that point, so the
// response is written to the socket as it goes (http 'clientError').

import { randomUUID } from 'node:crypto';
import { maxHeaderSize } from 'node:http';
import type { Duplex } from 'node:stream';
import { HeaderFieldsTooLargeError, RequestTimeoutError, ValidationError } from '../errors';
import { restError } from './rest/errors';

const REQUEST_LINE = /^[A-Z]+ (\/[^\s?#]*)/;

function errorFor(code: string | undefined): Error {
  if (code === 'HPE_HEADER_OVERFLOW') return new HeaderFieldsTooLargeError(maxHeaderSize);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new RequestTimeoutError();
  return new ValidationError('The request is not valid HTTP/1.1.');
}

/** Answers a client error on its socket and closes it (a listener of 'clientError' must). */
export function answerClientError(error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // The path, when the packet starts with a request line (a header overflow keeps it); its query is left out.
  const path = error.rawPacket?.subarray(0, 2048).toString('latin1').match(REQUEST_LINE)?.[1] ?? '';
  const { body } = restError(errorFor(error.code), randomUUID(), path);
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${body.statusCode} ${body.error}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
  );
}
