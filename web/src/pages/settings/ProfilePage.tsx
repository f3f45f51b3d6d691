import { Stack } from '@mantine/core';
import { PageHeader } from '../../components/PageHeader';
import { useSignedInUser } from '../../session/SessionContext';
import { ChangePasswordForm } from './ChangePasswordForm';
import { ProfileNameForm } from './ProfileNameForm';
import { SessionsSection } from './SessionsSection';
import { SettingsTabs } from './SettingsTabs';
import { WalletsSection } from './WalletsSection';

export function ProfilePage() {
  const user = useSignedInUser();
  return (
    <>
      <PageHeader
        title="Settings"
        description="Your profile, how you sign in, and where you are signed in."
      />
      <SettingsTabs current="/settings/profile" />
      <Stack gap="lg">
        <ProfileNameForm user={user} />
        {(user.email || user.has_password) && <ChangePasswordForm user={user} />}
        <WalletsSection user={user} />
        <SessionsSection />
      </Stack>
    </>
  );
}
