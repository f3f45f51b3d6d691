import {
  Anchor,
  Button,
  ColorSwatch,
  FileInput,
  Group,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  type TextInputProps,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { showServerErrors } from '../../../lib/serverErrors';
import { BrandPreview } from './BrandPreview';
import { BRAND_NAME_MAX, brandNameProblem, colorOf, colorProblem } from './brandColors';
import { ResellerFrame } from './ResellerFrame';

export type CreditsBranding = components['schemas']['CreditsBranding'];

const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const LOGO_MAX_BYTES = 5 * 1024 * 1024;

/** The reseller's brand, or null before it has a domain (the API's domain_not_set). */
export function useBranding() {
  return useResource('credits-branding', async () => {
    try {
      return await call(api.GET('/api/credits/whitelabel/branding'));
    } catch (error) {
      if (asApiError(error).code === 'domain_not_set') return null;
      throw error;
    }
  });
}

/** The image a chosen file will be, as an address the preview can show, while it is chosen. */
function useObjectUrl(file: File | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file) {
      setUrl(null);
      return;
    }
    const made = URL.createObjectURL(file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [file]);
  return url;
}

/** A `#rrggbb` field with a swatch of the colour once it is one. */
function ColorInput(props: TextInputProps) {
  const color = colorOf(String(props.value ?? ''));
  return (
    <TextInput
      placeholder="#1c4e80"
      maxLength={7}
      leftSection={color ? <ColorSwatch color={color} size={16} aria-hidden /> : null}
      {...props}
    />
  );
}

/** The brand form and its logo, beside a preview that follows every keystroke. */
export function BrandingEditor({
  branding,
  onSaved,
}: {
  branding: CreditsBranding;
  onSaved: (branding: CreditsBranding) => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      brand_name: branding.brand_name ?? '',
      primary_color: branding.primary_color ?? '',
      accent_color: branding.accent_color ?? '',
    },
    validateInputOnChange: true,
    validate: {
      brand_name: brandNameProblem,
      primary_color: (value) => colorProblem(value, 'white text on buttons and the header'),
      accent_color: (value) => colorProblem(value, 'links on a white page'),
    },
  });
  const [logo, setLogo] = useState<File | null>(null);
  const [logoError, setLogoError] = useState<string | null>(null);
  const [logoBusy, setLogoBusy] = useState(false);
  const chosenLogo = useObjectUrl(logoError ? null : logo);

  const submit = form.onSubmit(
    async (values) => {
      setFormError(null);
      try {
        const saved = await call(
          api.PATCH('/api/credits/whitelabel/branding', {
            body: {
              brand_name: values.brand_name.trim() || null,
              primary_color: values.primary_color.trim() || null,
              accent_color: values.accent_color.trim() || null,
            },
          }),
        );
        onSaved(saved);
        notifications.show({ color: 'teal', message: 'Your brand is saved.' });
      } catch (error) {
        setFormError(showServerErrors(form, error));
      }
    },
    // After a refused submit, the first field in error takes the focus (UI.md "Forms").
    (errors) => {
      const first = Object.keys(errors)[0];
      if (first) document.querySelector<HTMLInputElement>(`[name="${first}"]`)?.focus();
    },
  );

  const chooseLogo = (file: File | null) => {
    setLogo(file);
    if (!file) return setLogoError(null);
    if (!LOGO_TYPES.includes(file.type)) return setLogoError('Choose a PNG, JPEG or WebP image (not SVG).');
    if (file.size > LOGO_MAX_BYTES) return setLogoError('The image is larger than 5 MB.');
    setLogoError(null);
  };
  const uploadLogo = async () => {
    if (!logo || logoError) return;
    setLogoBusy(true);
    try {
      const body = new FormData();
      body.append('file', logo, logo.name);
      onSaved(await call(api.PUT('/api/credits/whitelabel/branding/logo', { body: body as never })));
      setLogo(null);
      notifications.show({ color: 'teal', message: 'Your logo is saved.' });
    } catch (error) {
      setLogoError(asApiError(error).message);
    } finally {
      setLogoBusy(false);
    }
  };
  const removeLogo = async () => {
    setLogoBusy(true);
    try {
      onSaved(await call(api.DELETE('/api/credits/whitelabel/branding/logo')));
      notifications.show({ color: 'teal', message: 'Your logo is removed.' });
    } catch (error) {
      setLogoError(asApiError(error).message);
    } finally {
      setLogoBusy(false);
    }
  };

  const shownName = form.values.brand_name.trim() || branding.name;
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
      <Stack gap="lg">
        <form onSubmit={submit} noValidate aria-label="Your brand">
          <Stack gap="md">
            <TextInput
              label="Brand name"
              description={`What your customers see instead of Tally, up to ${BRAND_NAME_MAX} characters. Empty: your own name.`}
              placeholder={branding.name}
              name="brand_name"
              {...form.getInputProps('brand_name')}
            />
            <ColorInput
              label="Primary colour"
              description="The header and buttons, under white text."
              name="primary_color"
              {...form.getInputProps('primary_color')}
            />
            <ColorInput
              label="Accent colour"
              description="Links, on the white page."
              name="accent_color"
              {...form.getInputProps('accent_color')}
            />
            <FormErrorAlert message={formError} />
            <Group>
              <Button type="submit" loading={form.submitting}>
                Save brand
              </Button>
            </Group>
          </Stack>
        </form>
        <Stack gap="sm">
          <Group align="flex-end" gap="sm">
            <FileInput
              label="Logo"
              description="PNG, JPEG or WebP, up to 5 MB. SVG is not taken: it can carry scripts."
              accept={LOGO_TYPES.join(',')}
              placeholder="Choose an image"
              clearable
              value={logo}
              onChange={chooseLogo}
              error={logoError}
              w={320}
            />
            <Button
              onClick={() => void uploadLogo()}
              loading={logoBusy}
              disabled={!logo || logoError !== null}
            >
              {branding.logo_url ? 'Replace the logo' : 'Save the logo'}
            </Button>
          </Group>
          {branding.logo_url && (
            <Group>
              <Button variant="default" color="red" onClick={() => void removeLogo()} loading={logoBusy}>
                Remove the logo
              </Button>
            </Group>
          )}
          {chosenLogo && (
            <Text size="sm" c="dimmed">
              The preview shows the chosen logo; it is not saved yet.
            </Text>
          )}
        </Stack>
      </Stack>
      <BrandPreview
        name={shownName}
        primary={form.values.primary_color}
        accent={form.values.accent_color}
        logoUrl={chosenLogo ?? branding.logo_url}
      />
    </SimpleGrid>
  );
}

/** /credits/reseller/branding: the name, colours and logo the reseller's customers see. */
export function ResellerBrandingPage() {
  const branding = useBranding();
  return (
    <ResellerFrame
      title="Your brand"
      description="Your name, colours and logo, on your domain and in the mail your customers get."
    >
      <SectionCard title="Brand">
        <ResourceView resource={branding} loadingLabel="Loading your brand…">
          {(data) =>
            data ? (
              <BrandingEditor branding={data} onSaved={branding.replace} />
            ) : (
              <NothingYet title="Set up your domain first">
                Your brand is what your domain shows your customers.{' '}
                <Anchor component={Link} to="/credits/reseller/domain">
                  Set up your domain.
                </Anchor>
              </NothingYet>
            )
          }
        </ResourceView>
      </SectionCard>
    </ResellerFrame>
  );
}
