import { useQuery } from '../api';
import { OrganisationPageDocument } from '../gql/graphql';
import { useT, type Key } from '../i18n';
import { NeedCardView } from '../needcard';
import { Chips, ErrorMessage, Loading, Page } from '../ui';

export function OrganisationPage({ id }: { id: string }) {
  const tr = useT();
  const q = useQuery(OrganisationPageDocument, { id, needs: { organisationId: id, statuses: ['DRAFT', 'OPEN', 'FILLED'] } });
  if (q.loading && !q.data) return <Loading />;
  if (q.error) return <Page title={tr('errTitle')}><ErrorMessage error={q.error} /></Page>;
  const o = q.data?.organisation;
  if (!o) return <Page title={tr('notFoundTitle')}><p>{tr('errNotFound')}</p></Page>;
  const member = o.viewerRole != null;
  const needs = q.data!.needs.edges.map((e) => e.node);
  return (
    <Page title={o.name}>
      {o.status !== 'APPROVED' && <p class="badge">{tr(`orgStatus_${o.status}` as Key)}</p>}
      <p>{o.description}</p>
      <dl class="facts">
        <dt>{tr('address')}</dt><dd>{o.address.street}, {o.address.postcode} {o.address.city}{o.district && ` (${o.district.name})`}</dd>
        {o.openingHours && <><dt>{tr('openingHours')}</dt><dd>{o.openingHours}</dd></>}
        {o.contactEmail && <><dt>{tr('email')}</dt><dd><a href={`mailto:${o.contactEmail}`} data-native>{o.contactEmail}</a></dd></>}
        {o.contactPhone && <><dt>{tr('phone')}</dt><dd><a href={`tel:${o.contactPhone.replace(/\s/g, '')}`} data-native>{o.contactPhone}</a></dd></>}
        {o.themes.length > 0 && <><dt>{tr('theme')}</dt><dd><Chips items={o.themes} /></dd></>}
      </dl>
      {member && o.status === 'APPROVED' && (
        <p><a class="button" href={`/org/${encodeURIComponent(o.id)}/new-need`}>{tr('newNeed')}</a></p>
      )}
      <section aria-labelledby="needs-h">
        <h2 id="needs-h">{tr('orgNeeds')}</h2>
        {needs.length === 0 && <p>{tr('noResults')}</p>}
        <ul class="cards">
          {needs.map((n) => (
            <li key={n.id}>
              <NeedCardView need={n}>
                {member && (
                  <p>
                    {n.status !== 'OPEN' && <span class="badge">{tr(`needStatus_${n.status}` as Key)}</span>}{' '}
                    <a href={`/manage/needs/${encodeURIComponent(n.id)}`}>{tr('manageApplicants')}<span class="sr-only">: {n.title}</span></a>
                  </p>
                )}
              </NeedCardView>
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}
