// One policy decision, the same for a view's or a component's event and for an upload's frames:
// only a synchronous `true` allows; anything else, a Promise or a throw included, denies, and a
// throwing policy is logged by the supervisor without ending the view.

import type { Assigns, Policy, PolicyContext } from '../runtime/live-view.ts';
import type { ViewContext } from './view-context.ts';

export function policyAllows(view: ViewContext, policy: Policy<Assigns>, context: PolicyContext): boolean {
  try {
    const verdict: unknown = policy.check(context);
    // Policies are synchronous by contract; anything but `true` (a Promise included) denies.
    return verdict === true;
  } catch (err) {
    view.services.supervisor.logPolicyFailure(view, context.event, err);
    return false;
  }
}
