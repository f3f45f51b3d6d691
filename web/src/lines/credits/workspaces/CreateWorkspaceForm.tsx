import { Alert, Anchor, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsBalance, CreditsProfile, CreditsWorkspace } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFormDraft } from '../../../hooks/useFormDraft';
import type { FormProblem } from '../../../lib/serverErrors';
import { checkRequired } from '../../../lib/validators';
import { creditsProblem } from '../errors';
import { formatCredits } from '../format';

/**
 * Why a person may not create workspaces, said as it is for them: they hold no product at all (they
 * signed up, or were invited), or their products leave the action out. Only someone who finished a
 * purchase's first login was given a first workspace.
 */
function NotAllowed({ profile }: { profile: CreditsProfile | undefined }) {
  const holdsProducts = (profile?.holdings.length ?? 0) > 0;
  return (
    <Alert
      color="gray"
      variant="light"
      title={holdsProducts ? 'Your products do not include new workspaces' : 'Workspaces come with a product'}
    >
      <Text size="sm">
        {holdsProducts
          ? `${profile?.onboarded_at ? 'Your first workspace was made when you finished setting up your account. ' : ''}To create workspaces, buy a product that allows it.`
          : 'You hold no product yet, so you cannot create a workspace of your own; the workspaces you are invited to appear above. To create one, buy a product that allows it.'}{' '}
        <Anchor component={Link} to="/credits/products" inherit>
          See the products.
        </Anchor>
      </Text>
    </Alert>
  );
}

/** Makes a workspace; its price is held in reserve for its work, so it is shown beside what is available. */
export function CreateWorkspaceForm({
  price,
  balance,
  allowed,
  profile,
  onCreated,
}: {
  price: string | null;
  balance: CreditsBalance | undefined;
  allowed: boolean;
  /** The person's products, for saying why they may not create one. */
  profile?: CreditsProfile;
  onCreated: (workspace: CreditsWorkspace) => void;
}) {
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: '' },
    validateInputOnChange: true,
    validate: { name: checkRequired('a name for the workspace') },
  });
  useFormDraft(form, 'create-workspace');
  const short = price !== null && balance !== undefined && BigInt(balance.available) < BigInt(price);

  const submit = form.onSubmit(async ({ name }) => {
    setFormError(null);
    try {
      const workspace = await call(api.POST('/api/credits/workspaces', { body: { name: name.trim() } }));
      form.reset();
      onCreated(workspace);
    } catch (error) {
      setFormError(creditsProblem(form, error));
    }
  });

  if (!allowed) return <NotAllowed profile={profile} />;
  return (
    <form onSubmit={submit} noValidate aria-label="Create a workspace">
      <Stack gap="md">
        <Text size="sm" data-testid="workspace-price">
          Creating a workspace reserves{' '}
          <Text span fw={700}>
            {price === null ? 'its price' : formatCredits(price)}
          </Text>{' '}
          for the work done in it
          {balance ? (
            <>
              ; you have{' '}
              <Text span fw={700}>
                {formatCredits(balance.available)}
              </Text>{' '}
              available.
            </>
          ) : (
            '.'
          )}
        </Text>
        {short && (
          <Alert color="orange" variant="light">
            You have fewer credits available than a workspace needs. Credits come back at your next refill, or
            when you release reservations or archive a workspace.
          </Alert>
        )}
        <TextInput label="Name" required maw={420} {...form.getInputProps('name')} />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Create workspace
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
