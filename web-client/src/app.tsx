import { gql, onBehalf, setOnBehalf } from './api';
import { LogoutDocument, UpdateLanguageDocument } from './gql/graphql';
import { i18n, LANGS, setLanguage, useT, type Lang } from './i18n';
import { HomePage } from './pages/home';
import { matchRoute, navigate, useLocation, type Route } from './router';
import { coordinatorOrgs, hasRole, isMerchant, session } from './session';
import { useStore } from './store';
import { announce, lazyPage, LiveRegion, Page, useId } from './ui';

// Every page except the first one is loaded on demand.
const NeedPage = lazyPage(() => import('./pages/need').then((m) => m.NeedPage));
const LoginPage = lazyPage(() => import('./pages/auth').then((m) => m.LoginPage));
const RegisterPage = lazyPage(() => import('./pages/auth').then((m) => m.RegisterPage));
const MyShiftsPage = lazyPage(() => import('./pages/me').then((m) => m.MyShiftsPage));
const RecommendationsPage = lazyPage(() => import('./pages/me').then((m) => m.RecommendationsPage));
const YearPage = lazyPage(() => import('./pages/me').then((m) => m.YearPage));
const AccountPage = lazyPage(() => import('./pages/account').then((m) => m.AccountPage));
const ProfilePage = lazyPage(() => import('./pages/profile').then((m) => m.ProfilePage));
const OrganisationPage = lazyPage(() => import('./pages/org').then((m) => m.OrganisationPage));
const NewNeedPage = lazyPage(() => import('./pages/newneed').then((m) => m.NewNeedPage));
const ManageNeedPage = lazyPage(() => import('./pages/manage').then((m) => m.ManageNeedPage));
const MatchmakerPage = lazyPage(() => import('./pages/matchmaker').then((m) => m.MatchmakerPage));
const AdminPage = lazyPage(() => import('./pages/admin').then((m) => m.AdminPage));
const ImpactPage = lazyPage(() => import('./pages/impact').then((m) => m.ImpactPage));
const WalletPage = lazyPage(() => import('./pages/wallet/wallet').then((m) => m.WalletPage));
const RewardsPage = lazyPage(() => import('./pages/wallet/rewards').then((m) => m.RewardsPage));
const RewardPage = lazyPage(() => import('./pages/wallet/rewards').then((m) => m.RewardPage));
const MyVouchersPage = lazyPage(() => import('./pages/wallet/vouchers').then((m) => m.MyVouchersPage));
const VoucherPage = lazyPage(() => import('./pages/wallet/vouchers').then((m) => m.VoucherPage));
const MerchantPage = lazyPage(() => import('./pages/merchant/merchant').then((m) => m.MerchantPage));
const MerchantRewardsPage = lazyPage(() => import('./pages/merchant/merchant').then((m) => m.MerchantRewardsPage));
const MerchantVouchersPage = lazyPage(() => import('./pages/merchant/merchant').then((m) => m.MerchantVouchersPage));
const SettlementsPage = lazyPage(() => import('./pages/merchant/merchant').then((m) => m.SettlementsPage));
const CoinPolicyPage = lazyPage(() => import('./pages/wallet/policy').then((m) => m.CoinPolicyPage));

export const ROUTES: Route[] = [
  { pattern: '/', name: 'home' },
  { pattern: '/needs/:id', name: 'need' },
  { pattern: '/login', name: 'login' },
  { pattern: '/register', name: 'register' },
  { pattern: '/me/shifts', name: 'shifts' },
  { pattern: '/me/recommendations', name: 'recommendations' },
  { pattern: '/me/profile', name: 'profile' },
  { pattern: '/me/year', name: 'year' },
  { pattern: '/me/account', name: 'account' },
  { pattern: '/org/:id', name: 'org' },
  { pattern: '/org/:id/new-need', name: 'newNeed' },
  { pattern: '/manage/needs/:id', name: 'manage' },
  { pattern: '/matchmaker', name: 'matchmaker' },
  { pattern: '/admin', name: 'admin' },
  { pattern: '/admin/coins', name: 'coinPolicy' },
  { pattern: '/impact', name: 'impact' },
  { pattern: '/wallet', name: 'wallet' },
  { pattern: '/rewards', name: 'rewards' },
  { pattern: '/rewards/:id', name: 'reward' },
  { pattern: '/me/vouchers', name: 'vouchers' },
  { pattern: '/me/vouchers/:code', name: 'voucher' },
  { pattern: '/merchant', name: 'merchant' },
  { pattern: '/merchant/rewards', name: 'merchantRewards' },
  { pattern: '/merchant/vouchers', name: 'merchantVouchers' },
  { pattern: '/merchant/settlements', name: 'settlements' },
];

function LanguageSwitch() {
  const tr = useT();
  const { lang } = useStore(i18n);
  const { me } = useStore(session);
  const id = useId('lang');
  const change = async (l: Lang) => {
    await setLanguage(l);
    announce(tr('languageChanged'));
    if (me) gql(UpdateLanguageDocument, { input: { preferredLanguage: l.toUpperCase() as never } }, { asSelf: true }).catch(() => {});
  };
  return (
    <div class="lang">
      <label for={id}>{tr('language')}</label>
      <select id={id} value={lang} onChange={(e) => change((e.target as HTMLSelectElement).value as Lang)}>
        {LANGS.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function Nav() {
  const tr = useT();
  const { me } = useStore(session);
  const { path } = useLocation();
  const link = (href: string, label: string) => (
    <li key={href}>
      <a href={href} aria-current={path === href || (href !== '/' && path.startsWith(`${href}/`)) ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  const signOut = async () => {
    await gql(LogoutDocument, {}, { asSelf: true }).catch(() => {});
    setOnBehalf(null);
    session.set({ me: null, ready: true });
    navigate('/');
    announce(tr('signedOut'));
  };
  return (
    <nav aria-label={tr('mainMenu')}>
      <ul class="nav">
        {link('/', tr('navSearch'))}
        {me && link('/me/shifts', tr('navMyShifts'))}
        {me && link('/me/recommendations', tr('navForYou'))}
        {me && link('/me/profile', tr('navProfile'))}
        {me && link('/me/year', tr('navYear'))}
        {me && link('/wallet', tr('navWallet'))}
        {link('/rewards', tr('navRewards'))}
        {me && link('/me/account', tr('navAccount'))}
        {coordinatorOrgs(me).map((o) => link(`/org/${encodeURIComponent(o.id)}`, o.name))}
        {hasRole(me, 'MATCHMAKER') && link('/matchmaker', tr('navMatchmaker'))}
        {isMerchant(me) && link('/merchant', tr('navMerchant'))}
        {hasRole(me, 'ADMINISTRATOR') && link('/admin', tr('navAdmin'))}
        {link('/impact', tr('navImpact'))}
        {!me && link('/login', tr('signIn'))}
        {!me && link('/register', tr('register'))}
        {me && (
          <li>
            <button type="button" class="linklike" onClick={signOut}>
              {tr('signOut')}
            </button>
          </li>
        )}
      </ul>
    </nav>
  );
}

function OnBehalfBanner() {
  const tr = useT();
  const p = useStore(onBehalf);
  if (!p) return null;
  return (
    <div class="banner" role="region" aria-label={tr('onBehalfTitle')}>
      <p>{tr('onBehalfActive', { name: p.name })}</p>
      <button type="button" onClick={() => { setOnBehalf(null); announce(tr('onBehalfStopped')); }}>
        {tr('onBehalfStop')}
      </button>
    </div>
  );
}

function NotFound() {
  const tr = useT();
  return (
    <Page title={tr('notFoundTitle')}>
      <p>{tr('notFoundText')}</p>
      <p><a href="/">{tr('navSearch')}</a></p>
    </Page>
  );
}

export function App() {
  const tr = useT();
  const loc = useLocation();
  const m = matchRoute(loc.path, ROUTES);
  const p = m?.params ?? {};
  const page = (() => {
    switch (m?.name) {
      case 'home': return <HomePage search={loc.search} />;
      case 'need': return <NeedPage id={p.id} />;
      case 'login': return <LoginPage search={loc.search} />;
      case 'register': return <RegisterPage search={loc.search} />;
      case 'shifts': return <MyShiftsPage />;
      case 'recommendations': return <RecommendationsPage />;
      case 'profile': return <ProfilePage />;
      case 'year': return <YearPage />;
      case 'account': return <AccountPage />;
      case 'org': return <OrganisationPage id={p.id} />;
      case 'newNeed': return <NewNeedPage orgId={p.id} />;
      case 'manage': return <ManageNeedPage id={p.id} />;
      case 'matchmaker': return <MatchmakerPage />;
      case 'admin': return <AdminPage />;
      case 'coinPolicy': return <CoinPolicyPage />;
      case 'impact': return <ImpactPage />;
      case 'wallet': return <WalletPage />;
      case 'rewards': return <RewardsPage search={loc.search} />;
      case 'reward': return <RewardPage id={p.id} />;
      case 'vouchers': return <MyVouchersPage />;
      case 'voucher': return <VoucherPage code={p.code} />;
      case 'merchant': return <MerchantPage search={loc.search} />;
      case 'merchantRewards': return <MerchantRewardsPage search={loc.search} />;
      case 'merchantVouchers': return <MerchantVouchersPage search={loc.search} />;
      case 'settlements': return <SettlementsPage search={loc.search} />;
      default: return <NotFound />;
    }
  })();
  return (
    <>
      <a class="skip" href="#main" data-native onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        {tr('skipToContent')}
      </a>
      <header class="top">
        <div class="top-row">
          <a class="brand" href="/">Helpende Handen</a>
          <LanguageSwitch />
        </div>
        <Nav />
      </header>
      <OnBehalfBanner />
      <main id="main" tabindex={-1}>
        {page}
      </main>
      <footer class="foot">
        <p>{tr('footer')}</p>
      </footer>
      <LiveRegion />
    </>
  );
}
