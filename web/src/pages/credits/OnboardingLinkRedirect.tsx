import { Navigate, useLocation } from 'react-router';

/** The purchase mail links to /onboarding?email=…; the first-login page lives under /credits. */
export function OnboardingLinkRedirect() {
  const { search } = useLocation();
  return <Navigate to={`/credits/welcome${search}`} replace />;
}
