import { gql, useQuery } from '../api';
import { ApproveOrganisationDocument, PendingOrganisationsDocument } from '../gql/graphql';
import { formatDate, useT, type Key } from '../i18n';
import { ErrorMessage, Loading, Page, announce } from '../ui';

export function AdminPage() {
  const tr = useT();
  const q = useQuery(PendingOrganisationsDocument, {});
  const decide = async (id: string, name: string, approve: boolean) => {
    const d = await gql(ApproveOrganisationDocument, { input: { organisationId: id, approve } });
    if (d.approveOrganisation.userErrors.length) announce(d.approveOrganisation.userErrors[0].message);
    else announce(tr(approve ? 'orgApproved' : 'orgRejected', { name }));
    q.reload();
  };
  const list = q.data?.organisations.edges.map((e) => e.node) ?? [];
  return (
    <Page title={tr('navAdmin')}>
      <p>
        <a href="/impact">{tr('navImpact')}</a> · <a href="/admin/coins">{tr('coinPolicy')}</a>
        {' · '}<a href="/admin/coins?view=settlements">{tr('settleAdminTitle')}</a> · <a href="/admin/coins?view=reverse">{tr('reverseTitle')}</a>
      </p>
      <section aria-labelledby="pend-h">
        <h2 id="pend-h">{tr('pendingOrgs')}</h2>
        {q.loading && !q.data && <Loading />}
        <ErrorMessage error={q.error} />
        {q.data && list.length === 0 && <p>{tr('nothingPending')}</p>}
        <ul class="cards">
          {list.map((o) => (
            <li key={o.id} class="card">
              <h3>{o.name}</h3>
              <p class="meta">{tr(`orgKind_${o.kind}` as Key)}{o.district && ` · ${o.district.name}`} · {formatDate(o.createdAt)}</p>
              <p>{o.description}</p>
              <div class="actions">
                <button type="button" onClick={() => decide(o.id, o.name, true)}>{tr('approve')}<span class="sr-only">: {o.name}</span></button>
                <button type="button" class="secondary" onClick={() => decide(o.id, o.name, false)}>{tr('reject')}<span class="sr-only">: {o.name}</span></button>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}
