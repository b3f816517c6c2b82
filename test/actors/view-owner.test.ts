// A view actor's done and error events reach the registry (its parent), which hands them to the
// connection named at the start of the actor's id: the id must name that connection, and only
// that one.

import { describe, expect, it } from 'vitest';
import { viewOwnerOf } from '../../actors/spawn-view.ts';

describe('viewOwnerOf', () => {
  it('reads the connection id at the start of a view actor id', () => {
    expect(viewOwnerOf('0b6c5f4e-1d2a-4c3b-9e8f-7a6b5c4d3e2f lv:phx-F1a#4')).toBe('0b6c5f4e-1d2a-4c3b-9e8f-7a6b5c4d3e2f');
    expect(viewOwnerOf('conn-1 lv:phx-F1a#4')).toBe('conn-1');
  });

  it('names no connection for an id without one', () => {
    expect(viewOwnerOf('registry')).toBeNull();
    expect(viewOwnerOf(' lv:phx-F1a#4')).toBeNull();
  });
});
