import {
  Button,
  Code,
  Group,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../../api/client';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { checkRequired } from '../../../lib/validators';
import { readablePlaceholder, useFocusFirstInvalid } from '../components/forms';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { placeServerErrors } from '../components/serverErrors';
import { useOwnProvider } from '../data';
import { endpointOf } from '../format';
import { ProviderFrame } from '../GatewayTabs';
import type { GatewayServer } from '../types';
import { NotAProvider } from './ProviderPage';
import {
  checkDescription,
  checkHeaderName,
  checkHeaderValue,
  checkOptionalUrl,
  checkSlug,
  checkUpstreamUrl,
  serverFieldNames,
  slugFrom,
} from './serverFields';

export function RegisterServerForm({ onRegistered }: { onRegistered: (server: GatewayServer) => void }) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  // The path follows the name until the person edits it.
  const [slugEdited, setSlugEdited] = useState(false);
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      name: '',
      slug: '',
      description: '',
      upstream_url: '',
      header_name: '',
      header_value: '',
      usage_url: '',
    },
    validateInputOnChange: true,
    validate: {
      name: checkRequired('the name people see in the catalogue', 100),
      slug: checkSlug,
      description: checkDescription,
      upstream_url: checkUpstreamUrl,
      header_name: checkHeaderName,
      header_value: checkHeaderValue,
      usage_url: checkOptionalUrl,
    },
  });
  const submit = form.onSubmit(async (values) => {
    setRefusal(null);
    try {
      const server = await call(
        api.POST('/api/gateway/servers', {
          body: {
            slug: values.slug,
            name: values.name.trim(),
            ...(values.description.trim() ? { description: values.description.trim() } : {}),
            upstream_url: values.upstream_url.trim(),
            ...(values.header_name.trim()
              ? { upstream_header: { name: values.header_name.trim(), value: values.header_value } }
              : {}),
            ...(values.usage_url.trim() ? { usage_url: values.usage_url.trim() } : {}),
          },
        }),
      );
      onRegistered(server);
    } catch (error) {
      setRefusal(placeServerErrors(form, error, serverFieldNames));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  const nameProps = form.getInputProps('name');
  const slugProps = form.getInputProps('slug');
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Register an MCP server">
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput
            label="Name"
            required
            description="Shown in the catalogue, such as “Weather tools”."
            {...nameProps}
            onChange={(event) => {
              nameProps.onChange(event);
              if (!slugEdited) form.setFieldValue('slug', slugFrom(event.currentTarget.value));
            }}
          />
          <TextInput
            label="Path"
            required
            description={
              form.values.slug && !checkSlug(form.values.slug) ? (
                <>
                  Callers reach it at <Code>{endpointOf(form.values.slug)}</Code>
                </>
              ) : (
                'Its endpoint on Tally: /mcp/<path>. Cannot be changed later.'
              )
            }
            {...slugProps}
            onChange={(event) => {
              setSlugEdited(true);
              slugProps.onChange(event);
            }}
          />
        </SimpleGrid>
        <Textarea
          label="Description"
          autosize
          minRows={2}
          maxRows={6}
          {...form.getInputProps('description')}
        />
        <TextInput
          label="Upstream URL"
          required
          description="The Streamable HTTP endpoint of your MCP server. Tally opens a session with it now and lists its tools."
          placeholder="https://mcp.example.com/mcp"
          styles={readablePlaceholder}
          {...form.getInputProps('upstream_url')}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput
            label="Header name"
            description="Optional: a header Tally sends your server, such as an API key."
            placeholder="Authorization"
            styles={readablePlaceholder}
            {...form.getInputProps('header_name')}
          />
          <PasswordInput
            label="Header value"
            description="Stored sealed and never shown again."
            autoComplete="off"
            {...form.getInputProps('header_value')}
            aria-invalid={Boolean(form.errors.header_value)}
          />
        </SimpleGrid>
        <TextInput
          label="Usage URL"
          description="Optional: where your server reports its own call counts; settlement compares them with Tally's."
          {...form.getInputProps('usage_url')}
        />
        <RefusalAlert refusal={refusal} />
        <Group gap="sm">
          <Button type="submit" loading={form.submitting}>
            Register server
          </Button>
          {form.submitting && (
            <Text size="sm" role="status">
              Opening an MCP session with your server…
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

/** /gateway/provider/servers/new: register an MCP server. */
export function RegisterServerPage() {
  const provider = useOwnProvider();
  const navigate = useNavigate();
  return (
    <ProviderFrame
      title="Register an MCP server"
      description="Its tools arrive unpriced: a tool can be called through Tally only once you price it, so no call is ever given away by mistake."
    >
      <ResourceView resource={provider} loadingLabel="Loading your provider profile…">
        {(profile) =>
          profile ? (
            <SectionCard title="The server">
              <RegisterServerForm
                onRegistered={(server) => navigate(`/gateway/provider/servers/${server.id}`)}
              />
            </SectionCard>
          ) : (
            <NotAProvider />
          )
        }
      </ResourceView>
    </ProviderFrame>
  );
}
