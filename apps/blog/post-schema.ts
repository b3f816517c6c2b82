// The post form's rules as a Standard Schema validator, written by hand: the form helper takes any
// validator that speaks the spec (zod, valibot, arktype… or this), so the demo needs none of them.
// `Blog.updatePost` checks the same limits again: the form is for the user, the domain is the guard.

import type { StandardSchemaV1 } from '@standard-schema/spec';
import { MAX_BODY, MAX_TITLE } from './blog.ts';

export interface PostInput {
  title: string;
  body: string;
}

type Issue = StandardSchemaV1.Issue;

export const PostSchema: StandardSchemaV1<unknown, PostInput> = {
  '~standard': {
    version: 1,
    vendor: 'liveward-demo',
    validate(value) {
      const params = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
      const title = typeof params.title === 'string' ? params.title.trim() : '';
      const body = typeof params.body === 'string' ? params.body : '';
      const issues: Issue[] = [];
      if (title.length === 0) issues.push({ message: 'Title must not be blank.', path: ['title'] });
      else if (title.length > MAX_TITLE) issues.push({ message: `Title must be at most ${MAX_TITLE} characters.`, path: ['title'] });
      if (body.length > MAX_BODY) issues.push({ message: `Body must be at most ${MAX_BODY} characters.`, path: ['body'] });
      return issues.length > 0 ? { issues } : { value: { title, body } };
    },
  },
};
