import type { OrganizationKind } from '../../api/types';

/**
 * Organisations whose kind has its invitations sent, or its name changed, by its product line
 * (`invitations_by_line`, `renamed_by_line`: a credits workspace charges for each invitation and keeps
 * names unique): the organisation page sends people to the line's own page instead of offering the
 * core's forms, which refuse them. A kind is named after its line
 * (`credits_workspace` → `credits`); a line without a page here is still named, by the kind's label.
 */
const linePages: Record<string, { line: string; path: (id: string) => string }> = {
  credits: { line: 'Credits', path: (id) => `/credits/workspaces/${id}` },
};

export function lineOrganisationPage(
  kind: OrganizationKind | undefined,
  id: string,
): { line: string; path: string | null } | null {
  if (!kind?.invitations_by_line && !kind?.renamed_by_line) return null;
  const page = linePages[kind.kind.split('_')[0] ?? ''];
  return page ? { line: page.line, path: page.path(id) } : { line: kind.label, path: null };
}
