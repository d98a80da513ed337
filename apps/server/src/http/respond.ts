import type { Response } from 'express';
import { type Issue, restErrorBody } from '../errors.js';

/** An error answered outside the procedures, in the same body they answer with. */
export function sendError(res: Response, status: number, message: string, issues?: Issue[]) {
  res.status(status).json(restErrorBody(status, message, issues));
}
