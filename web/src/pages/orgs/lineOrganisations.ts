/**
 * Kinds of organisation a product line manages itself, and the line's page for one. Their
 * invitations are the line's to send (a credits workspace charges for each), so the organisation
 * page sends people there instead of offering the core's invitation form, which refuses them.
 */
const linePages: Record<string, { line: string; path: (id: string) => string }> = {
  credits_workspace: { line: 'Credits', path: (id) => `/credits/workspaces/${id}` },
};

export function lineOrganisationPage(kind: string, id: string): { line: string; path: string } | null {
  const page = linePages[kind];
  return page ? { line: page.line, path: page.path(id) } : null;
}
