// Resident with coins: wallet, rewards catalogue, redeem, voucher with QR.
// TODO(issue 7): the coin API (wallet, rewards, redeemReward, voucher, walletChanged) is
// being built in graph/ by another engineer. These pages stay an honest placeholder — no
// made-up balances — until those operations are in the schema; then add
// src/operations/wallet.graphql and the codegen types follow.
import { useT } from '../../i18n';
import { Page } from '../../ui';

export function WalletPage() {
  const tr = useT();
  return (
    <Page title={tr('navWallet')}>
      <p>{tr('comingSoon')}</p>
      <p><a href="/me/year">{tr('navYear')}</a></p>
    </Page>
  );
}
