// The comment form's rule as a Standard Schema validator: 1 to MAX_COMMENT characters once trimmed.
// `Blog.addComment` checks the same limit again: the form is for the user, the domain is the guard.

import type { StandardSchemaV1 } from '@standard-schema/spec';
import { MAX_COMMENT } from './blog.ts';

export interface CommentInput {
  body: string;
}

export const CommentSchema: StandardSchemaV1<unknown, CommentInput> = {
  '~standard': {
    version: 1,
    vendor: 'liveward-demo',
    validate(value) {
      const params = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
      const body = typeof params.body === 'string' ? params.body.trim() : '';
      if (body.length === 0) return { issues: [{ message: 'A comment must not be blank.', path: ['body'] }] };
      if (body.length > MAX_COMMENT) {
        return { issues: [{ message: `A comment is at most ${MAX_COMMENT} characters.`, path: ['body'] }] };
      }
      return { value: { body } };
    },
  },
};
