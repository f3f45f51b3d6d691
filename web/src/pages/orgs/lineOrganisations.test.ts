import { describe, expect, it } from 'vitest';
import type { OrganizationKind } from '../../api/types';
import { lineOrganisationPage } from './lineOrganisations';

const kind = (
  name: string,
  label: string,
  invitationsByLine: boolean,
  renamedByLine = false,
): OrganizationKind => ({
  kind: name,
  label,
  creator_role: 'owner',
  self_service: true,
  invitations_by_line: invitationsByLine,
  renamed_by_line: renamedByLine,
  created_by_line: false,
  roles: [],
});

describe('organisations a product line manages', () => {
  it('follows the kind’s invitations_by_line, not its name', () => {
    expect(lineOrganisationPage(kind('credits_workspace', 'Workspace', true), 'w1')).toEqual({
      line: 'Credits',
      path: '/credits/workspaces/w1',
    });
    expect(lineOrganisationPage(kind('credits_workspace', 'Workspace', false), 'w1')).toBeNull();
    expect(lineOrganisationPage(kind('team', 'Team', false), 't1')).toBeNull();
    expect(lineOrganisationPage(kind('shop_stall', 'Stall', true), 's1')).toEqual({
      line: 'Stall',
      path: null,
    });
    expect(lineOrganisationPage(kind('credits_workspace', 'Workspace', false, true), 'w1')).toEqual({
      line: 'Credits',
      path: '/credits/workspaces/w1',
    });
    expect(lineOrganisationPage(undefined, 'x')).toBeNull();
  });
});
