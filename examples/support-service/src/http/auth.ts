/**
 * API key authentication. The key names the company and the integration acting for it; both become the
 * request's user context, so every span and event after this point carries them.
 */
import type { NextFunction, Request, Response } from 'express';
import { addBreadcrumb, setTag, setUserContext } from 'otel-sentry-bridge';
import type { ApiKeyOwner } from '../db/api-keys.js';
import { findApiKeyOwner } from '../db/api-keys.js';
import type { Db } from '../db/database.js';

export function ownerOf(res: Response): ApiKeyOwner {
  const owner = res.locals.owner as ApiKeyOwner | undefined;
  if (owner === undefined) throw new Error('route mounted without API key authentication');
  return owner;
}

export function authenticate(db: Db) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = req.get('x-api-key');
    const owner = key ? findApiKeyOwner(db, key) : undefined;
    if (owner === undefined) {
      addBreadcrumb({
        message: 'API key rejected',
        category: 'auth',
        level: 'warning',
        data: { key_present: Boolean(key) },
      });
      res.status(401).json({ error: 'unauthorized', message: 'Missing or invalid X-API-Key header.' });
      return;
    }
    res.locals.owner = owner;
    setUserContext({ userId: owner.keyId, companyId: owner.companyId, role: owner.role });
    setTag('company_id', owner.companyId);
    addBreadcrumb({
      message: 'API key authenticated',
      category: 'auth',
      level: 'info',
      data: { company_id: owner.companyId },
    });
    next();
  };
}
