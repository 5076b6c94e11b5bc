// A form post that changes something: on success a 303 to the page that shows the result; when the change is
// refused for a reason the user can fix (invalid input, a stale or already-decided object), the form page again
// with the message and the 4xx status; anything else goes to the error handler.
import type { Request, Response } from 'express';
import type { Actor } from '../auth/policy.js';
import { AppError, type ErrorCode } from '../errors.js';
import { actorOf } from './route.js';

const SHOWN_ON_FORM: ErrorCode[] = ['validation', 'conflict', 'invalid_transition'];

export function formAction(
  change: (actor: Actor, req: Request, res: Response) => Promise<string>,
  rerender: (actor: Actor, req: Request, res: Response, err: AppError) => Promise<void>,
  shown: ErrorCode[] = SHOWN_ON_FORM,
): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    const actor = actorOf(res);
    try {
      res.redirect(303, await change(actor, req, res));
    } catch (err) {
      if (err instanceof AppError && shown.includes(err.code)) {
        await rerender(actor, req, res, err);
        return;
      }
      throw err;
    }
  };
}
