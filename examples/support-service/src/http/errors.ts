/**
 * The API's last handlers: JSON 404 for unknown routes, body-parser failures as 400/413, and every other error
 * captured and answered as a JSON 500 that carries the Sentry event id but never a stack.
 */
import type { NextFunction, Request, Response } from 'express';
import { captureException } from 'otel-sentry-bridge';
import { INVALID_ENCODING, TOO_DEEP } from './body-checks.js';

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  limit?: number;
}

export function notFound(_req: Request, res: Response): void {
  res.status(404).json({ error: 'not_found', message: 'No such route.' });
}

export function errorHandler(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(error);
    return;
  }
  const httpError = (typeof error === 'object' && error !== null ? error : {}) as HttpError;
  const status = httpError.status ?? httpError.statusCode;
  if (httpError.type === 'entity.too.large' || status === 413) {
    res
      .status(413)
      .json({ error: 'payload_too_large', message: `Request body exceeds ${httpError.limit ?? 'the'} bytes.` });
    return;
  }
  if (httpError.type === INVALID_ENCODING || httpError.type === TOO_DEEP) {
    const message = error instanceof Error ? error.message : 'Request body was refused.';
    res
      .status(400)
      .json({ error: httpError.type === INVALID_ENCODING ? 'invalid_encoding' : 'nesting_too_deep', message });
    return;
  }
  if (httpError.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'invalid_json', message: 'Request body is not valid JSON.' });
    return;
  }
  if (status !== undefined && status >= 400 && status < 500) {
    res.status(status).json({ error: 'bad_request', message: 'The request could not be processed.' });
    return;
  }
  const eventId = captureException(error, {
    level: 'error',
    tags: { handler: 'express', route: req.route?.path ?? req.path },
  });
  res.status(500).json({ error: 'internal_error', message: 'An unexpected error occurred.', event_id: eventId });
}
