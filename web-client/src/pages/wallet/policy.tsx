// Administrator: coin policy and budgets.
// TODO(issue 7): setCoinPolicy / fundIssuer are not in the schema yet (another engineer is
// adding them). No form until they exist.
import { useT } from '../../i18n';
import { Page } from '../../ui';

export function CoinPolicyPage() {
  const tr = useT();
  return (
    <Page title={tr('coinPolicy')}>
      <p>{tr('comingSoon')}</p>
    </Page>
  );
}
