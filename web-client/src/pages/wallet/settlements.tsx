// A merchant's settlement statements as a table (month, vouchers, coins, euros) with the
// rate they were settled at: the merchant's own page and the administrator's show the same.
import { type SettlementFieldsFragment } from '../../gql/graphql';
import { formatCoins, formatEuro, formatPeriod } from '../../coins';
import { i18n, useT } from '../../i18n';
import { useStore } from '../../store';

export function SettlementTable({ list, caption }: { list: SettlementFieldsFragment[]; caption: string }) {
  const tr = useT();
  const { lang } = useStore(i18n);
  if (list.length === 0) return null;
  return (
    <>
      <div class="table-wrap">
        <table>
          <caption>{caption}</caption>
          <thead>
            <tr><th scope="col">{tr('month')}</th><th scope="col" class="num">{tr('vouchersWord')}</th><th scope="col" class="num">{tr('coinsColumn')}</th>
              <th scope="col" class="num">{tr('euros')}</th></tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.id} data-statement-id={s.id} data-period={s.period} data-vouchers={s.vouchers}>
                <th scope="row">{formatPeriod(s.period, lang)}</th>
                <td class="num">{formatCoins(s.vouchers, lang)}</td>
                <td class="num">{formatCoins(s.coins, lang)}</td>
                <td class="num">{formatEuro(s.euroCents, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="hint">{tr('settlementRate', { coins: formatCoins(10, lang), euro: formatEuro(list[0].euroCentsPer10Coins, lang) })}</p>
    </>
  );
}
