// The flash messages of every demo page: `#flash-info` and `#flash-error`. Clicking one clears it
// (`lv:clear-flash` with its key, handled by the runtime inside a live view).

import { html, type Flash, type Rendered } from 'liveward';

const KINDS = ['info', 'error'] as const;

export function flashGroup(flash: Flash | undefined): Rendered {
  return html`<div class="flash-group">${KINDS.map((kind) => {
    const message = flash?.[kind];
    return message
      ? html`<p id="flash-${kind}" class="flash flash-${kind}" role="alert" phx-click="lv:clear-flash" phx-value-key="${kind}">${message}</p>`
      : '';
  })}</div>`;
}
