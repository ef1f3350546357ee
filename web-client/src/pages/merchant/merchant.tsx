// Merchant: manage rewards, type or scan a voucher code, accept it, settlements.
// TODO(issue 7): createReward, updateReward, voucher(code), acceptVoucher and settlements
// are not in the schema yet (another engineer is adding them). No made-up data until then.
import { useT } from '../../i18n';
import { Page } from '../../ui';

export function MerchantPage() {
  const tr = useT();
  return (
    <Page title={tr('navMerchant')}>
      <p>{tr('comingSoon')}</p>
    </Page>
  );
}
