// The signed-in person (or null), loaded once with `me` and refreshed after sign-in.
import { gql } from './api';
import { MeDocument, type MeFieldsFragment } from './gql/graphql';
import { createStore } from './store';

export type Me = MeFieldsFragment;
export const session = createStore<{ me: Me | null; ready: boolean }>({ me: null, ready: false });

export async function loadMe() {
  try {
    const d = await gql(MeDocument, {}, { asSelf: true });
    session.set({ me: d.me ?? null, ready: true });
  } catch {
    session.set({ me: null, ready: true });
  }
}

export const hasRole = (me: Me | null, role: string) => !!me?.roles.includes(role as never);
/** A member of an organisation that is not a merchant (a merchant's staff are merchants). */
export const coordinatorOrgs = (me: Me | null) => (me?.memberships ?? []).filter((m) => m.organisation.kind !== 'MERCHANT').map((m) => m.organisation);
export const isCoordinator = (me: Me | null) => coordinatorOrgs(me).length > 0;
/** Staff of a merchant: the MERCHANT role, or a member of an organisation of kind MERCHANT. */
export const isMerchant = (me: Me | null) => hasRole(me, 'MERCHANT') || !!me?.memberships.some((m) => m.organisation.kind === 'MERCHANT');
