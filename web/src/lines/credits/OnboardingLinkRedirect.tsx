import { Navigate, useLocation } from 'react-router';

/** Mails sent before the link moved to /credits/welcome point at /onboarding?email=…; they still arrive. */
export function OnboardingLinkRedirect() {
  const { search } = useLocation();
  return <Navigate to={`/credits/welcome${search}`} replace />;
}
