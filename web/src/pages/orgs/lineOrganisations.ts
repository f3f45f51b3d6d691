import type { OrganizationKind } from '../../api/types';

/**
 * Organisations whose kind its product line makes, or whose invitations or name it handles
 * (`created_by_line`, `invitations_by_line`, `renamed_by_line`: a buyers club, a credits workspace
 * that charges for each invitation): the organisation page and an accepted invitation lead to the
 * line's own page, and the core's forms the line refuses are not offered. A kind is named after its line
 * (`credits_workspace` → `credits`); a line without a page here is still named, by the kind's label.
 */
const linePages: Record<string, { line: string; holds: string; path: (id: string) => string }> = {
  credits: {
    line: 'Credits',
    holds: 'Its name, invitations, credits and usage',
    path: (id) => `/credits/workspaces/${id}`,
  },
  club: { line: 'Coop', holds: 'Its households, producers and products', path: (id) => `/coop/clubs/${id}` },
};

export function lineOrganisationPage(
  kind: OrganizationKind | undefined,
  id: string,
): { line: string; holds: string; path: string | null } | null {
  if (!kind?.invitations_by_line && !kind?.renamed_by_line && !kind?.created_by_line) return null;
  const page = linePages[kind.kind.split('_')[0] ?? ''];
  return page
    ? { line: page.line, holds: page.holds, path: page.path(id) }
    : { line: kind.label, holds: 'Its own pages', path: null };
}
