import { LoadingState } from '../../components/States';
import { useSession } from '../../session/SessionContext';
import { CataloguePage } from './catalogue/CataloguePage';
import { DashboardPage } from './dashboard/DashboardPage';

/** /credits: a signed-in person's dashboard; for a visitor, what is sold and how buying works. */
export function CreditsHomePage() {
  const { session } = useSession();
  if (session.status === 'loading') return <LoadingState label="Checking who is signed in…" />;
  return session.status === 'signed-in' ? <DashboardPage /> : <CataloguePage />;
}
