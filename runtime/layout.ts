// The root layout of every page: the CSRF meta tag the client bootstrap reads, the title, and the
// official client bundles. Apps can pass their own layout with the same inputs.

import { escapeHtml } from './template.ts';

export interface LayoutInput {
  /** Page title (from the view's `setPageTitle`, else the app's default). */
  title: string;
  /** A masked CSRF token for this session, for `<meta name="csrf-token">`. */
  csrfToken: string;
  /** The page body (for a live route: the view's root container). */
  content: string;
}

export type Layout = (input: LayoutInput) => string;

export const defaultLayout: Layout = ({ title, csrfToken, content }) => `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${escapeHtml(csrfToken)}">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
${content}
</body>
</html>
`;
